//! A local fake of LinkedIn's Posts API `POST /rest/posts` that checks what LinkedIn's
//! documentation requires of a create-post request and answers like LinkedIn
//! (learn.microsoft.com: Posts API, Post Schema, little text format, error handling):
//!
//! - `Authorization: Bearer <token>` with the one token it knows ([`ACCESS_TOKEN`]), else
//!   401;
//! - `LinkedIn-Version` present and `YYYYMM`, else 400 (missing) or 426 (malformed);
//!   `X-Restli-Protocol-Version: 2.0.0` and `Content-Type: application/json`, else 400;
//! - the body: exactly `author`, `commentary`, `visibility` `PUBLIC`, `distribution`
//!   (`feedDistribution` `MAIN_FEED`, `targetEntities` and
//!   `thirdPartyDistributionChannels` arrays), `lifecycleState` `PUBLISHED` and
//!   `isReshareDisabledByAuthor` a boolean, else 422 with LinkedIn's schema messages; an
//!   `author` other than the token's member ([`AUTHOR`]) is 403;
//! - `commentary` is little text: the fake reads it as LinkedIn shows it, with its own
//!   list of reserved characters. An unescaped reserved character is not refused: as
//!   LinkedIn does, the fake cuts the text there and still answers 201, recording where
//!   ([`Received::little_error`]), so a test sees the cut text in [`FakeLinkedIn::created`].
//!
//! A post it accepts gets `urn:li:share:<n>` from [`FIRST_ID`] up, answered 201 with the
//! URN in `x-restli-id` and no body. Replies can be scripted: in order
//! ([`FakeLinkedIn::script`]) or for one text ([`FakeLinkedIn::reply_to_text`], once).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use super::fake_x::{loopback_listener, serve_on_thread};

/// The access token the fake accepts (the tests' account `default`).
pub const ACCESS_TOKEN: &str = "test-linkedin-access-token";
/// The member the token belongs to: the only author it may post as.
pub const AUTHOR: &str = "urn:li:person:Zr4pX9tQ2w";
/// The number in the first URN the fake gives out (`urn:li:share:7400000000000000001`).
pub const FIRST_ID: u64 = 7_400_000_000_000_000_001;

/// The characters the little text format reserves (its "Text" element), each standing
/// for itself only after a backslash.
const LITTLE_RESERVED: &str = r"\|{}@[]()<>#*_~";

/// The body fields of a create-post request (Post Schema) the fake knows.
const FIELDS: [&str; 6] = [
    "author",
    "commentary",
    "visibility",
    "distribution",
    "lifecycleState",
    "isReshareDisabledByAuthor",
];

