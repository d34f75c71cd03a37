//! The loopback HTTP API of `sps serve` (axum).
//!
//! - `POST /events`: one EventBridge event (the README's JSON), or a PutEvents body
//!   `{"Entries":[{"Source","DetailType","Detail"}]}`; each `Schedule Social Post` event
//!   runs the scheduler component.
//! - `GET /schedules`: pending schedules. `GET /events`: emitted events as EventBridge
//!   envelopes, oldest first. `GET /dead-letters`: deliveries that failed unreported.
//! - `GET /health`: `{"status":"ok","platforms":[...]}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::bindings::scheduling::{ScheduleAction, ScheduleFailure};
use crate::local::store::SqliteStore;
use crate::runtime::Runtime;

/// The detail-type the scheduler handles.
pub const SCHEDULE_DETAIL_TYPE: &str = "Schedule Social Post";

#[derive(Clone)]
struct AppState {
    runtime: Runtime,
    store: Arc<SqliteStore>,
}

/// The API's routes.
pub fn router(runtime: Runtime, store: Arc<SqliteStore>) -> Router {
    Router::new()
        .route("/events", post(post_events).get(get_events))
        .route("/schedules", get(get_schedules))
        .route("/dead-letters", get(get_dead_letters))
        .route("/health", get(health))
        .with_state(AppState { runtime, store })
}

/// The outcome of one scheduling request: an HTTP status and a JSON body.
///
/// - scheduled: 201 (created) or 200 (updated), `{"status":"scheduled","action",
///   "referenceNumber","scheduleName","scheduledDate"}`;
/// - rejected: 400 for `invalid-json`/`invalid-event`, else 422,
///   `{"status":"rejected","reason","message","referenceNumber"}`;
/// - a capability failed: 503; the component failed: 500, `{"status":"error","reason","message"}`.
pub async fn schedule(runtime: &Runtime, event: &str) -> (StatusCode, Value) {
    match runtime.schedule_post(event).await {
        Ok(Ok(s)) => {
            let (status, action) = match s.action {
                ScheduleAction::Created => (StatusCode::CREATED, "created"),
                ScheduleAction::Updated => (StatusCode::OK, "updated"),
            };
            let body = json!({"status": "scheduled", "action": action, "referenceNumber": s.reference_number,
                "scheduleName": s.schedule_name, "scheduledDate": s.scheduled_date});
            (status, body)
        }
        Ok(Err(ScheduleFailure::Rejected(r))) => {
            let status = if r.code == "invalid-json" || r.code == "invalid-event" {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            (
                status,
                rejection(&r.code, &r.message, r.reference_number.as_deref()),
            )
        }
        Ok(Err(ScheduleFailure::Retryable(message))) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "error", "reason": "unavailable", "message": message}),
        ),
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "scheduler component failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"status": "error", "reason": "component-failed", "message": format!("{err:#}")}),
            )
        }
    }
}

/// `POST /events`. A body that cannot be read (over axum's 2 MB default limit) or is not
/// UTF-8 is rejected here with the same JSON shape as the scheduler's rejections, never
/// altered: a post must go out with exactly the text that was sent.
async fn post_events(
    State(app): State<AppState>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            return rejected(
                rejection.status(),
                "invalid-request",
                &format!("the request body cannot be read: {}", rejection.body_text()),
            )
        }
    };
    let text = match std::str::from_utf8(&body) {
        Ok(text) => text,
        Err(err) => {
            return rejected(
                StatusCode::BAD_REQUEST,
                "invalid-json",
                &format!("the request body is not UTF-8 JSON: {err}"),
            )
        }
    };
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    match parsed.as_ref().and_then(|v| v.get("Entries")) {
        Some(entries) => put_events(&app.runtime, entries).await.into_response(),
        None => {
            let (status, body) = schedule(&app.runtime, text).await;
            (status, Json(body)).into_response()
        }
    }
}

/// The body of every rejected request: `{"status":"rejected","reason","message",
/// "referenceNumber"}` (`null` when no reference is known).
fn rejection(reason: &str, message: &str, reference_number: Option<&str>) -> Value {
    json!({"status": "rejected", "reason": reason, "message": message, "referenceNumber": reference_number})
}

/// A request rejected before it reaches the scheduler (no reference is known).
fn rejected(status: StatusCode, reason: &str, message: &str) -> Response {
    (status, Json(rejection(reason, message, None))).into_response()
}

/// A PutEvents request: every entry is answered in order, like EventBridge's
/// `{"FailedEntryCount","Entries":[{"EventId"}|{"ErrorCode","ErrorMessage"}]}`, with the
/// scheduling outcome of each `Schedule Social Post` entry under `"Outcome"`.
async fn put_events(runtime: &Runtime, entries: &Value) -> (StatusCode, Json<Value>) {
    let Some(entries) = entries.as_array() else {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"status": "rejected", "reason": "invalid-event", "message": "Entries must be an array"}),
            ),
        );
    };
    let mut results = Vec::with_capacity(entries.len());
    let mut failed = 0;
    for entry in entries {
        let detail_type = entry
            .get("DetailType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let source = entry
            .get("Source")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(detail_text) = entry.get("Detail").and_then(Value::as_str) else {
            failed += 1;
            results.push(json!({"ErrorCode": "InvalidArgument", "ErrorMessage": "Detail is required and must be a JSON string"}));
            continue;
        };
        let event_id = uuid::Uuid::new_v4().to_string();
        if detail_type != SCHEDULE_DETAIL_TYPE {
            results.push(json!({"EventId": event_id, "Outcome": {"status": "no-matching-rule"}}));
            continue;
        }
        let detail: Value =
            serde_json::from_str(detail_text).unwrap_or(Value::String(detail_text.to_string()));
        let event = json!({"version": "0", "id": event_id, "detail-type": detail_type, "source": source, "detail": detail});
        let (status, outcome) = schedule(runtime, &event.to_string()).await;
        if status.is_server_error() {
            failed += 1;
            results.push(json!({"ErrorCode": "InternalFailure", "ErrorMessage": outcome.get("message"), "Outcome": outcome}));
        } else {
            results.push(json!({"EventId": event_id, "Outcome": outcome}));
        }
    }
    (
        StatusCode::OK,
        Json(json!({"FailedEntryCount": failed, "Entries": results})),
    )
}

fn listing<T: serde::Serialize>(result: anyhow::Result<T>) -> Response {
    match result {
        Ok(items) => Json(items).into_response(),
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "local store failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "error", "reason": "unavailable", "message": format!("{err:#}")}))).into_response()
        }
    }
}

async fn get_events(State(app): State<AppState>) -> Response {
    listing(app.store.events())
}

async fn get_schedules(State(app): State<AppState>) -> Response {
    listing(app.store.pending())
}

async fn get_dead_letters(State(app): State<AppState>) -> Response {
    listing(app.store.dead_letters())
}

async fn health(State(app): State<AppState>) -> Json<Value> {
    Json(json!({"status": "ok", "platforms": app.runtime.platform_names()}))
}
