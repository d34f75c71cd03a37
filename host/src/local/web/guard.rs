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
//! - [`loopback_host_only`]: without a token, a request must be addressed to a loopback
//!   name (`Host` `localhost`, `127.0.0.1`, `[::1]`, with any port), so a page elsewhere
//!   cannot reach this server through a name of its own that resolves to 127.0.0.1 (DNS
//!   rebinding), where `Origin` would match the forged `Host`.
//! - [`no_framing`]: every answer forbids being framed by another page (clickjacking) and
//!   the page loads nothing but its own files (`Content-Security-Policy`).

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

/// The reason code of a request addressed to a name that is not loopback, without a token.
pub const UNEXPECTED_HOST: &str = "unexpected-host";

/// Passes a request whose `Host` is a loopback name ([`is_loopback_host`]); answers any
/// other `403 {"status":"error","reason":"unexpected-host","message"}`.
pub async fn loopback_host_only(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("(not text)").to_string());
    if host.as_deref().is_some_and(is_loopback_host) {
        return next.run(request).await;
    }
    let host = host.unwrap_or_else(|| "missing".to_string());
    tracing::warn!(
        host,
        path = request.uri().path(),
        "request to a name that is not loopback refused"
    );
    respond(answers::error(
        403,
        UNEXPECTED_HOST,
        &format!(
            "this server answers requests addressed to localhost or a loopback address only \
             (Host is {host}); to serve other names, set SPS_API_TOKEN"
        ),
    ))
}

/// Whether `host` (a `Host` header: a name or address and an optional port) names this
/// machine's loopback: `localhost` or a name under it (RFC 6761, section 6.3), an IPv4
/// address in 127.0.0.0/8, or `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The `Content-Security-Policy` of every answer: nothing but this server's own files,
/// and no framing by another page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Adds `X-Frame-Options: DENY` and [`CONTENT_SECURITY_POLICY`] to every answer.
pub async fn no_framing(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_FRAME_OPTIONS,
        axum::http::HeaderValue::from_static("DENY"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
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
