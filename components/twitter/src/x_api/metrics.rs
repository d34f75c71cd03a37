//! The engagement of a published post (WIT `platform.metrics`): `GET
//! /2/tweets/{id}?tweet.fields=public_metrics` signed with the account's OAuth 1.0a user
//! context (docs.x.com "Fields": a post's `public_metrics` are `retweet_count`,
//! `reply_count`, `like_count`, `quote_count`, `bookmark_count` and `impression_count`).
//!
//! Likes are `like_count`, reposts `retweet_count + quote_count`, replies `reply_count`,
//! impressions `impression_count` when X gives it. Reading changes nothing on X, so every
//! failure that may pass is `transient` (5xx, a transport failure in any phase) or
//! `rate-limited` (429, retry at `x-rate-limit-reset`); a post X no longer has (404, or
//! 200 with only `errors`, X's answer for a deleted post) is `invalid`, as is an id that
//! is not one of X's (decimal digits); 401 is `auth`, 403 `forbidden`.

use serde_json::Value;
use sps_platform::{read_setting, redact, Engagement};

use super::{
    read_credentials, Capabilities, HttpRequest, HttpResponse, Problem, PublishError,
    DEFAULT_BASE_URL, SETTING_BASE_URL,
};
use crate::oauth;

/// The request for the metrics of post `id` under `base_url` (checked as for publishing).
///
/// # Errors
/// `invalid` when `id` is not decimal digits; `transient` for a bad base URL or a request
/// that cannot be signed.
pub fn metrics_request(
    base_url: &str,
    id: &str,
    credentials: &oauth::Credentials,
    timestamp: u64,
    nonce: &str,
) -> Result<HttpRequest, PublishError> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PublishError::Invalid(format!(
            "{id:?} is not an X post id (decimal digits)"
        )));
    }
    let create = super::create_post_url(base_url)?;
    let url = format!("{create}/{id}?tweet.fields=public_metrics");
    let authorization = oauth::authorization_header("GET", &url, credentials, timestamp, nonce)
        .map_err(|e| PublishError::Transient(format!("could not sign the request: {e}")))?;
    Ok(HttpRequest {
        method: "GET".to_string(),
        url,
        headers: vec![
            ("authorization".to_string(), authorization),
            ("accept".to_string(), "application/json".to_string()),
            (
                "user-agent".to_string(),
                concat!("sps-twitter/", env!("CARGO_PKG_VERSION")).to_string(),
            ),
        ],
        body: Vec::new(),
    })
}

/// A count of `public_metrics`, 0 when absent.
fn count(metrics: &Value, name: &str) -> u64 {
    metrics.get(name).and_then(Value::as_u64).unwrap_or(0)
}

/// Map X's answer for post `id` to its engagement (rules in the module docs).
///
/// # Errors
/// As the module docs say.
pub fn map_metrics_response(id: &str, response: &HttpResponse) -> Result<Engagement, PublishError> {
    let status = response.status;
    let described = Problem::parse(&response.body).describe(status);
    match status {
        200 => {
            let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            match body.pointer("/data/public_metrics") {
                Some(metrics) => Ok(Engagement {
                    likes: count(metrics, "like_count"),
                    reposts: count(metrics, "retweet_count") + count(metrics, "quote_count"),
                    replies: count(metrics, "reply_count"),
                    impressions: metrics.get("impression_count").and_then(Value::as_u64),
                }),
                None if body.get("errors").is_some() => Err(PublishError::Invalid(format!(
                    "X has no post {id} (deleted or not visible): {described}"
                ))),
                None => Err(PublishError::Transient(format!(
                    "X answered HTTP 200 without data.public_metrics for post {id}"
                ))),
            }
        }
        401 => Err(PublishError::Auth(format!(
            "X rejected the credentials: {described}"
        ))),
        403 => Err(PublishError::Forbidden(format!(
            "X refused to show post {id}: {described}"
        ))),
        404 => Err(PublishError::Invalid(format!(
            "X has no post {id}: {described}"
        ))),
        429 => {
            let retry_at = response
                .header("x-rate-limit-reset")
                .and_then(|v| v.trim().parse().ok());
            Err(PublishError::RateLimited {
                retry_at,
                message: super::with_retry_at(
                    format!("X rate limit reached: {described}"),
                    retry_at,
                ),
            })
        }
        _ => Err(PublishError::Transient(format!(
            "X could not show post {id}: {described}"
        ))),
    }
}

/// The engagement of X post `post_id` of `account` (the host gives the component that
/// account's settings): reads the credentials, sends the signed request once, maps the
/// answer. Nothing is sent when a credential is missing.
///
/// # Errors
/// As the module docs say; `missing-credentials` naming the account.
pub fn metrics(
    caps: &mut impl Capabilities,
    account: &str,
    post_id: &str,
) -> Result<Engagement, PublishError> {
    let credentials = read_credentials(caps, account)?;
    let base_url =
        read_setting(caps, SETTING_BASE_URL)?.unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    let timestamp = caps.now_unix_seconds();
    let nonce = caps.nonce();
    let request = metrics_request(&base_url, post_id, &credentials, timestamp, &nonce)?;
    let outcome = match caps.send(&request) {
        Ok(response) => map_metrics_response(post_id, &response),
        Err(error) => Err(PublishError::Transient(format!(
            "could not reach X: {}",
            error.detail
        ))),
    };
    outcome.map_err(|e| {
        e.map_message(|m| {
            redact(
                m,
                &[
                    &credentials.consumer_secret,
                    &credentials.token_secret,
                    &credentials.consumer_key,
                    &credentials.token,
                ],
            )
        })
    })
}
