//! The sending rules driven through an in-memory implementation of `Capabilities`: a ledger
//! with the WIT's semantics, scripted platform answers, and recorded calls.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, VecDeque};

use serde_json::{json, Value};
use sps_sender::{
    ledger_key, send_post, Capabilities, Delivery, Entry, EventError, FailureReport, LedgerError,
    PostInput, PublishError, RetryHint, RetryLaterHint, SendFailure, Sent,
};

const POST_ID: &str = "1445880548472328192";
const CLAIM_TIME: u64 = 1_767_225_600;

#[derive(Debug, Clone, PartialEq)]
enum Call {
    Claim(String),
    RecordSent(String, String),
    Release(String),
    Supported,
    Publish(String, String),
    Event(String, String, Value),
}

struct Fake {
    supported: Vec<String>,
    ledger: BTreeMap<String, Entry>,
    claim_script: VecDeque<Result<Entry, LedgerError>>,
    record_script: VecDeque<Result<(), LedgerError>>,
    release_script: VecDeque<Result<(), LedgerError>>,
    platform_script: VecDeque<Result<String, PublishError>>,
    event_script: VecDeque<Result<(), EventError>>,
    calls: Vec<Call>,
}

impl Fake {
    fn new() -> Self {
        Fake {
            supported: vec!["twitter".to_owned()],
            ledger: BTreeMap::new(),
            claim_script: VecDeque::new(),
            record_script: VecDeque::new(),
            release_script: VecDeque::new(),
            platform_script: VecDeque::new(),
            event_script: VecDeque::new(),
            calls: Vec::new(),
        }
    }

    fn events(&self) -> Vec<Call> {
        self.calls
            .iter()
            .filter(|c| matches!(c, Call::Event(..)))
            .cloned()
            .collect()
    }

    fn platform_calls(&self) -> usize {
        self.calls
            .iter()
            .filter(|c| matches!(c, Call::Publish(..)))
            .count()
    }
}

impl Capabilities for Fake {
    fn supported_platforms(&mut self) -> Vec<String> {
        self.calls.push(Call::Supported);
        self.supported.clone()
    }

    fn publish_post(&mut self, platform: &str, message: &str) -> Result<String, PublishError> {
        self.calls
            .push(Call::Publish(platform.to_owned(), message.to_owned()));
        self.platform_script
            .pop_front()
            .unwrap_or_else(|| Ok(POST_ID.to_owned()))
    }

    fn publish_event(
        &mut self,
        detail_type: &str,
        source: &str,
        detail: &str,
    ) -> Result<(), EventError> {
        let parsed: Value = serde_json::from_str(detail).expect("detail is JSON");
        assert!(parsed.is_object());
        self.calls.push(Call::Event(
            detail_type.to_owned(),
            source.to_owned(),
            parsed,
        ));
        self.event_script.pop_front().unwrap_or(Ok(()))
    }

    fn claim(&mut self, key: &str) -> Result<Entry, LedgerError> {
        self.calls.push(Call::Claim(key.to_owned()));
        if let Some(result) = self.claim_script.pop_front() {
            return result;
        }
        match self.ledger.get(key) {
            Some(entry) => Ok(entry.clone()),
            None => {
                self.ledger
                    .insert(key.to_owned(), Entry::InFlight(CLAIM_TIME));
                Ok(Entry::Claimed)
            }
        }
    }

    fn record_sent(&mut self, key: &str, post_id: &str) -> Result<(), LedgerError> {
        self.calls
            .push(Call::RecordSent(key.to_owned(), post_id.to_owned()));
        if let Some(result) = self.record_script.pop_front() {
            return result;
        }
        self.ledger
            .insert(key.to_owned(), Entry::Sent(post_id.to_owned()));
        Ok(())
    }

    fn release(&mut self, key: &str) -> Result<(), LedgerError> {
        self.calls.push(Call::Release(key.to_owned()));
        if let Some(result) = self.release_script.pop_front() {
            return result;
        }
        self.ledger.remove(key);
        Ok(())
    }
}

