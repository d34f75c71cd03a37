//! A delivery whose final attempt fails without an outcome (the sender component traps on
//! every delivery) goes to the dead-letter queue of `sps serve` and is reported: every
//! accepted post ends in an outcome event (`Social Post Failed`, `delivery-failed`).

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/hostile.rs"]
mod hostile;
mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::api::{events_until, get, post, readme_event, secrets_file};
use support::fake_x::FakeX;

#[test]
fn a_sender_that_traps_ends_in_a_dead_letter_and_a_failed_event() {
    let components = hostile::components(None, &[]);
    std::fs::copy(
        hostile::hostile_wasm("trapsender"),
        components.path().join("sps_sender.wasm"),
    )
    .expect("the trapping sender");
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let mut cmd = support::serve::command(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    cmd.env("SPS_COMPONENTS_DIR", components.path())
        .env("SPS_RETRY_BACKOFF_SECONDS", "1");
    let server = support::serve::spawn(cmd);
    let date = support::utc_in(1);
    assert_eq!(post(&server.base, &readme_event("trapped", &date)).0, 201);
    // Five deliveries, 1 + 2 + 4 + 8 s apart, then the dead letter.
    let started = Instant::now();
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let message = "the final delivery failed without an outcome (the sender component failed: \
        wasm trap: wasm `unreachable` instruction executed); the post may or may not have been \
        published; see GET /dead-letters";
    assert_eq!(
        events,
        vec![
            (
                "Post Scheduled".to_string(),
                json!({"referenceNumber": "trapped", "scheduledDate": date})
            ),
            (
                "Social Post Failed".to_string(),
                json!({"referenceNumber": "trapped", "reason": "delivery-failed", "reasonMessage": message,
                    "retryable": false, "stage": "sending"})
            ),
        ]
    );
    let dead = get(&server.base, "/dead-letters");
    assert_eq!(dead.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (
            &dead[0]["scheduleName"],
            &dead[0]["attempts"],
            &dead[0]["error"]
        ),
        (
            &json!("twitter-trapped"),
            &json!(5),
            &json!(
                "the sender component failed: wasm trap: wasm `unreachable` instruction executed"
            )
        )
    );
    assert_eq!(support::api::schedules_once_empty(&server.base), json!([]));
    assert!(x.received().is_empty());
}
