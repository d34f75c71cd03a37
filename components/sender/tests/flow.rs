//! The sending rules driven through the in-memory `Capabilities` of `support`: success,
//! replays from the ledger, platform errors, the platform and ledger checks, invalid input.
//! `in_flight_and_expiry.rs` covers `in-flight` claims, `expired` and `report_undelivered`.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::json;
use sps_sender::{
    ledger_key, send_post, EventError, FailureReport, LedgerError, PostInput, PublishError,
    SendFailure,
};
use support::*;

// ---------------------------------------------------------------- success and replays

#[test]
fn publishes_records_and_reports() {
    let mut fake = Fake::new();
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    assert_eq!(
        fake.calls,
        vec![
            Call::Claim(key()),
            Call::Supported,
            Call::Publish("twitter".to_owned(), "Hello world!".to_owned()),
            Call::RecordPart(key(), 0, POST_ID.to_owned()),
            Call::RecordSent(key()),
            sent_event("testtweet", POST_ID),
        ]
    );
    assert_eq!(fake.ledger.get(&key()), Some(&sent_entry(POST_ID)));
}

#[test]
fn post_id_is_kept_exactly_as_returned() {
    for id in ["18446744073709551615", "0001", "abc-XYZ"] {
        let mut fake = Fake::new();
        fake.platform_script.push_back(Ok(id.to_owned()));
        assert_eq!(
            send_post(&mut fake, &input(), FIRST),
            Ok(sent_as("testtweet", id))
        );
        assert_eq!(fake.events(), vec![sent_event("testtweet", id)]);
    }
}

#[test]
fn redelivery_after_success_reemits_without_posting() {
    let mut fake = Fake::new();
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    fake.calls.clear();
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    assert_eq!(
        fake.calls,
        vec![Call::Claim(key()), sent_event("testtweet", POST_ID)]
    );
}

#[test]
fn ledger_sent_reemits_even_on_final_attempt() {
    let mut fake = Fake::new();
    fake.ledger.insert(key(), sent_entry("42"));
    assert_eq!(
        send_post(&mut fake, &input(), LAST),
        Ok(sent_as("testtweet", "42"))
    );
    assert_eq!(
        fake.calls,
        vec![Call::Claim(key()), sent_event("testtweet", "42")]
    );
}

#[test]
fn ledger_sent_reemit_failure_is_retry_later() {
    let mut fake = Fake::new();
    fake.ledger.insert(key(), sent_entry("42"));
    fake.event_script
        .push_back(Err(EventError::Unavailable("bus down".to_owned())));
    assert_eq!(
        send_post(&mut fake, &input(), FIRST),
        Err(retry_later(
            None,
            "events-unavailable",
            "post 42 was published but the Social Post Sent event could not be published: \
             unavailable: bus down"
        ))
    );
    assert_eq!(
        fake.calls,
        vec![Call::Claim(key()), sent_event("testtweet", "42")]
    );
    assert_eq!(fake.platform_calls(), 0);
    assert_eq!(fake.ledger.get(&key()), Some(&sent_entry("42")));
}

#[test]
fn record_sent_failure_is_not_fatal() {
    let mut fake = Fake::new();
    fake.record_script.push_back(Ok(()));
    fake.record_script
        .push_back(Err(LedgerError::Unavailable("db locked".to_owned())));
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    let mut calls = claim_and_publish();
    calls.extend(recorded(POST_ID));
    calls.push(sent_event("testtweet", POST_ID));
    assert_eq!(fake.calls, calls);
    // The claim stays, with the part recorded.
    let held = sps_sender::Entry::InFlight {
        claimed_at: NOW,
        parts: vec![published(POST_ID)],
    };
    assert_eq!(fake.ledger.get(&key()), Some(&held));
}

#[test]
fn sent_event_failure_is_retry_later_and_the_ledger_replays() {
    let mut fake = Fake::new();
    fake.event_script
        .push_back(Err(EventError::Invalid("rejected".to_owned())));
    assert_eq!(
        send_post(&mut fake, &input(), LAST),
        Err(retry_later(
            None,
            "events-unavailable",
            &format!(
                "post {POST_ID} was published but the Social Post Sent event could not be \
                 published: invalid: rejected"
            )
        ))
    );
    let mut calls = claim_and_publish();
    calls.extend(recorded(POST_ID));
    calls.push(sent_event("testtweet", POST_ID));
    assert_eq!(fake.calls, calls);
    fake.calls.clear();
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    assert_eq!(
        fake.calls,
        vec![Call::Claim(key()), sent_event("testtweet", POST_ID)]
    );
    assert_eq!(fake.ledger.get(&key()), Some(&sent_entry(POST_ID)));
}

