//! The page's side of `sps serve` over plain HTTP: `POST /validate` (the live check and
//! the platforms' own lengths), the page and its assets, the login form and its cookie
//! when `SPS_API_TOKEN` is set, and the cross-site check of every state-changing request.
//! `tests/browser.rs` drives the page itself in Chromium.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};
use support::api::{get, readme_event, secrets_file};
use support::fake_x::FakeX;
use support::serve::{command, serve, spawn};

/// The API token of the login tests.
const TOKEN: &str = "page-token-0123456789";

/// A request of `method` to `path` with `headers` and `body`, redirects not followed:
/// the status, the headers and the body as text.
fn request(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, ureq::http::HeaderMap, String) {
    let mut builder = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"));
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let response = match body {
        Some(body) => agent.run(builder.body(body.to_string()).unwrap()),
        None => agent.run(builder.body(()).unwrap()),
    }
    .expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.into_body().read_to_string().unwrap(),
    )
}

/// `POST /validate` of a `Schedule Social Post` event with `detail`: status and answer.
fn validate(base: &str, detail: Value) -> (u16, Value) {
    let event = json!({"detail-type": "Schedule Social Post", "source": "test", "detail": detail});
    let (status, _, body) = request(
        base,
        "POST",
        "/validate",
        &[("content-type", "application/json")],
        Some(&event.to_string()),
    );
    (status, serde_json::from_str(&body).unwrap())
}

fn lengths(pairs: &[(u32, u32)]) -> Value {
    pairs
        .iter()
        .map(|(length, limit)| json!({"length": length, "limit": limit}))
        .collect()
}

#[test]
fn validate_answers_as_scheduling_would_with_each_platforms_own_lengths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let at = "2030-10-23T08:48:00";
    // X: a URL counts 23, an emoji 2; "Hi " 3 + 23 + " " 1 + 2 = 29.
    let message = "Hi https://example.com/a/long/path/that/is/longer/than/23 😀";
    assert_eq!(
        validate(
            &server.base,
            json!({"message": message, "platform": "twitter", "scheduledDate": at,
                   "thread": ["x".repeat(280)]})
        ),
        (
            200,
            json!({"status": "valid", "lengths": lengths(&[(29, 280), (280, 280)])})
        )
    );
    assert_eq!(
        validate(
            &server.base,
            json!({"message": "x".repeat(281), "platform": "twitter", "scheduledDate": at})
        ),
        (
            200,
            json!({"status": "rejected", "reason": "message-too-long",
                   "message": "message is 281 weighted characters; X allows at most 280",
                   "referenceNumber": null, "lengths": lengths(&[(281, 280)])})
        )
    );
    // Bluesky counts grapheme clusters: a flag and a skin-toned thumb are one each.
    assert_eq!(
        validate(
            &server.base,
            json!({"message": "Hi 🇩🇪 👍🏽", "platform": "bluesky", "scheduledDate": at})
        ),
        (
            200,
            json!({"status": "valid", "lengths": lengths(&[(6, 300)])})
        )
    );
    // LinkedIn counts UTF-16 code units (an emoji is 2) and has no threads.
    assert_eq!(
        validate(
            &server.base,
            json!({"message": "Hi 😀", "platform": "linkedin", "scheduledDate": at,
                   "thread": ["more"]})
        ),
        (
            200,
            json!({"status": "rejected", "reason": "thread-not-supported",
                   "message": "LinkedIn has no threads: send the message and the thread's 1 reply as separate posts, each in an event without \"thread\"",
                   "referenceNumber": null, "lengths": lengths(&[(5, 3000), (4, 3000)])})
        )
    );
    // The order of the checks is scheduling's: a past date is named before the length.
    assert_eq!(
        validate(
            &server.base,
            json!({"message": "x".repeat(300), "platform": "twitter",
                   "scheduledDate": "2020-01-01T00:00:00"})
        )
        .1["reason"],
        json!("scheduled-date-in-past")
    );
    assert_eq!(
        validate(
            &server.base,
            json!({"message": "Hi", "platform": "myspace"})
        ),
        (
            200,
            json!({"status": "rejected", "reason": "unsupported-platform",
                   "message": format!("platform \"myspace\" is not supported; {}", support::SUPPORTED),
                   "referenceNumber": null, "lengths": []})
        )
    );
    let (status, _, body) = request(&server.base, "POST", "/validate", &[], Some("{"));
    assert_eq!(
        (
            status,
            serde_json::from_str::<Value>(&body).unwrap()["reason"].clone()
        ),
        (200, json!("invalid-json"))
    );
    // Nothing was scheduled or reported.
    assert_eq!(get(&server.base, "/schedules"), json!([]));
    assert_eq!(get(&server.base, "/events"), json!([]));
}

