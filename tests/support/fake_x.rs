//! A local fake of the X API v2 `POST /2/tweets` that checks every OAuth 1.0a
//! signature with an implementation we did not write (the `oauth1-request` crate) and
//! answers like X (docs.x.com "Manage Posts", "Rate limits", error problem objects).
//!
//! Replies: a body may name the post it replies to as `reply.in_reply_to_tweet_id`
//! (docs.x.com "Manage Posts", create post request body). The fake accepts a reply only to
//! a post it created itself and has not been told to delete ([`FakeX::delete_post`]), and
//! records the parent beside the text ([`Received::reply_to`], [`CreatedPost::reply_to`]),
//! so tests can check that each part of a thread replies to the one before it.
//!
//! Metrics: `GET /2/tweets/{id}?tweet.fields=public_metrics` ([`metrics`]) answers a post
//! the fake created with the `public_metrics` a test set ([`FakeX::set_metrics`]; zeros
//! otherwise), checking the signature with the query in it.

#[path = "fake_x/metrics.rs"]
mod metrics;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::num::NonZeroU64;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

/// The credentials the fake accepts (the same as `SECRETS_JSON`).
pub const CONSUMER_KEY: &str = "test-consumer-key";
pub const CONSUMER_SECRET: &str = "test-consumer-secret";
pub const ACCESS_TOKEN: &str = "test-access-token";
pub const ACCESS_TOKEN_SECRET: &str = "test-access-token-secret";
/// A second user of the same app (an X app posts for every user that authorised it, each
/// with an access token of its own): the tests' account `brand`.
pub const SECOND_ACCESS_TOKEN: &str = "brand-access-token";
/// The second user's access token secret.
pub const SECOND_ACCESS_TOKEN_SECRET: &str = "brand-access-token-secret";

/// The first id the fake gives out: above 2^53, so an id parsed as a float would change.
pub const FIRST_ID: u64 = 1_850_000_000_000_000_001;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 201 with a new id.
    Created,
    /// Any status, headers and JSON body.
    Status(u16, Vec<(&'static str, String)>, Value),
}

impl Reply {
    /// X's 403 for a duplicate post.
    pub fn duplicate() -> Self {
        Reply::Status(
            403,
            vec![],
            json!({"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank", "title": "Forbidden", "status": 403}),
        )
    }
    /// X's 429 with `x-rate-limit-reset` (Unix seconds).
    pub fn rate_limited(reset: u64) -> Self {
        Reply::Status(
            429,
            vec![
                ("x-rate-limit-reset", reset.to_string()),
                ("x-rate-limit-remaining", "0".into()),
            ],
            json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}),
        )
    }
    /// X's 503.
    pub fn unavailable() -> Self {
        Reply::Status(
            503,
            vec![],
            json!({"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503}),
        )
    }
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The `text` of the JSON body, when there was one.
    pub text: Option<String>,
    /// The `reply.in_reply_to_tweet_id` of the JSON body when it was a string (the id of
    /// the post this one replies to, as sent, even when the fake refused it); `None` for
    /// a new post.
    pub reply_to: Option<String>,
    /// The id the fake gave the post it created for this request; `None` while the
    /// request is being answered and when it was answered with anything but 201.
    pub id: Option<String>,
    /// Whether the OAuth 1.0a signature verified.
    pub signature_valid: bool,
    /// The OAuth parameters of the `Authorization` header, decoded.
    pub oauth: BTreeMap<String, String>,
    /// The `Content-Length` header, when there was one.
    pub content_length: Option<String>,
    /// The `Transfer-Encoding` header, when there was one (a chunked body; RFC 9112
    /// section 6.1: never together with `Content-Length`).
    pub transfer_encoding: Option<String>,
}

impl Received {
    /// How the body was framed: (`Content-Length`, `Transfer-Encoding`).
    pub fn framing(&self) -> (Option<&str>, Option<&str>) {
        (
            self.content_length.as_deref(),
            self.transfer_encoding.as_deref(),
        )
    }
}

/// A post the fake created (answered 201), in the order created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedPost {
    /// The id given out, decimal digits from [`FIRST_ID`] up.
    pub id: String,
    /// The post's text.
    pub text: String,
    /// The id of the post it replies to; `None` for a new post (a thread's first part).
    pub reply_to: Option<String>,
}