// ---------------------------------------------------------------- platform errors

/// What a platform error must lead to.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Failed event with (code, message, retryable).
    Failed(&'static str, &'static str, bool),
    /// retry-later with (retry_at, code, message), no event.
    Retry(Option<u64>, &'static str, &'static str),
}

#[test]
fn every_platform_error_for_every_attempt() {
    use Expect::{Failed, Retry};
    const MISSING: &str = "X credentials are missing";
    const CAPPED: &str = "usage cap reached";
    const LIMITED: &str = "Too Many Requests";
    const REFUSED: &str = "connection refused";
    let at = Some(1_767_226_500);
    // (error, released?, on FIRST and SECOND, on LAST)
    let cases: Vec<(PublishError, bool, Expect, Expect)> = vec![
        (
            PublishError::MissingCredentials(MISSING.into()),
            true,
            Failed("missing-credentials", MISSING, false),
            Failed("missing-credentials", MISSING, false),
        ),
        (
            PublishError::Auth("Unauthorized".into()),
            true,
            Failed("auth-failed", "Unauthorized", false),
            Failed("auth-failed", "Unauthorized", false),
        ),
        (
            PublishError::Forbidden("Forbidden".into()),
            true,
            Failed("forbidden", "Forbidden", false),
            Failed("forbidden", "Forbidden", false),
        ),
        // No longer `unknown-outcome` after an in-flight claim: such a claim never reaches
        // the platform now (in_flight_and_expiry.rs).
        (
            PublishError::DuplicateContent(DUPLICATE.into()),
            true,
            Failed("duplicate-content", DUPLICATE, false),
            Failed("duplicate-content", DUPLICATE, false),
        ),
        (
            PublishError::Invalid("text too long".into()),
            true,
            Failed("rejected-by-platform", "text too long", false),
            Failed("rejected-by-platform", "text too long", false),
        ),
        (
            PublishError::UsageCapped(hint(Some(1_800_000_000), CAPPED)),
            true,
            Failed("usage-capped", CAPPED, true),
            Failed("usage-capped", CAPPED, true),
        ),
        (
            PublishError::UsageCapped(hint(None, CAPPED)),
            true,
            Failed("usage-capped", CAPPED, true),
            Failed("usage-capped", CAPPED, true),
        ),
        (
            PublishError::RateLimited(hint(at, LIMITED)),
            true,
            Retry(at, "rate-limited", LIMITED),
            Failed("rate-limited", LIMITED, true),
        ),
        (
            PublishError::RateLimited(hint(None, LIMITED)),
            true,
            Retry(None, "rate-limited", LIMITED),
            Failed("rate-limited", LIMITED, true),
        ),
        (
            PublishError::Transient(REFUSED.into()),
            true,
            Retry(None, "platform-unavailable", REFUSED),
            Failed("platform-unavailable", REFUSED, true),
        ),
        // The post may have been published: reported at once on any attempt, claim kept.
        (
            PublishError::UnknownOutcome("HTTP 503".into()),
            false,
            Failed("unknown-outcome", "HTTP 503", false),
            Failed("unknown-outcome", "HTTP 503", false),
        ),
        (
            PublishError::UnknownOutcome("timeout".into()),
            false,
            Failed("unknown-outcome", "timeout", false),
            Failed("unknown-outcome", "timeout", false),
        ),
    ];
    for (error, released, early, last) in cases {
        for (delivery, expect) in [(FIRST, early), (SECOND, early), (LAST, last)] {
            let label = format!("{error:?} {delivery:?}");
            let mut fake = Fake::new();
            fake.platform_script.push_back(Err(error.clone()));
            let result = send_post(&mut fake, &input(), delivery);
            let mut calls = claim_and_publish();
            if released {
                calls.push(Call::Release(key()));
            }
            match expect {
                Failed(code, message, retryable) => {
                    assert_eq!(result, Err(failed(code, message, retryable)), "{label}");
                    calls.push(failed_event("testtweet", code, message, retryable));
                }
                Retry(retry_at, code, message) => {
                    assert_eq!(result, Err(retry_later(retry_at, code, message)), "{label}");
                }
            }
            assert_eq!(fake.calls, calls, "{label}");
            assert_eq!(fake.platform_calls(), 1, "{label}");
            let expected = (!released).then_some(in_flight(NOW));
            assert_eq!(fake.ledger.get(&key()), expected.as_ref(), "{label}");
        }
    }
}

