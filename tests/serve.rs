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

use std::time::Duration;

use serde_json::json;
use support::api::{events_until, get, post, post_bytes, readme_event, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};
use support::serve::serve;

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
                support::sent_detail("testtweet", FIRST_ID)
            ),
        ]
    );
    let envelope = &get(&server.base, "/events")[1];
    assert_eq!(
        (envelope["source"].as_str(), envelope["version"].as_str()),
        (Some("SocialPostSender"), Some("0"))
    );
    assert_eq!(support::api::schedules_once_empty(&server.base), json!([]));
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
    support::bad_inputs::assert_routes(&server.base, "POST,GET,HEAD");
}

#[test]
fn the_put_events_form_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let detail = json!({"message": "From PutEvents", "platform": "twitter", "scheduledDate": "2034-01-01T00:00:00", "referenceNumber": "pe"}).to_string();
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
        json!({"status": "scheduled", "action": "created", "referenceNumber": "pe", "scheduleName": "twitter-pe", "scheduledDate": "2034-01-01T00:00:00"})
    );
    // Another detail-type naming no reference gets an EventId, and nothing happens.
    assert_eq!(
        body["Entries"][1]["Outcome"],
        json!({"status": "no-matching-rule"})
    );
}

#[test]
fn a_local_date_with_a_time_zone_is_scheduled_at_its_utc_instant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    // 01:30 exists twice in New York on 2030-11-03: the first (EDT, -04:00) is used.
    let mut event = readme_event("tz", "2030-11-03T01:30:00");
    event["detail"]["timeZone"] = json!("America/New_York");
    let (status, body) = post(&server.base, &event);
    assert_eq!(status, 201);
    assert_eq!(
        body,
        json!({"status": "scheduled", "action": "created", "referenceNumber": "tz", "scheduleName": "twitter-tz", "scheduledDate": "2030-11-03T05:30:00"})
    );
    assert_eq!(
        get(&server.base, "/schedules")[0]["at"],
        json!("2030-11-03T05:30:00Z")
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
                support::sent_detail("survivor", FIRST_ID)
            ),
        ]
    );
    assert_eq!(x.received().len(), 1);
}

/// A schedule that fell due three hours ago while the service was down is not published on
/// start: `Social Post Failed` with the reason `expired` (at most an hour late, counted from
/// the moment chosen inside the window), and X receives nothing.
#[test]
fn a_post_due_hours_ago_expires_instead_of_going_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    drop(sps_host::local::store::SqliteStore::open(&data).expect("store"));
    let due = chrono::Utc::now().timestamp() - 3 * 3600;
    let at = sps_host::caps::schedules::format_at(
        chrono::DateTime::from_timestamp(due, 0).expect("time"),
    );
    let input = json!({"referenceNumber": "stale", "message": "Too late", "platform": "twitter", "scheduledDate": at});
    rusqlite::Connection::open(data.join("sps.sqlite3"))
        .expect("db")
        .execute(
            "INSERT INTO schedules (name, at, flexible_window_minutes, input, fire_at, due_at) VALUES ('twitter-stale', ?1, 0, ?2, ?3, ?3)",
            rusqlite::params![at, input.to_string(), due],
        )
        .expect("insert");
    let x = FakeX::start();
    let server = serve(&data, &x, &secrets_file(dir.path()));
    let events = events_until(&server.base, |e| !e.is_empty());
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "Social Post Failed");
    let message = events[0].1["reasonMessage"].as_str().unwrap_or_default();
    let late: u64 = message
        .strip_prefix("the delivery came ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected message {message:?}"));
    assert!((10_800..10_830).contains(&late), "{message}");
    assert_eq!(
        events[0].1,
        json!({"referenceNumber": "stale", "reason": "expired", "retryable": false, "stage": "sending",
            "reasonMessage": format!("the delivery came {late} s after the schedule was due at {at}Z, more than the 3600 s allowed; the post was not published")})
    );
    assert!(x.received().is_empty());
    assert_eq!(support::api::schedules_once_empty(&server.base), json!([]));
}
