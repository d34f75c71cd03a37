//! The PDS's answers as sessions, published parts or `publish-error`s. XRPC errors are
//! `{"error": "<Name>", "message": "<text>"}` with a 4xx or 5xx status
//! (atproto.com/specs/xrpc); messages carry the status, the name and the text (shortened),
//! never a credential.
//!
//! - a `token_refused` answer (401, or 400 `ExpiredToken` / `InvalidToken`) makes the
//!   caller renew the session once ([`crate::session`]);
//! - `createSession` / `refreshSession` ([`session_answer`]): 2xx with `accessJwt`,
//!   `refreshJwt`, `did` (and `handle`) opens it; 400 and 401 are a refusal; 403
//!   `forbidden`; 429 `rate-limited`; 5xx and failed exchanges `transient` (no post is
//!   written by them); anything else `invalid`;
//! - `createRecord` ([`created`]): 2xx with `uri` (`at://…`) and `cid` is the post; 5xx,
//!   a 2xx without them, a 4xx whose error name says the record exists, and an exchange
//!   that may have been sent are **ambiguous** (the reference PDS answers HTTP 500 when
//!   the record key exists: bluesky-social/atproto issue 3718), resolved by `getRecord`;
//!   401 (after a renewal) `auth`; 400 `invalid` with the server's message; 403
//!   `forbidden`; 429 `rate-limited`; a connection never made `transient`;
//! - `getRecord` ([`looked_up`]): 200 with `uri` and `cid` found, 400 `RecordNotFound`
//!   not found, anything else unknown;
//! - 429 carries `ratelimit-reset` (Unix seconds, docs.bsky.app "Rate Limits") or else
//!   `retry-after` (seconds from now).

use serde_json::Value;
use sps_platform::{shorten, PublishError};
pub use sps_platform::{HttpResponse, SendPhase, TransportError};

use crate::record::StrongRef;
use crate::session::Session;

/// The rate-limit reset header: Unix seconds.
pub const RATE_LIMIT_RESET: &str = "ratelimit-reset";
/// The standard header with seconds to wait, used when [`RATE_LIMIT_RESET`] is absent.
pub const RETRY_AFTER: &str = "retry-after";

/// The string `key` of the JSON object `body`, trimmed and non-empty.
fn text_field(body: &[u8], key: &str) -> Option<String> {
    serde_json::from_slice::<Value>(body)
        .ok()?
        .get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The XRPC error name (`error`) of an answer.
pub fn error_name(response: &HttpResponse) -> Option<String> {
    text_field(&response.body, "error")
}

/// `HTTP <status>`, then `: <error>` and `: <message>` when the body has them.
pub fn describe(response: &HttpResponse) -> String {
    let mut out = format!("HTTP {}", response.status);
    let error = error_name(response).map(|e| shorten(&e));
    if let Some(error) = &error {
        out.push_str(": ");
        out.push_str(error);
    }
    if let Some(message) = text_field(&response.body, "message")
        .map(|m| shorten(&m))
        .filter(|m| Some(m) != error.as_ref())
    {
        out.push_str(": ");
        out.push_str(&message);
    }
    out
}

/// When a 429 may be retried, Unix seconds: `ratelimit-reset` when it is a whole number,
/// else `now` plus a whole `retry-after`; `None` when neither says.
pub fn reset_at(response: &HttpResponse, now: u64) -> Option<u64> {
    let number = |name: &str| response.header(name)?.trim().parse::<u64>().ok();
    number(RATE_LIMIT_RESET).or_else(|| number(RETRY_AFTER).map(|s| now.saturating_add(s)))
}

/// Whether the PDS refused the access token (401, or 400 `ExpiredToken` or
/// `InvalidToken`): renewing the session may help.
pub fn token_refused(response: &HttpResponse) -> bool {
    response.status == 401
        || (response.status == 400
            && matches!(
                error_name(response).as_deref(),
                Some("ExpiredToken" | "InvalidToken")
            ))
}

/// `rate-limited` for a 429 to `what`, retry at [`reset_at`].
pub fn rate_limited(response: &HttpResponse, now: u64, what: &str) -> PublishError {
    let retry_at = reset_at(response, now);
    let message = format!(
        "Bluesky rate limit reached ({what}): {}",
        describe(response)
    );
    PublishError::RateLimited {
        retry_at,
        message: match retry_at {
            Some(at) => format!(
                "{message}; retry at or after {}",
                sps_contract::time::describe(at)
            ),
            None => message,
        },
    }
}

/// `transient` for an exchange that failed with nothing written (any phase of a request
/// that writes no post).
pub fn unreachable(error: &TransportError, what: &str) -> PublishError {
    PublishError::Transient(format!(
        "could not reach the Bluesky PDS ({what}): {}",
        error.detail
    ))
}

/// The answer to `createSession` or `refreshSession`.
#[derive(Debug)]
pub enum SessionAnswer {
    /// The new session.
    Opened(Session),
    /// 400 or 401: the credentials or the refresh token are refused ([`describe`]d).
    Refused(String),
    /// Any other failure, mapped.
    Failed(PublishError),
}

/// Map the answer to procedure `what` (`createSession` or `refreshSession`).
pub fn session_answer(
    outcome: &Result<HttpResponse, TransportError>,
    now: u64,
    what: &str,
) -> SessionAnswer {
    let response = match outcome {
        Ok(response) => response,
        Err(error) => return SessionAnswer::Failed(unreachable(error, what)),
    };
    let described = describe(response);
    match response.status {
        200..=299 => match Session::from_answer(&response.body) {
            Some(session) => SessionAnswer::Opened(session),
            None => SessionAnswer::Failed(PublishError::Transient(format!(
                "Bluesky answered HTTP {} to {what} without accessJwt, refreshJwt and did",
                response.status
            ))),
        },
        400 | 401 => SessionAnswer::Refused(described),
        403 => SessionAnswer::Failed(PublishError::Forbidden(format!(
            "Bluesky refused {what}: {described}"
        ))),
        429 => SessionAnswer::Failed(rate_limited(response, now, what)),
        500..=599 => SessionAnswer::Failed(PublishError::Transient(format!(
            "Bluesky failed {what}: {described}"
        ))),
        _ => SessionAnswer::Failed(PublishError::Invalid(format!(
            "Bluesky answered an unexpected {described} to {what}"
        ))),
    }
}

/// `uri` (an `at://` URI) and `cid` of a JSON answer, both non-empty strings.
fn strong_ref(body: &[u8]) -> Option<StrongRef> {
    let uri = text_field(body, "uri").filter(|u| u.starts_with("at://"))?;
    let cid = text_field(body, "cid")?;
    Some(StrongRef { uri, cid })
}

/// The answer to `createRecord`.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    /// The post, as the PDS named it.
    Published(StrongRef),
    /// The post may or may not exist: why, for the message.
    Ambiguous(String),
    /// Not published.
    Failed(PublishError),
}