#[derive(Default)]
struct Inner {
    /// How long to wait before answering each request.
    delay: std::time::Duration,
    /// How long to wait before answering a post of one of these texts.
    slow_texts: std::collections::HashMap<String, std::time::Duration>,
    /// Every request before this Unix time gets 429 with it as `x-rate-limit-reset`.
    rate_limited_until: u64,
    script: VecDeque<Reply>,
    received: Vec<Received>,
    next_id: u64,
    /// Every post created, in order.
    created: Vec<CreatedPost>,
    /// The ids a reply may name: those created and not deleted.
    visible: HashSet<String>,
    /// The `public_metrics` of posts, by id, as a test set them.
    metrics: std::collections::HashMap<String, Value>,
    /// How many metrics requests with a valid signature were answered.
    metrics_read: usize,
}

#[derive(Clone)]
struct AppState {
    inner: Arc<Mutex<Inner>>,
    url: String,
}

/// A non-blocking listener on a free port of 127.0.0.1 and its base URL
/// (`http://127.0.0.1:PORT`), for [`serve_on_thread`].
pub fn loopback_listener() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let base_url = format!("http://{}", listener.local_addr().expect("addr"));
    (listener, base_url)
}

/// Serves `app` on `listener` (non-blocking) from a thread of its own with a
/// single-threaded tokio runtime, as the tests' fake servers run.
pub fn serve_on_thread(
    listener: std::net::TcpListener,
    app: axum::Router,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            axum::serve(listener, app).await.expect("serve");
        });
    })
}

/// A running fake X API on 127.0.0.1.
pub struct FakeX {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
    _thread: std::thread::JoinHandle<()>,
}

impl FakeX {
    /// Starts the fake on a free port, on a thread of its own.
    pub fn start() -> Self {
        let (listener, base_url) = loopback_listener();
        let inner = Arc::new(Mutex::new(Inner {
            next_id: FIRST_ID,
            ..Inner::default()
        }));
        let state = AppState {
            inner: inner.clone(),
            url: format!("{base_url}/2/tweets"),
        };
        let app = Router::new()
            .route("/2/tweets", post(create_post))
            .route("/2/tweets/{id}", get(metrics::show_post))
            .with_state(state);
        let thread = serve_on_thread(listener, app);
        Self {
            base_url,
            inner,
            _thread: thread,
        }
    }

    /// Answers the next requests with `replies`, in order, then with 201s.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().expect("lock").script.extend(replies);
    }

    /// Waits `delay` before answering each request from now on (a slow X).
    pub fn delay(&self, delay: std::time::Duration) {
        self.inner.lock().expect("lock").delay = delay;
    }

    /// Waits `delay` before answering a post whose text is `text` (one stuck post).
    pub fn slow_text(&self, text: &str, delay: std::time::Duration) {
        self.inner
            .lock()
            .expect("lock")
            .slow_texts
            .insert(text.to_string(), delay);
    }

    /// Answers every request with 429 until `reset` (Unix seconds), telling that reset.
    pub fn rate_limit_until(&self, reset: u64) {
        self.inner.lock().expect("lock").rate_limited_until = reset;
    }

    /// Sets the `public_metrics` X shows for post `id` (`like_count`, `retweet_count`,
    /// `reply_count`, `quote_count`, `impression_count`, ...).
    pub fn set_metrics(&self, id: &str, public_metrics: Value) {
        self.inner
            .lock()
            .expect("lock")
            .metrics
            .insert(id.to_string(), public_metrics);
    }

    /// How many metrics requests with a valid signature were answered.
    pub fn metrics_read(&self) -> usize {
        self.inner.lock().expect("lock").metrics_read
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().expect("lock").received.clone()
    }

    /// Every post created so far (answered 201), in order, with its id and parent.
    pub fn created(&self) -> Vec<CreatedPost> {
        self.inner.lock().expect("lock").created.clone()
    }

    /// Deletes the post `id`: from now on a reply to it is refused as X refuses a reply to
    /// a deleted post (403). It stays in [`FakeX::created`].
    pub fn delete_post(&self, id: &str) {
        self.inner.lock().expect("lock").visible.remove(id);
    }
}

