//! The login form of the page when `SPS_API_TOKEN` is set: the token is asked for once,
//! and a cookie then stands for it, so the page's requests need no header.
//!
//! - `GET /login`: the form (without a token set: `303 /`);
//! - `POST /login` (`application/x-www-form-urlencoded`, field `token`): the right token
//!   gives `303 /` and the cookie [`COOKIE`]; a wrong one `401` and the form again, saying so;
//! - `POST /logout`: the cookie removed, `303 /login`.
//!
//! The cookie holds no token: its value is the hex SHA-256 of `sps-session:` and the
//! token, compared in constant time. It is `HttpOnly` (no script reads it) and
//! `SameSite=Strict` (no other site's request carries it), RFC 6265 section 4.1 and
//! RFC 6265bis.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

/// The login cookie's name.
pub const COOKIE: &str = "sps_session";

/// The login cookie's value for `token`: lowercase hex SHA-256 of `sps-session:<token>`.
pub fn cookie_value(token: &str) -> String {
    let digest = Sha256::digest(format!("sps-session:{token}").as_bytes());
    data_encoding::HEXLOWER.encode(&digest)
}

/// Whether `headers` carry the login cookie for `token` (compared in constant time).
pub fn cookie_matches(headers: &HeaderMap, token: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    let expected = cookie_value(token);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|c| c.name() == COOKIE)
        .any(|c| bool::from(c.value().as_bytes().ct_eq(expected.as_bytes())))
}

/// The form's fields.
#[derive(serde::Deserialize)]
pub struct LoginForm {
    /// The API token as typed.
    token: String,
}

/// `GET /login`.
pub async fn form(State(token): State<Option<Arc<String>>>) -> Response {
    match token {
        None => Redirect::to("/").into_response(),
        Some(_) => page(StatusCode::OK, "").into_response(),
    }
}

/// `POST /login`.
pub async fn submit(
    State(token): State<Option<Arc<String>>>,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    use subtle::ConstantTimeEq as _;
    let Some(token) = token else {
        return Redirect::to("/").into_response();
    };
    if !bool::from(form.token.trim().as_bytes().ct_eq(token.as_bytes())) {
        tracing::warn!("login with a wrong API token refused");
        return page(
            StatusCode::UNAUTHORIZED,
            "That is not the API token this server was started with (SPS_API_TOKEN).",
        )
        .into_response();
    }
    let cookie = cookie::Cookie::build((COOKIE, cookie_value(&token)))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .build();
    (
        [(header::SET_COOKIE, cookie.to_string())],
        Redirect::to("/"),
    )
        .into_response()
}

/// `POST /logout`.
pub async fn logout() -> Response {
    let cookie = cookie::Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    (
        [(header::SET_COOKIE, cookie.to_string())],
        Redirect::to("/login"),
    )
        .into_response()
}

/// The form, with `problem` above it when not empty (a constant sentence of this module,
/// so it needs no escaping).
fn page(status: StatusCode, problem: &'static str) -> (StatusCode, Html<String>) {
    let problem = if problem.is_empty() {
        String::new()
    } else {
        format!(r#"<p class="problem" role="alert">{problem}</p>"#)
    };
    (
        status,
        Html(format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · Social Post Scheduler</title><link rel="stylesheet" href="/app.css"></head>
<body><main class="login"><h1>Social Post Scheduler</h1>
<form method="post" action="/login">{problem}
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button></form></main></body></html>"#
        )),
    )
}
