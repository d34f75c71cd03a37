//! Deliveries of `sps serve` side by side: a stuck X call holds back no other post, a 429
//! with a reset time holds the platform's further deliveries until the reset instead of
//! collecting one 429 per post, and an update that races the delivery is refused.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::api::{events_until, post, readme_event, secrets_file};
use support::fake_x::FakeX;
use support::serve::{command, Serve};

/// [`support::serve::serve`] with a 1 s retry backoff.
fn serve_fast_retries(data: &std::path::Path, x: &FakeX, secrets: &std::path::Path) -> Serve {
    let mut cmd = command(data, x, secrets);
    cmd.env("SPS_RETRY_BACKOFF_SECONDS", "1");
    support::serve::spawn(cmd)
}

fn event(reference: &str, message: &str, date: &str) -> Value {
    let mut event = readme_event(reference, date);
    event["detail"]["message"] = json!(message);
    event
}

fn sent_references(events: &[(String, Value)]) -> Vec<String> {
    events
        .iter()
        .filter(|(t, _)| t == "Social Post Sent")
        .map(|(_, d)| {
            d["referenceNumber"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// X takes 3 s over one post (below the 4 s first-byte timeout): the four others due at the same second are sent meanwhile.
#[test]
fn one_stuck_post_does_not_hold_back_the_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    x.slow_text("Stuck", Duration::from_secs(3));
    let server = serve_fast_retries(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let date = support::utc_in(1);
    assert_eq!(post(&server.base, &event("stuck", "Stuck", &date)).0, 201);
    for i in 0..4 {
        assert_eq!(
            post(
                &server.base,
                &event(&format!("quick{i}"), &format!("Quick {i}"), &date)
            )
            .0,
            201
        );
    }
    let events = events_until(&server.base, |e| sent_references(e).len() >= 4);
    let mut sent = sent_references(&events);
    sent.sort();
    assert_eq!(sent, ["quick0", "quick1", "quick2", "quick3"]);
    let events = events_until(&server.base, |e| sent_references(e).len() >= 5);
    assert_eq!(
        sent_references(&events).last().map(String::as_str),
        Some("stuck")
    );
    assert_eq!(x.received().len(), 5);
}

/// X rate-limits until a reset 6 s ahead: the first post collects the 429; the three that
/// fall due during the hold wait for the reset instead of each collecting a 429; all four
/// go out after it.
#[test]
fn a_rate_limit_holds_the_platform_until_its_reset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve_fast_retries(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let now = chrono::Utc::now().timestamp();
    let reset = u64::try_from(now + 6).expect("time");
    x.rate_limit_until(reset);
    assert_eq!(
        post(&server.base, &event("first", "First", &support::utc_in(1))).0,
        201
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while x.received().is_empty() {
        assert!(Instant::now() < deadline, "X was never called");
        std::thread::sleep(Duration::from_millis(50));
    }
    let later = support::utc_in(1);
    for i in 0..3 {
        assert_eq!(
            post(
                &server.base,
                &event(&format!("held{i}"), &format!("Held {i}"), &later)
            )
            .0,
            201
        );
    }
    let events = events_until(&server.base, |e| sent_references(e).len() >= 4);
    let mut sent = sent_references(&events);
    sent.sort();
    assert_eq!(sent, ["first", "held0", "held1", "held2"]);
    // One 429 (the first post's) and one request per post after the reset.
    let received = x.received();
    assert_eq!(received.len(), 5, "{received:?}");
    assert_eq!(received[0].text.as_deref(), Some("First"));
    assert!(chrono::Utc::now().timestamp() >= now + 6);
    let after_reset = received[1..].iter().all(|r| {
        r.oauth
            .get("oauth_timestamp")
            .and_then(|t| t.parse::<u64>().ok())
            .is_some_and(|t| t >= reset)
    });
    assert!(after_reset, "{received:?}");
}

/// An update of a post whose delivery is under way is refused (the old version is going
/// out; accepting it could publish both), and only the first version is published.
#[test]
fn an_update_racing_the_delivery_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    x.delay(Duration::from_secs(3));
    let server = serve_fast_retries(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let date = support::utc_in(1);
    assert_eq!(
        post(&server.base, &event("race", "Version one", &date)).0,
        201
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while x.received().is_empty() {
        assert!(Instant::now() < deadline, "X was never called");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, body) = post(&server.base, &event("race", "Version two", &date));
    let message = "schedule twitter-race was refused: schedule twitter-race is being delivered \
        right now; it can no longer be changed";
    assert_eq!(
        (status, body),
        (
            422,
            json!({"status": "rejected", "reason": "schedule-rejected", "message": message,
                "referenceNumber": "race"})
        )
    );
    let events = events_until(&server.base, |e| !sent_references(e).is_empty());
    assert_eq!(sent_references(&events), ["race"]);
    std::thread::sleep(Duration::from_secs(2));
    let texts: Vec<_> = x.received().iter().map(|r| r.text.clone()).collect();
    assert_eq!(texts, [Some("Version one".to_string())]);
    let failed: Vec<_> = events
        .iter()
        .filter(|(t, _)| t == "Social Post Failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].1,
        json!({"referenceNumber": "race", "reason": "schedule-rejected", "reasonMessage": message, "retryable": false, "stage": "scheduling"})
    );
}
