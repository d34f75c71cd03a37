//! The sending rules around time, driven through the in-memory `Capabilities` of `support`:
//! an `in-flight` claim (retry after the grace period, or `unknown-outcome` without
//! publishing), `expired` deliveries, and `report_undelivered`.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use sps_sender::flow::{IN_FLIGHT_GRACE_SECONDS, MAX_LATENESS_SECONDS};
use sps_sender::{
    report_undelivered, send_post, Entry, EventError, FailureReport, LedgerError, PublishError,
};
use support::*;

/// `CLAIM_TIME + IN_FLIGHT_GRACE_SECONDS`.
const GRACE_OVER: u64 = 1_767_225_780;
/// The within-grace message for [`CLAIM_TIME`], spelled out.
const WAIT_MESSAGE: &str = "another delivery of this post claimed it at 2026-01-01T00:00:00Z \
     and has recorded no outcome yet";
/// The cut-short message for [`CLAIM_TIME`], spelled out.
const CUT_SHORT: &str = "an earlier delivery claimed this post at 2026-01-01T00:00:00Z \
     and recorded no outcome (it was cut short): the post may have been published, so it is \
     not sent again";

/// A fake whose ledger holds `in-flight(CLAIM_TIME)` for the post, with the clock at `now`.
fn in_flight_at(now: u64) -> Fake {
    let mut fake = Fake::new();
    fake.ledger.insert(key(), in_flight(CLAIM_TIME));
    fake.now = now;
    fake
}

/// Only the claim was made; no event, no platform call, `in-flight(claimed_at)` kept.
fn assert_waited(fake: &Fake, claimed_at: u64, label: &str) {
    assert_eq!(fake.calls, vec![Call::Claim(key())], "{label}");
    assert_eq!(fake.events(), vec![], "{label}");
    assert_eq!(fake.platform_calls(), 0, "{label}");
    let entry = Some(in_flight(claimed_at));
    assert_eq!(fake.ledger.get(&key()), entry.as_ref(), "{label}");
}

/// `Social Post Failed` with `unknown-outcome`, not retryable.
fn unknown_event(message: &str) -> Call {
    failed_event("testtweet", "unknown-outcome", message, false)
}

/// The claim, then `Social Post Failed` with `message`; no platform call, the claim kept.
fn assert_cut_short(fake: &Fake, message: &str, claimed_at: u64, label: &str) {
    let calls = vec![Call::Claim(key()), unknown_event(message)];
    assert_eq!(fake.calls, calls, "{label}");
    assert_eq!(fake.platform_calls(), 0, "{label}");
    let entry = Some(in_flight(claimed_at));
    assert_eq!(fake.ledger.get(&key()), entry.as_ref(), "{label}");
}

#[test]
fn constants_are_exact() {
    assert_eq!(IN_FLIGHT_GRACE_SECONDS, 180);
    assert_eq!(MAX_LATENESS_SECONDS, 3600);
    assert_eq!(GRACE_OVER, CLAIM_TIME + 180);
    assert_eq!(in_flight_message(CLAIM_TIME), WAIT_MESSAGE);
    assert_eq!(cut_short_message(CLAIM_TIME), CUT_SHORT);
}

// ---------------------------------------------------------------- in-flight

#[test]
fn in_flight_within_grace_asks_for_a_retry_after_it() {
    for delivery in [FIRST, SECOND] {
        let mut fake = in_flight_at(NOW);
        // Whatever the platform would answer, it is not asked.
        fake.platform_script.push_back(Ok("999".to_owned()));
        assert_eq!(
            send_post(&mut fake, &input(), delivery),
            Err(retry_later(
                Some(GRACE_OVER),
                "unknown-outcome",
                WAIT_MESSAGE
            )),
            "{delivery:?}"
        );
        assert_waited(&fake, CLAIM_TIME, &format!("{delivery:?}"));
    }
}

