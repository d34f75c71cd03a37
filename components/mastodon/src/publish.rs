//! `publish`: one part of a post as one Mastodon status (docs.joinmastodon.org
//! "methods/statuses", Post a new status), over the shared [`Capabilities`] trait that the
//! glue implements with wasi:config/store and wasi:http, and tests with a fake. Messages
//! never hold the access token ([`sps_platform::redact`]).
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

use sps_platform::{read_setting, redact, thread, Post, PublishError, PublishedPart};
pub use sps_platform::{Capabilities, HttpRequest, HttpResponse, TransportError};

use crate::answer::{map_response, map_transport_error};
use crate::request::{
    self, create_status_request, idempotency_key, SETTING_ACCESS_TOKEN, SETTING_BASE_URL,
};

/// Publish part `part` of `post`: part 0 as a new status, part k > 0 as a reply to
/// `earlier[k-1]`. Checks the call ([`thread::part_to_publish`]), reads `base_url` and the
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
    let (text, in_reply_to) = thread::part_to_publish(post, part, earlier, "status id")?;
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
    outcome.map_err(|e| e.map_message(|m| redact(m, &[&token])))
}

#[cfg(test)]
pub(crate) mod tests;
