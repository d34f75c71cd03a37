// The page of sps serve: compose, calendar and outcomes over the local API (README,
// "The page"), in four classic scripts loaded in order: common.js (the API, elements,
// times), compose.js, calendar.js, outcomes.js (and the start). No platform rule lives
// here: lengths and limits come from POST /validate. Everything from the server is put
// in the page as text (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const state = {
  schedules: [],
  events: [],
  eventIds: new Set(),
  weekStart: startOfWeek(new Date()),
  // Whether the user changed the draft: until then an empty draft is not called wrong.
  touched: false,
  // The Cancel button pressed once: the schedule's name and until when (ms).
  armed: null,
};

// --- the API -------------------------------------------------------------------------

async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    // No answer at all: the server is stopped or unreachable.
    const message = `The server cannot be reached (${error.message}); is sps serve running?`;
    say(message);
    return { status: 0, data: { status: "error", reason: "unreachable", message } };
  }
  if (response.status === 401) {
    window.location.assign("/login");
    throw new Error("not logged in");
  }
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null;
  }
  return { status: response.status, data };
}

// A sentence about what the user just did, read out by screen readers.
function say(text) {
  $("notice").textContent = text;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// --- times ---------------------------------------------------------------------------

function startOfWeek(date) {
  const day = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const sinceMonday = (day.getDay() + 6) % 7;
  day.setDate(day.getDate() - sinceMonday);
  return day;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

// A local "YYYY-MM-DDTHH:MM:SS" of a Date, as datetime-local and scheduledDate take it.
function localInput(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

// A UTC "YYYY-MM-DDTHH:MM:SS" (with or without Z) as a Date.
function utcDate(text) {
  return new Date(text.endsWith("Z") ? text : `${text}Z`);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
const fullFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short", day: "numeric", month: "short", year: "numeric",
  hour: "2-digit", minute: "2-digit", second: "2-digit",
});
