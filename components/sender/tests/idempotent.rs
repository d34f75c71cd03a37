//! Platforms whose publish is idempotent (Mastodon's `Idempotency-Key`, an AT Protocol
//! record key chosen by the client): a publish whose outcome is in doubt is repeated, with
//! the same idempotency key and part, instead of ending the post in `unknown-outcome` or
//! `thread-incomplete`; a delivery cut short is continued after the grace period.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use sps_sender::{ledger_key, send_post, Entry, PostInput, PublishError};
use support::*;

/// A three-part thread on an idempotent platform (`mastodon`).
fn thread_post() -> PostInput {
    PostInput {
        platform: "mastodon".to_owned(),
        thread: vec!["two".to_owned(), "three".to_owned()],
        ..post()
    }
}

fn thread_input() -> String {
    json!({
        "referenceNumber": "testtweet",
        "message": "Hello world!",
        "platform": "mastodon",
        "scheduledDate": "2026-03-02T08:48:00",
        "thread": ["two", "three"],
    })
    .to_string()
}

fn fake() -> Fake {
    let mut fake = Fake::new();
    fake.supported = vec!["mastodon".to_owned()];
    fake.idempotent = true;
    fake
}

#[test]
fn a_reply_in_doubt_is_repeated_with_the_same_key_and_never_doubled() {
    let mut fake = fake();
    fake.platform_script.push_back(Ok("1".to_owned()));
    fake.platform_script
        .push_back(Err(PublishError::UnknownOutcome("HTTP 503".to_owned())));
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Err(retry_later(None, "unknown-outcome", "HTTP 503"))
    );
    let key = ledger_key(&thread_post());
    // The claim is released with the first part kept: the next delivery repeats part 1.
    assert_eq!(
        fake.ledger.get(&key),
        Some(&Entry::Claimed(vec![published("1")]))
    );
    assert!(fake.events().is_empty());

    fake.calls.clear();
    // The platform gives back the reply the 503 hid (the same id), then the last part.
    fake.platform_script.push_back(Ok("2".to_owned()));
    fake.platform_script.push_back(Ok("3".to_owned()));
    assert_eq!(
        send_post(&mut fake, &thread_input(), SECOND),
        Ok(sent_three())
    );
    let mut calls = vec![Call::Claim(key.clone()), Call::Supported];
    calls.extend(publish_calls(&thread_post(), 1, "two", &["1"]));
    calls.push(Call::RecordPart(key.clone(), 1, "2".to_owned()));
    calls.extend(publish_calls(&thread_post(), 2, "three", &["1", "2"]));
    calls.push(Call::RecordPart(key.clone(), 2, "3".to_owned()));
    calls.push(Call::RecordSent(key));
    assert_eq!(fake.calls[..calls.len()], calls[..]);
}

#[test]
fn still_in_doubt_on_the_final_delivery_is_reported_retryable() {
    let mut fake = fake();
    fake.platform_script.push_back(Ok("1".to_owned()));
    fake.platform_script
        .push_back(Err(PublishError::UnknownOutcome("HTTP 503".to_owned())));
    let message = "published 1 of the thread\'s 3 parts; the thread stopped at part 1 \
                   (unknown-outcome: HTTP 503)";
    assert_eq!(
        send_post(&mut fake, &thread_input(), LAST),
        Err(failed("thread-incomplete", message, true))
    );
}

#[test]
fn a_delivery_cut_short_is_continued_after_the_grace_period() {
    let mut fake = fake();
    let key = ledger_key(&thread_post());
    fake.ledger.insert(
        key.clone(),
        Entry::InFlight {
            claimed_at: CLAIM_TIME,
            parts: vec![published("1")],
        },
    );
    // Within the grace period the other delivery may still be under way.
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Err(retry_later(
            Some(CLAIM_TIME + 180),
            "unknown-outcome",
            &in_flight_message(CLAIM_TIME)
        ))
    );
    fake.calls.clear();
    fake.now = CLAIM_TIME + 180;
    fake.platform_script.push_back(Ok("2".to_owned()));
    fake.platform_script.push_back(Ok("3".to_owned()));
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Ok(sent_three())
    );
    let mut calls = vec![Call::Claim(key.clone()), Call::Supported];
    calls.extend(publish_calls(&thread_post(), 1, "two", &["1"]));
    assert_eq!(fake.calls[..calls.len()], calls[..]);
    assert_eq!(fake.platform_calls(), 2);
}

#[test]
fn a_single_post_in_doubt_is_repeated_too() {
    let mut fake = fake();
    fake.platform_script
        .push_back(Err(PublishError::UnknownOutcome("timed out".to_owned())));
    let single = json!({
        "referenceNumber": "testtweet",
        "message": "Hello world!",
        "platform": "mastodon",
        "scheduledDate": "2026-03-02T08:48:00",
    })
    .to_string();
    assert_eq!(
        send_post(&mut fake, &single, FIRST),
        Err(retry_later(None, "unknown-outcome", "timed out"))
    );
    assert_eq!(send_post(&mut fake, &single, SECOND), Ok(sent()));
    assert_eq!(fake.platform_calls(), 2);
}