/// The URN of the `n`-th post the fake creates (0 the first).
pub fn urn(n: u64) -> String {
    format!("urn:li:share:{}", FIRST_ID + n)
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 201 with a new URN in `x-restli-id`.
    Created,
    /// 201 without `x-restli-id` (the post is created all the same).
    CreatedWithoutId,
    /// Any status, headers and JSON body.
    Status(u16, Vec<(&'static str, String)>, Value),
}

impl Reply {
    /// LinkedIn's 401 for a token it does not accept.
    pub fn unauthorized() -> Self {
        Reply::Status(
            401,
            vec![],
            json!({"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token"}),
        )
    }
    /// LinkedIn's 429 for a daily limit, with `Retry-After` seconds when given.
    pub fn rate_limited(retry_after: Option<u64>) -> Self {
        Reply::Status(
            429,
            retry_after
                .map(|s| vec![("retry-after", s.to_string())])
                .unwrap_or_default(),
            json!({"status": 429, "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}),
        )
    }
    /// LinkedIn's 403 for a token without the permission to post (`w_member_social`).
    pub fn forbidden() -> Self {
        Reply::Status(
            403,
            vec![],
            json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
                   "message": "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260501"}),
        )
    }
    /// LinkedIn's 500.
    pub fn server_error() -> Self {
        Reply::Status(
            500,
            vec![],
            json!({"status": 500, "message": "Internal Server Error"}),
        )
    }
    /// LinkedIn's 422 for a post that duplicates `of`.
    pub fn duplicate(of: &str) -> Self {
        Reply::Status(
            422,
            vec![],
            json!({"errorDetailType": "com.linkedin.common.error.BadRequest",
                   "message": format!("com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of {of}"),
                   "errorDetails": {"inputErrors": [{"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}]},
                   "status": 422}),
        )
    }
}

/// One request the fake received.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The `LinkedIn-Version` header.
    pub linkedin_version: Option<String>,
    /// The `X-Restli-Protocol-Version` header.
    pub restli_protocol_version: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body, when it was JSON.
    pub body: Option<Value>,
    /// `commentary` as sent (little text), when it was a string.
    pub commentary: Option<String>,
    /// `commentary` as LinkedIn shows it: unescaped, and cut at the first little error.
    pub text: Option<String>,
    /// The first unescaped reserved character (or stray backslash) in `commentary`.
    pub little_error: Option<String>,
    /// The status the fake answered.
    pub status: u16,
}

/// A post the fake created (answered 201), in the order created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedPost {
    /// Its URN ([`urn`]).
    pub urn: String,
    /// Its author.
    pub author: String,
    /// Its text as LinkedIn shows it.
    pub text: String,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Reply>,
    by_text: HashMap<String, Reply>,
    received: Vec<Received>,
    created: Vec<CreatedPost>,
}

/// A running fake LinkedIn API on 127.0.0.1.
pub struct FakeLinkedIn {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
    _thread: std::thread::JoinHandle<()>,
}

impl FakeLinkedIn {
    /// Starts the fake on a free port, on a thread of its own.
    pub fn start() -> Self {
        let (listener, base_url) = loopback_listener();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/rest/posts", post(create_post))
            .with_state(inner.clone());
        let thread = serve_on_thread(listener, app);
        Self {
            base_url,
            inner,
            _thread: thread,
        }
    }

    /// Answers the next valid requests with `replies`, in order, then with 201s.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().expect("lock").script.extend(replies);
    }

    /// Answers the next valid request whose text (as shown) is `text` with `reply`, once.
    pub fn reply_to_text(&self, text: &str, reply: Reply) {
        self.inner
            .lock()
            .expect("lock")
            .by_text
            .insert(text.to_string(), reply);
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().expect("lock").received.clone()
    }

    /// Every post created so far, in order.
    pub fn created(&self) -> Vec<CreatedPost> {
        self.inner.lock().expect("lock").created.clone()
    }
}

/// `commentary` read as little text: the text LinkedIn shows, cut at the first reserved
/// character without a backslash or backslash before anything else, and that error.
pub fn shown_text(little: &str) -> (String, Option<String>) {
    let mut shown = String::new();
    let mut chars = little.chars().enumerate();
    while let Some((at, c)) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some((_, next)) if LITTLE_RESERVED.contains(next) => shown.push(next),
                Some((_, next)) => {
                    return (
                        shown,
                        Some(format!("backslash before {next:?} at character {at}")),
                    )
                }
                None => return (shown, Some(format!("lone backslash at character {at}"))),
            }
        } else if LITTLE_RESERVED.contains(c) {
            return (shown, Some(format!("unescaped {c:?} at character {at}")));
        } else {
            shown.push(c);
        }
    }
    (shown, None)
}

/// A LinkedIn error answer.
fn error(status: u16, body: Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, axum::Json(body)).into_response()
}

/// The schema errors of a create-post body, in LinkedIn's `ERROR :: /path :: why` form.
fn schema_errors(body: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut errors = Vec::new();
    for key in body.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
        errors.push(format!(
            "ERROR :: /{key} :: unrecognized field found but not allowed"
        ));
    }
    let mut expect = |path: &str, ok: bool, why: &str| {
        if !ok {
            errors.push(format!("ERROR :: {path} :: {why}"));
        }
    };
    let string = |key: &str| body.get(key).and_then(Value::as_str);
    expect(
        "/author",
        string("author").is_some_and(|a| {
            ["urn:li:person:", "urn:li:organization:"]
                .iter()
                .any(|p| a.strip_prefix(p).is_some_and(|id| !id.is_empty()))
        }),
        "field is required to be a person or organization URN",
    );
    expect(
        "/commentary",
        string("commentary").is_some(),
        "field is required but not found and has no default value",
    );
    expect(
        "/visibility",
        string("visibility") == Some("PUBLIC"),
        "must be PUBLIC for this fake",
    );
    expect(
        "/lifecycleState",
        string("lifecycleState") == Some("PUBLISHED"),
        "must be PUBLISHED for this fake",
    );
    expect(
        "/isReshareDisabledByAuthor",
        body.get("isReshareDisabledByAuthor")
            .is_some_and(Value::is_boolean),
        "field must be a boolean",
    );
    let distribution = body.get("distribution").and_then(Value::as_object);
    expect(
        "/distribution/feedDistribution",
        distribution
            .and_then(|d| d.get("feedDistribution"))
            .and_then(Value::as_str)
            == Some("MAIN_FEED"),
        "must be MAIN_FEED",
    );
    for list in ["targetEntities", "thirdPartyDistributionChannels"] {
        expect(
            &format!("/distribution/{list}"),
            distribution
                .and_then(|d| d.get(list))
                .is_some_and(Value::is_array),
            "field must be an array",
        );
    }
    errors
}

