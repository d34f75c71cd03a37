// The page's Compose view: the parts of a post, the live check (POST /validate) and
// scheduling (POST /events). See common.js.
"use strict";

// --- compose -------------------------------------------------------------------------

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
  area.addEventListener("input", scheduleCheck);
  node.querySelector(".remove-part").addEventListener("click", () => {
    node.remove();
    renumberParts();
    scheduleCheck();
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
  const reference = $("reference").value.trim();
  if (reference) detail.referenceNumber = reference;
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

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, 120);
}

async function runCheck() {
  const round = ++checkRound;
  const { status, data } = await api("POST", "/validate", composedEvent());
  if (round !== checkRound) return null;
  if (status !== 200 || !data) {
    $("check").textContent = data && data.message ? data.message : `The check failed (HTTP ${status}).`;
    return null;
  }
  state.lastCheck = data;
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
  box.classList.toggle("problem", check.status === "rejected");
  box.textContent = check.status === "rejected" ? `${check.message} (${check.reason})` : "";
}

async function submitPost(event) {
  event.preventDefault();
  clearTimeout(checkTimer);
  const answer = $("answer");
  answer.classList.remove("problem");
  const check = await runCheck();
  if (check && check.status === "rejected") {
    answer.classList.add("problem");
    answer.textContent = `Not scheduled: ${check.message} (${check.reason})`;
    return;
  }
  const { status, data } = await api("POST", "/events", composedEvent());
  if (data && data.status === "scheduled") {
    const when = fullFormat.format(utcDate(data.scheduledDate));
    const verb = data.action === "updated" ? "Updated" : "Scheduled";
    let text = `${verb} ${data.referenceNumber} for ${when}.`;
    if (data.campaign) text += ` Campaign ${data.campaign}: ${data.slot}.`;
    answer.textContent = text;
    $("reference").value = data.referenceNumber;
    refreshSchedules();
  } else {
    answer.classList.add("problem");
    answer.textContent = data && data.message
      ? `Not scheduled: ${data.message} (${data.reason})`
      : `Not scheduled: the server answered HTTP ${status}.`;
  }
}

function clearCompose() {
  $("reference").value = "";
  $("account").value = "default";
  $("campaign").value = "";
  $("when-at").checked = true;
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
  document.querySelectorAll("#parts .part").forEach((node) => node.remove());
  const first = addPart(input.message || "");
  (input.thread || []).forEach((text) => addPart(text));
  $("date").value = localInput(utcDate(input.scheduledDate));
  $("answer").textContent = `Editing ${input.referenceNumber}: scheduling it again updates it.`;
  window.location.hash = "#compose";
  first.focus();
  scheduleCheck();
}