#[test]
fn in_flight_grace_boundary() {
    // Still within: the claim's own second and the last second before the grace is over,
    // and a claim stamped in the future (clock skew between deliveries).
    for now in [CLAIM_TIME, CLAIM_TIME + 179, CLAIM_TIME - 1] {
        let mut fake = in_flight_at(now);
        assert_eq!(
            send_post(&mut fake, &input(), FIRST),
            Err(retry_later(
                Some(GRACE_OVER),
                "unknown-outcome",
                WAIT_MESSAGE
            )),
            "now={now}"
        );
        assert_waited(&fake, CLAIM_TIME, &format!("now={now}"));
    }
    // Over: exactly claimed_at + 180, and after.
    for now in [CLAIM_TIME + 180, CLAIM_TIME + 181, CLAIM_TIME + 86_400] {
        let mut fake = in_flight_at(now);
        assert_eq!(
            send_post(&mut fake, &input(), FIRST),
            Err(failed("unknown-outcome", CUT_SHORT, false)),
            "now={now}"
        );
        assert_cut_short(&fake, CUT_SHORT, CLAIM_TIME, &format!("now={now}"));
    }
}

#[test]
fn in_flight_after_grace_is_unknown_outcome_on_every_attempt() {
    for delivery in [FIRST, SECOND, LAST] {
        let mut fake = in_flight_at(GRACE_OVER);
        assert_eq!(
            send_post(&mut fake, &input(), delivery),
            Err(failed("unknown-outcome", CUT_SHORT, false)),
            "{delivery:?}"
        );
        assert_cut_short(&fake, CUT_SHORT, CLAIM_TIME, &format!("{delivery:?}"));
    }
}

#[test]
fn final_delivery_within_grace_is_unknown_outcome() {
    for now in [CLAIM_TIME, NOW, CLAIM_TIME + 179] {
        let mut fake = in_flight_at(now);
        assert_eq!(
            send_post(&mut fake, &input(), LAST),
            Err(failed("unknown-outcome", CUT_SHORT, false)),
            "now={now}"
        );
        assert_cut_short(&fake, CUT_SHORT, CLAIM_TIME, &format!("now={now}"));
    }
}

#[test]
fn in_flight_failed_event_failure_is_retry_later() {
    let mut fake = in_flight_at(GRACE_OVER);
    fake.event_script
        .push_back(Err(EventError::Unavailable("bus down".to_owned())));
    assert_eq!(
        send_post(&mut fake, &input(), LAST),
        Err(retry_later(
            None,
            "events-unavailable",
            &format!(
                "could not publish the Social Post Failed event (unknown-outcome: {CUT_SHORT}): \
                 unavailable: bus down"
            )
        ))
    );
    assert_cut_short(&fake, CUT_SHORT, CLAIM_TIME, "events down");
}

#[test]
fn in_flight_retry_at_saturates() {
    let claimed_at = u64::MAX - 10;
    let mut fake = Fake::new();
    fake.ledger.insert(key(), in_flight(claimed_at));
    assert_eq!(
        send_post(&mut fake, &input(), FIRST),
        Err(retry_later(
            Some(u64::MAX),
            "unknown-outcome",
            "another delivery of this post claimed it at 18446744073709551605 (Unix seconds) \
             and has recorded no outcome yet"
        ))
    );
    assert_waited(&fake, claimed_at, "saturated");
}

#[test]
fn in_flight_wins_over_expired() {
    // The ledger is read first: a late delivery of an in-flight post is not `expired`.
    let mut fake = in_flight_at(NOW);
    assert_eq!(
        send_post(&mut fake, &input(), due(FIRST, NOW - 7200)),
        Err(retry_later(
            Some(GRACE_OVER),
            "unknown-outcome",
            WAIT_MESSAGE
        ))
    );
    assert_waited(&fake, CLAIM_TIME, "within grace");

    let mut fake = in_flight_at(GRACE_OVER);
    assert_eq!(
        send_post(&mut fake, &input(), due(LAST, NOW - 7200)),
        Err(failed("unknown-outcome", CUT_SHORT, false))
    );
    assert_cut_short(&fake, CUT_SHORT, CLAIM_TIME, "grace over");
}

