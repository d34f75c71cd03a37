//! What an operator asks `sps serve` for, through the real binary: a pending post
//! delivered now (`POST /schedules/{name}/fire`), a dead letter delivered again
//! (`POST /dead-letters/{id}/retry`) with the send ledger still preventing a second post,
//! the listings' timestamps, and `GET /schedules` by pages.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::api::{events_until, get, post, readme_event, schedules_once_empty, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};
use support::serve::serve;

/// `POST {base}{path}` with no body: the status and JSON answer.
fn post_empty(base: &str, path: &str) -> (u16, Value) {
    let response = ureq::post(&format!("{base}{path}"))
        .config()
        .http_status_as_error(false)
        .build()
        .send_empty()
        .expect("POST");
    let status = response.status().as_u16();
    (status, response.into_body().read_json().expect("json"))
}

/// Adds a dead letter for `input` (as the timer writes one) to the database in `data`.
fn add_dead_letter(data: &Path, name: &str, input: &Value) {
    rusqlite::Connection::open(data.join("sps.sqlite3"))
        .expect("db")
        .execute(
            "INSERT INTO dead_letters (schedule_name, input, attempts, error, time) VALUES (?1, ?2, 5, 'the sender component failed', '2026-12-01T10:00:00Z')",
            rusqlite::params![name, input.to_string()],
        )
        .expect("insert");
}

#[test]
fn fire_delivers_a_pending_schedule_now_without_its_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let (status, _) = post(
        &server.base,
        &readme_event("testtweet", "2030-10-23T08:48:00"),
    );
    assert_eq!(status, 201);
    let pending = get(&server.base, "/schedules");
    assert_eq!(
        (&pending[0]["at"], &pending[0]["fireAt"]),
        (
            &json!("2030-10-23T08:48:00Z"),
            &json!("2030-10-23T08:48:00Z")
        )
    );
    assert_eq!(
        post_empty(&server.base, "/schedules/twitter-testtweet/fire"),
        (
            202,
            json!({"status": "due", "scheduleName": "twitter-testtweet"})
        )
    );
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(
        events[1],
        (
            "Social Post Sent".to_string(),
            support::sent_detail("testtweet", FIRST_ID)
        )
    );
    assert_eq!(schedules_once_empty(&server.base), json!([]));
    assert_eq!(x.received().len(), 1);
    assert_eq!(
        post_empty(&server.base, "/schedules/twitter-testtweet/fire"),
        (
            404,
            json!({"status": "error", "reason": "not-found", "message": "no pending schedule is named twitter-testtweet"})
        )
    );
}

#[test]
fn a_retried_dead_letter_is_delivered_again_and_the_ledger_prevents_a_second_post() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let x = FakeX::start();
    let server = serve(&data, &x, &secrets_file(dir.path()));
    let date = support::utc_in(1);
    assert_eq!(post(&server.base, &readme_event("once", &date)).0, 201);
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(events[1].0, "Social Post Sent");
    assert_eq!(schedules_once_empty(&server.base), json!([]));

    // A dead letter of the same post (its delivery had published it, then failed to
    // record so): retried, the ledger's record answers and X is not called again.
    let input = json!({"referenceNumber": "once", "message": "Hello world!", "platform": "twitter", "scheduledDate": date});
    add_dead_letter(&data, "twitter-once", &input);
    assert_eq!(
        get(&server.base, "/dead-letters"),
        json!([{"id": 1, "scheduleName": "twitter-once", "input": input, "attempts": 5,
            "error": "the sender component failed", "time": "2026-12-01T10:00:00Z"}])
    );
    assert_eq!(
        post_empty(&server.base, "/dead-letters/1/retry"),
        (
            202,
            json!({"status": "due", "scheduleName": "twitter-once"})
        )
    );
    let events = events_until(&server.base, |e| e.len() >= 3);
    assert_eq!(
        events[1..],
        [
            (
                "Social Post Sent".to_string(),
                support::sent_detail("once", FIRST_ID)
            ),
            (
                "Social Post Sent".to_string(),
                support::sent_detail("once", FIRST_ID)
            ),
        ]
    );
    assert_eq!(x.received().len(), 1);
    assert_eq!(get(&server.base, "/dead-letters"), json!([]));
    assert_eq!(schedules_once_empty(&server.base), json!([]));
    let missing = |id: &str| {
        json!({"status": "error", "reason": "not-found",
            "message": format!("no dead letter has the id {id} (GET /dead-letters lists them)")})
    };
    assert_eq!(
        post_empty(&server.base, "/dead-letters/1/retry"),
        (404, missing("1"))
    );
    assert_eq!(
        post_empty(&server.base, "/dead-letters/first/retry"),
        (404, missing("first"))
    );
}