#[test]
fn the_page_and_its_assets_are_served_from_the_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    for (path, content_type, needle) in [
        (
            "/",
            "text/html; charset=utf-8",
            "<title>Social Post Scheduler</title>",
        ),
        (
            "/js/common.js",
            "text/javascript; charset=utf-8",
            "function api(",
        ),
        (
            "/js/compose.js",
            "text/javascript; charset=utf-8",
            "POST\", \"/validate\"",
        ),
        (
            "/js/calendar.js",
            "text/javascript; charset=utf-8",
            "Cancel Social Post",
        ),
        (
            "/js/outcomes.js",
            "text/javascript; charset=utf-8",
            "/events?follow=1&last=200",
        ),
        ("/app.css", "text/css; charset=utf-8", ".counter.over"),
    ] {
        let (status, headers, body) = request(&server.base, "GET", path, &[], None);
        assert_eq!(
            (status, headers["content-type"].to_str().unwrap()),
            (200, content_type),
            "{path}"
        );
        assert!(body.contains(needle), "{path}: {needle}");
        // Nothing is fetched from elsewhere: the service runs offline.
        assert!(
            !body.contains("https://"),
            "{path} names an outside address"
        );
    }
    let (status, _, _) = request(&server.base, "GET", "/js/other.js", &[], None);
    assert_eq!(status, 404);
    // No other page may frame these answers, and the page loads only its own files.
    let (_, headers, _) = request(&server.base, "GET", "/", &[], None);
    assert_eq!(
        (
            headers["x-frame-options"].to_str().unwrap(),
            headers["content-security-policy"].to_str().unwrap()
        ),
        (
            "DENY",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        )
    );
    // Without a token there is no login.
    let (status, headers, _) = request(&server.base, "GET", "/login", &[], None);
    assert_eq!((status, headers["location"].to_str().unwrap()), (303, "/"));
}