#[test]
fn unknown_outcome_then_redeliveries_never_publish() {
    let mut fake = Fake::new();
    fake.platform_script
        .push_back(Err(PublishError::UnknownOutcome("HTTP 503".into())));
    assert_eq!(
        send_post(&mut fake, &input(), FIRST),
        Err(failed("unknown-outcome", "HTTP 503", false))
    );
    assert_eq!(fake.ledger.get(&key()), Some(&in_flight(NOW)));
    // A duplicate delivery inside the grace period waits for it ...
    fake.now = NOW + 5;
    assert_eq!(
        send_post(&mut fake, &input(), SECOND),
        Err(retry_later(
            Some(NOW + 180),
            "unknown-outcome",
            "another delivery of this post claimed it at 2026-01-01T00:00:10Z and has \
             recorded no outcome yet"
        ))
    );
    // ... and after it reports without publishing.
    fake.now = NOW + 180;
    let cut_short = "an earlier delivery claimed this post at 2026-01-01T00:00:10Z and \
         recorded no outcome (it was cut short): the post may have been published, so it is \
         not sent again";
    assert_eq!(
        send_post(&mut fake, &input(), SECOND),
        Err(failed("unknown-outcome", cut_short, false))
    );
    let mut calls = claim_and_publish();
    calls.push(unknown_event("HTTP 503"));
    calls.push(Call::Claim(key()));
    calls.push(Call::Claim(key()));
    calls.push(unknown_event(cut_short));
    assert_eq!(fake.calls, calls);
    assert_eq!(fake.platform_calls(), 1);
    assert_eq!(fake.ledger.get(&key()), Some(&in_flight(NOW)));
}

#[test]
fn record_part_failure_then_duplicate_delivery_is_not_published_again() {
    let mut fake = Fake::new();
    fake.record_script
        .push_back(Err(LedgerError::Unavailable("db locked".to_owned())));
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    fake.now = NOW + 180;
    let cut_short = cut_short_message(NOW);
    assert_eq!(
        send_post(&mut fake, &input(), FIRST),
        Err(failed("unknown-outcome", &cut_short, false))
    );
    let mut calls = claim_and_publish();
    // No record-sent: the part is not recorded, so the claim stays.
    calls.push(Call::RecordPart(key(), 0, POST_ID.to_owned()));
    calls.push(sent_event("testtweet", POST_ID));
    calls.push(Call::Claim(key()));
    calls.push(unknown_event(&cut_short));
    assert_eq!(fake.calls, calls);
    assert_eq!(fake.platform_calls(), 1);
    assert_eq!(fake.ledger.get(&key()), Some(&in_flight(NOW)));
}

#[test]
fn record_sent_failure_then_duplicate_delivery_reports_the_recorded_part_as_sent() {
    let mut fake = Fake::new();
    fake.record_script.push_back(Ok(()));
    fake.record_script
        .push_back(Err(LedgerError::Unavailable("db locked".to_owned())));
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    // At once, not after the grace period: every part is recorded as published.
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    let mut calls = claim_and_publish();
    calls.extend(recorded(POST_ID));
    calls.push(sent_event("testtweet", POST_ID));
    calls.push(Call::Claim(key()));
    calls.push(sent_event("testtweet", POST_ID));
    assert_eq!(fake.calls, calls);
    assert_eq!(fake.platform_calls(), 1);
    let held = Entry::InFlight {
        claimed_at: NOW,
        parts: vec![published(POST_ID)],
    };
    assert_eq!(fake.ledger.get(&key()), Some(&held));
}

// ---------------------------------------------------------------- expired

