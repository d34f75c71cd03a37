//! What every request of `sps serve` passes before it reaches a route:
//!
//! - [`same_origin_only`]: a state-changing request (any method but `GET`, `HEAD` and
//!   `OPTIONS`) that a browser sent from another origin is refused with `403
//!   cross-site-request`, token or not, so a page elsewhere cannot schedule or cancel
//!   through the user's browser (for example a `text/plain` form post carrying JSON to
//!   `/events`). Browsers say where a request comes from in `Sec-Fetch-Site` (W3C Fetch
//!   Metadata: only `same-origin` and `none`, a request the user made, pass) and in
//!   `Origin` (RFC 6454; it must name this server's own `Host`). Clients that send neither
//!   (curl, the SDKs, `sps`) are not browsers and pass.
//! - [`require_token`]: with `SPS_API_TOKEN` set, `Authorization: Bearer <token>` or the
//!   login cookie ([`super::login`]); else 401 `unauthorized` with `WWW-Authenticate:
//!   Bearer` (RFC 6750, section 3).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use sps_local::api as answers;

use crate::local::api::{bearer_matches, respond};

/// The reason code of a refused cross-site request.
pub const CROSS_SITE_REQUEST: &str = "cross-site-request";

/// Passes a request that is safe (`GET`, `HEAD`, `OPTIONS`) or not cross-site; answers
/// any other `403 {"status":"error","reason":"cross-site-request","message"}`.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    match cross_site(request.headers()) {
        None => next.run(request).await,
        Some(why) => {
            tracing::warn!(method = %request.method(), path = request.uri().path(), why, "cross-site request refused");
            respond(answers::error(
                403,
                CROSS_SITE_REQUEST,
                &format!(
                    "a request from another site cannot change anything here ({why}); use the \
                     page this server serves at / or an API client"
                ),
            ))
        }
    }
}

/// Why `headers` show a request a browser sent from another origin, or `None`.
pub fn cross_site(headers: &HeaderMap) -> Option<String> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("(not text)");
        if !matches!(site, "same-origin" | "none") {
            return Some(format!("Sec-Fetch-Site is {site}"));
        }
    }
    let origin = headers.get(header::ORIGIN)?;
    let origin = origin.to_str().unwrap_or("(not text)");
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let own = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|authority| !host.is_empty() && authority.eq_ignore_ascii_case(host));
    (!own).then(|| format!("Origin is {origin}, not this server ({host})"))
}

/// Whether `headers` carry the API token: `Authorization: Bearer <token>` or the login
/// cookie ([`super::login::COOKIE`]), both compared in constant time.
pub fn authorized(headers: &HeaderMap, token: &str) -> bool {
    bearer_matches(headers, token) || super::login::cookie_matches(headers, token)
}

/// Passes on a request that is [`authorized`]; answers any other 401.
pub async fn require_token(
    State(token): State<Arc<String>>,
    request: Request,
    next: Next,
) -> Response {
    if authorized(request.headers(), &token) {
        return next.run(request).await;
    }
    let mut response = respond(answers::unauthorized());
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static("Bearer"),
    );
    response
}
