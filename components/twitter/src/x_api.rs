//! X's side of the platform interface: validating a post (every part by X's weighted
//! length) and publishing one part of it with the X API v2 (docs.x.com: "Manage Posts"
//! `POST /2/tweets`, "Rate limits", "Usage" caps, "Response codes and errors"; OAuth 1.0a
//! user context).
//!
//! Pure logic: the settings, the clock, the nonce and the HTTP exchange are reached through
//! the [`Capabilities`] trait, which the component's glue implements with wasi:config,
//! wasi:clocks, wasi:random and wasi:http (through `wstd`), and tests with a fake.
//!
//! A post is a thread of [`Post::parts`]: part 0 is a new post, part k > 0 a reply to part
//! k - 1 (X's "reply" object, `reply.in_reply_to_tweet_id`). The sender publishes one part
//! per [`publish`] call and passes the parts published before it.
//!
//! Outcomes (`publish-error` of the WIT):
//! - 201 (or 200) with `{"data":{"id":"…"}}` -> the id string exactly as X returned it; a
//!   missing, empty or non-string id (X ids are 64-bit and always sent as strings) cannot be
//!   trusted, so the outcome is `unknown-outcome` (the post may exist);
//! - 400 -> `invalid`; 401 -> `auth`; 403 -> `duplicate-content` when X's problem says the
//!   content is a duplicate, else `forbidden` (also X's answer to a reply whose parent is
//!   deleted or not visible);
//! - 429 -> `usage-capped` when the problem `type` ends in `usage-capped` (retry at the
//!   24-hour reset of the user, else of the app, else `x-rate-limit-reset`), else
//!   `rate-limited` (retry at `x-rate-limit-reset`, or later when a 24-hour window is
//!   exhausted too);
//! - 5xx and other 2xx -> `unknown-outcome` (X has no idempotency key);
//! - anything else -> `invalid`;
//! - transport failures: before anything was sent (DNS, connection refused, request denied
//!   by the host) -> `transient`; once the request may have been sent -> `unknown-outcome`;
//! - a call whose `part` or `earlier` does not fit the post -> `invalid`, nothing sent.
//!
//! Error messages carry X's problem `title`/`detail` and the status, never a credential.

use std::fmt;

use serde::Serialize;
use serde_json::Value;
use sps_contract::input::DEFAULT_ACCOUNT;

use crate::oauth::{self, Credentials};
use crate::weighted;

/// The X API base URL used when `x_api_base_url` is not set.
pub const DEFAULT_BASE_URL: &str = "https://api.x.com";
/// The create-post endpoint path, appended to the base URL.
pub const CREATE_POST_PATH: &str = "/2/tweets";

/// Setting: the API base URL (optional; scheme, host, optional port and path prefix).
pub const SETTING_BASE_URL: &str = "x_api_base_url";
/// Setting: API Key (OAuth consumer key).
pub const SETTING_API_KEY: &str = "x_api_key";
/// Setting: API Key Secret (OAuth consumer secret).
pub const SETTING_API_KEY_SECRET: &str = "x_api_key_secret";
/// Setting: Access Token (OAuth token).
pub const SETTING_ACCESS_TOKEN: &str = "x_access_token";
/// Setting: Access Token Secret (OAuth token secret).
pub const SETTING_ACCESS_TOKEN_SECRET: &str = "x_access_token_secret";

/// The `missing-credentials` message for the account `default` (the names are the
/// deployment parameters); other accounts get [`missing_credentials_message`].
pub const MISSING_CREDENTIALS_MESSAGE: &str =
    "X credentials are missing: set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret";

/// The start of X's public link to a post, followed by the post id (see [`post_url`]).
pub const POST_URL_PREFIX: &str = "https://x.com/i/web/status/";

/// Connect timeout for the request to X, in seconds. The host caps it the same way
/// (host/src/caps/http.rs); under Spin, whose calls have no wall-clock limit, these are the
/// only bounds. 2 + 4 s stays below the 8 s a stopping `sps serve` waits for deliveries.
pub const CONNECT_TIMEOUT_SECONDS: u64 = 2;
/// Time allowed until the first byte of X's answer, in seconds: a later answer is
/// `unknown-outcome` (the post may exist).
pub const FIRST_BYTE_TIMEOUT_SECONDS: u64 = 4;
/// Time allowed between two chunks of X's answer, in seconds.
pub const BETWEEN_BYTES_TIMEOUT_SECONDS: u64 = 2;

