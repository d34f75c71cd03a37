//! A local fake Mastodon instance: `POST /api/v1/statuses` as docs.joinmastodon.org
//! "methods/statuses" (Post a new status) describes it, checking what the docs require:
//!
//! - `Authorization: Bearer <token>` of a known user ([`TOKEN`] for the account `default`,
//!   user `alice`; [`BRAND_TOKEN`] for `brand`, user `brand`), else 401
//!   `{"error":"The access token is invalid"}`;
//! - a JSON object body whose `status` is a non-blank string (else 422 "Validation failed:
//!   Text can't be blank"), `visibility` one of `public`, `unlisted`, `private`, `direct`
//!   when given, and `in_reply_to_id` (a string) naming a status it created (else 404, as
//!   Mastodon answers a reply to a status that does not exist);
//! - `Idempotency-Key`: a key the same user sent before is answered with the status it
//!   created then, and nothing is created (Mastodon keeps keys for up to an hour, per
//!   account).
//!
//! Scripted answers ([`Reply`]) stand for the instance's bad moments: a 429 with
//! `X-RateLimit-Reset` (ISO 8601, as Mastodon's rate limiter writes it), a 401, or a 503
//! *after* the status was created (the ambiguous case a client repeats with the same key).
//! Every request is recorded ([`Received`]), every status created too ([`Status`]).
//! `GET /api/v2/instance` answers the instance's limits ([`FakeMastodon::set_limits`]) and
//! is counted.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::fake_x::{loopback_listener, serve_on_thread};

/// The access token of the account `default` (user `alice`).
pub const TOKEN: &str = "mastodon-default-token-0123456789";
/// The access token of the account `brand` (user `brand`).
pub const BRAND_TOKEN: &str = "mastodon-brand-token-0123456789";

/// The first status id the fake gives out (Mastodon's ids are 18-digit snowflakes, sent as
/// strings).
pub const FIRST_ID: u64 = 113_500_000_000_000_001;

/// The path of "Post a new status".
pub const STATUSES_PATH: &str = "/api/v1/statuses";
/// The path of "View server information" (public, no token).
pub const INSTANCE_PATH: &str = "/api/v2/instance";

/// The user of a known token.
fn user_of(token: &str) -> Option<&'static str> {
    match token {
        TOKEN => Some("alice"),
        BRAND_TOKEN => Some("brand"),
        _ => None,
    }
}

/// One scripted answer, used by the next request that passes the token check.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with a new status (what every request gets once the script is used up).
    Created,
    /// The status is created (its idempotency key remembered) and then this status and
    /// JSON body are answered: the client cannot tell whether it exists.
    CreatedThen(u16, Value),
    /// This status, headers and JSON body; nothing is created.
    Status(u16, Vec<(&'static str, String)>, Value),
}

impl Reply {
    /// 503 after the status was created.
    pub fn unavailable_after_creating() -> Self {
        Reply::CreatedThen(503, json!({"error": "Service Unavailable"}))
    }

    /// Mastodon's 429 with its rate-limit headers, resetting at `reset` (Unix seconds).
    pub fn rate_limited(reset: i64) -> Self {
        let reset = chrono::DateTime::from_timestamp(reset, 0)
            .expect("a reset time")
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string();
        Reply::Status(
            429,
            vec![
                ("X-RateLimit-Limit", "300".to_string()),
                ("X-RateLimit-Remaining", "0".to_string()),
                ("X-RateLimit-Reset", reset),
            ],
            json!({"error": "Too many requests"}),
        )
    }

    /// Mastodon's 401 for a revoked token.
    pub fn unauthorized() -> Self {
        Reply::Status(401, vec![], json!({"error": "The access token is invalid"}))
    }
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The bearer token, when the `Authorization` header had one.
    pub token: Option<String>,
    /// The `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body as JSON, when it was.
    pub body: Option<Value>,
    /// The status code answered.
    pub answered: u16,
    /// The id of the status the answer carried or stood for (created or given back).
    pub id: Option<String>,
    /// When it came.
    pub at: std::time::SystemTime,
}

/// A status the fake created, in the order created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Its id, decimal digits from [`FIRST_ID`] up.
    pub id: String,
    /// The user who posted it (`alice` or `brand`).
    pub user: String,
    /// Its text.
    pub text: String,
    /// The status it replies to.
    pub in_reply_to_id: Option<String>,
    /// Its visibility.
    pub visibility: String,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Reply>,
    received: Vec<Received>,
    next_id: u64,
    created: Vec<Status>,
    /// (user, Idempotency-Key) -> status id.
    keys: HashMap<(String, String), String>,
    /// Status id -> `created_at`, kept so a status given back is the same.
    created_at: HashMap<String, String>,
    /// `configuration.statuses` (`max_characters`, `characters_reserved_per_url`) of
    /// `GET /api/v2/instance`; Mastodon's (500, 23) unless set.
    limits: Option<(u64, u64)>,
    /// `GET /api/v2/instance` requests received.
    instance_requests: usize,
}