/// The calls and ledger of a delivery that published the post.
fn assert_published(fake: &Fake, label: &str) {
    let mut calls = claim_and_publish();
    calls.extend(recorded(POST_ID));
    calls.push(sent_event("testtweet", POST_ID));
    assert_eq!(fake.calls, calls, "{label}");
    assert_eq!(fake.platform_calls(), 1, "{label}");
    let entry = Some(sent_entry(POST_ID));
    assert_eq!(fake.ledger.get(&key()), entry.as_ref(), "{label}");
}

/// The calls of an `expired` delivery: claim, release, `Social Post Failed`; no platform
/// call, and the ledger holds `entry` (nothing once the release worked).
fn assert_expired(fake: &Fake, message: &str, entry: Option<Entry>, label: &str) {
    let event = failed_event("testtweet", "expired", message, false);
    let calls = vec![Call::Claim(key()), Call::Release(key()), event];
    assert_eq!(fake.calls, calls, "{label}");
    assert_eq!(fake.platform_calls(), 0, "{label}");
    assert_eq!(fake.ledger.get(&key()), entry.as_ref(), "{label}");
}

#[test]
fn late_by_exactly_the_limit_is_published() {
    for delivery in [FIRST, LAST] {
        let mut fake = Fake::new();
        assert_eq!(
            send_post(&mut fake, &input(), due(delivery, NOW - 3600)),
            Ok(sent())
        );
        assert_published(&fake, &format!("{delivery:?}"));
    }
}

#[test]
fn one_second_over_the_limit_is_expired() {
    let message = "the delivery came 3601 s after the schedule was due at 2025-12-31T23:00:09Z, \
         more than the 3600 s allowed; the post was not published";
    assert_eq!(expired_message(3601, NOW - 3601), message);
    for delivery in [FIRST, SECOND, LAST] {
        let mut fake = Fake::new();
        assert_eq!(
            send_post(&mut fake, &input(), due(delivery, NOW - 3601)),
            Err(failed("expired", message, false)),
            "{delivery:?}"
        );
        assert_expired(&fake, message, None, &format!("{delivery:?}"));
    }
}

#[test]
fn long_overdue_is_expired() {
    let cases = [
        (NOW - 86_400, expired_message(86_400, NOW - 86_400)),
        (
            0,
            "the delivery came 1767225610 s after the schedule was due at 1970-01-01T00:00:00Z, \
             more than the 3600 s allowed; the post was not published"
                .to_owned(),
        ),
    ];
    for (due_at, message) in cases {
        let mut fake = Fake::new();
        assert_eq!(
            send_post(&mut fake, &input(), due(FIRST, due_at)),
            Err(failed("expired", &message, false)),
            "due_at={due_at}"
        );
        assert_expired(&fake, &message, None, &format!("due_at={due_at}"));
    }
}

#[test]
fn on_time_early_or_unknown_due_time_is_published() {
    // (delivery, clock): without a due time the clock does not matter.
    let cases = [
        (due(FIRST, NOW), NOW),
        (due(FIRST, NOW - 1), NOW),
        (due(FIRST, NOW + 600), NOW),
        (due(LAST, u64::MAX), NOW),
        (FIRST, NOW),
        (LAST, u64::MAX),
    ];
    for (delivery, now) in cases {
        let mut fake = Fake::new();
        fake.now = now;
        let label = format!("{delivery:?} now={now}");
        assert_eq!(
            send_post(&mut fake, &input(), delivery),
            Ok(sent()),
            "{label}"
        );
        let mut calls = claim_and_publish();
        calls.extend(recorded(POST_ID));
        calls.push(sent_event("testtweet", POST_ID));
        assert_eq!(fake.calls, calls, "{label}");
        // The claim was stamped with the clock, then replaced by the record.
        let entry = Some(sent_entry(POST_ID));
        assert_eq!(fake.ledger.get(&key()), entry.as_ref(), "{label}");
    }
}

