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
  item.dataset.name = schedule.name;
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
  const cancel = element("button", "cancel", armed(schedule.name) ? "Really cancel?" : "Cancel");
  cancel.type = "button";
  cancel.addEventListener("click", () => cancelPost(cancel, schedule));
  actions.append(edit, cancel);
  item.appendChild(actions);
  return item;
}

// The button that has the keyboard's focus in the calendar, to give it back after a
// drawing: the view, the schedule's name and the button's class.
function focusedButton() {
  const active = document.activeElement;
  const item = active && active.closest ? active.closest("li.post") : null;
  if (!item) return null;
  return { view: item.closest("#week") ? "week" : "list", name: item.dataset.name, button: active.className };
}

function restoreFocus(focused) {
  if (!focused) return;
  const items = Array.from($(focused.view).querySelectorAll("li.post"));
  const item = items.find((i) => i.dataset.name === focused.name);
  const target = item ? item.querySelector(`button.${focused.button}`) : $(focused.view === "week" ? "next-week" : "view-toggle");
  if (target) target.focus();
}

function renderCalendar() {
  const focused = focusedButton();
  const start = state.weekStart;
  // The last day by the calendar, not 24-hour steps: a week with a clock change has one
  // day of 23 or 25 hours.
  const last = new Date(start.getTime());
  last.setDate(last.getDate() + 6);
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
  restoreFocus(focused);
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

// A cancel asks once more on the same button (for 5 s, kept across drawings), then
// sends Cancel Social Post.
function armed(name) {
  return state.armed && state.armed.name === name && state.armed.until > Date.now();
}

async function cancelPost(button, schedule) {
  const input = schedule.input;
  if (!armed(schedule.name)) {
    state.armed = { name: schedule.name, until: Date.now() + 5000 };
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
  const said = data && data.status === "cancelled"
    ? `Cancelled ${data.referenceNumber}.`
    : `Not cancelled: ${data && data.message ? data.message : "the server refused"}`;
  say(said);
  await refreshSchedules();
  // The cancelled post is gone: the keyboard goes on from the view's controls.
  if (!document.activeElement || document.activeElement === document.body) {
    $($("list").hidden ? "next-week" : "view-toggle").focus();
  }
}