/// Map the answer to `createRecord` (module docs); `now` for a 429's retry time.
pub fn created(outcome: &Result<HttpResponse, TransportError>, now: u64) -> Created {
    let response = match outcome {
        Ok(response) => response,
        Err(error) if error.phase == SendPhase::NotSent => {
            return Created::Failed(unreachable(error, "createRecord"))
        }
        Err(error) => {
            return Created::Ambiguous(format!(
                "the createRecord request failed after it may have been sent ({})",
                error.detail
            ))
        }
    };
    let code = response.status;
    let described = describe(response);
    let exists = error_name(response).is_some_and(|e| e.contains("Exist"));
    match code {
        200..=299 => match strong_ref(&response.body) {
            Some(created) => Created::Published(created),
            None => Created::Ambiguous(format!(
                "Bluesky answered HTTP {code} to createRecord without the record's uri and cid"
            )),
        },
        400..=499 if exists => {
            Created::Ambiguous(format!("Bluesky answered {described} to createRecord"))
        }
        _ if token_refused(response) => Created::Failed(PublishError::Auth(format!(
            "Bluesky rejected the session even after renewing it: {described}"
        ))),
        403 => Created::Failed(PublishError::Forbidden(format!(
            "Bluesky refused the post: {described}"
        ))),
        429 => Created::Failed(rate_limited(response, now, "createRecord")),
        400..=499 => Created::Failed(PublishError::Invalid(format!(
            "Bluesky rejected the post: {described}"
        ))),
        500..=599 => Created::Ambiguous(format!("Bluesky answered {described} to createRecord")),
        _ => Created::Failed(PublishError::Invalid(format!(
            "Bluesky answered an unexpected {described} to createRecord"
        ))),
    }
}

/// The answer to `getRecord`.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The record exists.
    Found {
        /// Its `uri` and `cid`.
        record: StrongRef,
        /// Its `value.text`.
        text: Option<String>,
        /// Its `value.reply.parent.uri`.
        parent: Option<String>,
    },
    /// `RecordNotFound`: no record has the key.
    NotFound,
    /// Anything else, described.
    Unknown(String),
}

/// Map the answer to `getRecord` (module docs).
pub fn looked_up(outcome: &Result<HttpResponse, TransportError>) -> Lookup {
    let response = match outcome {
        Ok(response) => response,
        Err(error) => return Lookup::Unknown(format!("the request failed: {}", error.detail)),
    };
    if matches!(response.status, 400 | 404)
        && error_name(response).as_deref() == Some("RecordNotFound")
    {
        return Lookup::NotFound;
    }
    if response.status != 200 {
        return Lookup::Unknown(describe(response));
    }
    let Some(record) = strong_ref(&response.body) else {
        return Lookup::Unknown("HTTP 200 without the record's uri and cid".to_string());
    };
    let value = serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|v| v.get("value").cloned());
    let string_at = |pointer: &str| {
        value
            .as_ref()
            .and_then(|v| v.pointer(pointer))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Lookup::Found {
        record,
        text: string_at("/text"),
        parent: string_at("/reply/parent/uri"),
    }
}

/// The answer to `resolveHandle` for `handle` at `now` (Unix seconds, UTC): `Ok(Some(did))`
/// for a 200 carrying a `did:` DID, `Ok(None)` when the PDS says the handle does not
/// resolve (a 400, or a 200 without a DID: the mention is then plain text, as in
/// Bluesky's own app), and an error when the PDS could not be asked (`transient` for a
/// transport failure or a 5xx, `rate-limited` for a 429), so that a blip never drops a
/// mention from a post that is then published for good.
pub fn resolved_did(
    outcome: &Result<HttpResponse, TransportError>,
    handle: &str,
    now: u64,
) -> Result<Option<String>, PublishError> {
    let what = format!("resolving @{handle}");
    let response = outcome.as_ref().map_err(|e| unreachable(e, &what))?;
    match response.status {
        200 => Ok(text_field(&response.body, "did").filter(|d| d.starts_with("did:"))),
        429 => Err(rate_limited(response, now, &what)),
        400..=499 => Ok(None),
        _ => Err(PublishError::Transient(format!(
            "Bluesky PDS could not answer ({what}): {}",
            describe(response)
        ))),
    }
}

#[cfg(test)]
mod tests;