/// X's 400 for a request body that breaks the create-post schema: `message` names the
/// field (X's form, e.g. `$.reply.in_reply_to_tweet_id: is missing but it is required`).
fn invalid_request(parameter: &str, value: Value, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        })),
    )
        .into_response()
}

/// What the body's `reply` asks for.
enum ReplyField {
    /// No `reply`: a new post.
    None,
    /// `reply.in_reply_to_tweet_id` is this string.
    To(String),
    /// `reply` is there but not an object with a string `in_reply_to_tweet_id`.
    Malformed(Value),
}

fn reply_field(body: Option<&Value>) -> ReplyField {
    match body.and_then(|b| b.get("reply")) {
        None => ReplyField::None,
        Some(reply) => match reply.get("in_reply_to_tweet_id").and_then(Value::as_str) {
            Some(id) => ReplyField::To(id.to_string()),
            None => ReplyField::Malformed(reply.clone()),
        },
    }
}

/// X's pattern for post ids in requests: `^[0-9]{1,19}$`.
fn is_post_id(id: &str) -> bool {
    (1..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

fn problem(status: u16, title: &str, detail: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        axum::Json(
            json!({"title": title, "detail": detail, "type": "about:blank", "status": status}),
        ),
    )
        .into_response()
}

/// Parses `OAuth k="v", k2="v2"` into decoded pairs.
pub fn parse_authorization(header: &str) -> Option<BTreeMap<String, String>> {
    let rest = header.strip_prefix("OAuth ")?;
    let mut params = BTreeMap::new();
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        let v = v.strip_prefix('"')?.strip_suffix('"')?;
        let k = percent_encoding::percent_decode_str(k)
            .decode_utf8()
            .ok()?
            .into_owned();
        let v = percent_encoding::percent_decode_str(v)
            .decode_utf8()
            .ok()?
            .into_owned();
        params.insert(k, v);
    }
    Some(params)
}

/// Recomputes the HMAC-SHA1 signature of `POST url` with the received nonce, timestamp
/// and version using `oauth1-request`, and compares it with the received one.
fn verify(oauth: &BTreeMap<String, String>, url: &str) -> bool {
    verify_request(oauth, "POST", url, &[])
}

/// [`verify`] for `method` and the query parameters `query` (part of the signature base
/// string, RFC 5849 section 3.4.1.3).
fn verify_request(
    oauth: &BTreeMap<String, String>,
    method: &str,
    url: &str,
    query: &[(&str, &str)],
) -> bool {
    let get = |k: &str| oauth.get(k).map(String::as_str);
    let token_secret = match get("oauth_token") {
        Some(ACCESS_TOKEN) => ACCESS_TOKEN_SECRET,
        Some(SECOND_ACCESS_TOKEN) => SECOND_ACCESS_TOKEN_SECRET,
        _ => return false,
    };
    if get("oauth_consumer_key") != Some(CONSUMER_KEY)
        || get("oauth_signature_method") != Some("HMAC-SHA1")
    {
        return false;
    }
    let (Some(nonce), Some(timestamp), Some(signature)) = (
        get("oauth_nonce"),
        get("oauth_timestamp"),
        get("oauth_signature"),
    ) else {
        return false;
    };
    let Some(timestamp) = timestamp.parse::<u64>().ok().and_then(NonZeroU64::new) else {
        return false;
    };
    let mut builder = oauth1_request::Builder::<_, _>::new(
        oauth1_request::Credentials::new(CONSUMER_KEY, CONSUMER_SECRET),
        oauth1_request::HMAC_SHA1,
    );
    builder.token(oauth1_request::Credentials::new(
        get("oauth_token").unwrap_or_default(),
        token_secret,
    ));
    builder
        .nonce(nonce)
        .timestamp(timestamp)
        .version(get("oauth_version") == Some("1.0"));
    let params = oauth1_request::ParameterList::new(
        query
            .iter()
            .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
            .collect::<Vec<_>>(),
    );
    let expected = match method {
        "GET" => builder.get(url, &params),
        _ => builder.post(url, &params),
    };
    parse_authorization(&expected)
        .and_then(|p| p.get("oauth_signature").cloned())
        .as_deref()
        == Some(signature)
}

