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
    if (detail.postUrl) {
      const link = element("a", "post-url", "Open the post");
      link.href = detail.postUrl;
      link.rel = "noopener noreferrer";
      line.appendChild(link);
    }
    item.appendChild(line);
  } else if (type === "Social Post Failed") {
    item.classList.add("failed");
    item.appendChild(element("p", "reason-words", detail.reasonMessage));
    const code = `${detail.reason}${detail.retryable ? ", will be retried" : ""}${detail.stage ? `, while ${detail.stage}` : ""}`;
    item.appendChild(element("p", "reason muted", code));
  }
  return item;
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

async function refreshDeadLetters() {
  const { status, data } = await api("GET", "/dead-letters");
  if (status !== 200 || !Array.isArray(data)) return;
  const list = $("dead-letters");
  list.replaceChildren();
  data.forEach((letter) => {
    const item = element("li", "event failed");
    const what = letter.scheduleName || letter.target || `#${letter.id}`;
    item.appendChild(element("strong", null, what));
    item.appendChild(element("p", "reason-words", letter.error));
    const retry = element("button", null, "Retry");
    retry.type = "button";
    retry.addEventListener("click", async () => {
      retry.disabled = true;
      await api("POST", `/dead-letters/${letter.id}/retry`);
      refreshDeadLetters();
    });
    item.appendChild(retry);
    list.appendChild(item);
  });
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

// The start: platforms, campaigns, the handlers, then the views.
async function start() {
  $("zone").textContent = ZONE;
  const health = await api("GET", "/health");
  const platforms = (health.data && health.data.platforms) || [];
  platforms.forEach((name) => $("platform").appendChild(element("option", null, name)));
  if (platforms.includes("twitter")) $("platform").value = "twitter";
  const campaigns = await api("GET", "/campaigns");
  if (campaigns.status === 200 && Array.isArray(campaigns.data)) {
    campaigns.data.forEach((c) => $("campaign").appendChild(element("option", null, c.name || c)));
  }
  ["platform", "account", "reference", "date", "campaign"].forEach((id) => $(id).addEventListener("input", scheduleCheck));
  document.querySelectorAll("input[name=when]").forEach((r) => r.addEventListener("change", scheduleCheck));
  $("add-part").addEventListener("click", () => { addPart("").focus(); scheduleCheck(); });
  $("compose-form").addEventListener("submit", submitPost);
  $("clear").addEventListener("click", clearCompose);
  $("prev-week").addEventListener("click", () => moveWeek(-1));
  $("next-week").addEventListener("click", () => moveWeek(1));
  $("view-toggle").addEventListener("click", toggleView);
  $("filter-reference").addEventListener("input", renderEvents);
  $("filter-type").addEventListener("change", renderEvents);
  clearCompose();
  renderEvents();
  follow();
  refreshSchedules();
  refreshDeadLetters();
  document.body.dataset.ready = "yes";
}

document.addEventListener("DOMContentLoaded", start);