#[test]
fn a_cross_site_request_changes_nothing_token_or_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let base = server.base.as_str();
    let own = base.to_string();
    let event = readme_event("forged", "2030-10-23T08:48:00").to_string();
    let refused = |why: &str| {
        json!({"status": "error", "reason": "cross-site-request",
            "message": format!("a request from another site cannot change anything here ({why}); use the page this server serves at / or an API client")})
    };
    let host = base.strip_prefix("http://").unwrap();
    // A form on another site posting JSON as text/plain, as a browser sends it.
    for (headers, why) in [
        (
            vec![
                ("origin", "http://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
            "Sec-Fetch-Site is cross-site".to_string(),
        ),
        (
            vec![
                ("origin", "http://127.0.0.1:1"),
                ("sec-fetch-site", "same-site"),
            ],
            "Sec-Fetch-Site is same-site".to_string(),
        ),
        (
            vec![("origin", "http://evil.example")],
            format!("Origin is http://evil.example, not this server ({host})"),
        ),
        (
            vec![("origin", "null")],
            format!("Origin is null, not this server ({host})"),
        ),
    ] {
        let mut all = headers.clone();
        all.push(("content-type", "text/plain"));
        for (method, path) in [
            ("POST", "/events"),
            ("POST", "/"),
            ("PUT", "/campaigns/c"),
            ("DELETE", "/campaigns/c"),
            ("POST", "/validate"),
        ] {
            let (status, _, body) = request(base, method, path, &all, Some(&event));
            assert_eq!(
                (status, serde_json::from_str::<Value>(&body).unwrap()),
                (403, refused(&why)),
                "{method} {path} {headers:?}"
            );
        }
    }
    assert_eq!(get(base, "/events"), json!([]));
    assert_eq!(get(base, "/schedules"), json!([]));
    // Reading is not changing: a cross-site GET is answered (the browser keeps the
    // answer from the other site's script).
    let (status, _, _) = request(
        base,
        "GET",
        "/schedules",
        &[("sec-fetch-site", "cross-site")],
        None,
    );
    assert_eq!(status, 200);
    // The page's own requests, and API clients that send neither header, pass.
    for headers in [
        vec![("origin", own.as_str()), ("sec-fetch-site", "same-origin")],
        vec![("sec-fetch-site", "none")],
        vec![],
    ] {
        let mut all = headers.clone();
        all.push(("content-type", "application/json"));
        let (status, _, _) = request(base, "POST", "/events", &all, Some(&event));
        assert!(status == 201 || status == 200, "{headers:?}: {status}");
    }
    assert_eq!(get(base, "/schedules").as_array().unwrap().len(), 1);
}

#[test]
fn with_a_token_the_page_asks_for_it_once_and_its_cookie_opens_the_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let mut cmd = command(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    cmd.env("SPS_API_TOKEN", TOKEN);
    let server = spawn(cmd);
    let base = server.base.as_str();

    let (status, headers, _) = request(base, "GET", "/", &[], None);
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (303, "/login")
    );
    let (status, _, body) = request(base, "GET", "/login", &[], None);
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"<input id="token" name="token" type="password""#),
        "{body}"
    );
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let (status, headers, body) = request(base, "POST", "/login", &form, Some("token=wrong"));
    assert_eq!(status, 401);
    assert!(headers.get("set-cookie").is_none());
    assert!(
        body.contains("That is not the API token this server was started with (SPS_API_TOKEN)."),
        "{body}"
    );
    let (status, headers, _) = request(
        base,
        "POST",
        "/login",
        &form,
        Some(&format!("token={TOKEN}")),
    );
    // The cookie holds the SHA-256 of "sps-session:" and the token, never the token.
    let digest = <sha2::Sha256 as sha2::Digest>::digest(format!("sps-session:{TOKEN}").as_bytes());
    let cookie = format!("sps_session={}", data_encoding::HEXLOWER.encode(&digest));
    assert_eq!(
        (
            status,
            headers["location"].to_str().unwrap(),
            headers["set-cookie"].to_str().unwrap()
        ),
        (
            303,
            "/",
            format!("{cookie}; HttpOnly; SameSite=Strict; Path=/").as_str()
        )
    );
    assert!(!cookie.contains(TOKEN));
    let with_cookie = [("cookie", cookie.as_str())];
    let (status, _, body) = request(base, "GET", "/", &with_cookie, None);
    assert_eq!(
        (
            status,
            body.contains("<title>Social Post Scheduler</title>")
        ),
        (200, true)
    );
    let (status, _, body) = request(base, "GET", "/schedules", &with_cookie, None);
    assert_eq!((status, body.as_str()), (200, "[]"));
    let (status, _, _) = request(
        base,
        "GET",
        "/schedules",
        &[("cookie", "sps_session=0000")],
        None,
    );
    assert_eq!(status, 401);
    let (status, headers, _) = request(base, "POST", "/logout", &with_cookie, None);
    assert_eq!(
        (
            status,
            headers["location"].to_str().unwrap(),
            headers["set-cookie"].to_str().unwrap()
        ),
        (
            303,
            "/login",
            "sps_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
        )
    );
}

#[test]
fn without_a_token_only_loopback_names_are_answered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let event = readme_event("rebound", "2030-10-23T08:48:00").to_string();
    // A name of another site that resolves to 127.0.0.1 (DNS rebinding): its Origin
    // matches its Host, so only the Host shows it.
    let rebound = format!("attacker.example:{port}");
    let origin = format!("http://{rebound}");
    for (method, path) in [("POST", "/events"), ("GET", "/schedules"), ("GET", "/")] {
        let (status, _, body) = request(
            &server.base,
            method,
            path,
            &[
                ("host", &rebound),
                ("origin", &origin),
                ("sec-fetch-site", "same-origin"),
            ],
            Some(&event),
        );
        assert_eq!(
            (status, serde_json::from_str::<Value>(&body).unwrap()),
            (
                403,
                json!({"status": "error", "reason": "unexpected-host",
                    "message": format!("this server answers requests addressed to localhost or a loopback address only (Host is {rebound}); to serve other names, set SPS_API_TOKEN")})
            ),
            "{method} {path}"
        );
    }
    assert_eq!(get(&server.base, "/schedules"), json!([]));
    for host in [
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("app.localhost:{port}"),
        format!("127.0.0.2:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, _, _) = request(&server.base, "GET", "/health", &[("host", &host)], None);
        assert_eq!(status, 200, "{host}");
    }
    // With a token, any name is served (the token guards it).
    let mut cmd = command(&dir.path().join("data2"), &x, &secrets_file(dir.path()));
    cmd.env("SPS_API_TOKEN", TOKEN);
    let guarded = spawn(cmd);
    let (status, _, _) = request(
        &guarded.base,
        "GET",
        "/health",
        &[
            ("host", "scheduler.example"),
            ("authorization", &format!("Bearer {TOKEN}")),
        ],
        None,
    );
    assert_eq!(status, 200);
}