/// Longest piece of X's problem text kept in a message, in characters.
const MAX_PROBLEM_TEXT_CHARS: usize = 300;

/// Why X did not publish a post; mirrors the WIT variant `types.publish-error`. Every case
/// carries a human-readable explanation (never a credential).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PublishError {
    /// One of the four OAuth settings is missing or empty; nothing was sent.
    MissingCredentials(String),
    /// X rejected the credentials (HTTP 401).
    Auth(String),
    /// X refused the request (HTTP 403, other than duplicates).
    Forbidden(String),
    /// X refused the post as a duplicate of a recent one (HTTP 403).
    DuplicateContent(String),
    /// Rate limited (HTTP 429); retry at or after `retry_at` (Unix seconds, UTC) when known.
    RateLimited {
        /// Unix time in seconds from which a retry may succeed.
        retry_at: Option<u64>,
        /// Human-readable explanation.
        message: String,
    },
    /// The usage cap is reached (HTTP 429, problem type `…/usage-capped`); do not retry
    /// before `retry_at` (Unix seconds, UTC) when known.
    UsageCapped {
        /// Unix time in seconds from which a retry may succeed.
        retry_at: Option<u64>,
        /// Human-readable explanation.
        message: String,
    },
    /// X rejected the post's content or shape (HTTP 400 and unexpected statuses).
    Invalid(String),
    /// Nothing reached X (DNS, connection refused, request denied, settings unreadable);
    /// retrying is safe.
    Transient(String),
    /// X may or may not have published the post (HTTP 5xx, failure after sending, no
    /// readable post id).
    UnknownOutcome(String),
}

impl PublishError {
    /// The human-readable explanation of any case.
    pub fn message(&self) -> &str {
        match self {
            PublishError::MissingCredentials(m)
            | PublishError::Auth(m)
            | PublishError::Forbidden(m)
            | PublishError::DuplicateContent(m)
            | PublishError::Invalid(m)
            | PublishError::Transient(m)
            | PublishError::UnknownOutcome(m)
            | PublishError::RateLimited { message: m, .. }
            | PublishError::UsageCapped { message: m, .. } => m,
        }
    }

    /// The same case with its message passed through `f`.
    fn map_message(self, f: impl FnOnce(String) -> String) -> PublishError {
        match self {
            PublishError::MissingCredentials(m) => PublishError::MissingCredentials(f(m)),
            PublishError::Auth(m) => PublishError::Auth(f(m)),
            PublishError::Forbidden(m) => PublishError::Forbidden(f(m)),
            PublishError::DuplicateContent(m) => PublishError::DuplicateContent(f(m)),
            PublishError::Invalid(m) => PublishError::Invalid(f(m)),
            PublishError::Transient(m) => PublishError::Transient(f(m)),
            PublishError::UnknownOutcome(m) => PublishError::UnknownOutcome(f(m)),
            PublishError::RateLimited { retry_at, message } => PublishError::RateLimited {
                retry_at,
                message: f(message),
            },
            PublishError::UsageCapped { retry_at, message } => PublishError::UsageCapped {
                retry_at,
                message: f(message),
            },
        }
    }
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for PublishError {}

/// A post as the platform interface passes it (WIT `types.post`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Post {
    /// The texts to publish, in order: the message (part 0), then each reply of the thread
    /// (part k is `thread[k-1]` of the event). The scheduler allows 1 to 26 parts.
    pub parts: Vec<String>,
    /// The account that posts (`default` unless the event named one). The host gives the
    /// component that account's settings only, so it serves only to name the account in
    /// messages.
    pub account: String,
    /// Stable across every delivery of the post; unused on X, which has no idempotency key.
    pub idempotency_key: String,
}

/// One part of a post as X published it (WIT `types.published-part`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PublishedPart {
    /// X's post id, exactly as X returned it (64-bit, kept as a string).
    pub id: String,
    /// The post's public URL ([`post_url`]); `None` when the id is not all ASCII digits.
    pub url: Option<String>,
    /// Always `None` on X: a reply needs only its parent's id.
    pub reply_ref: Option<String>,
}

/// Why a post cannot be posted on X; mirrors the WIT record `types.message-error`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PostError {
    /// Stable reason code: one of [`weighted`]'s codes (`empty-message`,
    /// `message-too-long`, `invalid-characters`).
    pub code: String,
    /// A sentence for people: [`weighted::validate`]'s message for the part at fault,
    /// unchanged (the scheduler names a reply by its place in the event's `thread`).
    pub message: String,
    /// The part at fault (0 the message, k the k-th reply); `None` for the post as a whole.
    pub part: Option<u32>,
}

