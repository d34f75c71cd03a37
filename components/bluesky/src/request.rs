//! The settings and the XRPC requests (atproto.com/specs/xrpc: `POST` procedures with a
//! JSON body, `GET` queries with URL parameters, both under `{base_url}/xrpc/<NSID>`):
//!
//! - `com.atproto.server.createSession` `{"identifier", "password"}` (a handle or DID and
//!   an app password) and `com.atproto.server.refreshSession` (no body, the refresh token
//!   as bearer) give a session ([`crate::session`]);
//! - `com.atproto.repo.createRecord` `{"repo", "collection", "rkey", "record"}` with the
//!   access token as bearer publishes a post ([`crate::record`] for its JSON);
//! - `com.atproto.repo.getRecord?repo&collection&rkey` reads a record back;
//! - `com.atproto.identity.resolveHandle?handle` gives a handle's DID.
//!
//! A POST carries `content-type: application/json` and `content-length` (the body's size
//! is known, so it is not sent chunked); every request `accept: application/json` and
//! `user-agent: sps-bluesky/<version>`.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
pub use sps_platform::HttpRequest;
use sps_platform::PublishError;

use crate::record::CreateRecord;

/// Setting: the PDS's URL (scheme, host, optional port and path prefix), also the only
/// host the component may call (`sps serve`: `SPS_BLUESKY_PDS_URL`, default
/// `https://bsky.social`).
pub use sps_platform::SETTING_BASE_URL;
/// Setting: the account's handle (`alice.bsky.social`) or DID (`did:plc:…`).
pub const SETTING_IDENTIFIER: &str = "identifier";
/// Setting: an app password of the account (bsky.app, Settings, Privacy and security,
/// App passwords), never the account's own password.
pub const SETTING_APP_PASSWORD: &str = "app_password";

/// NSID of the procedure that opens a session.
pub const CREATE_SESSION: &str = "com.atproto.server.createSession";
/// NSID of the procedure that renews a session.
pub const REFRESH_SESSION: &str = "com.atproto.server.refreshSession";
/// NSID of the procedure that writes a record.
pub const CREATE_RECORD: &str = "com.atproto.repo.createRecord";
/// NSID of the query that reads a record.
pub const GET_RECORD: &str = "com.atproto.repo.getRecord";
/// NSID of the query that resolves a handle to a DID.
pub const RESOLVE_HANDLE: &str = "com.atproto.identity.resolveHandle";
/// The query that shows posts with their counts (the PDS proxies it to the AppView).
pub const GET_POSTS: &str = "app.bsky.feed.getPosts";

/// The `missing-credentials` message when `base_url` is not set.
pub const MISSING_BASE_URL_MESSAGE: &str = "the Bluesky PDS is not configured: set the setting \
     base_url to its URL (sps serve: SPS_BLUESKY_PDS_URL)";

/// The `missing-credentials` message for an account without `missing` settings (their
/// names, never a value): `Bluesky credentials are missing for the account "default": set
/// its identifier and app_password`.
pub fn missing_credentials_message(account: &str, missing: &[&str]) -> String {
    format!(
        "Bluesky credentials are missing for the account {account:?}: set its {}",
        missing.join(" and ")
    )
}

/// The XRPC base `{base_url}/xrpc/`, the base checked by
/// [`sps_platform::checked_base_url`] (`transient("invalid setting base_url: …")`, for the
/// operator to fix, nothing sent).
pub fn xrpc_base(base_url: &str) -> Result<String, PublishError> {
    let base = sps_platform::checked_base_url(base_url, "the PDS's")?;
    Ok(format!("{base}/xrpc/"))
}

/// Every byte but RFC 3986's unreserved `A-Z a-z 0-9 - . _ ~` is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` percent-encoded for a URL query: every UTF-8 byte but `A-Z a-z 0-9 - . _ ~`,
/// uppercase hex (the `percent-encoding` crate).
pub fn query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// The user agent of every request.
const USER_AGENT: &str = concat!("sps-bluesky/", env!("CARGO_PKG_VERSION"));

/// `token` as an `authorization` header value, when it can be one (visible ASCII).
fn bearer(token: &str, what: &str) -> Result<(String, String), PublishError> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(PublishError::Auth(format!(
            "the Bluesky {what} is not a bearer token (it must be visible ASCII characters \
             without spaces); nothing was sent"
        )));
    }
    Ok(("authorization".to_string(), format!("Bearer {token}")))
}

/// A POST of `body` (JSON) to procedure `nsid`, with `auth` first when given.
fn post(xrpc: &str, nsid: &str, auth: Option<(String, String)>, body: Vec<u8>) -> HttpRequest {
    let mut headers: Vec<(String, String)> = auth.into_iter().collect();
    if !body.is_empty() {
        headers.push(("content-type".to_string(), "application/json".to_string()));
    }
    headers.extend([
        ("content-length".to_string(), body.len().to_string()),
        ("accept".to_string(), "application/json".to_string()),
        ("user-agent".to_string(), USER_AGENT.to_string()),
    ]);
    HttpRequest {
        method: "POST".to_string(),
        url: format!("{xrpc}{nsid}"),
        headers,
        body,
    }
}