#[test]
fn ledger_sent_is_reemitted_even_when_late() {
    for delivery in [due(FIRST, NOW - 3601), due(LAST, 0)] {
        let mut fake = Fake::new();
        fake.ledger.insert(key(), sent_entry("42"));
        assert_eq!(
            send_post(&mut fake, &input(), delivery),
            Ok(sent_as("testtweet", "42")),
            "{delivery:?}"
        );
        let calls = vec![Call::Claim(key()), sent_event("testtweet", "42")];
        assert_eq!(fake.calls, calls, "{delivery:?}");
        assert_eq!(fake.platform_calls(), 0, "{delivery:?}");
        let entry = Some(sent_entry("42"));
        assert_eq!(fake.ledger.get(&key()), entry.as_ref(), "{delivery:?}");
    }
}

#[test]
fn expired_is_checked_before_the_platform_is_looked_up() {
    let mut fake = Fake::new();
    fake.supported.clear();
    let message = expired_message(3601, NOW - 3601);
    assert_eq!(
        send_post(&mut fake, &input(), due(FIRST, NOW - 3601)),
        Err(failed("expired", &message, false))
    );
    assert_expired(&fake, &message, None, "no platform");
}

#[test]
fn late_delivery_with_the_ledger_unavailable_is_ledger_unavailable() {
    let mut fake = Fake::new();
    fake.claim_script
        .push_back(Err(LedgerError::Unavailable("db down".to_owned())));
    assert_eq!(
        send_post(&mut fake, &input(), due(FIRST, 0)),
        Err(retry_later(
            None,
            "ledger-unavailable",
            "the send ledger is unavailable: db down"
        ))
    );
    assert_eq!(fake.calls, vec![Call::Claim(key())]);
    assert!(fake.ledger.is_empty());
}

#[test]
fn expired_event_failure_is_retry_later_and_released() {
    let delivery = due(FIRST, NOW - 3601);
    let message = expired_message(3601, NOW - 3601);
    let mut fake = Fake::new();
    fake.event_script
        .push_back(Err(EventError::Unavailable("bus down".to_owned())));
    assert_eq!(
        send_post(&mut fake, &input(), delivery),
        Err(retry_later(
            None,
            "events-unavailable",
            &format!(
                "could not publish the Social Post Failed event (expired: {message}): \
                 unavailable: bus down"
            )
        ))
    );
    assert_expired(&fake, &message, None, "first");
    // The next delivery is expired too and reports it.
    fake.calls.clear();
    assert_eq!(
        send_post(&mut fake, &input(), delivery),
        Err(failed("expired", &message, false))
    );
    assert_expired(&fake, &message, None, "second");
}

#[test]
fn expired_release_failure_keeps_the_claim() {
    let message = expired_message(3601, NOW - 3601);
    let mut fake = Fake::new();
    fake.release_script
        .push_back(Err(LedgerError::Unavailable("db locked".to_owned())));
    assert_eq!(
        send_post(&mut fake, &input(), due(FIRST, NOW - 3601)),
        Err(failed("expired", &message, false))
    );
    // The release failed: the claim stays as stamped.
    assert_expired(&fake, &message, Some(in_flight(NOW)), "release failed");
}

// ---------------------------------------------------------------- report_undelivered

const TRAPPED: &str = "the sender failed on the final delivery: wasm trap: unreachable";

/// The report of `report_undelivered` (never retryable).
fn undelivered_report(reference: &str, code: &str, message: &str) -> FailureReport {
    FailureReport {
        reference_number: Some(reference.to_owned()),
        code: code.to_owned(),
        message: message.to_owned(),
        retryable: false,
    }
}