impl fmt::Display for PostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.part {
            Some(part) => write!(f, "part {part}: {}: {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for PostError {}

/// Check every part of `post` by X's rules ([`weighted::validate`]: characters, not empty,
/// weighted length at most 280; docs.x.com "Counting characters", twitter-text config v3),
/// in order; the first failing part's error carries its index and [`weighted::validate`]'s
/// code and message. X has threads (each reply is a post of its own, "Manage Posts"), so
/// any number of parts is accepted. A post without parts is `empty-message` with no part
/// (the scheduler never sends one).
pub fn validate(post: &Post) -> Result<(), PostError> {
    if post.parts.is_empty() {
        return Err(PostError {
            code: weighted::CODE_EMPTY_MESSAGE.to_string(),
            message: "the post has no parts; X needs at least the message".to_string(),
            part: None,
        });
    }
    for (index, text) in post.parts.iter().enumerate() {
        weighted::validate(text).map_err(|e| PostError {
            code: e.code,
            message: e.message,
            part: Some(u32::try_from(index).unwrap_or(u32::MAX)),
        })?;
    }
    Ok(())
}

/// X's public link to the post `id`: `https://x.com/i/web/status/{id}`, or `None` when
/// `id` is not 1 or more ASCII digits (X ids always are; anything else is not put in a URL).
///
/// This form needs no user handle (`POST /2/tweets` answers only `id` and `text`). X's own
/// API links posts this way: a v1.1 Tweet object in compatibility mode whose text is
/// truncated ends it with a link whose `entities.urls[].expanded_url` is
/// `https://twitter.com/i/web/status/{id}`; `twitter.com` links now go to `x.com`.
pub fn post_url(id: &str) -> Option<String> {
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{POST_URL_PREFIX}{id}"))
}

/// The missing-credentials message for `account`: [`MISSING_CREDENTIALS_MESSAGE`] for the
/// account `default`, else the same sentence naming the account, e.g.
/// `X credentials are missing for the account "work": set xApiKey, …`. Names only the
/// settings, never a value.
pub fn missing_credentials_message(account: &str) -> String {
    if account == DEFAULT_ACCOUNT {
        MISSING_CREDENTIALS_MESSAGE.to_string()
    } else {
        format!(
            "X credentials are missing for the account {account:?}: set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret"
        )
    }
}

pub use sps_platform_http::{HttpErrorCode, HttpRequest, HttpResponse, SendPhase, TransportError};

/// What publishing needs from the outside world. The component implements it with WASI;
/// tests with an in-memory fake.
pub trait Capabilities {
    /// The setting `key` (wasi:config/store); `Ok(None)` when it is not set, `Err` with a
    /// description when the store failed.
    fn setting(&mut self, key: &str) -> Result<Option<String>, String>;
    /// The current time, Unix seconds (UTC).
    fn now_unix_seconds(&mut self) -> u64;
    /// A fresh OAuth nonce (see [`nonce_from_random`]).
    fn nonce(&mut self) -> String;
    /// Send `request` and read the whole answer.
    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// The alphabet of OAuth nonces.
const NONCE_ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Length of an OAuth nonce (X's examples use 32 alphanumerics).
pub const NONCE_LENGTH: usize = 32;

/// A nonce of [`NONCE_LENGTH`] alphanumerics from a source of random bytes (`fill` fills
/// its buffer, wasi:random in the component). Bytes of 248 and above are skipped, so every
/// character is equally likely.
pub fn nonce_from_random(mut fill: impl FnMut(&mut [u8])) -> String {
    let mut nonce = String::with_capacity(NONCE_LENGTH);
    let mut buf = [0u8; 64];
    while nonce.len() < NONCE_LENGTH {
        fill(&mut buf);
        for b in buf {
            if nonce.len() == NONCE_LENGTH {
                break;
            }
            // 248 = 4 * 62: below it, b % 62 is uniform.
            if b < 248 {
                if let Some(&c) = NONCE_ALPHABET.get(usize::from(b % 62)) {
                    nonce.push(char::from(c));
                }
            }
        }
    }
    nonce
}

/// The URL of the create-post endpoint under `base_url` (trailing `/` ignored). The base
/// must be an absolute `http`/`https` URL without query or fragment; otherwise the operator
/// must fix the setting: `transient("invalid setting x_api_base_url: …")`.
pub fn create_post_url(base_url: &str) -> Result<String, PublishError> {
    let invalid =
        |why: String| PublishError::Transient(format!("invalid setting {SETTING_BASE_URL}: {why}"));
    let trimmed = base_url.trim().trim_end_matches('/');
    let parsed = oauth::parse_url(trimmed).map_err(|e| invalid(e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid(format!("{trimmed:?} has a query or fragment")));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "user information is not allowed in the URL".to_string(),
        ));
    }
    Ok(format!("{trimmed}{CREATE_POST_PATH}"))
}

/// The JSON body of `POST /2/tweets` (docs.x.com "Manage Posts", create post request body):
/// `text`, and for a reply the `reply` object.
#[derive(Serialize)]
struct CreatePostBody<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<ReplyTo<'a>>,
}

/// The `reply` object of a create-post body.
#[derive(Serialize)]
struct ReplyTo<'a> {
    in_reply_to_tweet_id: &'a str,
}

