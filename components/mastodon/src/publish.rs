//! `publish`: one part of a post as one Mastodon status (docs.joinmastodon.org
//! "methods/statuses", Post a new status), over the [`Capabilities`] trait that the glue
//! implements with wasi:config/store and wasi:http, and tests with a fake.
//!
//! Part 0 is a new status, part k > 0 a reply to part k - 1 (`in_reply_to_id`). Every part
//! carries the `Idempotency-Key` `<post key>-<part>`, so repeating a part whose outcome was
//! in doubt (a 5xx, a timeout after sending, a delivery cut short) gives back the status
//! the first attempt created instead of a second one: the component is idempotent
//! (`idempotent()` is true), and the sender repeats such a part instead of giving up.
//!
//! Mastodon keeps a key for up to an hour ("methods/statuses"; `PostStatusService` stores
//! it for 3,600 s once the status exists). Every repeat falls inside that hour because the
//! sender gives up on a post an hour after its chosen moment (`expired`; on AWS
//! EventBridge Scheduler drops such a delivery), and the first attempt came at or after
//! that moment.

pub use sps_platform_http::{HttpRequest, HttpResponse, TransportError};

use crate::answer::{map_response, map_transport_error};
use crate::request::{
    self, create_status_request, idempotency_key, SETTING_ACCESS_TOKEN, SETTING_BASE_URL,
};
use crate::types::{Post, PublishError, PublishedPart};

/// Connect timeout for the request to the instance, in seconds (the host caps a platform
/// call at 7 s in all; under Spin these are the only bounds).
pub const CONNECT_TIMEOUT_SECONDS: u64 = 2;
/// Time allowed until the first byte of the answer, in seconds: a later answer is
/// `unknown-outcome` (the status may exist; the idempotency key makes a repeat safe).
pub const FIRST_BYTE_TIMEOUT_SECONDS: u64 = 4;
/// Time allowed between two chunks of the answer, in seconds.
pub const BETWEEN_BYTES_TIMEOUT_SECONDS: u64 = 2;

/// What publishing needs from the outside world. The component implements it with WASI;
/// tests with an in-memory fake.
pub trait Capabilities {
    /// The setting `key` (wasi:config/store); `Ok(None)` when it is not set, `Err` with a
    /// description when the store failed.
    fn setting(&mut self, key: &str) -> Result<Option<String>, String>;
    /// Send `request` and read the whole answer.
    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// Read one setting, trimmed; `Ok(None)` when unset or blank, `transient` when the store
/// fails.
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
                "part {part} replies to part {}, whose status id is empty",
                index.saturating_sub(1)
            )))
        }
        Some(parent) => Some(parent.id.as_str()),
    };
    Ok((text.as_str(), parent))
}

/// Publish part `part` of `post`: part 0 as a new status, part k > 0 as a reply to
/// `earlier[k-1]`. Checks the call ([`part_to_publish`]), reads `base_url` and the
/// account's `access_token` (`missing-credentials` when either is unset:
/// [`request::MISSING_BASE_URL_MESSAGE`], [`request::missing_token_message`]), builds
/// `POST {base_url}/api/v1/statuses` with the part's `Idempotency-Key`, sends it once and
/// maps the answer ([`crate::answer`]). Nothing is sent when the call does not fit the post
/// or a setting is missing. Error messages never hold the token.
pub fn publish(
    caps: &mut impl Capabilities,
    post: &Post,
    part: u32,
    earlier: &[PublishedPart],
) -> Result<PublishedPart, PublishError> {
    let (text, in_reply_to) = part_to_publish(post, part, earlier)?;
    let Some(base_url) = read_setting(caps, SETTING_BASE_URL)? else {
        return Err(PublishError::MissingCredentials(
            request::MISSING_BASE_URL_MESSAGE.to_string(),
        ));
    };
    let Some(token) = read_setting(caps, SETTING_ACCESS_TOKEN)? else {
        return Err(PublishError::MissingCredentials(
            request::missing_token_message(&post.account),
        ));
    };
    let key = idempotency_key(&post.idempotency_key, part)?;
    let request = create_status_request(&base_url, &token, text, in_reply_to, &key)?;
    let outcome = match caps.send(&request) {
        Ok(response) => map_response(&response),
        Err(error) => Err(map_transport_error(&error)),
    };
    outcome.map_err(|e| e.map_message(|m| redact(m, &token)))
}

/// `message` with the token replaced by `<redacted>` (Mastodon does not echo it, but a
/// proxy or a misconfigured base URL might). Tokens under 8 characters are left alone, so
/// that a short test value does not blank out ordinary words.
fn redact(message: String, token: &str) -> String {
    if token.len() >= 8 && message.contains(token) {
        message.replace(token, "<redacted>")
    } else {
        message
    }
}

#[cfg(test)]
mod tests;
