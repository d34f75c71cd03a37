//! A local fake Bluesky PDS: the XRPC methods the bluesky component calls, checking what
//! the AT Protocol docs and lexicons require (docs.bsky.app; lexicons
//! `com.atproto.server.createSession` / `refreshSession`, `com.atproto.repo.createRecord` /
//! `getRecord`, `com.atproto.identity.resolveHandle`, `app.bsky.feed.post`,
//! `app.bsky.richtext.facet`; atproto.com/specs/tid):
//!
//! - `createSession` takes [`HANDLE`] or [`DID`] with [`APP_PASSWORD`] (else 401
//!   `AuthenticationRequired`) and gives an access and a refresh token; `refreshSession`
//!   takes a refresh token once (it is rotated) and gives new ones; both are counted;
//! - `createRecord` needs `Authorization: Bearer <access token>` (401 without, 400
//!   `ExpiredToken` once [`FakeBluesky::expire_access_tokens`] expired it), `repo` the
//!   session's DID, `collection` and `record.$type` `app.bsky.feed.post`, `rkey` a TID
//!   whose time is within a day of now, `createdAt` an RFC 3339 time with `T` and a time
//!   zone, facets whose byte ranges lie on character boundaries of the text (a mention's
//!   DID one it knows), and a reply whose `root` and `parent` (`uri` + `cid`) are records it
//!   holds; otherwise 400 `InvalidRequest` naming the fault. A record key that exists is
//!   answered **HTTP 500** `InternalServerError`, as the reference PDS does
//!   (bluesky-social/atproto issue 3718);
//! - `getRecord` serves the records it holds (400 `RecordNotFound` otherwise);
//!   `resolveHandle` knows [`HANDLE`] and [`BOB_HANDLE`].
//!
//! Scripted answers ([`Reply`]) to `createRecord` stand for bad moments: any status, or a
//! 503 *after* the record was stored; scripted statuses to `getRecord` stand for a PDS that
//! cannot be asked. Every request is recorded ([`Received`]), with when it came.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::fake_x::{loopback_listener, serve_on_thread};

/// The account's handle.
pub const HANDLE: &str = "alice.test";
/// The account's DID.
pub const DID: &str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
/// The account's app password.
pub const APP_PASSWORD: &str = "abcd-efgh-ijkl-mnop";
/// Another account a post may mention.
pub const BOB_HANDLE: &str = "bob.test";
/// Its DID.
pub const BOB_DID: &str = "did:plc:bobbobbobbobbobbobbobbobb";
/// The collection of posts.
pub const POSTS: &str = "app.bsky.feed.post";

/// One scripted answer to the next `createRecord` that passes the token check.
#[derive(Debug, Clone)]
pub enum Reply {
    /// This status, headers and JSON body; nothing is stored.
    Status(u16, Vec<(&'static str, String)>, Value),
    /// The record is stored (when valid), then this status and JSON body are answered.
    StoredThen(u16, Value),
}

/// The body of the PDS's 503.
fn unavailable_body() -> Value {
    json!({"error": "ServiceUnavailable", "message": "Service Unavailable"})
}

impl Reply {
    /// 503 after the record was stored.
    pub fn unavailable_after_storing() -> Self {
        Reply::StoredThen(503, unavailable_body())
    }

    /// 503; nothing is stored or read.
    pub fn unavailable() -> Self {
        Reply::Status(503, vec![], unavailable_body())
    }
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The XRPC method, e.g. `com.atproto.repo.createRecord`.
    pub nsid: String,
    /// The bearer token, when there was one.
    pub token: Option<String>,
    /// The JSON body, or the query as a JSON object for a GET.
    pub body: Option<Value>,
    /// The status answered.
    pub answered: u16,
    /// When it came.
    pub at: std::time::SystemTime,
}

/// A record the fake holds, in the order stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Its record key.
    pub rkey: String,
    /// `at://<DID>/app.bsky.feed.post/<rkey>`.
    pub uri: String,
    /// Its CID.
    pub cid: String,
    /// The record as sent.
    pub value: Value,
}

impl Record {
    /// The `text`.
    pub fn text(&self) -> &str {
        self.value["text"].as_str().unwrap_or_default()
    }

