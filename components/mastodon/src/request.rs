//! The request that publishes one status (docs.joinmastodon.org "methods/statuses", Post a
//! new status): `POST {base_url}/api/v1/statuses` with `Authorization: Bearer <token>`
//! (a user token with `write:statuses`), `Idempotency-Key`, and a JSON body `status`,
//! `visibility`, and `in_reply_to_id` for a reply.

use serde::Serialize;
pub use sps_platform::HttpRequest;
use sps_platform::PublishError;

/// Setting: the instance's URL (scheme, host, optional port and path prefix), also the
/// only host the component may call (`sps serve`: `SPS_PLATFORM_MASTODON_BASE_URL`).
pub use sps_platform::SETTING_BASE_URL;
/// Setting: the account's access token, a user token with the scope `write:statuses`
/// (`sps serve`: the secrets file's `platforms.mastodon.<account>.access_token`).
pub const SETTING_ACCESS_TOKEN: &str = "access_token";

/// The path of "Post a new status", appended to the base URL.
pub const STATUSES_PATH: &str = "/api/v1/statuses";

/// The visibility of every status: `public` (one of `public`, `unlisted`, `private`,
/// `direct`, "methods/statuses").
pub const VISIBILITY: &str = "public";

/// The `missing-credentials` message when `base_url` is not set.
pub const MISSING_BASE_URL_MESSAGE: &str = "the Mastodon instance is not configured: set the \
     setting base_url to its URL (sps serve: SPS_MASTODON_INSTANCE_URL)";

/// The `missing-credentials` message for an account without an access token, naming the
/// account and the setting, never a value: `Mastodon credentials are missing for the
/// account "default": set its access_token`.
pub fn missing_token_message(account: &str) -> String {
    format!(
        "Mastodon credentials are missing for the account {account:?}: set its {SETTING_ACCESS_TOKEN}"
    )
}

/// The URL of "Post a new status" under `base_url`, checked by
/// [`sps_platform::checked_base_url`] (`transient("invalid setting base_url: …")`, for the
/// operator to fix, nothing sent).
pub fn statuses_url(base_url: &str) -> Result<String, PublishError> {
    let base = sps_platform::checked_base_url(base_url, "the instance's")?;
    Ok(format!("{base}{STATUSES_PATH}"))
}

/// The `Idempotency-Key` of part `part` of a post whose idempotency key is `post_key`:
/// `<post_key>-<part>`, the same on every delivery of that part (Mastodon keeps a key for
/// up to an hour, per account, and answers a repeated one with the status it created,
/// "methods/statuses"). `post_key` must be 1 to 200 visible ASCII characters (a header
/// value; the sender's is 64 hex digits); otherwise `invalid`, nothing sent: an empty key
/// would make every post's part k share one key.
pub fn idempotency_key(post_key: &str, part: u32) -> Result<String, PublishError> {
    sps_platform::check_idempotency_key(post_key, "Mastodon's Idempotency-Key needs one")?;
    Ok(format!("{post_key}-{part}"))
}

/// The JSON body of "Post a new status": `status`, `in_reply_to_id` for a reply, then
/// `visibility`.
#[derive(Serialize)]
struct StatusBody<'a> {
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_reply_to_id: Option<&'a str>,
    visibility: &'a str,
}

/// The request `POST {base_url}/api/v1/statuses` with body
/// `{"status": text, "visibility": "public"}`, or
/// `{"status": text, "in_reply_to_id": id, "visibility": "public"}` when `in_reply_to` is
/// `Some(id)` (the parent status's id), and the headers `authorization: Bearer <token>`,
/// `idempotency-key`, `content-type: application/json`, `content-length` (the body's size
/// is known, so it is not sent chunked), `accept` and `user-agent`.
///
/// # Errors
/// `transient` for an unusable `base_url` ([`statuses_url`]), `auth` for a token that
/// cannot be a header value (anything but visible ASCII), `invalid` when the body cannot
/// be encoded; nothing is sent in any case.
pub fn create_status_request(
    base_url: &str,
    token: &str,
    text: &str,
    in_reply_to: Option<&str>,
    idempotency_key: &str,
) -> Result<HttpRequest, PublishError> {
    let url = statuses_url(base_url)?;
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(PublishError::Auth(format!(
            "the setting {SETTING_ACCESS_TOKEN} is not a bearer token (it must be visible \
             ASCII characters without spaces); nothing was sent"
        )));
    }
    let body = serde_json::to_vec(&StatusBody {
        status: text,
        in_reply_to_id: in_reply_to,
        visibility: VISIBILITY,
    })
    .map_err(|e| PublishError::Invalid(format!("could not encode the status as JSON: {e}")))?;
    Ok(HttpRequest {
        method: "POST".to_string(),
        url,
        headers: vec![
            ("authorization".to_string(), format!("Bearer {token}")),
            ("idempotency-key".to_string(), idempotency_key.to_string()),
            ("content-type".to_string(), "application/json".to_string()),
            ("content-length".to_string(), body.len().to_string()),
            ("accept".to_string(), "application/json".to_string()),
            (
                "user-agent".to_string(),
                concat!("sps-mastodon/", env!("CARGO_PKG_VERSION")).to_string(),
            ),
        ],
        body,
    })
}
