//! The scheduling rules driven through the in-memory `Capabilities` of `support` for
//! requests that are refused: unreadable events, every field rule and its reason code,
//! unsupported platforms, invalid or past dates, the platform's message validation, the
//! order in which rules are checked, and arbitrary inputs. `flow.rs` covers the requests
//! that are scheduled, `backends.rs` failing capabilities.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};
use sps_scheduler::{schedule_post, MessageError, Rejection, ScheduleFailure};
use support::*;

#[test]
fn unreadable_events_are_rejected_without_reference_or_event() {
    let cases = [
        ("", "invalid-json"),
        ("{", "invalid-json"),
        ("hello", "invalid-json"),
        ("[1,2]", "invalid-event"),
        ("null", "invalid-event"),
        ("\"Schedule Social Post\"", "invalid-event"),
        (r#"{"detail-type":"Schedule Social Post"}"#, "invalid-event"),
        (
            r#"{"detail-type":"Schedule Social Post","detail":null}"#,
            "invalid-event",
        ),
        (
            r#"{"detail-type":"Schedule Social Post","detail":"{\"message\":\"x\"}"}"#,
            "invalid-event",
        ),
        (r#"{"detail":[]}"#, "invalid-event"),
    ];
    for (text, code) in cases {
        let mut fake = Fake::new();
        let result = schedule_post(&mut fake, text);
        match result {
            Err(ScheduleFailure::Rejected(Rejection {
                code: got,
                reference_number: None,
                ..
            })) => assert_eq!(got, code, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
        assert_eq!(fake.calls, vec![], "{text}");
    }
    let mut fake = Fake::new();
    assert_eq!(
        schedule_post(&mut fake, r#"{"detail-type":"Schedule Social Post"}"#),
        Err(rejected(
            "invalid-event",
            "event has a detail-type but no detail",
            None
        ))
    );
}

#[test]
fn every_field_rule_has_its_reason_code() {
    let base = detail("ref-1", "2026-03-02T08:48:00");
    let with = |key: &str, value: Option<Value>| {
        let mut d = base.clone();
        match value {
            Some(v) => d[key] = v,
            None => {
                d.as_object_mut().unwrap().remove(key);
            }
        }
        envelope(d)
    };
    let cases: Vec<(String, &str, &str)> = vec![
        (
            json!({"detail-type": "Other", "detail": base.clone()}).to_string(),
            "unsupported-detail-type",
            "detail-type \"Other\" is not supported; expected \"Schedule Social Post\"",
        ),
        (
            json!({"detail-type": 7, "detail": base.clone()}).to_string(),
            "unsupported-detail-type",
            "detail-type 7 is not supported; expected \"Schedule Social Post\"",
        ),
        (
            with("message", None),
            "missing-field",
            "message is required",
        ),
        (
            with("message", Some(Value::Null)),
            "missing-field",
            "message is required",
        ),
        (
            with("message", Some(json!(12))),
            "invalid-field",
            "message must be a string, not a number",
        ),
        (
            with("message", Some(json!({"text": "x"}))),
            "invalid-field",
            "message must be a string, not an object",
        ),
        (
            with("platform", None),
            "missing-field",
            "platform is required",
        ),
        (
            with("platform", Some(Value::Null)),
            "missing-field",
            "platform is required",
        ),
        (
            with("platform", Some(json!(["twitter"]))),
            "invalid-field",
            "platform must be a string, not an array",
        ),
        (
            with("platform", Some(json!("Twitter"))),
            "unsupported-platform",
            "platform \"Twitter\" is not supported; supported platforms: twitter",
        ),
        (
            with("platform", Some(json!("mastodon"))),
            "unsupported-platform",
            "platform \"mastodon\" is not supported; supported platforms: twitter",
        ),
        (
            with("platform", Some(json!(""))),
            "unsupported-platform",
            "platform \"\" is not supported; supported platforms: twitter",
        ),
        (
            with("scheduledDate", None),
            "missing-field",
            "scheduledDate is required",
        ),
        (
            with("scheduledDate", Some(json!(1698050880))),
            "invalid-field",
            "scheduledDate must be a string, not a number",
        ),
        (
            with("scheduledDate", Some(json!(true))),
            "invalid-field",
            "scheduledDate must be a string, not a boolean",
        ),
        (
            with("scheduledDate", Some(json!("2026-03-02"))),
            "invalid-scheduled-date",
            "scheduledDate \"2026-03-02\" is not a UTC date-time of the form \
             YYYY-MM-DDTHH:MM:SS (optionally with a fraction and a Z or ±HH:MM offset)",
        ),
        (
            with("scheduledDate", Some(json!("2026-03-01T11:54:59"))),
            "scheduled-date-in-past",
            "scheduledDate 2026-03-01T11:54:59 is more than 300 seconds in the past \
             (now 2026-03-01T12:00:00)",
        ),
    ];
    for (event, code, message) in cases {
        let mut fake = Fake::new();
        assert_rejected(&mut fake, &event, "ref-1", code, message);
    }
}

#[test]
fn invalid_reference_is_rejected_under_a_generated_uuid() {
    for value in [json!(42), json!(true), json!(["a"]), json!({"id": "a"})] {
        let mut d = detail("x", "2026-03-02T08:48:00");
        d["referenceNumber"] = value.clone();
        let kind = match value {
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Array(_) => "an array",
            _ => "an object",
        };
        let mut fake = Fake::new();
        assert_rejected(
            &mut fake,
            &envelope(d),
            UUID1,
            "invalid-field",
            &format!("referenceNumber must be a string, not {kind}"),
        );
    }
}

#[test]
fn unsupported_detail_type_uses_the_request_reference_or_a_uuid() {
    let mut fake = Fake::new();
    let event = json!({"detail-type": "Post Scheduled", "detail": {"message": "x"}}).to_string();
    assert_rejected(
        &mut fake,
        &event,
        UUID1,
        "unsupported-detail-type",
        "detail-type \"Post Scheduled\" is not supported; expected \"Schedule Social Post\"",
    );
}

#[test]
fn no_platforms_loaded() {
    let mut fake = Fake::new();
    fake.supported = vec![];
    assert_rejected(
        &mut fake,
        &envelope(detail("np", "2026-03-02T08:48:00")),
        "np",
        "unsupported-platform",
        "platform \"twitter\" is not supported; supported platforms: (none)",
    );
}

#[test]
fn several_platforms_are_listed() {
    let mut fake = Fake::new();
    fake.supported = vec!["bluesky".to_owned(), "twitter".to_owned()];
    let mut d = detail("mp", "2026-03-02T08:48:00");
    d["platform"] = json!("x");
    assert_rejected(
        &mut fake,
        &envelope(d),
        "mp",
        "unsupported-platform",
        "platform \"x\" is not supported; supported platforms: bluesky, twitter",
    );
}

#[test]
fn invalid_dates_are_rejected() {
    let dates = [
        "2026-03-02",
        "2026-03-02T08:48",
        "2026-03-02 08:48:00",
        "2026-02-30T08:48:00",
        "2027-02-29T08:48:00",
        "2026-03-02T24:00:00",
        "2026-12-31T23:59:60",
        "26-03-02T08:48:00",
        "2026-03-02T08:48:00junk",
        "2026-03-02T08:48:00+0200",
        "2026-03-02T08:48:00.",
        "",
        "tomorrow",
    ];
    for date in dates {
        let mut fake = Fake::new();
        let result = schedule_post(&mut fake, &envelope(detail("bad", date)));
        match result {
            Err(ScheduleFailure::Rejected(r)) => {
                assert_eq!(r.code, "invalid-scheduled-date", "{date}");
                assert!(
                    r.message.starts_with(&format!("scheduledDate {date:?} ")),
                    "{}",
                    r.message
                );
                assert_eq!(
                    fake.published(),
                    vec![failed_event("bad", &r.code, &r.message)]
                );
            }
            other => panic!("{date}: {other:?}"),
        }
        assert_eq!(fake.schedule_calls(), vec![]);
        assert!(!fake.calls.iter().any(|c| matches!(c, Call::Validate(..))));
    }
}

#[test]
fn past_boundary_through_the_flow() {
    // now 12:00:00: 300 s before is accepted (fires now), 301 s before is refused.
    let mut fake = Fake::new();
    let ok = schedule_post(&mut fake, &envelope(detail("b", "2026-03-01T11:55:00")));
    assert_eq!(
        ok.map(|s| s.scheduled_date),
        Ok("2026-03-01T11:55:00".to_owned())
    );
    assert_eq!(
        fake.schedule_calls(),
        vec![Call::Create(schedule(
            "twitter-b",
            "2026-03-01T12:00:00",
            8,
            input("b", "Hello world!", "2026-03-01T11:55:00")
        ))]
    );
    let mut fake = Fake::new();
    assert_rejected(
        &mut fake,
        &envelope(detail("b", "2026-03-01T11:54:59")),
        "b",
        "scheduled-date-in-past",
        "scheduledDate 2026-03-01T11:54:59 is more than 300 seconds in the past \
         (now 2026-03-01T12:00:00)",
    );
    // An offset date that is in the past once converted to UTC.
    let mut fake = Fake::new();
    assert_rejected(
        &mut fake,
        &envelope(detail("b", "2026-03-01T13:54:59+02:00")),
        "b",
        "scheduled-date-in-past",
        "scheduledDate 2026-03-01T11:54:59 is more than 300 seconds in the past \
         (now 2026-03-01T12:00:00)",
    );
}

#[test]
fn platform_validation_codes_pass_through() {
    for (code, message) in [
        ("empty-message", "message is empty"),
        (
            "message-too-long",
            "message is 281 weighted characters; X allows at most 280",
        ),
        ("invalid-characters", "message contains U+FFFE"),
    ] {
        let mut fake = Fake::new();
        fake.validation = Some(MessageError {
            code: code.to_owned(),
            message: message.to_owned(),
            part: Some(0),
        });
        assert_rejected(
            &mut fake,
            &envelope(detail("v", "2026-03-02T08:48:00")),
            "v",
            code,
            message,
        );
        assert!(fake
            .calls
            .contains(&validate_call("twitter", "Hello world!")));
    }
}

#[test]
fn an_empty_or_too_long_reference_is_rejected_under_a_generated_uuid() {
    let cases = [
        (
            String::new(),
            "referenceNumber must not be empty; leave it out to have one generated",
        ),
        (
            "r".repeat(1025),
            "referenceNumber is 1025 characters long; at most 1024 are allowed",
        ),
    ];
    for (reference, message) in cases {
        let mut fake = Fake::new();
        let event = envelope(detail(&reference, "2026-03-02T08:48:00"));
        assert_rejected(&mut fake, &event, UUID1, "invalid-field", message);
    }
    // 1,024 characters are scheduled under that reference.
    let mut fake = Fake::new();
    let reference = "r".repeat(1024);
    let result = schedule_post(
        &mut fake,
        &envelope(detail(&reference, "2026-03-02T08:48:00")),
    );
    assert_eq!(result.map(|s| s.reference_number), Ok(reference));
}

#[test]
fn first_failure_wins() {
    // Each case breaks two rules; the earlier one in the order is reported.
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"detail-type": "Other", "detail": {"referenceNumber": 5}}),
            "unsupported-detail-type",
        ),
        (
            json!({"detail": {"referenceNumber": 5, "platform": "nope"}}),
            "invalid-field",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "platform": "nope", "scheduledDate": "x"}}),
            "missing-field",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": 1, "platform": "nope"}}),
            "invalid-field",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "platform": "nope", "scheduledDate": "x"}}),
            "unsupported-platform",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "scheduledDate": "x"}}),
            "missing-field",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "platform": "twitter", "scheduledDate": "x"}}),
            "invalid-scheduled-date",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "platform": "twitter", "scheduledDate": "2020-01-01T00:00:00"}}),
            "scheduled-date-in-past",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "platform": "twitter", "scheduledDate": "2027-01-01T00:00:00"}}),
            "message-too-long",
        ),
    ];
    for (event, code) in cases {
        let mut fake = Fake::new();
        fake.validation = Some(MessageError {
            code: "message-too-long".to_owned(),
            message: "too long".to_owned(),
            part: Some(0),
        });
        let result = schedule_post(&mut fake, &event.to_string());
        match result {
            Err(ScheduleFailure::Rejected(r)) => assert_eq!(r.code, code, "{event}"),
            other => panic!("{event}: {other:?}"),
        }
        assert_eq!(fake.published().len(), 1);
        assert_eq!(fake.schedule_calls(), vec![]);
    }
}

#[test]
fn arbitrary_inputs_never_panic() {
    let inputs = [
        "\u{0}",
        "{\"detail\":{\"scheduledDate\":\"\u{FEFF}2026-03-02T08:48:00\"}}",
        "{\"message\":\"m\",\"platform\":\"twitter\",\"scheduledDate\":\"9999-12-31T23:59:59.99999999999999999999+23:59\"}",
        "{\"message\":\"m\",\"platform\":\"twitter\",\"scheduledDate\":\"0000-01-01T00:00:00-23:59\"}",
        "{\"message\":\"m\",\"platform\":\"twitter\",\"scheduledDate\":\"2026-03-02T08:48:00é\"}",
        "{\"message\":\"m\",\"platform\":\"twitter\",\"scheduledDate\":\"2026-03-02T08:48:0é\"}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{\"referenceNumber\":\"\\ud800\"}",
    ];
    for text in inputs {
        let mut fake = Fake::new();
        let _ = schedule_post(&mut fake, text);
    }
}
