//! The configuration an operator gives `sps serve`, through the real binary: which
//! listen addresses need the API token and how the token is checked, host names in
//! `SPS_LISTEN`, and the secrets file's checks and re-reading.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use serde_json::{json, Value};
use support::api::{events_until, post, readme_event, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};
use support::serve::{command, spawn, spawn_logged};

const TOKEN: &str = "a-long-random-api-token-3f9c";

/// `sps serve` run to its end with `env` ([`support::serve::run_to_end`]).
fn refused(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    support::serve::run_to_end(&env)
}

/// `GET {base}{path}` with `authorization` (or none): the status, the
/// `WWW-Authenticate` header and the JSON body.
fn get_with(base: &str, path: &str, authorization: Option<&str>) -> (u16, Option<String>, Value) {
    let mut request = ureq::get(&format!("{base}{path}"))
        .config()
        .http_status_as_error(false)
        .build();
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let response = request.call().expect("GET");
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap_or_default().to_string());
    (
        status,
        challenge,
        response.into_body().read_json().expect("json"),
    )
}

#[test]
fn a_listen_address_that_is_not_loopback_needs_the_api_token() {
    assert_eq!(
        refused(&[("SPS_LISTEN", "0.0.0.0:0")]),
        (
            Some(1),
            "error: SPS_LISTEN is \"0.0.0.0:0\", which listens on 0.0.0.0:0, not a loopback address; the API lists every message and schedules posts, so set SPS_API_TOKEN (clients then send Authorization: Bearer <token>) or listen on 127.0.0.1\n".to_string()
        )
    );
    assert_eq!(
        refused(&[("SPS_LISTEN", "127.0.0.1:0"), ("SPS_API_TOKEN", " ")]),
        (
            Some(1),
            "error: SPS_API_TOKEN is empty: set a long random token, or unset it\n".to_string()
        )
    );
    assert_eq!(
        refused(&[("SPS_LISTEN", "127.0.0.1:0"), ("SPS_API_TOKEN", " padded-token-0123456789 ")]),
        (
            Some(1),
            "error: SPS_API_TOKEN must be visible ASCII characters (! to ~), without spaces, so every client can send it\n".to_string()
        )
    );
    assert_eq!(
        refused(&[("SPS_LISTEN", "0.0.0.0:0"), ("SPS_API_TOKEN", "short")]),
        (
            Some(1),
            "error: SPS_API_TOKEN is shorter than 16 characters: set a long random token (for example: openssl rand -hex 32)\n".to_string()
        )
    );
    assert_eq!(
        refused(&[("SPS_LISTEN", "8080")]),
        (
            Some(1),
            "error: SPS_LISTEN is \"8080\", which is not a host:port this machine can listen on (invalid socket address)\n".to_string()
        )
    );
}

#[test]
fn with_a_token_every_request_must_carry_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let mut cmd = command(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    cmd.env("SPS_LISTEN", "0.0.0.0:0")
        .env("SPS_API_TOKEN", TOKEN)
        .env("RUST_LOG", "debug");
    let (server, lines) = spawn_logged(cmd);
    let port = server.base.rsplit(':').next().expect("port");
    assert!(
        server.base.starts_with("http://0.0.0.0:"),
        "{}",
        server.base
    );
    let base = format!("http://127.0.0.1:{port}");
    let unauthorized = json!({"status": "error", "reason": "unauthorized",
        "message": "this API needs the token set in SPS_API_TOKEN: send Authorization: Bearer <token>"});
    for authorization in [None, Some("Bearer wrong"), Some(TOKEN), Some("Basic abc")] {
        assert_eq!(
            get_with(&base, "/health", authorization),
            (401, Some("Bearer".to_string()), unauthorized.clone()),
            "{authorization:?}"
        );
    }
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let (status, challenge, health) =
            get_with(&base, "/health", Some(&format!("{scheme} {TOKEN}")));
        assert_eq!(
            (status, challenge, &health["status"], &health["platforms"]),
            (200, None, &json!("ok"), &json!(support::PLATFORMS)),
            "{scheme}"
        );
    }
    // A name with an encoded line break cannot forge a log line.
    let forged = ureq::post(&format!(
        "{base}/schedules/x%0A2026-12-01T00:00:00Z%20ERROR%20FORGED/fire"
    ))
    .config()
    .http_status_as_error(false)
    .build()
    .header("Authorization", &format!("Bearer {TOKEN}"))
    .send_empty()
    .expect("POST");
    assert_eq!(forged.status().as_u16(), 404);
    let (status, _) = post_with_token(&base, &readme_event("token", "2030-10-23T08:48:00"));
    assert_eq!(status, 201);
    assert_eq!(
        get_with(&base, "/schedules", None).0,
        401,
        "listings need it too"
    );
    drop(server);
    let logged = lines.all().join("\n");
    assert!(!logged.contains(TOKEN), "the token was logged:\n{logged}");
    assert!(
        lines
            .all()
            .iter()
            .all(|l| !l.starts_with("2026-12-01T00:00:00Z")),
        "a forged line:\n{logged}"
    );
    assert!(
        logged.contains(r#"schedule="x\n2026-12-01T00:00:00Z ERROR FORGED""#),
        "{logged}"
    );
}

