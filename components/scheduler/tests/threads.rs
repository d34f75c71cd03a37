//! Threads and accounts: the optional `thread` (1-25 replies) and `account` fields, carried
//! into the schedule's input, every part validated by the platform with the part at fault
//! named as the event names it (`thread[i]`).

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{json, Value};
use sps_scheduler::{schedule_post, MessageError, ScheduleAction, Scheduled};
use support::*;

fn thread_detail(thread: Value) -> Value {
    json!({
        "message": "one",
        "platform": "twitter",
        "scheduledDate": "2026-03-02T08:48:00",
        "referenceNumber": "t",
        "thread": thread,
    })
}

#[test]
fn a_thread_and_an_account_go_into_the_schedule_input_and_are_validated_whole() {
    let mut fake = Fake::new();
    let mut event = thread_detail(json!(["two", "three"]));
    event["account"] = json!("work_2");
    let result = schedule_post(&mut fake, &envelope(event));
    assert_eq!(
        result,
        Ok(Scheduled {
            reference_number: "t".to_owned(),
            schedule_name: "twitter-t".to_owned(),
            scheduled_date: "2026-03-02T08:48:00".to_owned(),
            action: ScheduleAction::Created,
            campaign: None,
        })
    );
    assert!(fake.calls.contains(&Call::Validate(
        "twitter".to_owned(),
        vec!["one".to_owned(), "two".to_owned(), "three".to_owned()],
        "work_2".to_owned(),
    )));
    assert_eq!(
        fake.store.get("twitter-t").map(|s| s.input.as_str()),
        Some(concat!(
            r#"{"referenceNumber":"t","message":"one","platform":"twitter","#,
            r#""scheduledDate":"2026-03-02T08:48:00","thread":["two","three"],"account":"work_2"}"#
        ))
    );
}

#[test]
fn a_null_thread_and_account_are_a_single_post_from_the_default_account() {
    let mut fake = Fake::new();
    let mut event = thread_detail(Value::Null);
    event["account"] = Value::Null;
    assert!(schedule_post(&mut fake, &envelope(event)).is_ok());
    assert!(fake.calls.contains(&validate_call("twitter", "one")));
    assert_eq!(
        fake.store.get("twitter-t").map(|s| s.input.clone()),
        Some(input("t", "one", "2026-03-02T08:48:00"))
    );
}

#[test]
fn a_thread_of_the_wrong_shape_is_an_invalid_field() {
    let too_many: Vec<String> = (0..26).map(|i| format!("part {i}")).collect();
    let cases = [
        (
            json!("two"),
            "thread must be an array of strings, not a string",
        ),
        (
            json!([]),
            "thread has 0 parts; it must have 1 to 25 (leave it out for a single post)",
        ),
        (
            json!(too_many),
            "thread has 26 parts; it must have 1 to 25 (leave it out for a single post)",
        ),
        (
            json!(["two", 3]),
            "thread[1] must be a string, not a number",
        ),
    ];
    for (thread, message) in cases {
        let mut fake = Fake::new();
        assert_rejected(
            &mut fake,
            &envelope(thread_detail(thread)),
            "t",
            "invalid-field",
            message,
        );
        assert!(!fake.calls.iter().any(|c| matches!(c, Call::Validate(..))));
    }
}

#[test]
fn an_account_that_is_no_account_name_is_an_invalid_field() {
    let cases = [
        (json!(7), "account must be a string, not a number"),
        (
            json!(""),
            "account \"\" is not an account name: 1 to 32 characters of a-z, 0-9 and _, \
             beginning with a letter",
        ),
        (
            json!("Work"),
            "account \"Work\" is not an account name: 1 to 32 characters of a-z, 0-9 and _, \
             beginning with a letter",
        ),
        (
            json!("9lives"),
            "account \"9lives\" is not an account name: 1 to 32 characters of a-z, 0-9 and _, \
             beginning with a letter",
        ),
        (
            json!("a".repeat(33)),
            &format!(
                "account \"{}\" is not an account name: 1 to 32 characters of a-z, 0-9 and _, \
                 beginning with a letter",
                "a".repeat(33)
            ),
        ),
    ];
    for (account, message) in cases {
        let mut fake = Fake::new();
        let mut event = detail("a", "2026-03-02T08:48:00");
        event["account"] = account;
        assert_rejected(&mut fake, &envelope(event), "a", "invalid-field", message);
    }
}

#[test]
fn a_bad_reply_is_named_by_its_index_in_the_thread() {
    let cases = [
        (
            Some(2),
            "thread[1]: message is 281 weighted characters; X allows at most 280",
        ),
        (
            Some(0),
            "message is 281 weighted characters; X allows at most 280",
        ),
        (
            None,
            "message is 281 weighted characters; X allows at most 280",
        ),
    ];
    for (part, message) in cases {
        let mut fake = Fake::new();
        fake.validation = Some(MessageError {
            code: "message-too-long".to_owned(),
            message: "message is 281 weighted characters; X allows at most 280".to_owned(),
            part,
        });
        assert_rejected(
            &mut fake,
            &envelope(thread_detail(json!(["two", "three"]))),
            "t",
            "message-too-long",
            message,
        );
        assert!(fake.store.is_empty());
    }
}