/// The signed request `POST {base_url}/2/tweets` with body `{"text": text}`, or
/// `{"text": text, "reply": {"in_reply_to_tweet_id": id}}` when `in_reply_to` is
/// `Some(id)` (docs.x.com "Manage Posts": the request body field
/// `reply.in_reply_to_tweet_id`, the id of the post replied to), in that key order.
/// Content-Type `application/json`; the JSON body is not part of the OAuth signature.
/// `timestamp` is Unix seconds, `nonce` fresh random alphanumerics. The body's size is
/// known, so it is framed by `Content-Length` (decimal bytes): wstd sends a body without
/// that header with `Transfer-Encoding: chunked` (RFC 9112 section 6).
pub fn create_post_request(
    base_url: &str,
    text: &str,
    in_reply_to: Option<&str>,
    credentials: &Credentials,
    timestamp: u64,
    nonce: &str,
) -> Result<HttpRequest, PublishError> {
    let url = create_post_url(base_url)?;
    let authorization = oauth::authorization_header("POST", &url, credentials, timestamp, nonce)
        .map_err(|e| PublishError::Transient(format!("could not sign the request: {e}")))?;
    let body = serde_json::to_vec(&CreatePostBody {
        text,
        reply: in_reply_to.map(|id| ReplyTo {
            in_reply_to_tweet_id: id,
        }),
    })
    .map_err(|e| PublishError::Invalid(format!("could not encode the post as JSON: {e}")))?;
    Ok(HttpRequest {
        method: "POST".to_string(),
        url,
        headers: vec![
            ("authorization".to_string(), authorization),
            ("content-type".to_string(), "application/json".to_string()),
            ("content-length".to_string(), body.len().to_string()),
            ("accept".to_string(), "application/json".to_string()),
            (
                "user-agent".to_string(),
                concat!("sps-twitter/", env!("CARGO_PKG_VERSION")).to_string(),
            ),
        ],
        body,
    })
}

/// X's problem object (RFC 7807 style) fields we report, plus v2 `errors[].message`.
#[derive(Default, Debug)]
struct Problem {
    title: Option<String>,
    detail: Option<String>,
    kind: Option<String>,
    messages: Vec<String>,
}

impl Problem {
    fn parse(body: &[u8]) -> Problem {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return Problem::default();
        };
        let text = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(shorten)
        };
        let messages = value
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| text(e.get("message")).or_else(|| text(e.get("detail"))))
                    .collect()
            })
            .unwrap_or_default();
        Problem {
            title: text(value.get("title")),
            detail: text(value.get("detail")),
            kind: text(value.get("type")),
            messages,
        }
    }

    /// `HTTP 403 Forbidden: detail (error; error)`.
    fn describe(&self, status: u16) -> String {
        let mut out = format!("HTTP {status}");
        if let Some(title) = &self.title {
            out.push(' ');
            out.push_str(title);
        }
        if let Some(detail) = self
            .detail
            .as_ref()
            .filter(|d| Some(*d) != self.title.as_ref())
        {
            out.push_str(": ");
            out.push_str(detail);
        }
        let extra: Vec<&str> = self
            .messages
            .iter()
            .filter(|m| Some(*m) != self.detail.as_ref() && Some(*m) != self.title.as_ref())
            .map(String::as_str)
            .collect();
        if !extra.is_empty() {
            out.push_str(&format!(" ({})", extra.join("; ")));
        }
        out
    }

    fn mentions_duplicate(&self) -> bool {
        self.title
            .iter()
            .chain(&self.detail)
            .chain(&self.messages)
            .any(|t| t.to_lowercase().contains("duplicate"))
    }

    fn is_usage_capped(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|k| k.trim_end_matches('/').ends_with("usage-capped"))
    }
}

