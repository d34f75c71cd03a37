//! Threads: the parts go out in order, each replying to the one before and recorded in the
//! ledger before the next; a later delivery continues after the last recorded part and
//! never posts one twice; a thread that stops part-way ends in `thread-incomplete` with the
//! ids of the parts that were published.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use sps_sender::{ledger_key, send_post, Entry, PostInput, PublishError};
use support::*;

/// A three-part thread posted from the account `work`.
fn thread_post() -> PostInput {
    PostInput {
        thread: vec!["two".to_owned(), "three".to_owned()],
        account: Some("work".to_owned()),
        ..post()
    }
}

fn thread_input() -> String {
    json!({
        "referenceNumber": "testtweet",
        "message": "Hello world!",
        "platform": "twitter",
        "scheduledDate": "2026-03-02T08:48:00",
        "thread": ["two", "three"],
        "account": "work",
    })
    .to_string()
}

fn thread_key() -> String {
    ledger_key(&thread_post())
}

fn thread_sent_event() -> Call {
    Call::Event(
        "Social Post Sent".to_owned(),
        "SocialPostSender".to_owned(),
        json!({
            "referenceNumber": "testtweet",
            "postId": "1",
            "postIds": ["1", "2", "3"],
            "postUrl": "https://x.com/i/web/status/1",
        }),
    )
}

fn incomplete_event(message: &str, retryable: bool, ids: &[&str], failed_part: u32) -> Call {
    Call::Event(
        "Social Post Failed".to_owned(),
        "SocialPostSender".to_owned(),
        json!({
            "referenceNumber": "testtweet",
            "reason": "thread-incomplete",
            "reasonMessage": message,
            "retryable": retryable,
            "stage": "sending",
            "postIds": ids,
            "failedPart": failed_part,
        }),
    )
}

/// A fake whose platform publishes the ids `ids` in turn.
fn fake_publishing(ids: &[&str]) -> Fake {
    let mut fake = Fake::new();
    for id in ids {
        fake.platform_script.push_back(Ok(id.to_string()));
    }
    fake
}

#[test]
fn every_part_replies_to_the_one_before_and_is_recorded_before_the_next() {
    let mut fake = fake_publishing(&["1", "2", "3"]);
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Ok(sent_three())
    );
    let key = thread_key();
    let mut calls = vec![Call::Claim(key.clone()), Call::Supported];
    calls.extend(publish_calls(&thread_post(), 0, "Hello world!", &[]));
    calls.push(Call::RecordPart(key.clone(), 0, "1".to_owned()));
    calls.extend(publish_calls(&thread_post(), 1, "two", &["1"]));
    calls.push(Call::RecordPart(key.clone(), 1, "2".to_owned()));
    calls.extend(publish_calls(&thread_post(), 2, "three", &["1", "2"]));
    calls.push(Call::RecordPart(key.clone(), 2, "3".to_owned()));
    calls.push(Call::RecordSent(key.clone()));
    calls.push(thread_sent_event());
    assert_eq!(fake.calls, calls);
    assert_eq!(
        fake.ledger.get(&key),
        Some(&Entry::Sent(vec![
            published("1"),
            published("2"),
            published("3")
        ]))
    );
    // A second delivery replays the event from the ledger.
    fake.calls.clear();
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Ok(sent_three())
    );
    assert_eq!(fake.calls, vec![Call::Claim(key), thread_sent_event()]);
}

#[test]
fn a_rate_limited_reply_is_retried_from_that_part_and_no_part_is_posted_twice() {
    let mut fake = fake_publishing(&["1"]);
    fake.platform_script
        .push_back(Err(PublishError::RateLimited(hint(
            Some(NOW + 60),
            "slow down",
        ))));
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Err(retry_later(Some(NOW + 60), "rate-limited", "slow down"))
    );
    let key = thread_key();
    assert_eq!(fake.calls.last(), Some(&Call::Release(key.clone())));
    assert_eq!(
        fake.ledger.get(&key),
        Some(&Entry::Claimed(vec![published("1")]))
    );

    fake.calls.clear();
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
    calls.push(thread_sent_event());
    assert_eq!(fake.calls, calls);
    assert_eq!(
        fake.calls
            .iter()
            .filter(|c| matches!(c, Call::Publish(_, t) if t == "Hello world!"))
            .count(),
        0
    );
}

