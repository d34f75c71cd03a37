//! `check-post` (`POST /validate`): the same answer `schedule-post` would give, the parts'
//! lengths, and nothing scheduled, booked or published.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use sps_scheduler::{check_post, Check, MessageError, PartLength, Rejection};
use support::*;

fn rejection(code: &str, message: &str) -> Option<Rejection> {
    Some(Rejection {
        code: code.to_owned(),
        message: message.to_owned(),
        reference_number: None,
    })
}

fn length(length: u32) -> PartLength {
    PartLength { length, limit: 280 }
}

/// Every call but the read-only ones the check makes.
fn writes(fake: &Fake) -> Vec<Call> {
    fake.calls
        .iter()
        .filter(|c| {
            !matches!(
                c,
                Call::Supported | Call::Validate(..) | Call::Now | Call::Setting(_)
            )
        })
        .cloned()
        .collect()
}

#[test]
fn a_request_that_would_be_scheduled_has_no_rejection_and_every_part_measured() {
    let mut fake = Fake::new();
    let mut detail = detail("ref-1", "2026-03-02T09:00:00");
    detail["thread"] = json!(["second", "the third"]);
    let check = check_post(&mut fake, &envelope(detail));
    assert_eq!(
        check,
        Check {
            rejection: None,
            lengths: vec![length(12), length(6), length(9)],
        }
    );
    assert_eq!(writes(&fake), vec![]);
    assert_eq!(fake.store.len(), 0);
}

#[test]
fn a_request_scheduling_would_refuse_gets_its_rejection_without_an_event() {
    let mut fake = Fake::new();
    let check = check_post(&mut fake, &envelope(detail("ref-1", "2026-02-28T09:00:00")));
    assert_eq!(
        check,
        Check {
            rejection: rejection(
                "scheduled-date-in-past",
                "scheduledDate 2026-02-28T09:00:00 is more than 300 seconds in the past (now 2026-03-01T12:00:00)"
            ),
            lengths: vec![length(12)],
        }
    );
    assert_eq!(writes(&fake), vec![]);
}

#[test]
fn the_platforms_refusal_names_the_reply_and_the_lengths_still_show() {
    let mut fake = Fake::new();
    fake.validation = Some(MessageError {
        code: "message-too-long".to_owned(),
        message: "message is 281 weighted characters; X allows at most 280".to_owned(),
        part: Some(1),
    });
    let mut detail = detail("ref-1", "2026-03-02T09:00:00");
    detail["thread"] = json!(["x".repeat(281)]);
    let check = check_post(&mut fake, &envelope(detail));
    assert_eq!(
        check,
        Check {
            rejection: rejection(
                "message-too-long",
                "thread[0]: message is 281 weighted characters; X allows at most 280"
            ),
            lengths: vec![length(12), length(281)],
        }
    );
}

#[test]
fn without_a_message_or_a_known_platform_nothing_is_measured() {
    let mut fake = Fake::new();
    let check = check_post(&mut fake, "{");
    assert_eq!(
        check.rejection.map(|r| r.code).as_deref(),
        Some("invalid-json")
    );
    assert_eq!(check.lengths, vec![]);

    let mut detail = detail("ref-1", "2026-03-02T09:00:00");
    detail["platform"] = json!("myspace");
    let check = check_post(&mut fake, &envelope(detail));
    assert_eq!(
        check,
        Check {
            rejection: rejection(
                "unsupported-platform",
                "platform \"myspace\" is not supported; supported platforms: twitter"
            ),
            lengths: vec![],
        }
    );
    assert_eq!(writes(&fake), vec![]);
}

#[test]
fn limits_that_cannot_be_known_leave_the_lengths_empty() {
    let mut fake = Fake::new();
    fake.validation = Some(MessageError {
        code: "platform-component-failed".to_owned(),
        message: "instance limits could not be read".to_owned(),
        part: None,
    });
    let check = check_post(&mut fake, &envelope(detail("ref-1", "2026-03-02T09:00:00")));
    assert_eq!(
        check,
        Check {
            rejection: rejection(
                "platform-component-failed",
                "instance limits could not be read"
            ),
            lengths: vec![],
        }
    );
}