async fn create_post(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
    };
    let parsed = serde_json::from_slice::<Value>(&body).ok();
    let commentary = parsed
        .as_ref()
        .and_then(|b| b.get("commentary"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let (text, little_error) = match commentary.as_deref().map(shown_text) {
        Some((text, error)) => (Some(text), error),
        None => (None, None),
    };
    let mut received = Received {
        authorization: header("authorization"),
        linkedin_version: header("linkedin-version"),
        restli_protocol_version: header("x-restli-protocol-version"),
        content_type: header("content-type"),
        body: parsed.clone(),
        commentary,
        text: text.clone(),
        little_error,
        status: 0,
    };
    let refusal = check(&received, parsed.as_ref());
    let mut inner = inner.lock().expect("lock");
    if let Some(refusal) = refusal {
        received.status = refusal.status().as_u16();
        inner.received.push(received);
        return refusal;
    }
    let reply = text
        .as_ref()
        .and_then(|t| inner.by_text.remove(t))
        .or_else(|| inner.script.pop_front())
        .unwrap_or(Reply::Created);
    let response = match reply {
        Reply::Created | Reply::CreatedWithoutId => {
            let urn = urn(u64::try_from(inner.created.len()).unwrap_or(u64::MAX));
            inner.created.push(CreatedPost {
                urn: urn.clone(),
                author: AUTHOR.to_string(),
                text: text.clone().unwrap_or_default(),
            });
            let mut response = StatusCode::CREATED.into_response();
            if matches!(reply, Reply::Created) {
                response
                    .headers_mut()
                    .insert("x-restli-id", urn.parse().expect("header value"));
            }
            response
        }
        Reply::Status(status, extra, body) => {
            let mut response = error(status, body);
            for (name, value) in extra {
                if let Ok(value) = value.parse() {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
    };
    received.status = response.status().as_u16();
    inner.received.push(received);
    response
}

/// Whether `v` is a version of the form `YYYYMM` (month 01-12).
fn is_yyyymm(v: &str) -> bool {
    v.len() == 6
        && v.bytes().all(|b| b.is_ascii_digit())
        && v.get(4..)
            .and_then(|m| m.parse::<u8>().ok())
            .is_some_and(|m| (1..=12).contains(&m))
}

/// What LinkedIn refuses before looking at the post: the headers, the body's shape, the
/// author: the refusal, or `None` when the request may go on.
fn check(received: &Received, body: Option<&Value>) -> Option<Response> {
    if received.authorization.as_deref() != Some(&format!("Bearer {ACCESS_TOKEN}")) {
        return Some(error(
            401,
            json!({"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token"}),
        ));
    }
    match received.linkedin_version.as_deref() {
        None => {
            return Some(error(
                400,
                json!({"status": 400, "code": "VERSION_MISSING", "message": "A version must be present. Please specify a version by adding the LinkedIn-Version header."}),
            ))
        }
        Some(v) if !is_yyyymm(v) => {
            return Some(error(
                426,
                json!({"status": 426, "code": "NONEXISTENT_VERSION", "message": format!("Requested version {v} is not active")}),
            ))
        }
        Some(_) => {}
    }
    if received.restli_protocol_version.as_deref() != Some("2.0.0")
        || received.content_type.as_deref() != Some("application/json")
    {
        return Some(error(
            400,
            json!({"status": 400, "code": "ILLEGAL_ARGUMENT", "message": "X-Restli-Protocol-Version 2.0.0 and Content-Type application/json are required"}),
        ));
    }
    let Some(object) = body.and_then(Value::as_object) else {
        return Some(error(
            400,
            json!({"status": 400, "code": "ILLEGAL_ARGUMENT", "message": "Request body could not be converted to data map"}),
        ));
    };
    let errors = schema_errors(object);
    if !errors.is_empty() {
        return Some(error(
            422,
            json!({"status": 422, "message": format!("{}\n", errors.join("\n"))}),
        ));
    }
    if object.get("author").and_then(Value::as_str) != Some(AUTHOR) {
        return Some(error(
            403,
            json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions to create a post as this author"}),
        ));
    }
    None
}