#[test]
fn report_undelivered_publishes_failed_without_platform_or_ledger() {
    // Whatever the ledger holds, it is neither read nor changed.
    let sent_42 = sent_entry("42");
    for entry in [None, Some(in_flight(CLAIM_TIME)), Some(sent_42)] {
        let mut fake = Fake::new();
        if let Some(entry) = entry.clone() {
            fake.ledger.insert(key(), entry);
        }
        assert_eq!(
            report_undelivered(&mut fake, &input(), "delivery-failed", TRAPPED),
            Ok(undelivered_report("testtweet", "delivery-failed", TRAPPED)),
            "{entry:?}"
        );
        let event = failed_event("testtweet", "delivery-failed", TRAPPED, false);
        assert_eq!(fake.calls, vec![event], "{entry:?}");
        assert_eq!(fake.platform_calls(), 0, "{entry:?}");
        assert_eq!(fake.ledger.get(&key()), entry.as_ref(), "{entry:?}");
    }
}

#[test]
fn report_undelivered_takes_any_reference_code_and_message() {
    let quoted = "späť 👋 \"quoted\"";
    // (input, reference, code, message): an input that is invalid but carries a reference
    // is reported under it.
    let cases = [
        (input(), "testtweet", "expired", quoted),
        (
            r#"{"referenceNumber":"r1"}"#.to_owned(),
            "r1",
            "delivery-failed",
            TRAPPED,
        ),
        (
            r#"{"referenceNumber":""}"#.to_owned(),
            "",
            "delivery-failed",
            "",
        ),
    ];
    for (text, reference, code, message) in cases {
        let mut fake = Fake::new();
        assert_eq!(
            report_undelivered(&mut fake, &text, code, message),
            Ok(undelivered_report(reference, code, message)),
            "{text}"
        );
        let event = failed_event(reference, code, message, false);
        assert_eq!(fake.calls, vec![event], "{text}");
        assert_eq!(fake.platform_calls(), 0, "{text}");
        assert!(fake.ledger.is_empty(), "{text}");
    }
}

#[test]
fn report_undelivered_without_a_reference_is_an_error() {
    let cases = [
        (
            "",
            "the input carries no reference: schedule input is not valid JSON: EOF while \
             parsing a value at line 1 column 0",
        ),
        (
            "[1]",
            "the input carries no reference: schedule input must be a JSON object, not an array",
        ),
        (
            r#"{"message":"m","platform":"twitter","scheduledDate":"d"}"#,
            "the input carries no reference: schedule input has no referenceNumber",
        ),
        (
            r#"{"referenceNumber":12,"message":"m","platform":"twitter","scheduledDate":"d"}"#,
            "the input carries no reference: schedule input referenceNumber must be a string, \
             not a number",
        ),
    ];
    for (text, error) in cases {
        let mut fake = Fake::new();
        assert_eq!(
            report_undelivered(&mut fake, text, "delivery-failed", TRAPPED),
            Err(error.to_owned()),
            "{text}"
        );
        assert_eq!(fake.calls, vec![], "{text}");
        assert!(fake.ledger.is_empty(), "{text}");
    }
}

#[test]
fn report_undelivered_event_failure_is_an_error() {
    let cases = [
        (
            EventError::Unavailable("bus down".into()),
            "unavailable: bus down",
        ),
        (EventError::Invalid("rejected".into()), "invalid: rejected"),
    ];
    for (event_error, error) in cases {
        let mut fake = Fake::new();
        fake.ledger.insert(key(), in_flight(CLAIM_TIME));
        fake.event_script.push_back(Err(event_error));
        assert_eq!(
            report_undelivered(&mut fake, &input(), "delivery-failed", TRAPPED),
            Err(error.to_owned()),
            "{error}"
        );
        let event = failed_event("testtweet", "delivery-failed", TRAPPED, false);
        assert_eq!(fake.calls, vec![event], "{error}");
        assert_eq!(fake.platform_calls(), 0, "{error}");
        let entry = Some(in_flight(CLAIM_TIME));
        assert_eq!(fake.ledger.get(&key()), entry.as_ref(), "{error}");
    }
}