#[derive(Clone)]
struct AppState {
    inner: Arc<Mutex<Inner>>,
    base_url: String,
}

/// A running fake instance on 127.0.0.1.
pub struct FakeMastodon {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
    _thread: std::thread::JoinHandle<()>,
}

impl FakeMastodon {
    /// Starts the fake on a free port, on a thread of its own.
    pub fn start() -> Self {
        let (listener, base_url) = loopback_listener();
        let inner = Arc::new(Mutex::new(Inner {
            next_id: FIRST_ID,
            ..Inner::default()
        }));
        let state = AppState {
            inner: inner.clone(),
            base_url: base_url.clone(),
        };
        let app = Router::new()
            .route(STATUSES_PATH, post(create_status))
            .route(INSTANCE_PATH, get(instance))
            .with_state(state);
        let thread = serve_on_thread(listener, app);
        Self {
            base_url,
            inner,
            _thread: thread,
        }
    }

    /// Answers the next requests that pass the token check with `replies`, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().expect("lock").script.extend(replies);
    }

    /// Sets the instance's `max_characters` and `characters_reserved_per_url`.
    pub fn set_limits(&self, max_characters: u64, characters_reserved_per_url: u64) {
        self.inner.lock().expect("lock").limits =
            Some((max_characters, characters_reserved_per_url));
    }

    /// The `GET /api/v2/instance` requests received so far.
    pub fn instance_requests(&self) -> usize {
        self.inner.lock().expect("lock").instance_requests
    }

    /// Every `POST /api/v1/statuses` received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().expect("lock").received.clone()
    }

    /// Every status created so far, in order.
    pub fn created(&self) -> Vec<Status> {
        self.inner.lock().expect("lock").created.clone()
    }

    /// The public URL the fake gives status `id` of `user`.
    pub fn status_url(&self, user: &str, id: &str) -> String {
        format!("{}/@{user}/{id}", self.base_url)
    }
}

/// The id the fake gives out `n` statuses after the first.
pub fn id(n: u64) -> String {
    (FIRST_ID + n).to_string()
}