fn post() -> PostInput {
    PostInput {
        reference_number: "testtweet".to_owned(),
        message: "Hello world!".to_owned(),
        platform: "twitter".to_owned(),
        scheduled_date: "2026-03-02T08:48:00".to_owned(),
    }
}

fn input() -> String {
    json!({
        "referenceNumber": "testtweet",
        "message": "Hello world!",
        "platform": "twitter",
        "scheduledDate": "2026-03-02T08:48:00",
    })
    .to_string()
}

fn key() -> String {
    ledger_key(&post())
}

const FIRST: Delivery = Delivery {
    attempt: 1,
    final_attempt: false,
};
const LAST: Delivery = Delivery {
    attempt: 3,
    final_attempt: true,
};

fn sent_event(reference: &str, post_id: &str) -> Call {
    Call::Event(
        "Social Post Sent".to_owned(),
        "SocialPostSender".to_owned(),
        json!({"referenceNumber": reference, "postId": post_id}),
    )
}

fn failed_event(reference: &str, code: &str, message: &str, retryable: bool) -> Call {
    Call::Event(
        "Social Post Failed".to_owned(),
        "SocialPostSender".to_owned(),
        json!({
            "referenceNumber": reference,
            "reason": code,
            "reasonMessage": message,
            "retryable": retryable,
            "stage": "sending",
        }),
    )
}

fn failed(code: &str, message: &str, retryable: bool) -> SendFailure {
    SendFailure::Failed(FailureReport {
        reference_number: Some("testtweet".to_owned()),
        code: code.to_owned(),
        message: message.to_owned(),
        retryable,
    })
}

fn retry_later(retry_at: Option<u64>, code: &str, message: &str) -> SendFailure {
    SendFailure::RetryLater(RetryLaterHint {
        retry_at,
        code: code.to_owned(),
        message: message.to_owned(),
    })
}

fn sent() -> Sent {
    Sent {
        reference_number: "testtweet".to_owned(),
        post_id: POST_ID.to_owned(),
    }
}

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
            Call::RecordSent(key(), POST_ID.to_owned()),
            sent_event("testtweet", POST_ID),
        ]
    );
    assert_eq!(
        fake.ledger.get(&key()),
        Some(&Entry::Sent(POST_ID.to_owned()))
    );
}

