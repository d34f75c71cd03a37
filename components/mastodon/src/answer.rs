//! The instance's answer to "Post a new status" (docs.joinmastodon.org "methods/statuses")
//! as a published part or a `publish-error`:
//!
//! - 2xx with a Status whose `id` is a non-empty string -> the part: `id` exactly as sent,
//!   `url` when it is a non-empty string ("entities/Status"); a 2xx without one cannot be
//!   trusted -> `unknown-outcome` (the status may exist; the same `Idempotency-Key` gets
//!   it back);
//! - 401 -> `auth` ("Invalid or missing Authorization header"); 403 -> `forbidden` (a
//!   token without `write:statuses`, a suspended or unconfirmed account);
//! - 422 -> `invalid` with the instance's `error` ("Validation failed: Text can't be
//!   blank", a text over the limit); 404 (the status replied to is gone:
//!   `in_reply_to_id` of a deleted status, or a base URL that is no Mastodon API) and
//!   every other status -> `invalid`;
//! - 429 -> `rate-limited`, retry at `X-RateLimit-Reset` (docs.joinmastodon.org
//!   "api/rate-limits": "Timestamp when your rate limit will reset", an ISO 8601 time as
//!   Mastodon writes it, `2024-01-01T00:05:00.000000Z`), rounded up to the second;
//! - 5xx -> `unknown-outcome`;
//! - a transport failure before anything was sent -> `transient`, once the request may
//!   have been sent -> `unknown-outcome` (`sps_platform::SendPhase`).
//!
//! Error bodies are `{"error": "..."}` (with `error_description` for some OAuth errors);
//! messages carry that text, shortened, and the status, never a credential.

use serde_json::Value;
use sps_platform::{shorten, PublishError, PublishedPart};
pub use sps_platform::{HttpResponse, SendPhase, TransportError};

/// The rate-limit reset header (docs.joinmastodon.org "api/rate-limits").
pub const RATE_LIMIT_RESET: &str = "x-ratelimit-reset";

/// `HTTP <status>`, then `: <error>` and ` (<error_description>)` when the body has them.
pub(crate) fn describe(response: &HttpResponse) -> String {
    let value = serde_json::from_slice::<Value>(&response.body).ok();
    let text = |key: &str| {
        value
            .as_ref()
            .and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(shorten)
    };
    let mut out = format!("HTTP {}", response.status);
    let error = text("error");
    if let Some(error) = &error {
        out.push_str(": ");
        out.push_str(error);
    }
    if let Some(description) = text("error_description").filter(|d| Some(d) != error.as_ref()) {
        out.push_str(&format!(" ({description})"));
    }
    out
}

/// `X-RateLimit-Reset` as Unix seconds, rounded up; `None` when absent, not ISO 8601
/// (RFC 3339), or before 1970.
pub fn reset_at(response: &HttpResponse) -> Option<u64> {
    let value = response.header(RATE_LIMIT_RESET)?.trim();
    let at = chrono::DateTime::parse_from_rfc3339(value).ok()?;
    let seconds = at.timestamp();
    let rounded = if at.timestamp_subsec_nanos() > 0 {
        seconds.checked_add(1)?
    } else {
        seconds
    };
    u64::try_from(rounded).ok()
}

/// The status of a 2xx answer: its `id` (a non-empty JSON string) and `url`.
fn status(body: &[u8]) -> Option<PublishedPart> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let id = value.get("id")?.as_str()?;
    if id.is_empty() {
        return None;
    }
    let url = value
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    Some(PublishedPart {
        id: id.to_string(),
        url,
        reply_ref: None,
    })
}

/// Map the instance's answer to the published part or a [`PublishError`] (rules in the
/// module docs).
pub fn map_response(response: &HttpResponse) -> Result<PublishedPart, PublishError> {
    let code = response.status;
    let described = describe(response);
    match code {
        200..=299 => status(&response.body).ok_or_else(|| {
            PublishError::UnknownOutcome(format!(
                "Mastodon answered HTTP {code} without a status id (id as a string); the \
                 status may or may not have been published"
            ))
        }),
        401 => Err(PublishError::Auth(format!(
            "Mastodon rejected the access token: {described}"
        ))),
        403 => Err(PublishError::Forbidden(format!(
            "Mastodon refused the status: {described}"
        ))),
        422 => Err(PublishError::Invalid(format!(
            "Mastodon rejected the status: {described}"
        ))),
        429 => {
            let retry_at = reset_at(response);
            let message = format!("Mastodon rate limit reached: {described}");
            Err(PublishError::RateLimited {
                retry_at,
                message: match retry_at {
                    Some(at) => format!(
                        "{message}; retry at or after {}",
                        sps_contract::time::describe(at)
                    ),
                    None => message,
                },
            })
        }
        500..=599 => Err(PublishError::UnknownOutcome(format!(
            "Mastodon failed: {described}; the status may or may not have been published"
        ))),
        _ => Err(PublishError::Invalid(format!(
            "Mastodon answered an unexpected {described}"
        ))),
    }
}

/// Map a failed exchange: `transient("could not reach the Mastodon instance: …")` when
/// nothing was sent, `unknown-outcome` when the request may have reached it.
pub fn map_transport_error(error: &TransportError) -> PublishError {
    match error.phase {
        SendPhase::NotSent => PublishError::Transient(format!(
            "could not reach the Mastodon instance: {}",
            error.detail
        )),
        SendPhase::MaybeSent => PublishError::UnknownOutcome(format!(
            "the request to the Mastodon instance failed after it may have been sent ({}); \
             the status may or may not have been published",
            error.detail
        )),
    }
}

#[cfg(test)]
mod tests;