    /// The (root, parent) URIs of a reply.
    pub fn reply_uris(&self) -> Option<(String, String)> {
        let uri = |role: &str| {
            self.value["reply"][role]["uri"]
                .as_str()
                .map(str::to_string)
        };
        Some((uri("root")?, uri("parent")?))
    }
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Reply>,
    /// Scripted answers to `getRecord` (only [`Reply::Status`] is used).
    get_script: VecDeque<Reply>,
    received: Vec<Received>,
    records: Vec<Record>,
    next_token: u32,
    /// Access token -> expired.
    access: HashMap<String, bool>,
    /// Refresh tokens not used yet.
    refresh: HashSet<String>,
    create_sessions: usize,
    refresh_sessions: usize,
}

/// A running fake PDS on 127.0.0.1.
pub struct FakeBluesky {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
    _thread: std::thread::JoinHandle<()>,
}

impl FakeBluesky {
    /// Starts the fake on a free port, on a thread of its own.
    pub fn start() -> Self {
        let (listener, base_url) = loopback_listener();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let x = |nsid: &str| format!("/xrpc/{nsid}");
        let app = Router::new()
            .route(&x("com.atproto.server.createSession"), post(create_session))
            .route(
                &x("com.atproto.server.refreshSession"),
                post(refresh_session),
            )
            .route(&x("com.atproto.repo.createRecord"), post(create_record))
            .route(&x("com.atproto.repo.getRecord"), get(get_record))
            .route(
                &x("com.atproto.identity.resolveHandle"),
                get(resolve_handle),
            )
            .with_state(inner.clone());
        let thread = serve_on_thread(listener, app);
        Self {
            base_url,
            inner,
            _thread: thread,
        }
    }

    /// Answers the next `createRecord` calls that pass the token check with `replies`.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().expect("lock").script.extend(replies);
    }

    /// Answers the next `getRecord` calls with `replies` (statuses; nothing is read).
    pub fn script_get_record(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().expect("lock").get_script.extend(replies);
    }

    /// Every access token given out so far is expired from now on.
    pub fn expire_access_tokens(&self) {
        for expired in self.inner.lock().expect("lock").access.values_mut() {
            *expired = true;
        }
    }

    /// How many sessions `createSession` opened.
    pub fn create_sessions(&self) -> usize {
        self.inner.lock().expect("lock").create_sessions
    }

    /// How many times `refreshSession` renewed a session.
    pub fn refresh_sessions(&self) -> usize {
        self.inner.lock().expect("lock").refresh_sessions
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().expect("lock").received.clone()
    }

    /// The requests to method `nsid`.
    pub fn calls(&self, nsid: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.nsid == nsid)
            .collect()
    }

    /// The statuses answered to the calls of XRPC method `nsid`, in order.
    pub fn answered(&self, nsid: &str) -> Vec<u16> {
        self.calls(nsid).iter().map(|r| r.answered).collect()
    }

    /// Every record stored, in order.
    pub fn records(&self) -> Vec<Record> {
        self.inner.lock().expect("lock").records.clone()
    }
}

/// The post's URL on bsky.app for record key `rkey` of [`HANDLE`].
pub fn post_url(rkey: &str) -> String {
    format!("https://bsky.app/profile/{HANDLE}/post/{rkey}")
}

