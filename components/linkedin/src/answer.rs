//! LinkedIn's answers to a create-post request, mapped to the post's URN or a
//! [`PublishError`] ([`map_response`], [`map_transport_error`]).
//!
//! - 201 Created with the new post's URN in the `x-restli-id` response header (Posts API,
//!   "Create a Post"; DESIGN.md section 3) -> the URN exactly as sent; a 201 without it,
//!   or any other 2xx, cannot be trusted and the post may exist: `unknown-outcome`;
//! - 401 -> `auth` (the token is wrong, expired or revoked; tokens last 60 days) and 403
//!   -> `forbidden` (for example a token without `w_member_social` or
//!   `w_organization_social`, or an author the member may not post as) (error handling
//!   page: learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling);
//! - 422 -> `duplicate-content` when LinkedIn says the post duplicates a recent one, else
//!   `invalid`. The LinkedIn pages do not document the duplicate answer; LinkedIn's own
//!   answer, as quoted in GitHub issues (Arisamiga/Linkedin-RSS#5, ComposioHQ/composio
//!   #2710), is 422 with `errorDetails.inputErrors[].code` `DUPLICATE_POST` ("Duplicate
//!   post is detected") and the message "… Content is a duplicate of urn:li:share:…";
//! - 429 -> `rate-limited` (rate limits page:
//!   learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits: daily
//!   limits per application and per member, reset at midnight UTC, and 429s "as part of
//!   infrastructure protection" that pass by themselves). LinkedIn documents no header
//!   saying when to retry; a `Retry-After` in seconds (RFC 9110 section 10.2.3) is used
//!   when present, else the retry time is left to the sender's backoff;
//! - 5xx -> `unknown-outcome` (the Posts API has no idempotency key: the post is never
//!   sent again);
//! - 400 and any other status -> `invalid`.
//!
//! Messages carry the status and LinkedIn's error `message` and code (error handling page:
//! `message`, `serviceErrorCode`, `status`), at most [`sps_platform::MAX_ERROR_TEXT_CHARS`] characters
//! of it, never a credential.

use serde_json::Value;
use sps_platform::{shorten, PublishError};

use crate::request::{HttpResponse, SendPhase, TransportError};

/// The response header holding the created post's URN.
pub const RESTLI_ID_HEADER: &str = "x-restli-id";

/// The `inputErrors` code of LinkedIn's duplicate-post answer.
pub const DUPLICATE_POST_CODE: &str = "DUPLICATE_POST";

/// The fields of a LinkedIn error body this component reports.
#[derive(Default, Debug, PartialEq, Eq)]
struct LinkedInError {
    message: Option<String>,
    service_error_code: Option<i64>,
    code: Option<String>,
    input_error_codes: Vec<String>,
}

impl LinkedInError {
    fn parse(body: &[u8]) -> LinkedInError {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return LinkedInError::default();
        };
        let text = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(shorten)
        };
        let input_error_codes = value
            .pointer("/errorDetails/inputErrors")
            .and_then(Value::as_array)
            .map(|errors| errors.iter().filter_map(|e| text(e.get("code"))).collect())
            .unwrap_or_default();
        LinkedInError {
            message: text(value.get("message")),
            service_error_code: value.get("serviceErrorCode").and_then(Value::as_i64),
            code: text(value.get("code")),
            input_error_codes,
        }
    }

    /// `HTTP 422: <message> (DUPLICATE_POST)`: the status, LinkedIn's message and codes.
    fn describe(&self, status: u16) -> String {
        let mut out = format!("HTTP {status}");
        if let Some(message) = &self.message {
            out.push_str(": ");
            out.push_str(message);
        }
        let mut codes: Vec<String> = self.code.iter().cloned().collect();
        if let Some(code) = self.service_error_code {
            codes.push(format!("serviceErrorCode {code}"));
        }
        for code in &self.input_error_codes {
            if !codes.contains(code) {
                codes.push(code.clone());
            }
        }
        if !codes.is_empty() {
            out.push_str(&format!(" ({})", codes.join(", ")));
        }
        out
    }

    fn is_duplicate(&self) -> bool {
        self.code.as_deref() == Some(DUPLICATE_POST_CODE)
            || self
                .input_error_codes
                .iter()
                .any(|c| c == DUPLICATE_POST_CODE)
            || self
                .message
                .as_deref()
                .is_some_and(|m| m.to_lowercase().contains("duplicate"))
    }
}

/// The moment a `Retry-After` of delay-seconds names, from `now` (Unix seconds); `None`
/// when the header is absent or not a whole number of seconds.
pub fn retry_after(response: &HttpResponse, now: u64) -> Option<u64> {
    let seconds: u64 = response.header("retry-after")?.trim().parse().ok()?;
    Some(now.saturating_add(seconds))
}

/// Map LinkedIn's answer to the created post's URN or a [`PublishError`] (rules in the
/// module docs); `now` (Unix seconds) dates a `Retry-After`.
pub fn map_response(response: &HttpResponse, now: u64) -> Result<String, PublishError> {
    let status = response.status;
    let error = LinkedInError::parse(&response.body);
    let described = error.describe(status);
    match status {
        201 => response
            .header(RESTLI_ID_HEADER)
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                PublishError::UnknownOutcome(format!(
                    "LinkedIn answered HTTP 201 without the post's URN ({RESTLI_ID_HEADER}); the post may or may not have been published"
                ))
            }),
        200..=299 => Err(PublishError::UnknownOutcome(format!(
            "LinkedIn answered an unexpected {described} instead of 201; the post may or may not have been published"
        ))),
        401 => Err(PublishError::Auth(format!(
            "LinkedIn rejected the access token: {described}"
        ))),
        403 => Err(PublishError::Forbidden(format!(
            "LinkedIn refused the post: {described}"
        ))),
        422 if error.is_duplicate() => Err(PublishError::DuplicateContent(format!(
            "LinkedIn refused the post as a duplicate: {described}"
        ))),
        429 => {
            let retry_at = retry_after(response, now);
            let mut message = format!("LinkedIn rate limit reached: {described}");
            match retry_at {
                Some(at) => message.push_str(&format!(
                    "; retry at or after {}",
                    sps_contract::time::describe(at)
                )),
                None => message
                    .push_str("; LinkedIn's daily limits reset at midnight UTC"),
            }
            Err(PublishError::RateLimited { retry_at, message })
        }
        500..=599 => Err(PublishError::UnknownOutcome(format!(
            "LinkedIn failed: {described}; the post may or may not have been published"
        ))),
        400 | 422 => Err(PublishError::Invalid(format!(
            "LinkedIn rejected the post: {described}"
        ))),
        _ => Err(PublishError::Invalid(format!(
            "LinkedIn answered an unexpected {described}"
        ))),
    }
}

/// Map a failed exchange: `transient("could not reach LinkedIn: …")` when nothing was
/// sent, `unknown-outcome` when the request may have reached LinkedIn (sps-platform
/// decides which, by wasi:http's error code).
pub fn map_transport_error(error: &TransportError) -> PublishError {
    match error.phase {
        SendPhase::NotSent => {
            PublishError::Transient(format!("could not reach LinkedIn: {}", error.detail))
        }
        SendPhase::MaybeSent => PublishError::UnknownOutcome(format!(
            "the request to LinkedIn failed after it may have been sent ({}); the post may or may not have been published",
            error.detail
        )),
    }
}

#[cfg(test)]
mod tests;
