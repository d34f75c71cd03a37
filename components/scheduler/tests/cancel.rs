//! `Cancel Social Post` through the scheduling rules, against the in-memory capabilities of
//! `support` (a schedule store and a send ledger that decides a cancel as the WIT says):
//! a pending post is cancelled once and a retried cancel says so again; a post being sent,
//! sent, or unknown is refused with its exact `Social Post Failed` (stage `cancelling`);
//! a post cancelled and then scheduled again goes out.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};
use sps_scheduler::{cancel_post, schedule_post, Cancelled, ScheduleFailure};
use support::*;

/// python3: sha256 of the length-prefixed `twitter`, `testtweet`, `2026-03-02T08:48:00`,
/// `Hello world!` (the ledger key of the post `detail("testtweet", ...)` schedules).
const KEY: &str = "47dc9e5d82ec92197076795d1b400f39d17b1a15b48d27287c92e5974fa365eb";

fn cancel(reference: Value, platform: &str) -> String {
    json!({"detail-type": "Cancel Social Post", "source": "test",
        "detail": {"referenceNumber": reference, "platform": platform}})
    .to_string()
}

/// A fake with `testtweet` scheduled (and its calls cleared).
fn scheduled() -> Fake {
    let mut fake = Fake::new();
    schedule_post(
        &mut fake,
        &envelope(detail("testtweet", "2026-03-02T08:48:00")),
    )
    .unwrap();
    fake.calls.clear();
    fake
}

fn cancelled_event(reference: &str) -> Call {
    publish((
        "Social Post Cancelled".to_owned(),
        "SocialPostScheduler".to_owned(),
        json!({"referenceNumber": reference, "platform": "twitter"}),
    ))
}

/// `Social Post Failed` of stage `cancelling`.
fn cancelling_failed(reference: &str, code: &str, message: &str) -> (String, String, Value) {
    let (detail_type, source, mut detail) = failed_event(reference, code, message);
    detail["stage"] = json!("cancelling");
    (detail_type, source, detail)
}

fn refused(code: &str, message: &str) -> Result<Cancelled, ScheduleFailure> {
    Err(rejected(code, message, Some("testtweet")))
}

#[test]
fn a_pending_post_is_cancelled_its_schedule_deleted_and_reported() {
    let mut fake = scheduled();
    let result = cancel_post(&mut fake, &cancel(json!("testtweet"), "twitter"));
    assert_eq!(
        result,
        Ok(Cancelled {
            reference_number: "testtweet".to_owned(),
            schedule_name: "twitter-testtweet".to_owned(),
        })
    );
    assert_eq!(
        fake.calls,
        vec![
            Call::Supported,
            Call::Get("twitter-testtweet".to_owned()),
            Call::CancelKey(KEY.to_owned()),
            Call::Delete("twitter-testtweet".to_owned()),
            cancelled_event("testtweet"),
        ]
    );
    assert!(fake.store.is_empty());
    assert_eq!(fake.ledger.get(KEY), Some(&KeyState::Cancelled));

    // A retried cancel (say its answer was lost) finds its own cancellation.
    fake.calls.clear();
    let again = cancel_post(&mut fake, &cancel(json!("testtweet"), "twitter"));
    assert_eq!(again, result);
    assert_eq!(
        fake.calls,
        vec![
            Call::Supported,
            Call::Get("twitter-testtweet".to_owned()),
            Call::NotedKey("twitter-testtweet".to_owned()),
            Call::CancelKey(KEY.to_owned()),
            Call::Delete("twitter-testtweet".to_owned()),
            cancelled_event("testtweet"),
        ]
    );
}

#[test]
fn a_cancelled_post_scheduled_again_goes_out() {
    let mut fake = scheduled();
    cancel_post(&mut fake, &cancel(json!("testtweet"), "twitter")).unwrap();
    schedule_post(
        &mut fake,
        &envelope(detail("testtweet", "2026-03-02T08:48:00")),
    )
    .unwrap();
    assert_eq!(fake.ledger.get(KEY), None);
    assert!(fake.store.contains_key("twitter-testtweet"));
}

