//! The loopback HTTP API of `sps serve` (axum). Its status codes and bodies come from
//! `sps_local::api`, so the Spin app answers the same.
//!
//! - `POST /` with `X-Amz-Target: AWSEvents.PutEvents`: EventBridge's PutEvents in the
//!   AWS JSON 1.1 protocol, for the AWS SDKs and CLI ([`super::put_events`]).
//! - `POST /events`: one EventBridge event (the README's JSON), or a PutEvents body
//!   `{"Entries":[{"Source","DetailType","Detail"}]}`; each `Schedule Social Post` event
//!   runs the scheduler component.
//! - `GET /schedules`: pending schedules. `GET /events`: emitted events as EventBridge
//!   envelopes, oldest first; `GET /events?follow=1[&after=<id>]` as server-sent events. `GET /dead-letters`: deliveries that failed unreported.
//! - `POST /validate`: what `POST /events` would answer to one `Schedule Social Post` event,
//!   without scheduling it, and each part's length by the platform's own count
//!   (`sps_local::api::check_answer`); the page's live counters.
//! - `GET /health`: `{"status":"ok","platforms":[...]}`.
//! - `POST /schedules/{name}/fire`: deliver a pending schedule now, without its flexible
//!   window; `POST /dead-letters/{id}/retry`: deliver a dead letter again now. 202, or
//!   404/409 (`sps_local::api::requeue_answer`).
//!
//! - `/`, `/login`: the page ([`super::web`]).
//!
//! Without an API token only requests addressed to a loopback name are answered, and no
//! answer may be framed by another page (`super::web::guard`).
//!
//! With an API token (`SPS_API_TOKEN`) every request must carry
//! `Authorization: Bearer <token>` or the page's login cookie; any other gets 401
//! (`super::web::guard`). Token or not, a state-changing request a browser sent from
//! another site is refused with 403 `cross-site-request`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sps_local::api::{self as answers, Answer, PostEvents, Scheduling};

use crate::bindings::scheduling::{ScheduleAction, ScheduleFailure};
use crate::local::campaigns::LocalCampaigns;
use crate::local::store::SqliteStore;
use crate::runtime::{error_summary, Runtime};

/// The detail-type the scheduler handles.
pub use sps_local::api::SCHEDULE_DETAIL_TYPE;

#[derive(Clone)]
pub(super) struct AppState {
    runtime: Runtime,
    store: Arc<SqliteStore>,
    pub(super) campaigns: Arc<LocalCampaigns>,
}

/// The API's routes; with `token`, each request must carry it as a bearer token, or, on
/// `POST /` (PutEvents), a SigV4 signature made with it ([`super::sigv4`]). `campaigns`
/// answers `GET /campaigns` and `GET /campaigns/NAME`.
pub fn router(
    runtime: Runtime,
    store: Arc<SqliteStore>,
    campaigns: Arc<LocalCampaigns>,
    token: Option<String>,
) -> Router {
    let put_events = Router::new()
        .route("/", post(super::put_events::post_root))
        .with_state(super::put_events::State {
            runtime: runtime.clone(),
            token: token.clone().map(Arc::new),
        });
    let durable = store.clone();
    let routes = Router::new()
        .route("/events", post(post_events).get(get_events))
        .route("/schedules", get(get_schedules))
        .route("/dead-letters", get(get_dead_letters))
        .route("/validate", post(post_validate))
        .route("/health", get(health))
        .route("/schedules/{name}/fire", post(fire_schedule))
        .route("/dead-letters/{id}/retry", post(retry_dead_letter))
        .route("/campaigns", get(super::campaigns_api::get_campaigns))
        .route(
            "/campaigns/{name}",
            get(super::campaigns_api::get_campaign)
                .put(super::campaigns_api::put_campaign)
                .delete(super::campaigns_api::delete_campaign),
        )
        .with_state(AppState {
            runtime,
            store,
            campaigns,
        });
    let token = token.map(Arc::new);
    let routes = match &token {
        Some(token) => routes.layer(axum::middleware::from_fn_with_state(
            token.clone(),
            super::web::guard::require_token,
        )),
        None => routes,
    };
    let guarded = token.is_some();
    let all = routes
        .merge(put_events)
        .merge(super::web::router(token))
        .layer(axum::middleware::from_fn_with_state(
            durable,
            durable_answer,
        ))
        .layer(axum::middleware::from_fn(
            super::web::guard::same_origin_only,
        ))
        .layer(axum::middleware::from_fn(super::web::guard::no_framing));
    if guarded {
        all
    } else {
        all.layer(axum::middleware::from_fn(
            super::web::guard::loopback_host_only,
        ))
    }
}