/// A status code, extra headers and a JSON body.
type Answer = (u16, Vec<(&'static str, String)>, Value);

fn error(status: u16, message: &str) -> Answer {
    (status, vec![], json!({ "error": message }))
}

/// The Status entity (docs.joinmastodon.org "entities/Status"), with the fields a client
/// reads and the usual others.
fn status_json(base_url: &str, status: &Status, created_at: &str) -> Value {
    let escaped = status
        .text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let account_id = if status.user == "alice" { "1" } else { "2" };
    json!({
        "id": status.id,
        "created_at": created_at,
        "in_reply_to_id": status.in_reply_to_id,
        "in_reply_to_account_id": status.in_reply_to_id.as_ref().map(|_| account_id),
        "sensitive": false,
        "spoiler_text": "",
        "visibility": status.visibility,
        "language": null,
        "uri": format!("{base_url}/users/{}/statuses/{}", status.user, status.id),
        "url": format!("{base_url}/@{}/{}", status.user, status.id),
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": format!("<p>{escaped}</p>"),
        "reblog": null,
        "application": {"name": "sps", "website": null},
        "account": {"id": account_id, "username": status.user, "acct": status.user},
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": null,
        "poll": null,
    })
}

/// The answer to one request, and the id of the status it carries or stands for.
fn answer(
    app: &AppState,
    inner: &mut Inner,
    user: &str,
    key: Option<&str>,
    body: Option<&Value>,
) -> (Answer, Option<String>) {
    let next = inner.script.pop_front().unwrap_or(Reply::Created);
    if let Reply::Status(status, headers, body) = next {
        return ((status, headers, body), None);
    }
    let Some(body) = body.filter(|b| b.is_object()) else {
        return (error(400, "the fake expects a JSON object body"), None);
    };
    let text = match body.get("status") {
        Some(Value::String(text)) if !text.trim().is_empty() => text.clone(),
        _ => return (error(422, "Validation failed: Text can't be blank"), None),
    };
    let visibility = match body.get("visibility") {
        None => "public".to_string(),
        Some(Value::String(v))
            if ["public", "unlisted", "private", "direct"].contains(&v.as_str()) =>
        {
            v.clone()
        }
        Some(_) => {
            return (
                error(
                    422,
                    "Validation failed: Visibility is not included in the list",
                ),
                None,
            )
        }
    };
    let in_reply_to_id = match body.get("in_reply_to_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if inner.created.iter().any(|s| &s.id == id) => Some(id.clone()),
        Some(_) => {
            return (
                error(
                    404,
                    "The post you are trying to reply to does not appear to exist.",
                ),
                None,
            )
        }
    };
    let known = key.and_then(|k| inner.keys.get(&(user.to_string(), k.to_string())).cloned());
    let status = match known.and_then(|id| inner.created.iter().find(|s| s.id == id).cloned()) {
        // A repeated key: the status created then, nothing new.
        Some(original) => original,
        None => {
            let status = Status {
                id: inner.next_id.to_string(),
                user: user.to_string(),
                text,
                in_reply_to_id,
                visibility,
            };
            inner.next_id += 1;
            if let Some(key) = key {
                inner
                    .keys
                    .insert((user.to_string(), key.to_string()), status.id.clone());
            }
            inner.created_at.insert(
                status.id.clone(),
                chrono::Utc::now()
                    .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                    .to_string(),
            );
            inner.created.push(status.clone());
            status
        }
    };
    let id = Some(status.id.clone());
    match next {
        Reply::CreatedThen(code, body) => ((code, vec![], body), id),
        _ => {
            let created_at = inner
                .created_at
                .get(&status.id)
                .cloned()
                .unwrap_or_default();
            let json = status_json(&app.base_url, &status, &created_at);
            ((200, vec![], json), id)
        }
    }
}

async fn create_status(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
    };
    let token = header("authorization").and_then(|a| a.strip_prefix("Bearer ").map(str::to_string));
    let key = header("idempotency-key");
    let content_type = header("content-type");
    // The media type, parameters (`; charset=utf-8`) aside.
    let json_body = content_type
        .as_deref()
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    let parsed = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(|_| json_body);
    let mut inner = app.inner.lock().expect("lock");
    let user = token.as_deref().and_then(user_of);
    let ((status, extra, reply), id) = match user {
        None => (error(401, "The access token is invalid"), None),
        Some(user) => answer(&app, &mut inner, user, key.as_deref(), parsed.as_ref()),
    };
    inner.received.push(Received {
        token,
        idempotency_key: key,
        content_type,
        body: parsed,
        answered: status,
        id,
        at: std::time::SystemTime::now(),
    });
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (code, axum::Json(reply)).into_response();
    for (name, value) in extra {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// `GET /api/v2/instance`: the parts of the Instance entity ("entities/Instance") the
/// component reads, with the limits set by [`FakeMastodon::set_limits`].
async fn instance(State(app): State<AppState>) -> Response {
    let mut inner = app.inner.lock().expect("lock");
    inner.instance_requests += 1;
    let (max_characters, reserved) = inner.limits.unwrap_or((500, 23));
    axum::Json(json!({
        "domain": app.base_url.trim_start_matches("http://"),
        "title": "Fake Mastodon",
        "version": "4.3.0",
        "configuration": {"statuses": {
            "max_characters": max_characters,
            "max_media_attachments": 4,
            "characters_reserved_per_url": reserved,
        }},
    }))
    .into_response()
}