#[test]
fn a_reply_still_failing_on_the_final_delivery_is_thread_incomplete_with_the_published_ids() {
    let mut fake = fake_publishing(&["1"]);
    fake.platform_script.push_back(Err(PublishError::Transient(
        "connection refused".to_owned(),
    )));
    let message = "published 1 of the thread\'s 3 parts; the thread stopped at part 1 \
                   (platform-unavailable: connection refused)";
    assert_eq!(
        send_post(&mut fake, &thread_input(), LAST),
        Err(failed("thread-incomplete", message, true))
    );
    assert_eq!(
        fake.events(),
        vec![incomplete_event(message, true, &["1"], 1)]
    );
    // The claim was released; the published part stays recorded.
    assert_eq!(
        fake.ledger.get(&thread_key()),
        Some(&Entry::Claimed(vec![published("1")]))
    );
}

#[test]
fn an_ambiguous_reply_is_thread_incomplete_at_once_and_keeps_the_claim() {
    let mut fake = fake_publishing(&["1", "2"]);
    fake.platform_script
        .push_back(Err(PublishError::UnknownOutcome(
            "X answered 503".to_owned(),
        )));
    let message = "published 2 of the thread\'s 3 parts; the thread stopped at part 2 \
                   (unknown-outcome: X answered 503)";
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Err(failed("thread-incomplete", message, false))
    );
    assert_eq!(
        fake.events(),
        vec![incomplete_event(message, false, &["1", "2"], 2)]
    );
    assert!(!fake.calls.contains(&Call::Release(thread_key())));
    assert_eq!(
        fake.ledger.get(&thread_key()),
        Some(&Entry::InFlight {
            claimed_at: NOW,
            parts: vec![published("1"), published("2")],
        })
    );
}

#[test]
fn a_thread_cut_short_by_a_crash_is_thread_incomplete_after_the_grace_period() {
    let mut fake = Fake::new();
    fake.ledger.insert(
        thread_key(),
        Entry::InFlight {
            claimed_at: CLAIM_TIME,
            parts: vec![published("1")],
        },
    );
    fake.now = CLAIM_TIME + 180;
    let message = format!(
        "published 1 of the thread\'s 3 parts; the thread stopped at part 1 \
         (unknown-outcome: {})",
        cut_short_message(CLAIM_TIME)
    );
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Err(failed("thread-incomplete", &message, false))
    );
    assert_eq!(
        fake.calls,
        vec![
            Call::Claim(thread_key()),
            incomplete_event(&message, false, &["1"], 1)
        ]
    );
    assert_eq!(fake.platform_calls(), 0);
}

#[test]
fn a_claim_with_every_part_recorded_is_reported_sent_without_posting() {
    let mut fake = Fake::new();
    fake.ledger.insert(
        thread_key(),
        Entry::InFlight {
            claimed_at: CLAIM_TIME,
            parts: vec![published("1"), published("2"), published("3")],
        },
    );
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Ok(sent_three())
    );
    assert_eq!(
        fake.calls,
        vec![Call::Claim(thread_key()), thread_sent_event()]
    );
}

#[test]
fn a_sent_record_without_any_part_is_never_reported_sent() {
    let mut fake = Fake::new();
    fake.ledger.insert(thread_key(), Entry::Sent(Vec::new()));
    let message = "the send ledger records this post as sent without any part";
    assert_eq!(
        send_post(&mut fake, &thread_input(), FIRST),
        Err(retry_later(None, "ledger-unavailable", message))
    );
    assert_eq!(
        send_post(&mut fake, &thread_input(), LAST),
        Err(failed("ledger-unavailable", message, true))
    );
    assert_eq!(fake.platform_calls(), 0);
}