/// A status code, extra headers and a JSON body.
type Answer = (u16, Vec<(&'static str, String)>, Value);

fn xrpc_error(status: u16, error: &str, message: &str) -> Answer {
    (status, vec![], json!({"error": error, "message": message}))
}

fn invalid(message: &str) -> Answer {
    xrpc_error(400, "InvalidRequest", message)
}

fn respond(
    inner: &mut Inner,
    nsid: &str,
    token: Option<String>,
    body: Option<Value>,
    answer: Answer,
) -> Response {
    let (status, extra, reply) = answer;
    inner.received.push(Received {
        nsid: nsid.to_string(),
        token,
        body,
        answered: status,
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

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::to_string)
}

/// A JSON body, when the content type says JSON.
fn json_body(headers: &HeaderMap, body: &[u8]) -> Option<Value> {
    let json = headers
        .get("content-type")
        .and_then(|t| t.to_str().ok())
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    serde_json::from_slice(body).ok().filter(|_| json)
}

/// A new session: fresh tokens, remembered.
fn open_session(inner: &mut Inner) -> Answer {
    inner.next_token += 1;
    let access = format!("fake-access-{:04}", inner.next_token);
    let refresh = format!("fake-refresh-{:04}", inner.next_token);
    inner.access.insert(access.clone(), false);
    inner.refresh.insert(refresh.clone());
    let session = json!({"accessJwt": access, "refreshJwt": refresh, "handle": HANDLE, "did": DID});
    (200, vec![], session)
}

async fn create_session(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = json_body(&headers, &body);
    let mut inner = inner.lock().expect("lock");
    let field = |k: &str| {
        body.as_ref()
            .and_then(|b| b[k].as_str())
            .map(str::to_string)
    };
    let answer = match (field("identifier"), field("password")) {
        (Some(id), Some(password)) => {
            let known = id.eq_ignore_ascii_case(HANDLE) || id == DID;
            if known && password == APP_PASSWORD {
                inner.create_sessions += 1;
                open_session(&mut inner)
            } else {
                xrpc_error(
                    401,
                    "AuthenticationRequired",
                    "Invalid identifier or password",
                )
            }
        }
        _ => invalid("Input must have the properties \"identifier\" and \"password\""),
    };
    respond(
        &mut inner,
        "com.atproto.server.createSession",
        None,
        body,
        answer,
    )
}

async fn refresh_session(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap) -> Response {
    let token = bearer(&headers);
    let mut inner = inner.lock().expect("lock");
    let answer = match &token {
        None => xrpc_error(401, "AuthenticationRequired", "Authentication Required"),
        Some(t) if inner.refresh.remove(t) => {
            inner.refresh_sessions += 1;
            open_session(&mut inner)
        }
        Some(_) => xrpc_error(400, "ExpiredToken", "Token has been revoked"),
    };
    respond(
        &mut inner,
        "com.atproto.server.refreshSession",
        token,
        None,
        answer,
    )
}

/// Whether `rkey` is a TID (atproto.com/specs/tid) whose time is within a day of now.
fn is_recent_tid(rkey: &str) -> bool {
    const ALPHABET: &str = "234567abcdefghijklmnopqrstuvwxyz";
    let digits: Option<Vec<u64>> = rkey
        .chars()
        .map(|c| ALPHABET.find(c).map(|d| d as u64))
        .collect();
    let Some(digits) = digits.filter(|d| d.len() == 13 && d.first().is_some_and(|&f| f < 16))
    else {
        return false;
    };
    let value = digits.iter().fold(0u64, |v, d| (v << 5) | d);
    let seconds = (value >> 10) / 1_000_000;
    seconds.abs_diff(chrono::Utc::now().timestamp() as u64) < 86_400
}

/// What is wrong with a `createRecord` input, if anything (module docs).
fn fault(inner: &Inner, input: &Value) -> Option<String> {
    if input["repo"] != json!(DID) {
        return Some(format!("repo must be the session's DID {DID}"));
    }
    if input["collection"] != json!(POSTS) {
        return Some(format!("collection must be {POSTS}"));
    }
    if !input["rkey"].as_str().is_some_and(is_recent_tid) {
        return Some("Invalid record key: rkey must be a TID of about now".to_string());
    }
    let record = &input["record"];
    if record["$type"] != json!(POSTS) {
        return Some(format!("Invalid {POSTS} record: $type must be {POSTS}"));
    }
    let Some(text) = record["text"].as_str() else {
        return Some("Record/text must be a string".to_string());
    };
    if text.len() > 3000 {
        return Some("Record/text must not be longer than 3000 bytes".to_string());
    }
    let created_at = record["createdAt"].as_str().unwrap_or_default();
    let rfc3339 = chrono::DateTime::parse_from_rfc3339(created_at).is_ok()
        && created_at.get(10..11) == Some("T");
    if !rfc3339 {
        return Some(format!(
            "Record/createdAt must be a valid datetime, not {created_at:?}"
        ));
    }
    for facet in record["facets"].as_array().into_iter().flatten() {
        let index = |k: &str| facet["index"][k].as_u64().map(|n| n as usize);
        let (Some(start), Some(end)) = (index("byteStart"), index("byteEnd")) else {
            return Some("facet index needs byteStart and byteEnd".to_string());
        };
        if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Some(format!(
                "facet bytes {start}..{end} do not lie on characters of the text"
            ));
        }
        let features = facet["features"].as_array().filter(|f| !f.is_empty());
        for feature in features.into_iter().flatten() {
            let ok = match feature["$type"].as_str().unwrap_or_default() {
                "app.bsky.richtext.facet#link" => feature["uri"].is_string(),
                "app.bsky.richtext.facet#mention" => {
                    feature["did"] == json!(BOB_DID) || feature["did"] == json!(DID)
                }
                "app.bsky.richtext.facet#tag" => feature["tag"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty() && !t.starts_with('#')),
                _ => false,
            };
            if !ok {
                return Some(format!("invalid facet feature {feature}"));
            }
        }
    }
    if !record["reply"].is_null() {
        for role in ["root", "parent"] {
            let target = &record["reply"][role];
            let held = inner
                .records
                .iter()
                .any(|r| target["uri"] == json!(r.uri) && target["cid"] == json!(r.cid));
            if !held {
                return Some(format!("reply {role} {target} is no record of this repo"));
            }
        }
    }
    None
}

async fn create_record(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = bearer(&headers);
    let input = json_body(&headers, &body);
    let mut inner = inner.lock().expect("lock");
    let nsid = "com.atproto.repo.createRecord";
    let refused = match token.as_deref().map(|t| inner.access.get(t).copied()) {
        None => Some((401, "AuthenticationRequired", "Authentication Required")),
        Some(None) => Some((401, "InvalidToken", "Token could not be verified")),
        Some(Some(true)) => Some((400, "ExpiredToken", "Token has expired")),
        Some(Some(false)) => None,
    }
    .map(|(status, error, message)| xrpc_error(status, error, message));
    if let Some(answer) = refused {
        return respond(&mut inner, nsid, token, input, answer);
    }
    let next = inner.script.pop_front();
    if let Some(Reply::Status(status, extra, body)) = next {
        return respond(&mut inner, nsid, token, input, (status, extra, body));
    }
    let Some(value) = input.clone().filter(Value::is_object) else {
        return respond(
            &mut inner,
            nsid,
            token,
            input,
            invalid("the fake expects a JSON object body"),
        );
    };
    if let Some(fault) = fault(&inner, &value) {
        return respond(&mut inner, nsid, token, input, invalid(&fault));
    }
    let rkey = value["rkey"].as_str().unwrap_or_default().to_string();
    if inner.records.iter().any(|r| r.rkey == rkey) {
        let answer = xrpc_error(500, "InternalServerError", "Internal Server Error");
        return respond(&mut inner, nsid, token, input, answer);
    }
    let record = Record {
        uri: format!("at://{DID}/{POSTS}/{rkey}"),
        cid: format!("bafyreifake{:048}", inner.records.len() + 1),
        rkey,
        value: value["record"].clone(),
    };
    inner.records.push(record.clone());
    let created = json!({"uri": record.uri, "cid": record.cid, "validationStatus": "valid"});
    let answer = match next {
        Some(Reply::StoredThen(status, body)) => (status, vec![], body),
        _ => (200, vec![], created),
    };
    respond(&mut inner, nsid, token, input, answer)
}

async fn get_record(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = inner.lock().expect("lock");
    if let Some(Reply::Status(status, extra, body)) = inner.get_script.pop_front() {
        let (token, query) = (bearer(&headers), Some(json!(query)));
        let nsid = "com.atproto.repo.getRecord";
        return respond(&mut inner, nsid, token, query, (status, extra, body));
    }
    let q = |k: &str| query.get(k).map(String::as_str).unwrap_or_default();
    let found = inner
        .records
        .iter()
        .find(|r| q("repo") == DID && q("collection") == POSTS && r.rkey == q("rkey"));
    let answer = match found {
        Some(r) => (
            200,
            vec![],
            json!({"uri": r.uri, "cid": r.cid, "value": r.value}),
        ),
        None => xrpc_error(
            400,
            "RecordNotFound",
            &format!(
                "Could not locate record: at://{}/{}/{}",
                q("repo"),
                q("collection"),
                q("rkey")
            ),
        ),
    };
    respond(
        &mut inner,
        "com.atproto.repo.getRecord",
        bearer(&headers),
        Some(json!(query)),
        answer,
    )
}

async fn resolve_handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = inner.lock().expect("lock");
    let handle = query
        .get("handle")
        .map(|h| h.to_ascii_lowercase())
        .unwrap_or_default();
    let answer = match handle.as_str() {
        HANDLE => (200, vec![], json!({"did": DID})),
        BOB_HANDLE => (200, vec![], json!({"did": BOB_DID})),
        _ => invalid("Unable to resolve handle"),
    };
    respond(
        &mut inner,
        "com.atproto.identity.resolveHandle",
        None,
        Some(json!(query)),
        answer,
    )
}
