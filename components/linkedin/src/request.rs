//! The settings of the component and the create-post request of LinkedIn's Posts API
//! (learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api,
//! "Create a Post"; Post Schema).
//!
//! Settings (wasi:config/store; the host scopes credentials per account, so the keys are
//! plain):
//! - [`SETTING_BASE_URL`] `base_url`: default [`DEFAULT_BASE_URL`]; `sps serve` sets it
//!   from `SPS_PLATFORM_LINKEDIN_BASE_URL`, which is also the only host the component may
//!   call;
//! - [`SETTING_ACCESS_TOKEN`] `access_token`: the account's OAuth 2.0 bearer token, with
//!   the permission `w_member_social` (post as a member) or `w_organization_social` (post
//!   as an organization) (Posts API, "Permissions");
//! - [`SETTING_AUTHOR`] `author`: the account's person or organization URN
//!   (`urn:li:person:…`, `urn:li:organization:…`; Post Schema, `author`);
//! - [`SETTING_VERSION`] `linkedin_version`: optional `YYYYMM`, default [`DEFAULT_VERSION`].

use serde::Serialize;
use sps_platform::PublishError;
pub use sps_platform::{HttpErrorCode, HttpRequest, HttpResponse, SendPhase, TransportError};

use crate::little;

/// Setting: the API base URL (scheme, host, optional port and path prefix).
pub use sps_platform::SETTING_BASE_URL;
/// Setting: the account's OAuth 2.0 access token (a secret).
pub const SETTING_ACCESS_TOKEN: &str = "access_token";
/// Setting: the account's person or organization URN, the posts' `author`.
pub const SETTING_AUTHOR: &str = "author";
/// Setting: the `LinkedIn-Version` to send, `YYYYMM`.
pub const SETTING_VERSION: &str = "linkedin_version";

/// The Posts API's host: versioned APIs live under `https://api.linkedin.com/rest/`
/// (learn.microsoft.com/en-us/linkedin/marketing/versioning).
pub const DEFAULT_BASE_URL: &str = "https://api.linkedin.com";
/// The create-post endpoint, appended to the base URL (`POST /rest/posts`).
pub const CREATE_POST_PATH: &str = "/rest/posts";

/// The `LinkedIn-Version` sent when `linkedin_version` is not set: 202605 (May 2026).
/// Every versioned call must name a version (Posts API: "All APIs require the request
/// header LinkedIn-Version: {Version in YYYYMM format}"), and each version is "supported
/// and stable for a minimum of one year before sunset" (versioning page). 202605 is the
/// newest version whose Posts API, Post Schema and little text format pages could be
/// consulted for this component (`view=li-lms-2026-05`), and the create-post request
/// below is the same there; the versioning page named 202603 as its latest when read, and
/// the migrations page gives 202603 a sunset of March 16, 2027, so 202605 stays supported
/// until about May 2027. Set `linkedin_version` (`SPS_PLATFORM_LINKEDIN_LINKEDIN_VERSION`
/// for `sps serve`) to move on without a new build.
pub const DEFAULT_VERSION: &str = "202605";

/// The Rest.li protocol version every Posts API request names
/// (`X-Restli-Protocol-Version: 2.0.0`).
pub const RESTLI_PROTOCOL_VERSION: &str = "2.0.0";

/// The start of a post's public URL, followed by its URN and `/`: LinkedIn's own link
/// form, `https://www.linkedin.com/feed/update/urn:li:ugcPost:<id>/` (Posts API, viewing a
/// post by URL) and `https://linkedin.com/feed/update/urn:li:share:932025032` (DMA Posts
/// API).
pub const POST_URL_PREFIX: &str = "https://www.linkedin.com/feed/update/";

/// The URN prefixes an author may have (Post Schema: "Person or Organization URN").
pub const AUTHOR_PREFIXES: [&str; 2] = ["urn:li:person:", "urn:li:organization:"];

/// An account's credentials: the bearer token and the author URN. `Debug` never shows
/// the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The OAuth 2.0 access token.
    pub access_token: String,
    /// The person or organization URN the posts are by.
    pub author: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_token", &"<redacted>")
            .field("author", &self.author)
            .finish()
    }
}

/// The `missing-credentials` message for `account`, naming the missing settings (one or
/// both of `access_token` and `author`), never a value, e.g.
/// `LinkedIn credentials are missing for the account "default": set its access_token and author`.
pub fn missing_credentials_message(account: &str, missing: &[&str]) -> String {
    format!(
        "LinkedIn credentials are missing for the account {account:?}: set its {}",
        missing.join(" and ")
    )
}

/// Whether `author` is a person or organization URN ([`AUTHOR_PREFIXES`]) with an id of
/// visible ASCII characters.
pub fn is_author_urn(author: &str) -> bool {
    AUTHOR_PREFIXES.iter().any(|prefix| {
        author
            .strip_prefix(prefix)
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic()))
    })
}