#[test]
fn a_dead_letter_whose_post_was_scheduled_anew_is_not_retried_over_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let x = FakeX::start();
    let server = serve(&data, &x, &secrets_file(dir.path()));
    assert_eq!(
        post(&server.base, &readme_event("again", "2030-10-23T08:48:00")).0,
        201
    );
    add_dead_letter(&data, "twitter-again", &json!({"referenceNumber": "again"}));
    assert_eq!(
        post_empty(&server.base, "/dead-letters/1/retry"),
        (
            409,
            json!({"status": "error", "reason": "schedule-pending",
            "message": "the schedule twitter-again is pending again (the post was scheduled anew); deliver it now with POST /schedules/twitter-again/fire"})
        )
    );
    assert_eq!(get(&server.base, "/dead-letters")[0]["id"], 1);
    assert_eq!(
        get(&server.base, "/schedules")[0]["at"],
        "2030-10-23T08:48:00Z"
    );
    assert!(x.received().is_empty());
}

#[test]
fn the_pending_schedules_page_by_their_cursor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    // Created in this order; c and a due at the same moment, b an hour earlier.
    for (reference, date) in [
        ("b", "2030-10-23T07:48:00"),
        ("c", "2030-10-23T08:48:00"),
        ("a", "2030-10-23T08:48:00"),
    ] {
        assert_eq!(post(&server.base, &readme_event(reference, date)).0, 201);
    }
    let page = |query: &str| support::api::get_page(&server.base, &format!("/schedules{query}"));
    let names = |body: &Value| -> Vec<String> {
        body.as_array()
            .expect("array")
            .iter()
            .map(|s| s["name"].as_str().expect("name").to_string())
            .collect()
    };
    // Earliest delivery first; at the same moment, by name.
    let (status, link, all) = page("");
    assert_eq!((status, link), (200, None));
    assert_eq!(names(&all), ["twitter-b", "twitter-a", "twitter-c"]);
    // The window is off (support::serve): a is delivered at 2030-10-23T08:48:00Z, Unix
    // second 1918975680.
    let first = page("?limit=2");
    let next = "</schedules?after=1918975680.twitter-a&limit=2>; rel=\"next\"";
    assert_eq!((first.0, first.1.as_deref()), (200, Some(next)));
    assert_eq!(first.2, json!([all[0], all[1]]));
    // The cursor's own schedule, the newest row, is cancelled and another is created at
    // the same moment (SQLite gives it the freed row id): it sorts after the cursor by
    // name, so the next page lists it.
    let cancel = json!({"detail-type": "Cancel Social Post", "source": "test",
                        "detail": {"platform": "twitter", "referenceNumber": "a"}});
    assert_eq!(post(&server.base, &cancel).0, 200);
    let late = readme_event("ab", "2030-10-23T08:48:00");
    assert_eq!(post(&server.base, &late).0, 201);
    let rest = page("?after=1918975680.twitter-a&limit=2");
    assert_eq!((rest.0, rest.1), (200, None));
    assert_eq!(names(&rest.2), ["twitter-ab", "twitter-c"]);
    assert_eq!(page("?after=1918975680.twitter-c"), (200, None, json!([])));
    // limit is checked as for GET /events (tests/event_target.rs); the cursor is its own.
    let not_a_cursor = |text: &str| {
        support::api::invalid_request(&format!(
            "after must be the cursor of a schedule from a Link header of GET /schedules \
             (<fire time>.<name>), not {text:?}"
        ))
    };
    assert_eq!(page("?after=3"), not_a_cursor("3"));
    assert_eq!(page("?after=-1.twitter-a"), not_a_cursor("-1.twitter-a"));
    assert_eq!(page("?after=1.twitter%2Fa"), not_a_cursor("1.twitter/a"));
    assert_eq!(page("?after=1."), not_a_cursor("1."));
    assert_eq!(
        page("?limit=0").2["message"],
        "limit must be a whole number from 1 to 1000, not \"0\""
    );
}
