//! End to end: the `sps serve` binary with the real components, an SQLite data
//! directory and the fake X API; events go in over HTTP and outcome events come out.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;
use support::api::{events_until, get, post, post_bytes, readme_event, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};

struct Serve {
    child: Child,
    base: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `sps serve` on a free port with no flexible window and waits until it listens.
fn serve(data_dir: &Path, x: &FakeX, secrets: &Path) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sps"))
        .arg("serve")
        .env("SPS_LISTEN", "127.0.0.1:0")
        .env("SPS_DATA_DIR", data_dir)
        .env("SPS_X_API_BASE_URL", &x.base_url)
        .env("SPS_SECRETS_FILE", secrets)
        .env("SPS_FLEXIBLE_WINDOW_MINUTES", "0")
        .env("SPS_CACHE_DIR", support::shared_cache_dir())
        .env_remove("SPS_COMPONENTS_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn sps");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read");
    let base = line
        .trim()
        .strip_prefix("sps serve listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Serve { child, base }
}

#[test]
fn the_readme_event_is_scheduled_fired_and_sent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let date = support::utc_in(2);
    let (status, body) = post(&server.base, &readme_event("testtweet", &date));
    assert_eq!(status, 201);
    assert_eq!(
        body,
        json!({"status": "scheduled", "action": "created", "referenceNumber": "testtweet", "scheduleName": "twitter-testtweet", "scheduledDate": date})
    );
    let pending = get(&server.base, "/schedules");
    assert_eq!(pending[0]["name"], "twitter-testtweet");
    assert_eq!(
        pending[0]["input"],
        json!({"referenceNumber": "testtweet", "message": "Hello world!", "platform": "twitter", "scheduledDate": date})
    );

    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(
        events,
        vec![
            (
                "Post Scheduled".to_string(),
                json!({"referenceNumber": "testtweet", "scheduledDate": date})
            ),
            (
                "Social Post Sent".to_string(),
                json!({"referenceNumber": "testtweet", "postId": FIRST_ID.to_string()})
            ),
        ]
    );
    let envelope = &get(&server.base, "/events")[1];
    assert_eq!(
        (envelope["source"].as_str(), envelope["version"].as_str()),
        (Some("SocialPostSender"), Some("0"))
    );
    assert_eq!(get(&server.base, "/schedules"), json!([]));
    let received = x.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].signature_valid);
    assert_eq!(received[0].text.as_deref(), Some("Hello world!"));
    // The fixed-size body is framed by its length, not chunked: {"text":"Hello world!"}.
    assert_eq!(received[0].framing(), (Some("23"), None));
}

#[test]
fn a_rejected_request_is_answered_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let (status, body) = post(&server.base, &readme_event("old", "2023-10-23T08:48:00"));
    assert_eq!(status, 422);
    assert_eq!(body["reason"], "scheduled-date-in-past");
    assert_eq!(body["referenceNumber"], "old");
    let events = events_until(&server.base, |e| !e.is_empty());
    assert_eq!(events[0].0, "Social Post Failed");
    assert_eq!(events[0].1["reason"], "scheduled-date-in-past");
    let (status, body) = post(&server.base, &json!("not an event"));
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("invalid-event"))
    );
    // Not UTF-8 (Latin-1 "café"): rejected, never scheduled with a replaced character.
    let (status, body) = post_bytes(
        &server.base,
        b"{\"detail-type\":\"Schedule Social Post\",\"detail\":{\"message\":\"caf\xe9\"}}",
    );
    assert_eq!(
        (status, body),
        (
            400,
            json!({"status": "rejected", "reason": "invalid-json", "referenceNumber": null,
                "message": "the request body is not UTF-8 JSON: invalid utf-8 sequence of 1 bytes from index 62"})
        )
    );
    // One byte over the 2 MiB body limit: a JSON answer with a reason code, not axum's plain
    // text. Exactly one byte over, so the server has read the whole body when it answers
    // (a larger body races its closing the connection on the unread rest).
    let (status, body) = post_bytes(&server.base, &vec![b' '; (2 << 20) + 1]);
    assert_eq!(
        (status, body),
        (
            413,
            json!({"status": "rejected", "reason": "invalid-request", "referenceNumber": null,
                "message": "the request body cannot be read: Failed to buffer the request body: length limit exceeded"})
        )
    );
    // Neither reached the scheduler: only the first request's event was recorded.
    assert_eq!(
        get(&server.base, "/events").as_array().map(Vec::len),
        Some(1)
    );
}

/// The table tests/spin.rs runs against `spin up` too.
#[test]
fn bad_inputs_get_the_documented_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    support::bad_inputs::assert_all(&server.base);
}

#[test]
fn the_put_events_form_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let detail = json!({"message": "From PutEvents", "platform": "twitter", "scheduledDate": "2099-01-01T00:00:00", "referenceNumber": "pe"}).to_string();
    let (status, body) = post(
        &server.base,
        &json!({"Entries": [
            {"Source": "test", "DetailType": "Schedule Social Post", "Detail": detail},
            {"Source": "test", "DetailType": "Something Else", "Detail": "{}"},
        ]}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["FailedEntryCount"], 0);
    assert_eq!(
        body["Entries"][0]["Outcome"],
        json!({"status": "scheduled", "action": "created", "referenceNumber": "pe", "scheduleName": "twitter-pe", "scheduledDate": "2099-01-01T00:00:00"})
    );
    assert_eq!(
        body["Entries"][1]["Outcome"],
        json!({"status": "no-matching-rule"})
    );
}

#[test]
fn a_pending_schedule_survives_a_crash_and_fires_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let secrets = secrets_file(dir.path());
    let x = FakeX::start();
    let date = support::utc_in(3);
    {
        let server = serve(&data, &x, &secrets);
        let (status, _) = post(&server.base, &readme_event("survivor", &date));
        assert_eq!(status, 201);
        // Dropping kills the process (SIGKILL): no graceful shutdown.
    }
    // Down past the scheduled time: it fires on start.
    std::thread::sleep(Duration::from_secs(4));
    assert!(x.received().is_empty());
    let server = serve(&data, &x, &secrets);
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(
        events,
        vec![
            (
                "Post Scheduled".to_string(),
                json!({"referenceNumber": "survivor", "scheduledDate": date})
            ),
            (
                "Social Post Sent".to_string(),
                json!({"referenceNumber": "survivor", "postId": FIRST_ID.to_string()})
            ),
        ]
    );
    assert_eq!(x.received().len(), 1);
}