#[test]
fn release_failure_is_ignored() {
    let mut fake = Fake::new();
    fake.platform_script
        .push_back(Err(PublishError::Auth("Unauthorized".into())));
    fake.release_script
        .push_back(Err(LedgerError::Unavailable("db locked".to_owned())));
    assert_eq!(
        send_post(&mut fake, &input(), FIRST),
        Err(failed("auth-failed", "Unauthorized", false))
    );
    let mut calls = claim_and_publish();
    calls.push(Call::Release(key()));
    calls.push(failed_event(
        "testtweet",
        "auth-failed",
        "Unauthorized",
        false,
    ));
    assert_eq!(fake.calls, calls);
    // The release failed, so the claim stays in-flight.
    assert_eq!(fake.ledger.get(&key()), Some(&in_flight(NOW)));
}

#[test]
fn failed_event_failure_is_retry_later() {
    // (error, delivery, code, message, retryable, released?)
    let cases = [
        (
            PublishError::Forbidden("Forbidden".into()),
            FIRST,
            "forbidden",
            "Forbidden",
            false,
            true,
        ),
        (
            PublishError::Transient("reset".into()),
            LAST,
            "platform-unavailable",
            "reset",
            true,
            true,
        ),
        (
            PublishError::UnknownOutcome("HTTP 503".into()),
            FIRST,
            "unknown-outcome",
            "HTTP 503",
            false,
            false,
        ),
    ];
    for (error, delivery, code, message, retryable, released) in cases {
        let label = format!("{error:?}");
        let mut fake = Fake::new();
        fake.platform_script.push_back(Err(error));
        fake.event_script
            .push_back(Err(EventError::Unavailable("bus down".to_owned())));
        assert_eq!(
            send_post(&mut fake, &input(), delivery),
            Err(retry_later(
                None,
                "events-unavailable",
                &format!(
                    "could not publish the Social Post Failed event ({code}: {message}): \
                     unavailable: bus down"
                )
            )),
            "{label}"
        );
        let mut calls = claim_and_publish();
        if released {
            calls.push(Call::Release(key()));
        }
        calls.push(failed_event("testtweet", code, message, retryable));
        assert_eq!(fake.calls, calls, "{label}");
        let expected = (!released).then_some(in_flight(NOW));
        assert_eq!(fake.ledger.get(&key()), expected.as_ref(), "{label}");
    }
}

// ---------------------------------------------------------------- platform and ledger

#[test]
fn unsupported_platform_is_released_and_reported() {
    let mut fake = Fake::new();
    let text = json!({
        "referenceNumber": "testtweet",
        "message": "Hello world!",
        "platform": "Twitter",
        "scheduledDate": "2026-03-02T08:48:00",
    })
    .to_string();
    let mut p = post();
    p.platform = "Twitter".to_owned();
    let k = ledger_key(&p);
    let message = "platform \"Twitter\" is not supported; supported platforms: twitter";
    assert_eq!(
        send_post(&mut fake, &text, FIRST),
        Err(failed("unsupported-platform", message, false))
    );
    assert_eq!(
        fake.calls,
        vec![
            Call::Claim(k.clone()),
            Call::Supported,
            Call::Release(k.clone()),
            failed_event("testtweet", "unsupported-platform", message, false),
        ]
    );
    assert!(fake.ledger.is_empty());
}

#[test]
fn no_platform_loaded() {
    let mut fake = Fake::new();
    fake.supported.clear();
    let message = "platform \"twitter\" is not supported; supported platforms: (none)";
    assert_eq!(
        send_post(&mut fake, &input(), FIRST),
        Err(failed("unsupported-platform", message, false))
    );
    assert_eq!(
        fake.calls,
        vec![
            Call::Claim(key()),
            Call::Supported,
            Call::Release(key()),
            failed_event("testtweet", "unsupported-platform", message, false),
        ]
    );
    assert!(fake.ledger.is_empty());
}

#[test]
fn ledger_unavailable() {
    let message = "the send ledger is unavailable: db down";
    let mut fake = Fake::new();
    fake.claim_script
        .push_back(Err(LedgerError::Unavailable("db down".to_owned())));
    assert_eq!(
        send_post(&mut fake, &input(), FIRST),
        Err(retry_later(None, "ledger-unavailable", message))
    );
    assert_eq!(fake.calls, vec![Call::Claim(key())]);

    let mut fake = Fake::new();
    fake.claim_script
        .push_back(Err(LedgerError::Unavailable("db down".to_owned())));
    assert_eq!(
        send_post(&mut fake, &input(), LAST),
        Err(failed("ledger-unavailable", message, true))
    );
    assert_eq!(
        fake.calls,
        vec![
            Call::Claim(key()),
            failed_event("testtweet", "ledger-unavailable", message, true),
        ]
    );
}