async fn create_post(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let oauth = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(parse_authorization)
        .unwrap_or_default();
    let signature_valid = verify(&oauth, &app.url);
    let json_body =
        headers.get("content-type").and_then(|h| h.to_str().ok()) == Some("application/json");
    let parsed = serde_json::from_slice::<Value>(&body).ok();
    let text = parsed
        .as_ref()
        .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_string));
    let reply = reply_field(parsed.as_ref());
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
    };
    let (delay, index) = {
        let mut inner = app.inner.lock().expect("lock");
        let index = inner.received.len();
        inner.received.push(Received {
            text: text.clone(),
            reply_to: match &reply {
                ReplyField::To(id) => Some(id.clone()),
                _ => None,
            },
            id: None,
            signature_valid,
            oauth,
            content_length: header("content-length"),
            transfer_encoding: header("transfer-encoding"),
        });
        let slow = text.as_ref().and_then(|t| inner.slow_texts.get(t)).copied();
        (slow.unwrap_or(inner.delay), index)
    };
    // Received, then slow to answer: the request may have been acted on.
    tokio::time::sleep(delay).await;
    let mut inner = app.inner.lock().expect("lock");
    if !signature_valid {
        return problem(401, "Unauthorized", "Unauthorized");
    }
    let (Some(text), true) = (text, json_body) else {
        return problem(
            400,
            "Invalid Request",
            "One or more parameters to your request was invalid.",
        );
    };
    let reply_to = match reply {
        ReplyField::None => None,
        ReplyField::Malformed(value) => {
            return invalid_request(
                "$.reply",
                value,
                "$.reply.in_reply_to_tweet_id: is missing but it is required",
            )
        }
        ReplyField::To(id) if !is_post_id(&id) => {
            return invalid_request(
                "$.reply.in_reply_to_tweet_id",
                Value::String(id),
                "$.reply.in_reply_to_tweet_id: does not match the regex pattern ^[0-9]{1,19}$",
            )
        }
        ReplyField::To(id) => Some(id),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let next = if now < inner.rate_limited_until {
        Reply::rate_limited(inner.rate_limited_until)
    } else {
        // X refuses a reply to a post that is deleted or not visible with 403 (v1.1 error
        // 385, the same text in v2's problem object); checked before the script, so a
        // refused reply leaves the scripted answers for the next requests.
        if let Some(parent) = &reply_to {
            if !inner.visible.contains(parent) {
                return problem(
                    403,
                    "Forbidden",
                    "You attempted to reply to a Tweet that is deleted or not visible to you.",
                );
            }
        }
        inner.script.pop_front().unwrap_or(Reply::Created)
    };
    match next {
        Reply::Created => {
            let id = inner.next_id.to_string();
            inner.next_id += 1;
            inner.visible.insert(id.clone());
            inner.created.push(CreatedPost {
                id: id.clone(),
                text: text.clone(),
                reply_to,
            });
            if let Some(received) = inner.received.get_mut(index) {
                received.id = Some(id.clone());
            }
            (
                StatusCode::CREATED,
                axum::Json(
                    json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}}),
                ),
            )
                .into_response()
        }
        Reply::Status(status, extra, body) => {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (code, axum::Json(body)).into_response();
            for (name, value) in extra {
                if let Ok(value) = value.parse() {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
    }
}
