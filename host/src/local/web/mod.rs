//! The page of `sps serve` at `/`: compose, calendar and outcomes (README, "The page").
//! Plain HTML, CSS and JavaScript from `assets/`, embedded in the binary, calling the same
//! API as everyone else; no platform rule lives in it (the counters come from
//! `POST /validate`). With `SPS_API_TOKEN` set it is behind a login form ([`login`]).
//!
//! - `GET /`: the page (`303` to `/login` without the token's cookie, when a token is set);
//! - `GET /js/{common,compose,calendar,outcomes}.js`, `GET /app.css`: its scripts (one
//!   per view, loaded in order) and style;
//! - `GET /login`, `POST /login`, `POST /logout`: [`login`].
//!
//! [`guard`] holds what every request passes: the token (bearer header or the login
//! cookie) and the cross-site check of state-changing requests.

pub mod guard;
pub mod login;

use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

/// The page's HTML.
const INDEX_HTML: &str = include_str!("assets/index.html");
/// The page's scripts by name (`/js/<name>`).
const SCRIPTS: [(&str, &str); 4] = [
    ("common.js", include_str!("assets/common.js")),
    ("compose.js", include_str!("assets/compose.js")),
    ("calendar.js", include_str!("assets/calendar.js")),
    ("outcomes.js", include_str!("assets/outcomes.js")),
];
/// The page's style.
const APP_CSS: &str = include_str!("assets/app.css");

/// The routes of the page and the login form; `token` is `SPS_API_TOKEN`.
pub fn router(token: Option<Arc<String>>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/js/{name}", get(script))
        .route(
            "/app.css",
            get(|| asset("text/css; charset=utf-8", APP_CSS)),
        )
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .with_state(token)
}

/// `GET /`: the page, or `303 /login` when a token is set and the request carries
/// neither it nor the login cookie.
async fn index(
    axum::extract::State(token): axum::extract::State<Option<Arc<String>>>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = token {
        if !guard::authorized(&headers, &token) {
            return Redirect::to("/login").into_response();
        }
    }
    asset("text/html; charset=utf-8", INDEX_HTML).await
}

/// `GET /js/{name}`: one of [`SCRIPTS`], else 404.
async fn script(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    match SCRIPTS.iter().find(|(file, _)| *file == name) {
        Some((_, body)) => asset("text/javascript; charset=utf-8", body).await,
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A static asset with its content type, never cached stale (`no-cache`: revalidated,
/// so a new binary's page is seen at once).
async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}