/// The message for an `author` that is no person or organization URN (the value is not
/// repeated: it sits beside the token in the secrets file).
pub fn bad_author_message(account: &str) -> String {
    format!(
        "LinkedIn credentials of the account {account:?} cannot be used: its author must be a person or organization URN (urn:li:person:<id> or urn:li:organization:<id>)"
    )
}

/// The `LinkedIn-Version` `version` if it is `YYYYMM` (6 digits, month 01-12); else
/// `transient("invalid setting linkedin_version: …")`, for the operator to fix (nothing
/// is sent).
pub fn check_version(version: &str) -> Result<&str, PublishError> {
    let month = version.get(4..).and_then(|m| m.parse::<u8>().ok());
    if version.len() == 6
        && version.bytes().all(|b| b.is_ascii_digit())
        && month.is_some_and(|m| (1..=12).contains(&m))
    {
        Ok(version)
    } else {
        Err(PublishError::Transient(format!(
            "invalid setting {SETTING_VERSION}: {version:?} is not a LinkedIn version of the form YYYYMM (for example {DEFAULT_VERSION})"
        )))
    }
}

/// The URL of the create-post endpoint under `base_url`, checked by
/// [`sps_platform::checked_base_url`] (`transient("invalid setting base_url: …")`, for the
/// operator to fix, nothing sent).
pub fn create_post_url(base_url: &str) -> Result<String, PublishError> {
    let base = sps_platform::checked_base_url(base_url, "LinkedIn's API")?;
    Ok(format!("{base}{CREATE_POST_PATH}"))
}

/// `distribution` of a post shown in the author's main feed, targeted at no one in
/// particular and not distributed elsewhere (Post Schema, Distribution).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Distribution {
    feed_distribution: &'static str,
    target_entities: [(); 0],
    third_party_distribution_channels: [(); 0],
}

/// The JSON body of `POST /rest/posts` for a text-only post, in this key order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatePostBody<'a> {
    author: &'a str,
    commentary: &'a str,
    visibility: &'static str,
    distribution: Distribution,
    lifecycle_state: &'static str,
    is_reshare_disabled_by_author: bool,
}

/// The request `POST {base_url}/rest/posts` that publishes `text` as a public text-only
/// post by `credentials.author` (Posts API, "Create a text-only post"): headers
/// `Authorization: Bearer <token>`, `LinkedIn-Version: <version>`,
/// `X-Restli-Protocol-Version: 2.0.0`, `Content-Type: application/json`,
/// `Content-Length` (wstd would frame a body without it as chunked) and a `User-Agent`;
/// body `{"author", "commentary": <text escaped as little text>, "visibility": "PUBLIC",
/// "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
/// "thirdPartyDistributionChannels": []}, "lifecycleState": "PUBLISHED",
/// "isReshareDisabledByAuthor": false}`.
pub fn create_post_request(
    base_url: &str,
    version: &str,
    credentials: &Credentials,
    text: &str,
) -> Result<HttpRequest, PublishError> {
    let url = create_post_url(base_url)?;
    let version = check_version(version)?;
    let commentary = little::escape(text);
    let body = serde_json::to_vec(&CreatePostBody {
        author: &credentials.author,
        commentary: &commentary,
        visibility: "PUBLIC",
        distribution: Distribution {
            feed_distribution: "MAIN_FEED",
            target_entities: [],
            third_party_distribution_channels: [],
        },
        lifecycle_state: "PUBLISHED",
        is_reshare_disabled_by_author: false,
    })
    .map_err(|e| PublishError::Invalid(format!("could not encode the post as JSON: {e}")))?;
    Ok(HttpRequest {
        method: "POST".to_string(),
        url,
        headers: vec![
            (
                "Authorization".to_string(),
                format!("Bearer {}", credentials.access_token),
            ),
            ("LinkedIn-Version".to_string(), version.to_string()),
            (
                "X-Restli-Protocol-Version".to_string(),
                RESTLI_PROTOCOL_VERSION.to_string(),
            ),
            ("Content-Type".to_string(), "application/json".to_string()),
            ("Content-Length".to_string(), body.len().to_string()),
            (
                "User-Agent".to_string(),
                concat!("sps-linkedin/", env!("CARGO_PKG_VERSION")).to_string(),
            ),
        ],
        body,
    })
}

/// The public URL of the post `urn` ([`POST_URL_PREFIX`]`<urn>/`), or `None` when `urn`
/// is not `urn:li:<type>:<id>` of ASCII letters, digits, `:`, `_` and `-` (anything else
/// is not put in a URL).
pub fn post_url(urn: &str) -> Option<String> {
    let rest = urn.strip_prefix("urn:li:")?;
    let (kind, id) = rest.split_once(':')?;
    let safe = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-'))
    };
    (safe(kind) && safe(id)).then(|| format!("{POST_URL_PREFIX}{urn}/"))
}

#[cfg(test)]
mod tests;
