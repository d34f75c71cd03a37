// The page's Calendar view: the pending schedules of a week or all of them, edit and
// cancel. See common.js.
"use strict";

async function refreshSchedules() {
  const { status, data } = await api("GET", "/schedules");
  if (status === 200 && Array.isArray(data)) {
    // Metrics readings are the service's own, not posts.
    state.schedules = data.filter((s) => s.input && s.input.kind !== "metrics");
    renderCalendar();
  }
}

function firstWords(text, count) {
  const words = String(text || "").split(/\s+/).filter(Boolean);
  return words.length > count ? `${words.slice(0, count).join(" ")}…` : words.join(" ");
}

function scheduleItem(schedule) {
  const input = schedule.input;
  const item = element("li", "post");
  item.dataset.reference = input.referenceNumber || "";
  const fire = new Date(schedule.fireAt);
  item.appendChild(element("time", "when", timeFormat.format(fire))).dateTime = schedule.fireAt;
  const what = element("div", "what");
  what.appendChild(element("span", "platform", input.platform));
  if (input.campaign) what.appendChild(element("span", "campaign", input.campaign));
  what.appendChild(element("span", "reference", input.referenceNumber));
  item.appendChild(what);
  item.appendChild(element("p", "words", firstWords(input.message, 8)));
  if (schedule.flexibleWindowMinutes > 0) {
    const asked = timeFormat.format(new Date(schedule.at));
    item.appendChild(element("p", "muted", `chosen in the ${schedule.flexibleWindowMinutes}-minute window after ${asked}`));
  }
  const actions = element("div", "actions");
  const edit = element("button", "edit", "Edit");
  edit.type = "button";
  edit.addEventListener("click", () => editSchedule(input));
  const cancel = element("button", "cancel", armed(input.referenceNumber) ? "Really cancel?" : "Cancel");
  cancel.type = "button";
  cancel.addEventListener("click", () => cancelPost(cancel, input));
  actions.append(edit, cancel);
  item.appendChild(actions);
  return item;
}

function renderCalendar() {
  const start = state.weekStart;
  const end = new Date(start.getTime());
  end.setDate(end.getDate() + 7);
  const last = new Date(end.getTime() - DAY_MS);
  $("week-label").textContent = `${dayFormat.format(start)} – ${dayFormat.format(last)}`;
  const week = $("week");
  week.replaceChildren();
  const sorted = [...state.schedules].sort((a, b) => a.fireAt.localeCompare(b.fireAt));
  for (let i = 0; i < 7; i++) {
    const day = new Date(start.getTime());
    day.setDate(day.getDate() + i);
    const next = new Date(day.getTime());
    next.setDate(next.getDate() + 1);
    const column = element("div", "day");
    column.appendChild(element("h3", null, dayFormat.format(day)));
    const list = element("ol", "posts");
    sorted
      .filter((s) => { const t = new Date(s.fireAt); return t >= day && t < next; })
      .forEach((s) => list.appendChild(scheduleItem(s)));
    column.appendChild(list);
    week.appendChild(column);
  }
  const all = $("list");
  all.replaceChildren();
  sorted.forEach((s) => {
    const item = scheduleItem(s);
    item.querySelector(".when").textContent = fullFormat.format(new Date(s.fireAt));
    all.appendChild(item);
  });
  if (sorted.length === 0) all.appendChild(element("li", "muted", "Nothing is scheduled."));
}

function moveWeek(weeks) {
  const start = new Date(state.weekStart.getTime());
  start.setDate(start.getDate() + 7 * weeks);
  state.weekStart = start;
  renderCalendar();
}

function toggleView() {
  const listing = $("list").hidden;
  $("list").hidden = !listing;
  $("week").hidden = listing;
  $("view-toggle").setAttribute("aria-pressed", String(listing));
  $("view-toggle").textContent = listing ? "Week view" : "List view";
}

// A cancel asks once more on the same button (for 5 s, kept across re-renders), then
// sends Cancel Social Post.
function armed(reference) {
  return state.armed && state.armed.reference === reference && state.armed.until > Date.now();
}

async function cancelPost(button, input) {
  if (!armed(input.referenceNumber)) {
    state.armed = { reference: input.referenceNumber, until: Date.now() + 5000 };
    button.textContent = "Really cancel?";
    setTimeout(renderCalendar, 5100);
    return;
  }
  state.armed = null;
  button.disabled = true;
  const { data } = await api("POST", "/events", {
    "detail-type": "Cancel Social Post",
    source: "sps.page",
    detail: { referenceNumber: input.referenceNumber, platform: input.platform },
  });
  $("live").textContent = data && data.status === "cancelled"
    ? `Cancelled ${data.referenceNumber}.`
    : `Not cancelled: ${data && data.message ? data.message : "the server refused"}`;
  refreshSchedules();
}
