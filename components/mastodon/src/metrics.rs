//! The engagement of a published status (WIT `platform.metrics`): `GET
//! {base_url}/api/v1/statuses/{id}` with the account's token (docs.joinmastodon.org
//! "methods/statuses", View a single status; the Status entity's `favourites_count`,
//! `reblogs_count` and `replies_count`, "entities/Status"). Mastodon shows no view count.
//!
//! Reading changes nothing, so a failure that may pass is `transient` (5xx, any transport
//! failure) or `rate-limited` (429, retry at `X-RateLimit-Reset`); a status the instance no
//! longer has (404) is `invalid`; 401 is `auth`, 403 `forbidden`. Messages never hold the
//! token.

use serde_json::Value;
use sps_platform::{read_setting, redact, Capabilities, Engagement, HttpRequest, PublishError};

use crate::answer::{describe, reset_at};
use crate::request::{self, SETTING_ACCESS_TOKEN, SETTING_BASE_URL};

/// The request for status `id` under `base_url`.
///
/// # Errors
/// `invalid` for an id that is empty or not URL-safe (Mastodon's ids are decimal
/// strings); `transient` for a bad base URL.
pub fn status_request(base_url: &str, token: &str, id: &str) -> Result<HttpRequest, PublishError> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(PublishError::Invalid(format!(
            "{id:?} is not a Mastodon status id"
        )));
    }
    Ok(HttpRequest {
        method: "GET".to_string(),
        url: format!("{}/{id}", request::statuses_url(base_url)?),
        headers: vec![
            ("authorization".to_string(), format!("Bearer {token}")),
            ("accept".to_string(), "application/json".to_string()),
        ],
        body: Vec::new(),
    })
}

/// A count of the status, 0 when absent.
fn count(status: &Value, name: &str) -> u64 {
    status.get(name).and_then(Value::as_u64).unwrap_or(0)
}

/// The engagement of Mastodon status `post_id` of `account` (rules in the module docs).
///
/// # Errors
/// As the module docs say; `missing-credentials` as for publishing.
pub fn metrics(
    caps: &mut impl Capabilities,
    account: &str,
    post_id: &str,
) -> Result<Engagement, PublishError> {
    let Some(base_url) = read_setting(caps, SETTING_BASE_URL)? else {
        return Err(PublishError::MissingCredentials(
            request::MISSING_BASE_URL_MESSAGE.to_string(),
        ));
    };
    let Some(token) = read_setting(caps, SETTING_ACCESS_TOKEN)? else {
        return Err(PublishError::MissingCredentials(
            request::missing_token_message(account),
        ));
    };
    let request = status_request(&base_url, &token, post_id)?;
    let outcome = match caps.send(&request) {
        Err(error) => Err(PublishError::Transient(format!(
            "could not reach the Mastodon instance: {}",
            error.detail
        ))),
        Ok(response) => match response.status {
            200 => {
                let status: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
                if status.get("id").is_none() {
                    Err(PublishError::Transient(format!(
                        "the Mastodon instance answered HTTP 200 without a status for {post_id}"
                    )))
                } else {
                    Ok(Engagement {
                        likes: count(&status, "favourites_count"),
                        reposts: count(&status, "reblogs_count"),
                        replies: count(&status, "replies_count"),
                        impressions: None,
                    })
                }
            }
            401 => Err(PublishError::Auth(format!(
                "the Mastodon instance rejected the token: {}",
                describe(&response)
            ))),
            403 => Err(PublishError::Forbidden(format!(
                "the Mastodon instance refused to show status {post_id}: {}",
                describe(&response)
            ))),
            404 => Err(PublishError::Invalid(format!(
                "the Mastodon instance has no status {post_id}: {}",
                describe(&response)
            ))),
            429 => Err(PublishError::RateLimited {
                retry_at: reset_at(&response),
                message: format!(
                    "the Mastodon instance's rate limit is reached: {}",
                    describe(&response)
                ),
            }),
            _ => Err(PublishError::Transient(format!(
                "the Mastodon instance could not show status {post_id}: {}",
                describe(&response)
            ))),
        },
    };
    outcome.map_err(|e| e.map_message(|m| redact(m, &[&token])))
}

#[cfg(test)]
mod tests;
