//! The answers of the local API (`sps serve` and the Spin app), so both give the same
//! status codes and bodies (README, "Local API").
//!
//! `POST /events` is answered in two steps, because the scheduler runs asynchronously in
//! one runtime and synchronously in the other: [`plan_post_events`] reads the body and
//! says what to schedule; the runtime runs the scheduler component for each event and
//! turns its result into a [`Scheduling`]; [`schedule_answer`] or
//! [`PutEvents::answer_with_outcomes`]
//! builds the answer.

use serde::Serialize;
use serde_json::{json, Value};

pub use crate::put_events::PutEvents;
pub use sps_contract::events::is_cancel_request;

/// The detail-type the scheduler schedules; [`CANCEL_DETAIL_TYPE`] it cancels.
pub const SCHEDULE_DETAIL_TYPE: &str = sps_contract::events::SCHEDULE_DETAIL_TYPE;
/// The detail-type of a cancel (`scheduling.cancel-post`).
pub const CANCEL_DETAIL_TYPE: &str = sps_contract::events::CANCEL_DETAIL_TYPE;

/// The largest request body, bytes (axum's default limit, 2 MiB).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// An HTTP status code and a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

/// The result of running the scheduler component on one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheduling {
    /// `scheduling.scheduled`: a `Post Scheduled` event was published.
    Scheduled {
        /// The post's reference.
        reference_number: String,
        /// The schedule's name.
        schedule_name: String,
        /// The schedule's time, UTC `YYYY-MM-DDTHH:MM:SS`.
        scheduled_date: String,
        /// `created` (true) or `updated` (false).
        created: bool,
        /// For a post of a campaign: the campaign's name and the slot in words.
        campaign: Option<(String, String)>,
    },
    /// `scheduling.cancelled`: a `Social Post Cancelled` event was published.
    Cancelled {
        /// The post's reference.
        reference_number: String,
        /// The deleted schedule's name.
        schedule_name: String,
    },
    /// `schedule-failure::rejected`.
    Rejected {
        /// Reason code.
        code: String,
        /// Human-readable explanation.
        message: String,
        /// The reference, when one is known.
        reference_number: Option<String>,
    },
    /// `schedule-failure::retryable`: a capability failed.
    Retryable(String),
    /// The component could not be run or trapped.
    ComponentFailed(String),
}

/// The body of every rejected request: `{"status":"rejected","reason","message",
/// "referenceNumber"}` (`null` when no reference is known).
pub fn rejection(reason: &str, message: &str, reference_number: Option<&str>) -> Value {
    json!({"status": "rejected", "reason": reason, "message": message, "referenceNumber": reference_number})
}

/// The answer to one scheduling request:
///
/// - scheduled: 201 (created) or 200 (updated), `{"status":"scheduled","action",
///   "referenceNumber","scheduleName","scheduledDate"}`, and `"campaign","slot"` for a post
///   of a campaign;
/// - cancelled (a `Cancel Social Post`): 200, `{"status":"cancelled","referenceNumber",
///   "scheduleName"}`;
/// - rejected: 400 for `invalid-json`/`invalid-event`, else 422, [`rejection`];
/// - a capability failed: 503, a component failed: 500, `{"status":"error","reason",
///   "message"}` with the reason `unavailable` or `component-failed`.
pub fn schedule_answer(result: &Scheduling) -> Answer {
    match result {
        Scheduling::Scheduled {
            reference_number,
            schedule_name,
            scheduled_date,
            created,
            campaign,
        } => {
            let mut body = json!({"status": "scheduled",
                "action": if *created { "created" } else { "updated" },
                "referenceNumber": reference_number, "scheduleName": schedule_name,
                "scheduledDate": scheduled_date});
            if let (Some((name, slot)), Some(fields)) = (campaign, body.as_object_mut()) {
                fields.insert("campaign".into(), json!(name));
                fields.insert("slot".into(), json!(slot));
            }
            Answer {
                status: if *created { 201 } else { 200 },
                body,
            }
        }
        Scheduling::Cancelled {
            reference_number,
            schedule_name,
        } => Answer {
            status: 200,
            body: json!({"status": "cancelled", "referenceNumber": reference_number,
                "scheduleName": schedule_name}),
        },
        Scheduling::Rejected {
            code,
            message,
            reference_number,
        } => Answer {
            status: if code == "invalid-json" || code == "invalid-event" {
                400
            } else {
                422
            },
            body: rejection(code, message, reference_number.as_deref()),
        },
        Scheduling::Retryable(message) => error(503, "unavailable", message),
        Scheduling::ComponentFailed(message) => error(500, "component-failed", message),
    }
}

/// `{"status":"error","reason","message"}` with `status`.
/// An error answer: `status` with `{"status":"error","reason","message"}`.
pub fn error(status: u16, reason: &str, message: &str) -> Answer {
    Answer {
        status,
        body: json!({"status": "error", "reason": reason, "message": message}),
    }
}

/// The answer when a store that a listing reads failed: 503 with the reason `unavailable`.
pub fn unavailable(message: &str) -> Answer {
    error(503, "unavailable", message)
}

/// How a delivery an operator asked for went (`POST /schedules/{name}/fire`,
/// `POST /dead-letters/{id}/retry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requeued {
    /// The schedule of this name is due now.
    Due(String),
    /// No pending schedule of that name, or no dead letter of that id.
    NotFound,
    /// A delivery of the schedule of this name holds its lease right now.
    BeingDelivered(String),
    /// The dead letter's schedule name is pending again (the post was scheduled anew).
    Pending(String),
    /// The dead letter was an event the event target did not take (this is its id): it
    /// is queued for the target again.
    EventDue(String),
}