/// At most [`MAX_PROBLEM_TEXT_CHARS`] characters of `s`.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_PROBLEM_TEXT_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// A header holding Unix seconds.
fn unix_seconds(response: &HttpResponse, name: &str) -> Option<u64> {
    response.header(name)?.trim().parse().ok()
}

/// Whether the window of `prefix` (`x-user-limit-24hour`, `x-app-limit-24hour`,
/// `x-rate-limit`) says it is used up.
fn exhausted(response: &HttpResponse, prefix: &str) -> bool {
    response
        .header(&format!("{prefix}-remaining"))
        .is_some_and(|v| v.trim() == "0")
}

/// Map X's answer to the post id or a [`PublishError`] (rules in the module docs).
pub fn map_response(response: &HttpResponse) -> Result<String, PublishError> {
    let status = response.status;
    let problem = Problem::parse(&response.body);
    let described = problem.describe(status);
    match status {
        200 | 201 => post_id(&response.body).ok_or_else(|| {
            PublishError::UnknownOutcome(format!(
                "X answered HTTP {status} without a post id (data.id as a string); the post may or may not have been published"
            ))
        }),
        400 => Err(PublishError::Invalid(format!("X rejected the post: {described}"))),
        401 => Err(PublishError::Auth(format!("X rejected the credentials: {described}"))),
        403 if problem.mentions_duplicate() => Err(PublishError::DuplicateContent(format!(
            "X refused the post as a duplicate: {described}"
        ))),
        403 => Err(PublishError::Forbidden(format!("X refused the post: {described}"))),
        429 if problem.is_usage_capped() => {
            let retry_at = unix_seconds(response, "x-user-limit-24hour-reset")
                .or_else(|| unix_seconds(response, "x-app-limit-24hour-reset"))
                .or_else(|| unix_seconds(response, "x-rate-limit-reset"));
            Err(PublishError::UsageCapped {
                retry_at,
                message: with_retry_at(format!("X usage cap reached: {described}"), retry_at),
            })
        }
        429 => {
            // The 15-minute window resets at x-rate-limit-reset; an exhausted 24-hour
            // window (user or app) resets later, and the retry must wait for every
            // exhausted window.
            let mut retry_at = unix_seconds(response, "x-rate-limit-reset");
            for prefix in ["x-user-limit-24hour", "x-app-limit-24hour"] {
                if exhausted(response, prefix) {
                    if let Some(reset) = unix_seconds(response, &format!("{prefix}-reset")) {
                        retry_at = Some(retry_at.map_or(reset, |r| r.max(reset)));
                    }
                }
            }
            Err(PublishError::RateLimited {
                retry_at,
                message: with_retry_at(format!("X rate limit reached: {described}"), retry_at),
            })
        }
        500..=599 => Err(PublishError::UnknownOutcome(format!(
            "X failed: {described}; the post may or may not have been published"
        ))),
        200..=299 => Err(PublishError::UnknownOutcome(format!(
            "X answered an unexpected {described}; the post may or may not have been published"
        ))),
        _ => Err(PublishError::Invalid(format!("X answered an unexpected {described}"))),
    }
}

fn with_retry_at(message: String, retry_at: Option<u64>) -> String {
    match retry_at {
        Some(at) => format!(
            "{message}; retry at or after {}",
            sps_contract::time::describe(at)
        ),
        None => message,
    }
}

/// `data.id` of a create-post answer, when it is a non-empty JSON string.
fn post_id(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let id = value.get("data")?.get("id")?.as_str()?;
    (!id.is_empty()).then(|| id.to_string())
}

/// Map a failed exchange: `transient("could not reach X: …")` when nothing was sent,
/// `unknown-outcome` when the request may have reached X.
pub fn map_transport_error(error: &TransportError) -> PublishError {
    match error.phase {
        SendPhase::NotSent => PublishError::Transient(format!("could not reach X: {}", error.detail)),
        SendPhase::MaybeSent => PublishError::UnknownOutcome(format!(
            "the request to X failed after it may have been sent ({}); the post may or may not have been published",
            error.detail
        )),
    }
}

/// Read one setting, trimmed; `Ok(None)` when unset or blank.
fn read_setting(caps: &mut impl Capabilities, key: &str) -> Result<Option<String>, PublishError> {
    match caps.setting(key) {
        Ok(value) => Ok(value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())),
        Err(e) => Err(PublishError::Transient(format!(
            "could not read setting {key}: {e}"
        ))),
    }
}

