// The page's Compose view: the parts of a post, the live check (POST /validate) and
// scheduling (POST /events). See common.js.
"use strict";

function partTexts() {
  return Array.from(document.querySelectorAll("#parts .part-text")).map((t) => t.value);
}

function addPart(text) {
  const index = document.querySelectorAll("#parts .part").length;
  const node = $("part-template").content.firstElementChild.cloneNode(true);
  const area = node.querySelector(".part-text");
  area.id = `part-${index}`;
  area.value = text || "";
  node.querySelector(".part-label").htmlFor = area.id;
  node.querySelector(".counter").id = `counter-${index}`;
  area.addEventListener("input", edited);
  node.querySelector(".remove-part").addEventListener("click", () => {
    // Focus goes to the part before the removed one, not to the page.
    const before = node.previousElementSibling;
    node.remove();
    renumberParts();
    if (before) before.querySelector(".part-text").focus();
    edited();
  });
  $("parts").appendChild(node);
  renumberParts();
  return area;
}

function renumberParts() {
  document.querySelectorAll("#parts .part").forEach((node, index) => {
    const area = node.querySelector(".part-text");
    area.id = `part-${index}`;
    node.querySelector(".part-label").htmlFor = area.id;
    node.querySelector(".part-label").textContent = index === 0 ? "Message" : `Reply ${index}`;
    node.querySelector(".counter").id = `counter-${index}`;
    node.querySelector(".remove-part").hidden = index === 0;
  });
}

// The Schedule Social Post event the form describes.
function composedEvent() {
  const parts = partTexts();
  const detail = { message: parts[0] || "", platform: $("platform").value };
  if (parts.length > 1) detail.thread = parts.slice(1);
  const account = $("account").value.trim();
  if (account && account !== "default") detail.account = account;
  // The reference as typed: it names the post, spaces and all.
  const reference = $("reference").value;
  if (reference.trim()) detail.referenceNumber = reference;
  const campaign = $("campaign").value;
  if (campaign) detail.campaign = campaign;
  if ($("when-best").checked) {
    detail.scheduledDate = "auto";
  } else {
    let date = $("date").value;
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(date)) date += ":00";
    detail.scheduledDate = date;
    detail.timeZone = ZONE;
  }
  return { "detail-type": "Schedule Social Post", source: "sps.page", detail };
}

let checkTimer = null;
let checkRound = 0;

// The user changed something: check again, and from now on say what is wrong.
function edited() {
  state.touched = true;
  scheduleCheck();
}

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, 120);
}

async function runCheck() {
  const round = ++checkRound;
  const { status, data } = await api("POST", "/validate", composedEvent());
  if (round !== checkRound) return null;
  if (status !== 200 || !data) {
    $("check").classList.add("problem");
    $("check").textContent = data && data.message ? data.message : `The check failed (HTTP ${status}).`;
    return null;
  }
  showCheck(data);
  return data;
}

function showCheck(check) {
  document.querySelectorAll("#parts .counter").forEach((counter, index) => {
    const measured = check.lengths[index];
    if (!measured) {
      counter.textContent = "";
      counter.classList.remove("over");
      return;
    }
    counter.textContent = `${measured.length} / ${measured.limit}`;
    counter.classList.toggle("over", measured.length > measured.limit);
  });
  const box = $("check");
  const shown = check.status === "rejected" && state.touched;
  box.classList.toggle("problem", shown);
  box.textContent = shown ? inWords(check) : "";
}

// A rejection as the page says it: what the form shows instead of the event's field
// names (a reply by its label, a missing date or campaign by its control), then the code.
function inWords(rejection) {
  let message = rejection.message.replace(/^thread\[(\d+)\]: /, (_, i) => `Reply ${Number(i) + 1}: `);
  if ($("when-best").checked && !$("campaign").value) {
    message = "Choose a campaign: the best time is learned per campaign.";
  } else if (!$("when-best").checked && !$("date").value) {
    message = "Choose a date and time.";
  }
  return `${message} (${rejection.reason})`;
}

async function submitPost(event) {
  event.preventDefault();
  const submit = $("submit");
  // One post per press: a second click while this one is under way does nothing.
  if (submit.disabled) return;
  submit.disabled = true;
  try {
    await schedulePost();
  } finally {
    submit.disabled = false;
  }
}

async function schedulePost() {
  clearTimeout(checkTimer);
  state.touched = true;
  const answer = $("answer");
  answer.classList.remove("problem");
  const check = await runCheck();
  if (check && check.status === "rejected") {
    answer.classList.add("problem");
    answer.textContent = `Not scheduled: ${inWords(check)}`;
    return;
  }
  const { status, data } = await api("POST", "/events", composedEvent());
  if (data && data.status === "scheduled") {
    const when = fullFormat.format(utcDate(data.scheduledDate));
    const verb = data.action === "updated" ? "Updated" : "Scheduled";
    let text = `${verb} ${data.referenceNumber} for ${when}.`;
    if (data.campaign) text += ` Campaign ${data.campaign}: ${data.slot}.`;
    // The next post is a new one: the draft starts again, the answer stays.
    clearCompose();
    answer.textContent = text;
    refreshSchedules();
  } else {
    answer.classList.add("problem");
    answer.textContent = data && data.message
      ? `Not scheduled: ${inWords(data)}`
      : `Not scheduled: the server answered HTTP ${status}.`;
  }
}

function clearCompose() {
  $("reference").value = "";
  $("campaign").value = "";
  $("when-at").checked = true;
  whenChanged();
  state.touched = false;
  document.querySelectorAll("#parts .part").forEach((node) => node.remove());
  addPart("");
  const soon = new Date(Date.now() + 3600000);
  soon.setSeconds(0);
  $("date").value = localInput(soon);
  $("answer").textContent = "";
  scheduleCheck();
}

function editSchedule(input) {
  $("reference").value = input.referenceNumber || "";
  $("platform").value = input.platform || "";
  $("account").value = input.account || "default";
  $("campaign").value = input.campaign || "";
  $("when-at").checked = true;
  whenChanged();
  document.querySelectorAll("#parts .part").forEach((node) => node.remove());
  const first = addPart(input.message || "");
  (input.thread || []).forEach((text) => addPart(text));
  $("date").value = localInput(utcDate(input.scheduledDate));
  $("answer").textContent = `Editing ${input.referenceNumber} on ${input.platform}: scheduling it again updates it (on another platform it is a new post).`;
  window.location.hash = "#compose";
  first.focus();
  scheduleCheck();
}

// "At" takes a date; "Best time" takes none.
function whenChanged() {
  $("date").disabled = $("when-best").checked;
}
