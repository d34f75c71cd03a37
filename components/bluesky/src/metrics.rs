//! The engagement of a published post (WIT `platform.metrics`): `app.bsky.feed.getPosts`
//! of its `at://` URI with the account's session ([`crate::session`], renewed when the
//! PDS refuses the access token, as for publishing). Likes are `likeCount`, reposts
//! `repostCount + quoteCount`, replies `replyCount`; Bluesky shows no view count.
//!
//! Reading writes nothing, so a failure that may pass is `transient` (5xx, any transport
//! failure) or `rate-limited` (429); a post the AppView no longer shows (an empty `posts`)
//! or an id that is no post URI is `invalid`, as is any other refusal (4xx).

use serde_json::Value;
use sps_platform::{Capabilities, Engagement, PublishError};

use crate::answer::{self, describe};
use crate::publish::{credentials, send_authed};
use crate::request;
use crate::session::Sessions;

/// A count of the post view, 0 when absent.
fn count(view: &Value, name: &str) -> u64 {
    view.get(name).and_then(Value::as_u64).unwrap_or(0)
}

/// The engagement of the Bluesky post `post_id` (its `at://` URI) of `account` (rules in
/// the module docs).
///
/// # Errors
/// As the module docs say; `missing-credentials` as for publishing.
pub fn metrics(
    caps: &mut impl Capabilities,
    account: &str,
    post_id: &str,
) -> Result<Engagement, PublishError> {
    if !post_id.starts_with("at://") || !post_id.contains("/app.bsky.feed.post/") {
        return Err(PublishError::Invalid(format!(
            "{post_id:?} is not the at:// URI of a Bluesky post"
        )));
    }
    let creds = credentials(caps, account)?;
    let mut sessions = Sessions::new(creds);
    read(caps, &mut sessions, post_id).map_err(|e| e.map_message(|m| sessions.redact(m)))
}

/// `getPosts` of `post_id` with the session of `sessions`, mapped.
fn read(
    caps: &mut impl Capabilities,
    sessions: &mut Sessions,
    post_id: &str,
) -> Result<Engagement, PublishError> {
    sessions.session(caps)?;
    let xrpc = sessions.xrpc().to_string();
    let outcome = send_authed(caps, sessions, |s| {
        request::get_posts(&xrpc, &s.access_jwt, post_id)
    })?;
    let response = match outcome {
        Ok(response) => response,
        Err(error) => return Err(answer::unreachable(&error, "getPosts")),
    };
    match response.status {
        200 => {
            let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            let Some(posts) = body.get("posts").and_then(Value::as_array) else {
                return Err(PublishError::Transient(format!(
                    "the Bluesky PDS answered getPosts without posts: {}",
                    describe(&response)
                )));
            };
            let Some(view) = posts
                .iter()
                .find(|p| p.get("uri").and_then(Value::as_str) == Some(post_id))
            else {
                return Err(PublishError::Invalid(format!(
                    "Bluesky shows no post {post_id} (deleted, or not visible)"
                )));
            };
            Ok(Engagement {
                likes: count(view, "likeCount"),
                reposts: count(view, "repostCount") + count(view, "quoteCount"),
                replies: count(view, "replyCount"),
                impressions: None,
            })
        }
        429 => Err(answer::rate_limited(
            &response,
            caps.now_unix_seconds(),
            "getPosts",
        )),
        500..=599 => Err(PublishError::Transient(format!(
            "the Bluesky PDS could not show post {post_id}: {}",
            describe(&response)
        ))),
        _ => Err(PublishError::Invalid(format!(
            "the Bluesky PDS refused to show post {post_id}: {}",
            describe(&response)
        ))),
    }
}

#[cfg(test)]
mod tests;