#[test]
fn a_post_being_sent_or_sent_is_refused() {
    let cases = [
        (
            KeyState::InFlight(1_767_225_600),
            "already-sending",
            "post \"testtweet\" on twitter is being sent, or its outcome is unknown (a \
             delivery claimed it at 2026-01-01T00:00:00Z and recorded no outcome); it may be \
             published, so it cannot be cancelled",
        ),
        (
            KeyState::Sent(vec!["1".to_owned(), "2".to_owned()]),
            "already-sent",
            "post \"testtweet\" on twitter was already published as 1, 2",
        ),
    ];
    for (state, code, message) in cases {
        // The schedule still pending (its delivery under way) or already gone.
        for pending in [true, false] {
            let mut fake = scheduled();
            if !pending {
                fake.store.clear();
            }
            fake.ledger.insert(KEY.to_owned(), state.clone());
            let result = cancel_post(&mut fake, &cancel(json!("testtweet"), "twitter"));
            assert_eq!(result, refused(code, message), "{code} {pending}");
            assert_eq!(
                fake.published(),
                vec![cancelling_failed("testtweet", code, message)]
            );
            assert!(!fake
                .calls
                .contains(&Call::Delete("twitter-testtweet".to_owned())));
            assert_eq!(fake.ledger.get(KEY), Some(&state));
        }
    }
}

#[test]
fn an_unknown_post_or_a_gone_schedule_is_schedule_not_found() {
    let message = "no pending post \"testtweet\" on twitter: it was never scheduled, or its \
                   schedule is gone (deleted, or its delivery failed and was reported)";
    // Never scheduled: no schedule, no noted key.
    let mut fake = Fake::new();
    let result = cancel_post(&mut fake, &cancel(json!("testtweet"), "twitter"));
    assert_eq!(result, refused("schedule-not-found", message));
    assert_eq!(
        fake.calls,
        vec![
            Call::Supported,
            Call::Get("twitter-testtweet".to_owned()),
            Call::NotedKey("twitter-testtweet".to_owned()),
            publish(cancelling_failed(
                "testtweet",
                "schedule-not-found",
                message
            )),
        ]
    );
    // Scheduled, then its schedule went without a delivery touching the key.
    let mut fake = scheduled();
    fake.store.clear();
    let result = cancel_post(&mut fake, &cancel(json!("testtweet"), "twitter"));
    assert_eq!(result, refused("schedule-not-found", message));
}

#[test]
fn bad_cancels_are_rejected_with_their_exact_events() {
    let mut fake = Fake::new();
    let no_reference =
        json!({"detail-type": "Cancel Social Post", "detail": {"platform": "twitter"}});
    let result = cancel_post(&mut fake, &no_reference.to_string());
    // No post is named: answered, no event under a made-up reference.
    assert_eq!(
        result,
        Err(rejected(
            "missing-field",
            "referenceNumber is required",
            None
        ))
    );
    assert_eq!(fake.calls, vec![]);
    let mut fake = Fake::new();
    let empty = json!({"detail-type": "Cancel Social Post",
        "detail": {"referenceNumber": "", "platform": "twitter"}});
    assert_eq!(
        cancel_post(&mut fake, &empty.to_string()),
        Err(rejected(
            "invalid-field",
            "referenceNumber must name the post to cancel: a string of 1 to 1024 characters",
            None
        ))
    );
    assert_eq!(fake.calls, vec![]);
    let mut fake = Fake::new();
    let scheduling = envelope(detail("testtweet", "2026-03-02T08:48:00"));
    let result = cancel_post(&mut fake, &scheduling);
    let message =
        "detail-type \"Schedule Social Post\" is not supported; expected \"Cancel Social Post\"";
    assert_eq!(result, refused("unsupported-detail-type", message));
    let mut fake = Fake::new();
    let result = cancel_post(&mut fake, &cancel(json!("r"), "Twitter"));
    let message = "platform \"Twitter\" is not supported; supported platforms: twitter";
    assert_eq!(
        result,
        Err(rejected("unsupported-platform", message, Some("r")))
    );
    assert_eq!(
        fake.published(),
        vec![cancelling_failed("r", "unsupported-platform", message)]
    );
    let mut fake = Fake::new();
    let result = cancel_post(&mut fake, "[1]");
    assert_eq!(
        result,
        Err(rejected(
            "invalid-event",
            "event must be a JSON object, not an array",
            None
        ))
    );
    assert_eq!(fake.calls, vec![]);
}
