// The page's Outcomes view (the event log, newest first, live; the dead letters) and
// the start of the page. See common.js.
"use strict";

function eventItem(envelope) {
  const detail = envelope.detail || {};
  const type = envelope["detail-type"];
  const item = element("li", "event");
  item.dataset.type = type;
  item.dataset.reference = detail.referenceNumber || "";
  const head = element("div", "event-head");
  head.appendChild(element("time", "when", fullFormat.format(new Date(envelope.time)))).dateTime = envelope.time;
  head.appendChild(element("strong", "type", type));
  head.appendChild(element("span", "reference", detail.referenceNumber));
  item.appendChild(head);
  if (type === "Post Scheduled" && detail.scheduledDate) {
    let text = `for ${fullFormat.format(utcDate(detail.scheduledDate))}`;
    if (detail.campaign) text += `, campaign ${detail.campaign}: ${detail.slot}`;
    item.appendChild(element("p", "words", text));
  } else if (type === "Social Post Sent") {
    const line = element("p", "words", `Posted as ${detail.postId}. `);
    if (webAddress(detail.postUrl)) {
      const link = element("a", "post-url", "Open the post");
      link.href = detail.postUrl;
      link.rel = "noopener noreferrer";
      line.appendChild(link);
    }
    item.appendChild(line);
  } else if (type === "Social Post Failed") {
    item.classList.add("failed");
    item.appendChild(element("p", "reason-words", detail.reasonMessage));
    // `retryable` says sending the same again could work, not that it will be retried.
    const code = `${detail.reason}${detail.retryable ? ", temporary: sending it again could work" : ""}${detail.stage ? `, while ${detail.stage}` : ""}`;
    item.appendChild(element("p", "reason muted", code));
  }
  return item;
}

// Whether `address` is an http(s) URL: a platform's answer (a Mastodon instance's `url`,
// say) is not trusted to be a link that is safe to open.
function webAddress(address) {
  try {
    return ["http:", "https:"].includes(new URL(address).protocol);
  } catch (_) {
    return false;
  }
}

function renderEvents() {
  const reference = $("filter-reference").value.trim();
  const type = $("filter-type").value;
  const list = $("events");
  list.replaceChildren();
  state.events
    .filter((e) => !type || e["detail-type"] === type)
    .filter((e) => !reference || String((e.detail || {}).referenceNumber || "").includes(reference))
    .slice(0, 300)
    .forEach((e) => list.appendChild(eventItem(e)));
  if (!list.firstChild) list.appendChild(element("li", "muted", "No events."));
}

// A dead letter in words: what it was (a post's schedule, or an outcome event for the
// event target), when it was given up, and why.
function deadLetterItem(letter) {
  const item = element("li", "event failed");
  const input = letter.input || {};
  const head = element("div", "event-head");
  head.appendChild(element("time", "when", fullFormat.format(new Date(letter.time)))).dateTime = letter.time;
  if (letter.scheduleName) {
    head.appendChild(element("strong", null, `Post ${input.referenceNumber || letter.scheduleName} on ${input.platform || "?"}`));
  } else {
    const detail = input.detail || {};
    head.appendChild(element("strong", null, `${input["detail-type"] || "Event"} ${detail.referenceNumber || ""} for ${letter.target}`));
  }
  item.appendChild(head);
  item.appendChild(element("p", "reason-words", letter.error));
  const retry = element("button", null, "Retry");
  retry.type = "button";
  retry.addEventListener("click", async () => {
    retry.disabled = true;
    const { status, data } = await api("POST", `/dead-letters/${letter.id}/retry`);
    say(status === 202 ? "Retry requested: it is due now." : `Not retried: ${data && data.message ? data.message : `HTTP ${status}`}`);
    refreshDeadLetters();
  });
  item.appendChild(retry);
  return item;
}

async function refreshDeadLetters() {
  const { status, data } = await api("GET", "/dead-letters");
  if (status !== 200 || !Array.isArray(data)) return;
  const list = $("dead-letters");
  list.replaceChildren();
  // Newest first, as the outcomes.
  [...data].reverse().forEach((letter) => list.appendChild(deadLetterItem(letter)));
  if (!list.firstChild) list.appendChild(element("li", "muted", "None."));
}

let refreshTimer = null;

function arrived(envelope) {
  if (!envelope || state.eventIds.has(envelope.id)) return;
  state.eventIds.add(envelope.id);
  state.events.unshift(envelope);
  renderEvents();
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshSchedules();
    refreshDeadLetters();
  }, 100);
}

// The newest events, then each new one as it is written (server-sent events).
function follow() {
  const source = new EventSource("/events?follow=1&last=200");
  source.onopen = () => { $("live").textContent = "Live: new events appear as they happen."; };
  source.onerror = () => { $("live").textContent = "Reconnecting…"; };
  source.onmessage = (message) => {
    try {
      arrived(JSON.parse(message.data));
    } catch (_) {
      // Not an envelope: nothing to show.
    }
  };
}

// The campaigns, read again whenever the list is opened (one may have been saved since).
async function loadCampaigns() {
  const { status, data } = await api("GET", "/campaigns");
  if (status !== 200 || !Array.isArray(data)) return;
  const select = $("campaign");
  const chosen = select.value;
  select.replaceChildren(element("option", null, "(none)"));
  select.firstChild.value = "";
  data.forEach((c) => select.appendChild(element("option", null, c.name)));
  select.value = chosen;
}

// The start: platforms (those without settings say so), campaigns, the handlers, the views.
async function start() {
  $("zone").textContent = ZONE;
  const health = await api("GET", "/health");
  const platforms = (health.data && health.data.platforms) || [];
  const unconfigured = (health.data && health.data.unconfigured) || [];
  platforms.forEach((name) => {
    const option = element("option", null, unconfigured.includes(name) ? `${name} (not configured)` : name);
    option.value = name;
    $("platform").appendChild(option);
  });
  if (platforms.includes("twitter")) $("platform").value = "twitter";
  await loadCampaigns();
  $("campaign").addEventListener("focus", loadCampaigns);
  ["platform", "account", "reference", "date", "campaign"].forEach((id) => $(id).addEventListener("input", edited));
  document.querySelectorAll("input[name=when]").forEach((r) => r.addEventListener("change", () => { whenChanged(); edited(); }));
  $("add-part").addEventListener("click", () => { addPart("").focus(); edited(); });
  $("compose-form").addEventListener("submit", submitPost);
  $("clear").addEventListener("click", () => { clearCompose(); $("answer").textContent = ""; });
  $("prev-week").addEventListener("click", () => moveWeek(-1));
  $("next-week").addEventListener("click", () => moveWeek(1));
  $("view-toggle").addEventListener("click", toggleView);
  $("filter-reference").addEventListener("input", renderEvents);
  $("filter-type").addEventListener("change", renderEvents);
  showLogout();
  clearCompose();
  renderEvents();
  follow();
  refreshSchedules();
  refreshDeadLetters();
  document.body.dataset.ready = "yes";
}

// "Log out" shows only when the server asks for a token (its /login is a form then).
async function showLogout() {
  try {
    const response = await fetch("/login", { redirect: "manual" });
    $("logout").hidden = response.status !== 200;
  } catch (_) {
    $("logout").hidden = true;
  }
}

document.addEventListener("DOMContentLoaded", start);