/// Answers a state-changing request only once the store committed what it wrote (group
/// commit, `store::commit`); a failed commit turns the answer into 503 `unavailable`, as
/// nothing of it was kept.
async fn durable_answer(
    State(store): State<Arc<SqliteStore>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::Method;
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let mark = store.commit_mark();
    let response = next.run(request).await;
    match store.durable_since(mark).await {
        Ok(()) => response,
        Err(why) => {
            tracing::error!(error = %why, "an answer was withheld: its writes were not committed");
            respond(answers::unavailable(&why))
        }
    }
}

/// Whether `headers` carry `Authorization: Bearer <token>` (the scheme in any case, RFC
/// 9110 section 11.1; the token compared in constant time).
pub(crate) fn bearer_matches(headers: &axum::http::HeaderMap, token: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .is_some_and(|(_, given)| bool::from(given.as_bytes().ct_eq(token.as_bytes())))
}

/// Runs the scheduler component on one event (its JSON text) and says how it ended: a
/// `Cancel Social Post` is cancelled (`scheduling.cancel-post`), any other scheduled.
pub async fn scheduling(runtime: &Runtime, event: &str) -> Scheduling {
    if sps_contract::events::is_cancel_request(event) {
        return match runtime.cancel_post(event).await {
            Ok(Ok(c)) => Scheduling::Cancelled {
                reference_number: c.reference_number,
                schedule_name: c.schedule_name,
            },
            Ok(Err(failure)) => failed(failure),
            Err(err) => component_failed(&err),
        };
    }
    match runtime.schedule_post(event).await {
        Ok(Ok(s)) => Scheduling::Scheduled {
            reference_number: s.reference_number,
            schedule_name: s.schedule_name,
            scheduled_date: s.scheduled_date,
            created: matches!(s.action, ScheduleAction::Created),
            campaign: s.campaign.map(|c| (c.name, c.slot)),
        },
        Ok(Err(failure)) => failed(failure),
        Err(err) => component_failed(&err),
    }
}

/// A scheduler failure as a [`Scheduling`].
fn failed(failure: ScheduleFailure) -> Scheduling {
    match failure {
        ScheduleFailure::Rejected(r) => Scheduling::Rejected {
            code: r.code,
            message: r.message,
            reference_number: r.reference_number,
        },
        ScheduleFailure::Retryable(message) => Scheduling::Retryable(message),
    }
}

/// A scheduler component that trapped, logged, as a [`Scheduling`].
fn component_failed(err: &anyhow::Error) -> Scheduling {
    tracing::error!(error = %error_summary(err), "scheduler component failed");
    tracing::debug!(error = %format!("{err:?}"), "scheduler component failure in full");
    Scheduling::ComponentFailed(error_summary(err))
}

/// Runs the scheduler on each event in turn, in order.
pub async fn scheduling_all(runtime: &Runtime, events: Vec<String>) -> Vec<Scheduling> {
    let mut results = Vec::with_capacity(events.len());
    for event in events {
        results.push(scheduling(runtime, &event).await);
    }
    results
}

/// The answer to one scheduling request ([`sps_local::api::schedule_answer`]): 201 or
/// 200 when scheduled, 400 or 422 when rejected, 503 when a capability failed, 500 when
/// the component failed.
pub async fn schedule(runtime: &Runtime, event: &str) -> Answer {
    answers::schedule_answer(&scheduling(runtime, event).await)
}

/// An answer as an axum response.
pub(crate) fn respond(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(answer.body)).into_response()
}

/// `POST /events`. A body that cannot be read (over axum's 2 MiB default limit) or is
/// not UTF-8 is rejected here with the same JSON shape as the scheduler's rejections,
/// never altered: a post must go out with exactly the text that was sent.
async fn post_events(
    State(app): State<AppState>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return unreadable(&rejection),
    };
    match answers::plan_post_events(&body) {
        PostEvents::Answer(answer) => respond(answer),
        PostEvents::Single(event) => respond(schedule(&app.runtime, &event).await),
        PostEvents::PutEvents(plan) => {
            let results = scheduling_all(&app.runtime, plan.events()).await;
            respond(plan.answer_with_outcomes(results))
        }
    }
}

fn listing<T: serde::Serialize>(result: anyhow::Result<T>) -> Response {
    match result {
        Ok(items) => Json(items).into_response(),
        Err(err) => store_failed(&err),
    }
}

/// 503 `unavailable` for a failed store, logged.
fn store_failed(err: &anyhow::Error) -> Response {
    tracing::error!(error = %crate::runtime::error_summary(err), "local store failed");
    respond(answers::unavailable(&format!("{err:#}")))
}