/// The answer to a requested delivery: 202 `{"status":"due","scheduleName"}` (or
/// `{"status":"due","eventId"}` for an event queued for the event target again); 404
/// `not-found` with `missing` as the message; 409 `being-delivered` or `schedule-pending`.
pub fn requeue_answer(requeued: &Requeued, missing: &str) -> Answer {
    match requeued {
        Requeued::Due(name) => Answer {
            status: 202,
            body: json!({"status": "due", "scheduleName": name}),
        },
        Requeued::EventDue(id) => Answer {
            status: 202,
            body: json!({"status": "due", "eventId": id}),
        },
        Requeued::NotFound => error(404, "not-found", missing),
        Requeued::BeingDelivered(name) => error(
            409,
            "being-delivered",
            &crate::schedules::being_delivered(name),
        ),
        Requeued::Pending(name) => error(
            409,
            "schedule-pending",
            &format!(
                "the schedule {name} is pending again (the post was scheduled anew); deliver it now with POST /schedules/{name}/fire"
            ),
        ),
    }
}

/// The answer to `POST /validate` (WIT `scheduling.check`): 200, with `lengths` the parts'
/// `[{"length","limit"}]` by the platform's own count, and either `"status":"valid"` or the
/// rejection scheduling would give (`"status":"rejected","reason","message"`, its
/// `referenceNumber` null: nothing was reported).
pub fn check_answer(rejection: Option<(&str, &str)>, lengths: &[(u32, u32)]) -> Answer {
    let lengths: Vec<Value> = lengths
        .iter()
        .map(|(length, limit)| json!({"length": length, "limit": limit}))
        .collect();
    let mut body = match rejection {
        None => json!({"status": "valid"}),
        Some((reason, message)) => self::rejection(reason, message, None),
    };
    if let Some(fields) = body.as_object_mut() {
        fields.insert("lengths".to_string(), Value::Array(lengths));
    }
    Answer { status: 200, body }
}

/// The answer to a request without the API token: 401 with the reason `unauthorized`.
pub fn unauthorized() -> Answer {
    error(
        401,
        "unauthorized",
        "this API needs the token set in SPS_API_TOKEN: send Authorization: Bearer <token>",
    )
}

/// `GET /health`: 200 `{"status":"ok","platforms":[...]}`.
pub fn health(platforms: &[String]) -> Answer {
    Answer {
        status: 200,
        body: json!({"status": "ok", "platforms": platforms}),
    }
}

/// What `sps serve` knows of its own health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthReport {
    /// The loaded platforms, sorted.
    pub platforms: Vec<String>,
    /// The loaded platforms that have no settings at all (no base URL, no keys), sorted.
    pub unconfigured: Vec<String>,
    /// The components in use.
    pub components: Vec<ComponentHealth>,
    /// The last refused load of the configured components, while no later load
    /// succeeded (a refused file is still present).
    pub refused: Option<RefusedLoad>,
}

/// One component in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentHealth {
    /// Its file name.
    pub file: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// `embedded`, or the path it was read from.
    pub source: String,
    /// When it was loaded, RFC 3339 UTC.
    pub loaded_at: String,
}

/// A refused load of components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedLoad {
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Why, in one line.
    pub error: String,
}

/// `GET /health` of `sps serve`: always 200 (a load balancer keeps serving), `status`
/// `ok`, or `degraded` while a refused component file is present:
/// `{"status","platforms":[...],"unconfigured":[...],"components":[{"file","sha256",
/// "source","loadedAt"}],"lastReloadError":null|{"at","error"}}`.
pub fn health_report(report: &HealthReport) -> Answer {
    let status = if report.refused.is_some() {
        "degraded"
    } else {
        "ok"
    };
    Answer {
        status: 200,
        body: json!({"status": status, "platforms": report.platforms,
            "unconfigured": report.unconfigured, "components": report.components,
            "lastReloadError": report.refused}),
    }
}

/// The answer to a body that could not be read: `status` (413 when over
/// [`MAX_BODY_BYTES`]) with the reason `invalid-request`.
pub fn unreadable_body(status: u16, why: &str) -> Answer {
    Answer {
        status,
        body: rejection(
            "invalid-request",
            &format!("the request body cannot be read: {why}"),
            None,
        ),
    }
}

/// What a `POST /events` body asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum PostEvents {
    /// Answer at once (the body is not UTF-8, or a PutEvents body is refused whole).
    Answer(Answer),
    /// One event: run the scheduler on this text as it is, then [`schedule_answer`].
    Single(String),
    /// A PutEvents request: run the scheduler on [`PutEvents::events`], then
    /// [`PutEvents::answer_with_outcomes`].
    PutEvents(PutEvents),
}

/// Reads a `POST /events` body: not UTF-8 is `invalid-json` (400), never altered (a post
/// goes out with exactly the text sent); a JSON object with `Entries` is PutEvents
/// ([`crate::put_events`]), refused whole (400 `invalid-event` with AWS's message,
/// nothing scheduled) where EventBridge refuses the request; anything else is one event
/// for the scheduler, which judges it.
pub fn plan_post_events(body: &[u8]) -> PostEvents {
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(err) => {
            return PostEvents::Answer(Answer {
                status: 400,
                body: rejection(
                    "invalid-json",
                    &format!("the request body is not UTF-8 JSON: {err}"),
                    None,
                ),
            })
        }
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(request)) if request.contains_key("Entries") => {
            match crate::put_events::plan_entries(&request) {
                Ok(plan) => PostEvents::PutEvents(plan),
                Err(refusal) => PostEvents::Answer(Answer {
                    status: 400,
                    body: json!({"status": "rejected", "reason": "invalid-event",
                        "message": refusal.message()}),
                }),
            }
        }
        _ => PostEvents::Single(text.to_string()),
    }
}

#[cfg(test)]
mod tests;