// ---------------------------------------------------------------- invalid input

#[test]
fn invalid_input_with_a_reference_is_reported() {
    let cases = [
        (
            json!({"referenceNumber": "r1", "platform": "twitter", "scheduledDate": "d"}),
            "schedule input has no message",
        ),
        (
            json!({"referenceNumber": "r1", "message": 5, "platform": "twitter", "scheduledDate": "d"}),
            "schedule input message must be a string, not a number",
        ),
        (
            json!({"referenceNumber": "r1", "message": "m", "scheduledDate": "d"}),
            "schedule input has no platform",
        ),
        (
            json!({"referenceNumber": "r1", "message": "m", "platform": "twitter"}),
            "schedule input has no scheduledDate",
        ),
    ];
    for (value, message) in cases {
        for delivery in [FIRST, LAST] {
            let mut fake = Fake::new();
            assert_eq!(
                send_post(&mut fake, &value.to_string(), delivery),
                Err(SendFailure::Failed(FailureReport {
                    reference_number: Some("r1".to_owned()),
                    code: "invalid-input".to_owned(),
                    message: message.to_owned(),
                    retryable: false,
                }))
            );
            assert_eq!(
                fake.calls,
                vec![failed_event("r1", "invalid-input", message, false)]
            );
        }
    }
}

#[test]
fn invalid_input_without_a_reference_publishes_nothing() {
    let cases = [
        (
            "",
            "schedule input is not valid JSON: EOF while parsing a value at line 1 column 0",
        ),
        (
            "[\"a\"]",
            "schedule input must be a JSON object, not an array",
        ),
        (
            "\"text\"",
            "schedule input must be a JSON object, not a string",
        ),
        (
            r#"{"message":"m","platform":"twitter","scheduledDate":"d"}"#,
            "schedule input has no referenceNumber",
        ),
        (
            r#"{"referenceNumber":12,"message":"m","platform":"twitter","scheduledDate":"d"}"#,
            "schedule input referenceNumber must be a string, not a number",
        ),
    ];
    for (text, message) in cases {
        let mut fake = Fake::new();
        assert_eq!(
            send_post(&mut fake, text, FIRST),
            Err(SendFailure::Failed(FailureReport {
                reference_number: None,
                code: "invalid-input".to_owned(),
                message: message.to_owned(),
                retryable: false,
            })),
            "{text}"
        );
        assert_eq!(fake.calls, vec![], "{text}");
    }
}

#[test]
fn invalid_input_event_failure_is_retry_later() {
    let mut fake = Fake::new();
    fake.event_script
        .push_back(Err(EventError::Unavailable("bus down".to_owned())));
    let text = r#"{"referenceNumber":"r1"}"#;
    assert_eq!(
        send_post(&mut fake, text, FIRST),
        Err(retry_later(
            None,
            "events-unavailable",
            "could not publish the Social Post Failed event (invalid-input: schedule input \
             has no message): unavailable: bus down"
        ))
    );
    assert_eq!(
        fake.calls,
        vec![failed_event(
            "r1",
            "invalid-input",
            "schedule input has no message",
            false
        )]
    );
}

#[test]
fn unicode_posts_use_their_own_ledger_key() {
    let mut fake = Fake::new();
    let text = json!({
        "referenceNumber": "日本",
        "message": "こんにちは 👋",
        "platform": "twitter",
        "scheduledDate": "2026-03-02T08:48:00",
    })
    .to_string();
    let p = PostInput {
        reference_number: "日本".to_owned(),
        message: "こんにちは 👋".to_owned(),
        platform: "twitter".to_owned(),
        scheduled_date: "2026-03-02T08:48:00".to_owned(),
        thread: Vec::new(),
        account: None,
    };
    assert_eq!(
        send_post(&mut fake, &text, FIRST),
        Ok(sent_as("日本", POST_ID))
    );
    assert_eq!(fake.calls.first(), Some(&Call::Claim(ledger_key(&p))));
    assert_eq!(
        fake.calls.get(2),
        Some(&Call::Publish(
            "twitter".to_owned(),
            "こんにちは 👋".to_owned()
        ))
    );
}