fn post_with_token(base: &str, body: &Value) -> (u16, Value) {
    let response = ureq::post(&format!("{base}/events"))
        .config()
        .http_status_as_error(false)
        .build()
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .send_json(body)
        .expect("POST");
    (
        response.status().as_u16(),
        response.into_body().read_json().expect("json"),
    )
}

#[test]
fn a_host_name_is_accepted_and_loopback_needs_no_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let mut cmd = command(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    cmd.env("SPS_LISTEN", "localhost:0")
        .env_remove("SPS_API_TOKEN");
    let server = spawn(cmd);
    assert!(
        server.base.starts_with("http://127.0.0.1:") || server.base.starts_with("http://[::1]:"),
        "{}",
        server.base
    );
    assert_eq!(
        support::api::health_summary(&server.base).0,
        json!({"status": "ok", "platforms": support::PLATFORMS})
    );
}

/// Writes `text` to `path` with `mode`.
fn write_mode(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_secrets_file_that_is_not_a_json_object_is_refused_without_its_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = dir.path().join("secrets.json");
    write_mode(&secrets, r#"["SECRET-VALUE-1","SECRET-VALUE-2"]"#, 0o600);
    assert_eq!(
        refused(&[("SPS_SECRETS_FILE", secrets.to_str().expect("utf-8"))]),
        (
            Some(1),
            format!("error: in the secrets file {}: it must be a JSON object with the keys xApiKey, xApiKeySecret, xBearerToken, xAccessToken, xAccessTokenSecret and optionally platforms\n", secrets.display())
        )
    );
}

#[test]
fn a_partial_secrets_file_readable_by_others_is_warned_about_without_values() {
    // Also: an account no event can name, and the accounts read, by name only.
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = dir.path().join("secrets.json");
    write_mode(
        &secrets,
        r#"{"xApiKey":"SECRET-VALUE-1","xBearerToken":"SECRET-VALUE-2","platforms":{"mastodon":{"default":{"access_token":"SECRET-VALUE-3"},"My Brand":{"access_token":"SECRET-VALUE-4"}}}}"#,
        0o644,
    );
    let x = FakeX::start();
    let cmd = command(&dir.path().join("data"), &x, &secrets);
    let (server, lines) = spawn_logged(cmd);
    drop(server);
    let lines = lines.all();
    let warning = |message: &str| {
        lines
            .iter()
            .find(|l| l.contains(message))
            .map(|l| l.split_once(" WARN ").map_or("", |(_, w)| w).to_string())
            .unwrap_or_else(|| panic!("no {message:?} in {lines:#?}"))
    };
    let file = secrets.display();
    assert_eq!(
        warning("readable by group or others"),
        format!("sps_host::local::secrets_file: the secrets file is readable by group or others; run chmod 600 on it file={file} mode=0644")
    );
    assert_eq!(
        warning("lacks credentials"),
        format!("sps_host::local::secrets_file: the secrets file lacks credentials posting needs: posts to twitter end in missing-credentials until they are there file={file} missing=xApiKeySecret, xAccessToken, xAccessTokenSecret")
    );
    assert_eq!(
        warning("no event can use"),
        format!("sps_host::local::secrets_file: the secrets file names accounts no event can use (an account is 1 to 32 characters of a-z, 0-9 and _, beginning with a letter); their keys are never used file={file} accounts=platforms.mastodon.\"My Brand\"")
    );
    let accounts = lines
        .iter()
        .find(|l| l.contains("platform accounts read"))
        .map(|l| l.split_once(" INFO ").map_or("", |(_, i)| i).to_string());
    assert_eq!(
        accounts,
        Some(format!("sps_host::local::secrets_file: platform accounts read file={file} accounts=mastodon: My Brand, default"))
    );
    assert!(!lines.join("\n").contains("SECRET-VALUE"), "{lines:#?}");
}

#[test]
fn a_changed_secrets_file_applies_to_the_next_post_without_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = dir.path().join("secrets.json");
    write_mode(&secrets, "{}", 0o600);
    let x = FakeX::start();
    let (server, lines) = spawn_logged(command(&dir.path().join("data"), &x, &secrets));
    let first = support::utc_in(1);
    assert_eq!(post(&server.base, &readme_event("before", &first)).0, 201);
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(events[1].0, "Social Post Failed");
    assert_eq!(events[1].1["reason"], "missing-credentials");

    // The complete file, written elsewhere and moved in as an operator would.
    let staged = dir.path().join("secrets.json.new");
    write_mode(&staged, support::SECRETS_JSON, 0o600);
    std::fs::rename(&staged, &secrets).expect("mv");
    let second = support::utc_in(1);
    assert_eq!(post(&server.base, &readme_event("after", &second)).0, 201);
    let events = events_until(&server.base, |e| e.len() >= 4);
    assert_eq!(
        events[2..],
        [
            (
                "Post Scheduled".to_string(),
                json!({"referenceNumber": "after", "scheduledDate": second})
            ),
            (
                "Social Post Sent".to_string(),
                support::sent_detail("after", FIRST_ID)
            ),
        ]
    );
    let received = x.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].signature_valid);
    assert!(
        lines
            .all()
            .iter()
            .any(|l| l.contains("X credentials re-read: the file changed")),
        "{:#?}",
        lines.all()
    );
}

