//! Publishing a post on LinkedIn ([`publish`]) over the outside world the component's glue
//! provides (the shared [`Capabilities`]: settings, the clock, the HTTP exchange), so the
//! whole path is tested natively with a fake. Messages never hold the access token
//! ([`sps_platform::redact`]).
//!
//! One post is one `POST /rest/posts` ([`crate::request`]), sent once: the Posts API has
//! no idempotency key, so [`IDEMPOTENT`] is false and an answer in doubt is never repeated
//! ([`crate::answer`]). Nothing is sent when the call does not fit a LinkedIn post
//! (`invalid`), when a credential is missing (`missing-credentials`) or when a setting is
//! malformed (`transient`).

use sps_platform::{read_setting, redact, Post, PublishError, PublishedPart};
pub use sps_platform::{Capabilities, HttpRequest, HttpResponse, TransportError};

use crate::answer::{map_response, map_transport_error};
use crate::request::{
    self, create_post_request, Credentials, DEFAULT_BASE_URL, DEFAULT_VERSION,
    SETTING_ACCESS_TOKEN, SETTING_AUTHOR, SETTING_BASE_URL, SETTING_VERSION,
};
use crate::rules;

/// Whether publishing is idempotent (WIT `platform.idempotent`): no. The Posts API takes no
/// idempotency key, and a repeated create makes a second post (or a `DUPLICATE_POST`
/// refusal), so the sender must not repeat a publish whose outcome is in doubt.
pub const IDEMPOTENT: bool = false;

/// The account's access token and author: `missing-credentials` naming `account` and the
/// missing settings when one is unset or blank
/// ([`request::missing_credentials_message`]), or naming the account when the author is
/// no person or organization URN ([`request::bad_author_message`]); never a value.
pub fn read_credentials(
    caps: &mut impl Capabilities,
    account: &str,
) -> Result<Credentials, PublishError> {
    let access_token = read_setting(caps, SETTING_ACCESS_TOKEN)?;
    let author = read_setting(caps, SETTING_AUTHOR)?;
    match (access_token, author) {
        (Some(access_token), Some(author)) if request::is_author_urn(&author) => Ok(Credentials {
            access_token,
            author,
        }),
        (Some(_), Some(_)) => Err(PublishError::MissingCredentials(
            request::bad_author_message(account),
        )),
        (token, author) => {
            let missing: Vec<&str> = [
                (SETTING_ACCESS_TOKEN, token.is_none()),
                (SETTING_AUTHOR, author.is_none()),
            ]
            .into_iter()
            .filter_map(|(key, missing)| missing.then_some(key))
            .collect();
            Err(PublishError::MissingCredentials(
                request::missing_credentials_message(account, &missing),
            ))
        }
    }
}

/// The text to publish for part `part` of `post`: LinkedIn has no threads, so only part 0
/// of a one-part post with nothing published before it fits (else `invalid`, naming why),
/// and its text must pass [`rules::validate_text`] (a schedule made before the rules
/// changed is refused here rather than sent).
pub fn text_to_publish<'a>(
    post: &'a Post,
    part: u32,
    earlier: &[PublishedPart],
) -> Result<&'a str, PublishError> {
    if part != 0 || !earlier.is_empty() {
        return Err(PublishError::Invalid(format!(
            "LinkedIn has no threads: part {part} cannot be published as a reply (only part 0 of a post, with no earlier parts)"
        )));
    }
    let text = match post.parts.as_slice() {
        [text] => text,
        [] => {
            return Err(PublishError::Invalid(
                "the post has no parts; LinkedIn needs the message".to_string(),
            ))
        }
        [_, replies @ ..] => {
            return Err(PublishError::Invalid(rules::thread_message(replies.len())));
        }
    };
    rules::validate_text(text)
        .map_err(|e| PublishError::Invalid(format!("{}: {}", e.code, e.message)))?;
    Ok(text)
}

/// Publish `post` on LinkedIn (part 0; [`text_to_publish`]): read the account's
/// credentials ([`read_credentials`]), `base_url` (default [`DEFAULT_BASE_URL`]) and
/// `linkedin_version` (default [`DEFAULT_VERSION`]), send `POST {base_url}/rest/posts`
/// once and map the answer. Returns the post's URN exactly as LinkedIn returned it, its
/// URL ([`request::post_url`]) and no `reply_ref`. Messages never hold the access token.
pub fn publish(
    caps: &mut impl Capabilities,
    post: &Post,
    part: u32,
    earlier: &[PublishedPart],
) -> Result<PublishedPart, PublishError> {
    let text = text_to_publish(post, part, earlier)?;
    let credentials = read_credentials(caps, &post.account)?;
    let base_url =
        read_setting(caps, SETTING_BASE_URL)?.unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    let version =
        read_setting(caps, SETTING_VERSION)?.unwrap_or_else(|| DEFAULT_VERSION.to_string());
    let request = create_post_request(&base_url, &version, &credentials, text)?;
    let outcome = match caps.send(&request) {
        Ok(response) => {
            let now = caps.now_unix_seconds();
            map_response(&response, now)
        }
        Err(error) => Err(map_transport_error(&error)),
    };
    match outcome {
        Ok(urn) => Ok(PublishedPart {
            url: request::post_url(&urn),
            id: urn,
            reply_ref: None,
        }),
        Err(e) => Err(e.map_message(|m| redact(m, &[&credentials.access_token]))),
    }
}

#[cfg(test)]
mod tests;