/// `GET /events`: the log as a JSON array, a page of at most 1000 (`after=<id>`,
/// `limit=<n>`, `Link` to the next); with `follow=1` (or `true`) the log as server-sent
/// events from `after=<id>` or `Last-Event-ID` on ([`super::follow`]).
async fn get_events(
    State(app): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let bad = invalid_request;
    match query.get("follow").map(String::as_str) {
        Some("1" | "true") => {
            let last_event_id = headers.get("last-event-id").and_then(|v| v.to_str().ok());
            let after = query.get("after").map(String::as_str);
            let last = query.get("last").map(String::as_str);
            match super::follow::start(after, last_event_id, last, &app.store) {
                Ok(after) => super::follow::stream(app.store.clone(), after),
                Err(message) => bad(message),
            }
        }
        Some(other) => bad(format!("follow must be 1 or true, not {other:?}")),
        None => page_answer(super::follow::page(
            &app.store,
            query.get("after").map(String::as_str),
            query.get("limit").map(String::as_str),
        )),
    }
}

/// The answer to a body axum could not read (over its 2 MiB default limit).
fn unreadable(rejection: &axum::extract::rejection::BytesRejection) -> Response {
    respond(answers::unreadable_body(
        rejection.status().as_u16(),
        &rejection.body_text(),
    ))
}

/// `POST /validate`: one `Schedule Social Post` event (as `POST /events` takes it) checked
/// by the scheduler component (`scheduling.check-post`); 200 with the check
/// ([`answers::check_answer`]), 400 for an unreadable body, 500 when the component failed.
async fn post_validate(
    State(app): State<AppState>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return unreadable(&rejection),
    };
    let Ok(event) = std::str::from_utf8(&body) else {
        return respond(answers::unreadable_body(400, "the body is not UTF-8 text"));
    };
    match app.runtime.check_post(event).await {
        Ok(check) => {
            let lengths: Vec<(u32, u32)> =
                check.lengths.iter().map(|l| (l.length, l.limit)).collect();
            let rejection = check
                .rejection
                .as_ref()
                .map(|r| (r.code.as_str(), r.message.as_str()));
            respond(answers::check_answer(rejection, &lengths))
        }
        Err(err) => respond(answers::schedule_answer(&component_failed(&err))),
    }
}

/// `GET /schedules`: the pending schedules, earliest delivery first, a page of at most
/// 1000 (`after=<cursor>`, `limit=<n>`, `Link` to the next; [`super::pages`]).
async fn get_schedules(
    State(app): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    page_answer(super::pages::schedules(
        &app.store,
        query.get("after").map(String::as_str),
        query.get("limit").map(String::as_str),
    ))
}

/// The answer for a page of a listing: the page, 503 for a failed store, 400
/// `invalid-request` for a bad query.
fn page_answer(page: Result<anyhow::Result<Response>, String>) -> Response {
    match page {
        Ok(Ok(page)) => page,
        Ok(Err(err)) => store_failed(&err),
        Err(message) => invalid_request(message),
    }
}

/// 400 `invalid-request` with `message`.
fn invalid_request(message: String) -> Response {
    respond(Answer {
        status: 400,
        body: answers::rejection("invalid-request", &message, None),
    })
}

async fn get_dead_letters(State(app): State<AppState>) -> Response {
    listing(app.store.dead_letters())
}

async fn fire_schedule(
    State(app): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    match app.store.fire_now(&name, chrono::Utc::now().timestamp()) {
        Ok(requeued) => {
            tracing::info!(schedule = ?name, outcome = ?requeued, "delivery now requested");
            respond(answers::requeue_answer(
                &requeued,
                &format!("no pending schedule is named {name}"),
            ))
        }
        Err(err) => store_failed(&err),
    }
}

async fn retry_dead_letter(
    State(app): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let missing = format!("no dead letter has the id {id} (GET /dead-letters lists them)");
    let Ok(number) = id.parse::<i64>() else {
        return respond(answers::requeue_answer(
            &answers::Requeued::NotFound,
            &missing,
        ));
    };
    match app
        .store
        .retry_dead_letter(number, chrono::Utc::now().timestamp())
    {
        Ok(requeued) => {
            tracing::info!(dead_letter = number, outcome = ?requeued, "dead letter retry requested");
            respond(answers::requeue_answer(&requeued, &missing))
        }
        Err(err) => store_failed(&err),
    }
}

async fn health(State(app): State<AppState>) -> Response {
    respond(answers::health_report(&app.runtime.health().await))
}