#[test]
fn post_id_is_kept_exactly_as_returned() {
    for id in ["18446744073709551615", "0001", "abc-XYZ"] {
        let mut fake = Fake::new();
        fake.platform_script.push_back(Ok(id.to_owned()));
        assert_eq!(
            send_post(&mut fake, &input(), FIRST),
            Ok(Sent {
                reference_number: "testtweet".to_owned(),
                post_id: id.to_owned()
            })
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
    fake.ledger.insert(key(), Entry::Sent("42".to_owned()));
    assert_eq!(
        send_post(&mut fake, &input(), LAST),
        Ok(Sent {
            reference_number: "testtweet".to_owned(),
            post_id: "42".to_owned()
        })
    );
    assert_eq!(
        fake.calls,
        vec![Call::Claim(key()), sent_event("testtweet", "42")]
    );
}

#[test]
fn ledger_sent_reemit_failure_is_retry_later() {
    let mut fake = Fake::new();
    fake.ledger.insert(key(), Entry::Sent("42".to_owned()));
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
    assert_eq!(fake.platform_calls(), 0);
}

#[test]
fn in_flight_claim_then_success_posts() {
    let mut fake = Fake::new();
    fake.ledger.insert(key(), Entry::InFlight(CLAIM_TIME));
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    assert_eq!(fake.platform_calls(), 1);
    assert_eq!(
        fake.ledger.get(&key()),
        Some(&Entry::Sent(POST_ID.to_owned()))
    );
}

#[test]
fn record_sent_failure_is_not_fatal() {
    let mut fake = Fake::new();
    fake.record_script
        .push_back(Err(LedgerError::Unavailable("db locked".to_owned())));
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    assert_eq!(fake.events(), vec![sent_event("testtweet", POST_ID)]);
    assert_eq!(fake.ledger.get(&key()), Some(&Entry::InFlight(CLAIM_TIME)));
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
    fake.calls.clear();
    assert_eq!(send_post(&mut fake, &input(), FIRST), Ok(sent()));
    assert_eq!(
        fake.calls,
        vec![Call::Claim(key()), sent_event("testtweet", POST_ID)]
    );
}

// ---------------------------------------------------------------- platform errors

/// What a platform error must lead to.
#[derive(Debug, Clone)]
enum Expect {
    /// Failed event with (code, message, retryable).
    Failed(&'static str, &'static str, bool),
    /// retry-later with (retry_at, code, message), no event.
    Retry(Option<u64>, &'static str, &'static str),
}

fn hint(retry_at: Option<u64>, message: &str) -> RetryHint {
    RetryHint {
        retry_at,
        message: message.to_owned(),
    }
}

const DUP_AFTER_IN_FLIGHT: &str = "the platform refused the post as a duplicate after an \
     earlier attempt that recorded no outcome, so that attempt may have published it: \
     You are not allowed to create a Tweet with duplicate content.";

#[test]
fn every_platform_error_for_every_claim_and_attempt() {
    let dup = "You are not allowed to create a Tweet with duplicate content.";
    // (error, in-flight before?, final?, released?, expectation)
    let cases: Vec<(PublishError, bool, bool, bool, Expect)> = vec![
        (
            PublishError::MissingCredentials("X credentials are missing".into()),
            false,
            false,
            true,
            Expect::Failed("missing-credentials", "X credentials are missing", false),
        ),
        (
            PublishError::Auth("Unauthorized".into()),
            false,
            false,
            true,
            Expect::Failed("auth-failed", "Unauthorized", false),
        ),
        (
            PublishError::Auth("Unauthorized".into()),
            true,
            true,
            true,
            Expect::Failed("auth-failed", "Unauthorized", false),
        ),
        (
            PublishError::Forbidden("Forbidden".into()),
            false,
            false,
            true,
            Expect::Failed("forbidden", "Forbidden", false),
        ),
        (
            PublishError::DuplicateContent(dup.into()),
            false,
            false,
            true,
            Expect::Failed("duplicate-content", dup_static(), false),
        ),
        (
            PublishError::DuplicateContent(dup.into()),
            false,
            true,
            true,
            Expect::Failed("duplicate-content", dup_static(), false),
        ),
        (
            PublishError::DuplicateContent(dup.into()),
            true,
            false,
            false,
            Expect::Retry(None, "unknown-outcome", DUP_AFTER_IN_FLIGHT),
        ),
        (
            PublishError::DuplicateContent(dup.into()),
            true,
            true,
            false,
            Expect::Failed("unknown-outcome", DUP_AFTER_IN_FLIGHT, false),
        ),
        (
            PublishError::Invalid("text too long".into()),
            false,
            false,
            true,
            Expect::Failed("rejected-by-platform", "text too long", false),
        ),
        (
            PublishError::UsageCapped(hint(Some(1_800_000_000), "usage cap reached")),
            false,
            false,
            true,
            Expect::Failed("usage-capped", "usage cap reached", true),
        ),
        (
            PublishError::UsageCapped(hint(None, "usage cap reached")),
            false,
            true,
            true,
            Expect::Failed("usage-capped", "usage cap reached", true),
        ),
        (
            PublishError::RateLimited(hint(Some(1_767_226_500), "Too Many Requests")),
            false,
            false,
            true,
            Expect::Retry(Some(1_767_226_500), "rate-limited", "Too Many Requests"),
        ),
        (
            PublishError::RateLimited(hint(None, "Too Many Requests")),
            false,
            false,
            true,
            Expect::Retry(None, "rate-limited", "Too Many Requests"),
        ),
        (
            PublishError::RateLimited(hint(Some(1_767_226_500), "Too Many Requests")),
            false,
            true,
            true,
            Expect::Failed("rate-limited", "Too Many Requests", true),
        ),
        (
            PublishError::Transient("connection refused".into()),
            false,
            false,
            true,
            Expect::Retry(None, "platform-unavailable", "connection refused"),
        ),
        (
            PublishError::Transient("connection refused".into()),
            true,
            true,
            true,
            Expect::Failed("platform-unavailable", "connection refused", true),
        ),
        (
            PublishError::UnknownOutcome("HTTP 503".into()),
            false,
            false,
            false,
            Expect::Retry(None, "unknown-outcome", "HTTP 503"),
        ),
        (
            PublishError::UnknownOutcome("HTTP 503".into()),
            false,
            true,
            false,
            Expect::Failed("unknown-outcome", "HTTP 503", false),
        ),
        (
            PublishError::UnknownOutcome("timeout".into()),
            true,
            false,
            false,
            Expect::Retry(None, "unknown-outcome", "timeout"),
        ),
    ];
    for (error, in_flight, last, released, expect) in cases {
        let label = format!("{error:?} in_flight={in_flight} final={last}");
        let mut fake = Fake::new();
        if in_flight {
            fake.ledger.insert(key(), Entry::InFlight(CLAIM_TIME));
        }
        fake.platform_script.push_back(Err(error));
        let delivery = if last { LAST } else { FIRST };
        let result = send_post(&mut fake, &input(), delivery);
        let mut calls = vec![
            Call::Claim(key()),
            Call::Supported,
            Call::Publish("twitter".to_owned(), "Hello world!".to_owned()),
        ];
        if released {
            calls.push(Call::Release(key()));
        }
        match expect {
            Expect::Failed(code, message, retryable) => {
                assert_eq!(result, Err(failed(code, message, retryable)), "{label}");
                calls.push(failed_event("testtweet", code, message, retryable));
            }
            Expect::Retry(retry_at, code, message) => {
                assert_eq!(result, Err(retry_later(retry_at, code, message)), "{label}");
            }
        }
        assert_eq!(fake.calls, calls, "{label}");
        let entry = fake.ledger.get(&key());
        if released {
            assert_eq!(entry, None, "{label}");
        } else {
            assert_eq!(entry, Some(&Entry::InFlight(CLAIM_TIME)), "{label}");
        }
    }
}

fn dup_static() -> &'static str {
    "You are not allowed to create a Tweet with duplicate content."
}

#[test]
fn unknown_outcome_then_redelivery_is_protected() {
    let mut fake = Fake::new();
    fake.platform_script
        .push_back(Err(PublishError::UnknownOutcome("HTTP 503".into())));
    fake.platform_script
        .push_back(Err(PublishError::DuplicateContent(dup_static().into())));
    assert_eq!(
        send_post(&mut fake, &input(), FIRST),
        Err(retry_later(None, "unknown-outcome", "HTTP 503"))
    );
    assert_eq!(
        send_post(&mut fake, &input(), LAST),
        Err(failed("unknown-outcome", DUP_AFTER_IN_FLIGHT, false))
    );
    assert_eq!(
        fake.events(),
        vec![failed_event(
            "testtweet",
            "unknown-outcome",
            DUP_AFTER_IN_FLIGHT,
            false
        )]
    );
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
    assert_eq!(
        fake.events(),
        vec![failed_event(
            "testtweet",
            "auth-failed",
            "Unauthorized",
            false
        )]
    );
}

#[test]
fn failed_event_failure_is_retry_later() {
    for (error, delivery) in [
        (PublishError::Forbidden("Forbidden".into()), FIRST),
        (PublishError::Transient("reset".into()), LAST),
    ] {
        let mut fake = Fake::new();
        fake.platform_script.push_back(Err(error.clone()));
        fake.event_script
            .push_back(Err(EventError::Unavailable("bus down".to_owned())));
        let (code, message) = match error {
            PublishError::Forbidden(_) => ("forbidden", "Forbidden"),
            _ => ("platform-unavailable", "reset"),
        };
        assert_eq!(
            send_post(&mut fake, &input(), delivery),
            Err(retry_later(
                None,
                "events-unavailable",
                &format!(
                    "could not publish the Social Post Failed event ({code}: {message}): \
                     unavailable: bus down"
                )
            ))
        );
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
    };
    assert_eq!(
        send_post(&mut fake, &text, FIRST),
        Ok(Sent {
            reference_number: "日本".to_owned(),
            post_id: POST_ID.to_owned()
        })
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