/// The four OAuth credentials from the settings (the host gives the component only the
/// settings of the post's account): `missing-credentials` naming `account`
/// ([`missing_credentials_message`]) when one is unset or blank, `transient` when the store
/// fails.
pub fn read_credentials(
    caps: &mut impl Capabilities,
    account: &str,
) -> Result<Credentials, PublishError> {
    let consumer_key = read_setting(caps, SETTING_API_KEY)?;
    let consumer_secret = read_setting(caps, SETTING_API_KEY_SECRET)?;
    let token = read_setting(caps, SETTING_ACCESS_TOKEN)?;
    let token_secret = read_setting(caps, SETTING_ACCESS_TOKEN_SECRET)?;
    match (consumer_key, consumer_secret, token, token_secret) {
        (Some(consumer_key), Some(consumer_secret), Some(token), Some(token_secret)) => {
            Ok(Credentials {
                consumer_key,
                consumer_secret,
                token,
                token_secret,
            })
        }
        _ => Err(PublishError::MissingCredentials(
            missing_credentials_message(account),
        )),
    }
}

/// The text of part `part` of `post` and the id it replies to (`None` for part 0): checks
/// that `part` is within `post.parts` and that `earlier` holds exactly the `part` parts
/// published before it, its last (the parent) with a non-empty id; else `invalid`.
pub fn part_to_publish<'a>(
    post: &'a Post,
    part: u32,
    earlier: &'a [PublishedPart],
) -> Result<(&'a str, Option<&'a str>), PublishError> {
    let count = post.parts.len();
    let index = usize::try_from(part).unwrap_or(usize::MAX);
    let Some(text) = post.parts.get(index) else {
        return Err(PublishError::Invalid(format!(
            "part {part} is out of range: the post has {count} part{}",
            if count == 1 { "" } else { "s" }
        )));
    };
    if earlier.len() != index {
        return Err(PublishError::Invalid(format!(
            "part {part} needs {index} earlier published part{} (one for each part before it), but got {}",
            if index == 1 { "" } else { "s" },
            earlier.len()
        )));
    }
    let parent = match earlier.last() {
        None => None,
        Some(parent) if parent.id.is_empty() => {
            return Err(PublishError::Invalid(format!(
                "part {part} replies to part {}, whose post id is empty",
                index.saturating_sub(1)
            )))
        }
        Some(parent) => Some(parent.id.as_str()),
    };
    Ok((text.as_str(), parent))
}

/// Publish part `part` of `post` on X: part 0 as a new post, part k > 0 as a reply to
/// `earlier[k-1]` (its parent). Checks the call ([`part_to_publish`]), reads the
/// credentials (none missing), builds and signs
/// `POST {x_api_base_url or https://api.x.com}/2/tweets`, sends it once, maps the answer.
/// Nothing is sent when the call does not fit the post or a credential is missing.
/// Returns the new post's id exactly as X returned it, its URL ([`post_url`]) and no
/// `reply_ref`.
pub fn publish(
    caps: &mut impl Capabilities,
    post: &Post,
    part: u32,
    earlier: &[PublishedPart],
) -> Result<PublishedPart, PublishError> {
    let (text, in_reply_to) = part_to_publish(post, part, earlier)?;
    let credentials = read_credentials(caps, &post.account)?;
    let base_url =
        read_setting(caps, SETTING_BASE_URL)?.unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    let timestamp = caps.now_unix_seconds();
    let nonce = caps.nonce();
    let request = create_post_request(
        &base_url,
        text,
        in_reply_to,
        &credentials,
        timestamp,
        &nonce,
    )?;
    let outcome = match caps.send(&request) {
        Ok(response) => map_response(&response),
        Err(error) => Err(map_transport_error(&error)),
    };
    match outcome {
        Ok(id) => Ok(PublishedPart {
            url: post_url(&id),
            id,
            reply_ref: None,
        }),
        Err(e) => Err(e.map_message(|m| redact(m, &credentials))),
    }
}

/// `message` with every credential value replaced by `<redacted>` (X does not echo them,
/// but a proxy or a misconfigured base URL might).
fn redact(mut message: String, credentials: &Credentials) -> String {
    for secret in [
        &credentials.consumer_secret,
        &credentials.token_secret,
        &credentials.consumer_key,
        &credentials.token,
    ] {
        if secret.len() >= 8 && message.contains(secret.as_str()) {
            message = message.replace(secret.as_str(), "<redacted>");
        }
    }
    message
}

#[cfg(test)]
mod tests;
