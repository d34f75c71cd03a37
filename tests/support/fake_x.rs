//! A local fake of the X API v2 `POST /2/tweets` that checks every OAuth 1.0a
//! signature with an implementation we did not write (the `oauth1-request` crate) and
//! answers like X (docs.x.com "Manage Posts", "Rate limits", error problem objects).

use std::collections::{BTreeMap, VecDeque};
use std::num::NonZeroU64;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

/// The credentials the fake accepts (the same as `SECRETS_JSON`).
pub const CONSUMER_KEY: &str = "test-consumer-key";
pub const CONSUMER_SECRET: &str = "test-consumer-secret";
pub const ACCESS_TOKEN: &str = "test-access-token";
pub const ACCESS_TOKEN_SECRET: &str = "test-access-token-secret";

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
}

#[derive(Clone)]
struct AppState {
    inner: Arc<Mutex<Inner>>,
    url: String,
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
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
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

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().expect("lock").received.clone()
    }
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
    let get = |k: &str| oauth.get(k).map(String::as_str);
    if get("oauth_consumer_key") != Some(CONSUMER_KEY)
        || get("oauth_token") != Some(ACCESS_TOKEN)
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
        ACCESS_TOKEN,
        ACCESS_TOKEN_SECRET,
    ));
    builder
        .nonce(nonce)
        .timestamp(timestamp)
        .version(get("oauth_version") == Some("1.0"));
    let expected = builder.post(url, &());
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
    let text = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("text").and_then(Value::as_str).map(str::to_string));
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
    };
    let delay = {
        let mut inner = app.inner.lock().expect("lock");
        inner.received.push(Received {
            text: text.clone(),
            signature_valid,
            oauth,
            content_length: header("content-length"),
            transfer_encoding: header("transfer-encoding"),
        });
        let slow = text.as_ref().and_then(|t| inner.slow_texts.get(t)).copied();
        slow.unwrap_or(inner.delay)
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
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let limited =
        (now < inner.rate_limited_until).then(|| Reply::rate_limited(inner.rate_limited_until));
    match limited.unwrap_or_else(|| inner.script.pop_front().unwrap_or(Reply::Created)) {
        Reply::Created => {
            let id = inner.next_id.to_string();
            inner.next_id += 1;
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