#[test]
fn a_platform_copied_under_a_new_name_takes_its_settings_from_the_generic_scheme() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("components")).expect("mkdir");
    std::fs::copy(
        support::components_dir().join("sps_twitter.wasm"),
        data.join("components").join("sps_copy.wasm"),
    )
    .expect("copy");
    let x = FakeX::start();
    let secrets = secrets_file(dir.path());
    // Without settings it is loaded and listed as unconfigured.
    let server = spawn(command(&data, &x, &secrets));
    let health = support::api::health_summary(&server.base).0;
    assert_eq!(
        health,
        json!({"status": "ok", "platforms": ["bluesky", "copy", "linkedin", "mastodon", "twitter"]})
    );
    assert_eq!(
        get_with(&server.base, "/health", None).2["unconfigured"],
        json!(["copy", "mastodon"])
    );
    drop(server);

    // SPS_PLATFORM_COPY_* and the secrets file's platforms.copy.default configure it; the
    // base URL is also the only host it may call.
    let mut with_keys: Value = serde_json::from_str(support::SECRETS_JSON).expect("json");
    let x_keys = with_keys.clone();
    with_keys["platforms"] = json!({"copy": {"default": {
        "x_api_key": x_keys["xApiKey"], "x_api_key_secret": x_keys["xApiKeySecret"],
        "x_access_token": x_keys["xAccessToken"], "x_access_token_secret": x_keys["xAccessTokenSecret"]}}});
    write_mode(&secrets, &with_keys.to_string(), 0o600);
    let mut cmd = command(&data, &x, &secrets);
    cmd.env("SPS_PLATFORM_COPY_BASE_URL", &x.base_url)
        .env("SPS_PLATFORM_COPY_X_API_BASE_URL", &x.base_url);
    let server = spawn(cmd);
    // Mastodon has no default instance: without one it stays unconfigured.
    assert_eq!(
        get_with(&server.base, "/health", None).2["unconfigured"],
        json!(["mastodon"])
    );
    let date = support::utc_in(1);
    let mut event = readme_event("copied", &date);
    event["detail"]["platform"] = json!("copy");
    assert_eq!(post(&server.base, &event).0, 201);
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(
        events[1],
        (
            "Social Post Sent".to_string(),
            support::sent_detail("copied", FIRST_ID)
        )
    );
    let received = x.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].signature_valid);
}
