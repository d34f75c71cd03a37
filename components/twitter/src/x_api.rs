//! X's side of the platform interface: validating a post (every part by X's weighted
//! length) and publishing one part of it with the X API v2 (docs.x.com: "Manage Posts"
//! `POST /2/tweets`, "Rate limits", "Usage" caps, "Response codes and errors"; OAuth 1.0a
//! user context).
//!
//! Pure logic: the settings, the clock, the nonce and the HTTP exchange are reached through
//! the shared [`Capabilities`] trait, which the component's glue
//! ([`sps_platform::export_platform!`]) implements with wasi:config, wasi:clocks,
//! wasi:random and wasi:http, and tests with a fake. The types are the shared mirrors of
//! the WIT types ([`sps_platform::types`]).
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

use serde::Serialize;
use serde_json::Value;
use sps_contract::input::DEFAULT_ACCOUNT;
pub use sps_platform::{
    nonce_from_random, Capabilities, HttpErrorCode, HttpRequest, HttpResponse, Post, PostError,
    PublishError, PublishedPart, SendPhase, TransportError, NONCE_LENGTH,
};
use sps_platform::{read_setting, redact, thread};

use crate::oauth::{self, Credentials};
use crate::weighted;

pub mod metrics;
mod problem;
use problem::Problem;

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

/// Publish part `part` of `post` on X: part 0 as a new post, part k > 0 as a reply to
/// `earlier[k-1]` (its parent). Checks the call ([`thread::part_to_publish`]), reads the
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
    let (text, in_reply_to) = thread::part_to_publish(post, part, earlier, "post id")?;
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
        // X does not echo credentials, but a proxy or a misconfigured base URL might.
        Err(e) => Err(e.map_message(|m| {
            redact(
                m,
                &[
                    &credentials.consumer_secret,
                    &credentials.token_secret,
                    &credentials.consumer_key,
                    &credentials.token,
                ],
            )
        })),
    }
}

#[cfg(test)]
mod tests;
