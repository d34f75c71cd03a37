//! `Cancel Social Post` end to end: the `sps serve` binary with the real components, an
//! SQLite data directory and the fake X API. A pending post is cancelled (schedule gone,
//! `Social Post Cancelled`, nothing posted); a sent or unknown post is refused with its
//! exact `Social Post Failed` of stage `cancelling`; a cancelled post scheduled again goes
//! out; and cancels racing the fire of many posts never leave a post both sent and
//! cancelled.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};
use support::api::{events_until, get, post, readme_event, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};
use support::serve::{serve, Serve};

fn cancel(reference: &str) -> Value {
    json!({"detail-type": "Cancel Social Post", "source": "test",
        "detail": {"referenceNumber": reference, "platform": "twitter"}})
}

fn cancelled_answer(reference: &str) -> Value {
    json!({"status": "cancelled", "referenceNumber": reference, "scheduleName": format!("twitter-{reference}")})
}

fn cancelled_event(reference: &str) -> (String, Value) {
    (
        "Social Post Cancelled".to_string(),
        json!({"referenceNumber": reference, "platform": "twitter"}),
    )
}

fn cancelling_failed(reference: &str, reason: &str, message: &str) -> (String, Value) {
    (
        "Social Post Failed".to_string(),
        json!({"referenceNumber": reference, "reason": reason, "reasonMessage": message,
            "retryable": false, "stage": "cancelling"}),
    )
}

fn start() -> (Serve, FakeX, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    (server, x, dir)
}

/// The events of `reference`, in order, once `count` are there.
fn events_of(base: &str, reference: &str, count: usize) -> Vec<(String, Value)> {
    let mine = |events: &[(String, Value)]| -> Vec<(String, Value)> {
        events
            .iter()
            .filter(|(_, d)| d["referenceNumber"] == reference)
            .cloned()
            .collect()
    };
    mine(&events_until(base, |e| mine(e).len() >= count))
}

#[test]
fn a_pending_post_is_cancelled_once_and_a_retried_cancel_says_so_again() {
    let (server, x, _dir) = start();
    let (status, _) = post(&server.base, &readme_event("later", "2031-01-01T09:00:00"));
    assert_eq!(status, 201);
    assert_eq!(
        post(&server.base, &cancel("later")),
        (200, cancelled_answer("later"))
    );
    assert_eq!(get(&server.base, "/schedules"), json!([]));
    assert_eq!(
        post(&server.base, &cancel("later")),
        (200, cancelled_answer("later"))
    );
    assert_eq!(
        events_of(&server.base, "later", 3),
        vec![
            (
                "Post Scheduled".to_string(),
                json!({"referenceNumber": "later", "scheduledDate": "2031-01-01T09:00:00"})
            ),
            cancelled_event("later"),
            cancelled_event("later"),
        ]
    );
    assert!(x.received().is_empty());
}

#[test]
fn an_unknown_or_sent_post_is_refused_in_words() {
    let (server, _x, _dir) = start();
    let unknown = "no pending post \"nobody\" on twitter: it was never scheduled, or its \
                   schedule is gone (deleted, or its delivery failed and was reported)";
    assert_eq!(
        post(&server.base, &cancel("nobody")),
        (
            422,
            json!({"status": "rejected", "reason": "schedule-not-found", "message": unknown, "referenceNumber": "nobody"})
        )
    );
    assert_eq!(
        events_of(&server.base, "nobody", 1),
        vec![cancelling_failed("nobody", "schedule-not-found", unknown)]
    );

    post(&server.base, &readme_event("soon", &support::utc_in(1)));
    let sent = events_of(&server.base, "soon", 2);
    assert_eq!(
        sent[1],
        (
            "Social Post Sent".to_string(),
            support::sent_detail("soon", FIRST_ID)
        )
    );
    let message = format!("post \"soon\" on twitter was already published as {FIRST_ID}");
    assert_eq!(
        post(&server.base, &cancel("soon")).1["message"],
        json!(message)
    );
    assert_eq!(
        events_of(&server.base, "soon", 3)[2],
        cancelling_failed("soon", "already-sent", &message)
    );
}

#[test]
fn a_cancelled_post_scheduled_again_goes_out() {
    let (server, x, _dir) = start();
    let date = support::utc_in(2);
    post(&server.base, &readme_event("again", &date));
    assert_eq!(post(&server.base, &cancel("again")).0, 200);
    // The same post, the same date: its ledger key was cancelled, and is freed again.
    assert_eq!(post(&server.base, &readme_event("again", &date)).0, 201);
    let events = events_of(&server.base, "again", 4);
    assert_eq!(
        events[3],
        (
            "Social Post Sent".to_string(),
            support::sent_detail("again", FIRST_ID)
        )
    );
    assert_eq!(x.received().len(), 1);
}

#[test]
fn cancels_racing_the_fire_never_leave_a_post_both_sent_and_cancelled() {
    let (server, x, _dir) = start();
    let references: Vec<String> = (0..12).map(|i| format!("race{i}")).collect();
    let date = support::utc_in(2);
    for reference in &references {
        assert_eq!(post(&server.base, &readme_event(reference, &date)).0, 201);
    }
    // Cancel each around the moment it fires, a few ms apart.
    let wait = chrono::DateTime::parse_from_rfc3339(&format!("{date}Z"))
        .unwrap()
        .timestamp_millis()
        - chrono::Utc::now().timestamp_millis();
    std::thread::sleep(std::time::Duration::from_millis(
        u64::try_from(wait - 30).unwrap_or(0),
    ));
    let answers: Vec<(String, u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = references
            .iter()
            .enumerate()
            .map(|(i, reference)| {
                let base = server.base.clone();
                s.spawn(move || {
                    std::thread::sleep(std::time::Duration::from_millis(5 * i as u64));
                    let (status, body) = post(&base, &cancel(reference));
                    (reference.clone(), status, body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (mut sent, mut cancelled) = (0, 0);
    for (reference, status, body) in answers {
        // Every post ends in exactly one of: cancelled, or sent (the cancel refused).
        let expected: &[&str] = match status {
            200 => &["Post Scheduled", "Social Post Cancelled"],
            422 => &["Post Scheduled", "Social Post Failed", "Social Post Sent"],
            other => panic!("{reference}: {other} {body}"),
        };
        let events = events_of(&server.base, &reference, expected.len());
        let mut kinds: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
        // A cancel while the delivery holds the post is answered before it is sent.
        kinds.sort_unstable();
        assert_eq!(kinds, expected, "{reference}: {body}");
        if status == 200 {
            cancelled += 1;
        } else {
            sent += 1;
            let reason = body["reason"].as_str().unwrap();
            assert!(
                ["already-sent", "already-sending"].contains(&reason),
                "{body}"
            );
        }
    }
    println!("of 12 cancels racing the fire: {cancelled} cancelled, {sent} too late");
    assert_eq!(sent + cancelled, 12);
    // A cancelled post never reached X.
    assert_eq!(x.received().len(), sent);
}