/// A GET of query `nsid` with `params` (encoded by [`query_value`]), `auth` first when
/// given.
fn get(
    xrpc: &str,
    nsid: &str,
    auth: Option<(String, String)>,
    params: &[(&str, &str)],
) -> HttpRequest {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", query_value(v)))
        .collect();
    let mut headers: Vec<(String, String)> = auth.into_iter().collect();
    headers.extend([
        ("accept".to_string(), "application/json".to_string()),
        ("user-agent".to_string(), USER_AGENT.to_string()),
    ]);
    HttpRequest {
        method: "GET".to_string(),
        url: format!("{xrpc}{nsid}?{}", query.join("&")),
        headers,
        body: Vec::new(),
    }
}

/// The body of `createSession`.
#[derive(Serialize)]
struct CreateSessionBody<'a> {
    identifier: &'a str,
    password: &'a str,
}

/// `POST {xrpc}com.atproto.server.createSession` with
/// `{"identifier": identifier, "password": app_password}`.
///
/// # Errors
/// `invalid` when the body cannot be encoded (nothing sent).
pub fn create_session(
    xrpc: &str,
    identifier: &str,
    app_password: &str,
) -> Result<HttpRequest, PublishError> {
    let body = serde_json::to_vec(&CreateSessionBody {
        identifier,
        password: app_password,
    })
    .map_err(|e| PublishError::Invalid(format!("could not encode createSession as JSON: {e}")))?;
    Ok(post(xrpc, CREATE_SESSION, None, body))
}

/// `POST {xrpc}com.atproto.server.refreshSession` with no body and
/// `authorization: Bearer <refresh token>`.
///
/// # Errors
/// `auth` for a token that cannot be a header value (nothing sent).
pub fn refresh_session(xrpc: &str, refresh_jwt: &str) -> Result<HttpRequest, PublishError> {
    Ok(post(
        xrpc,
        REFRESH_SESSION,
        Some(bearer(refresh_jwt, "refresh token")?),
        Vec::new(),
    ))
}

/// `POST {xrpc}com.atproto.repo.createRecord` with `record` as the body and
/// `authorization: Bearer <access token>`.
///
/// # Errors
/// `auth` for a token that cannot be a header value, `invalid` when the body cannot be
/// encoded (nothing sent in either case).
pub fn create_record(
    xrpc: &str,
    access_jwt: &str,
    record: &CreateRecord<'_>,
) -> Result<HttpRequest, PublishError> {
    let auth = bearer(access_jwt, "access token")?;
    let body = serde_json::to_vec(record)
        .map_err(|e| PublishError::Invalid(format!("could not encode the post as JSON: {e}")))?;
    Ok(post(xrpc, CREATE_RECORD, Some(auth), body))
}

/// `GET {xrpc}com.atproto.repo.getRecord?repo=<did>&collection=app.bsky.feed.post&rkey=<rkey>`
/// with `authorization: Bearer <access token>`.
///
/// # Errors
/// `auth` for a token that cannot be a header value (nothing sent).
pub fn get_record(
    xrpc: &str,
    access_jwt: &str,
    did: &str,
    rkey: &str,
) -> Result<HttpRequest, PublishError> {
    Ok(get(
        xrpc,
        GET_RECORD,
        Some(bearer(access_jwt, "access token")?),
        &[
            ("repo", did),
            ("collection", crate::record::COLLECTION),
            ("rkey", rkey),
        ],
    ))
}

/// `GET {xrpc}app.bsky.feed.getPosts?uris=<uri>` with `authorization: Bearer <access
/// token>` (docs.bsky.app, app.bsky.feed.getPosts: `posts[]` are post views with
/// `likeCount`, `repostCount`, `replyCount` and `quoteCount`).
///
/// # Errors
/// `auth` for a token that cannot be a header value (nothing sent).
pub fn get_posts(xrpc: &str, access_jwt: &str, uri: &str) -> Result<HttpRequest, PublishError> {
    Ok(get(
        xrpc,
        GET_POSTS,
        Some(bearer(access_jwt, "access token")?),
        &[("uris", uri)],
    ))
}

/// `GET {xrpc}com.atproto.identity.resolveHandle?handle=<handle>`, without credentials
/// (the query is public).
pub fn resolve_handle(xrpc: &str, handle: &str) -> HttpRequest {
    get(xrpc, RESOLVE_HANDLE, None, &[("handle", handle)])
}

#[cfg(test)]
mod tests;
