//! Shared by the sender's native tests: an in-memory implementation of `Capabilities` (a
//! ledger with the WIT's semantics, a settable clock, scripted platform answers, recorded
//! calls) and the expected values built from one post.

// Each test file uses a part of this module.
#![allow(dead_code)]
// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, VecDeque};

use serde_json::{json, Value};
use sps_sender::{
    idempotency_key, ledger_key, Capabilities, Delivery, Entry, EventError, FailureReport,
    LedgerError, Post, PostInput, PublishError, PublishedPart, RetryHint, RetryLaterHint,
    SendFailure, Sent,
};

/// The post id the fake platform returns unless scripted otherwise.
pub const POST_ID: &str = "1445880548472328192";
/// When "another delivery" claimed the post in tests that seed an `in-flight` entry.
pub const CLAIM_TIME: u64 = 1_767_225_600;
/// The fake clock's default: 10 s after [`CLAIM_TIME`], inside the grace period.
pub const NOW: u64 = CLAIM_TIME + 10;

/// One call the sending rules made, in order (the clock is not recorded).
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Claim(String),
    /// `record-part`: the key, the part's index and its id.
    RecordPart(String, u32, String),
    RecordSent(String),
    Release(String),
    Supported,
    /// `publish`: the platform and the text of the part published.
    Publish(String, String),
    /// What the platform was given besides the text, for the thread tests: the part's
    /// index, the account, the idempotency key and the ids of `earlier`.
    PublishArgs(u32, String, String, Vec<String>),
    Event(String, String, Value),
}

/// In-memory capabilities. A scripted answer is used once, in order; without one the ledger
/// behaves as the WIT says (a claim stamps `in-flight(now)` keeping the recorded parts; a
/// release of a key with recorded parts keeps them, stored as `Claimed(parts)`), the
/// platform publishes [`POST_ID`] and events are accepted.
pub struct Fake {
    pub now: u64,
    pub supported: Vec<String>,
    /// What `platforms.idempotent` answers (X: false).
    pub idempotent: bool,
    pub ledger: BTreeMap<String, Entry>,
    pub claim_script: VecDeque<Result<Entry, LedgerError>>,
    pub record_script: VecDeque<Result<(), LedgerError>>,
    pub release_script: VecDeque<Result<(), LedgerError>>,
    pub platform_script: VecDeque<Result<String, PublishError>>,
    pub event_script: VecDeque<Result<(), EventError>>,
    pub calls: Vec<Call>,
}

impl Fake {
    pub fn new() -> Self {
        Fake {
            now: NOW,
            supported: vec!["twitter".to_owned()],
            idempotent: false,
            ledger: BTreeMap::new(),
            claim_script: VecDeque::new(),
            record_script: VecDeque::new(),
            release_script: VecDeque::new(),
            platform_script: VecDeque::new(),
            event_script: VecDeque::new(),
            calls: Vec::new(),
        }
    }

    pub fn events(&self) -> Vec<Call> {
        self.calls
            .iter()
            .filter(|c| matches!(c, Call::Event(..)))
            .cloned()
            .collect()
    }

    pub fn platform_calls(&self) -> usize {
        self.calls
            .iter()
            .filter(|c| matches!(c, Call::Publish(..)))
            .count()
    }
}

impl Capabilities for Fake {
    fn now_unix_seconds(&mut self) -> u64 {
        self.now
    }

    fn supported_platforms(&mut self) -> Vec<String> {
        self.calls.push(Call::Supported);
        self.supported.clone()
    }

    /// Not recorded: what follows from the answer shows in the other calls.
    fn idempotent(&mut self, _platform: &str) -> bool {
        self.idempotent
    }

    fn publish_part(
        &mut self,
        platform: &str,
        post: &Post,
        part: u32,
        earlier: &[PublishedPart],
    ) -> Result<PublishedPart, PublishError> {
        let text = post
            .parts
            .get(part as usize)
            .cloned()
            .expect("the part exists");
        self.calls.push(Call::Publish(platform.to_owned(), text));
        if post.parts.len() > 1 || post.account != "default" {
            self.calls.push(Call::PublishArgs(
                part,
                post.account.clone(),
                post.idempotency_key.clone(),
                earlier.iter().map(|p| p.id.clone()).collect(),
            ));
        }
        self.platform_script
            .pop_front()
            .unwrap_or_else(|| Ok(POST_ID.to_owned()))
            .map(|id| published(&id))
    }

    fn publish_event(
        &mut self,
        detail_type: &str,
        source: &str,
        detail: &str,
    ) -> Result<(), EventError> {
        let parsed: Value = serde_json::from_str(detail).expect("detail is JSON");
        assert!(parsed.is_object(), "detail is an object: {detail}");
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
        let held = |parts: Vec<PublishedPart>, now| Entry::InFlight {
            claimed_at: now,
            parts,
        };
        match self.ledger.get(key).cloned() {
            Some(Entry::Claimed(parts)) => {
                self.ledger
                    .insert(key.to_owned(), held(parts.clone(), self.now));
                Ok(Entry::Claimed(parts))
            }
            Some(entry) => Ok(entry),
            None => {
                self.ledger
                    .insert(key.to_owned(), held(Vec::new(), self.now));
                Ok(Entry::Claimed(Vec::new()))
            }
        }
    }

    fn record_part(
        &mut self,
        key: &str,
        index: u32,
        part: &PublishedPart,
    ) -> Result<(), LedgerError> {
        self.calls
            .push(Call::RecordPart(key.to_owned(), index, part.id.clone()));
        // A scripted `Ok` records as usual.
        if let Some(Err(e)) = self.record_script.pop_front() {
            return Err(e);
        }
        match self.ledger.get_mut(key) {
            Some(Entry::InFlight { parts, .. }) if parts.len() == index as usize => {
                parts.push(part.clone());
                Ok(())
            }
            other => panic!("record-part {index} of {key} in state {other:?}"),
        }
    }

    fn record_sent(&mut self, key: &str) -> Result<(), LedgerError> {
        self.calls.push(Call::RecordSent(key.to_owned()));
        // A scripted `Ok` records as usual.
        if let Some(Err(e)) = self.record_script.pop_front() {
            return Err(e);
        }
        match self.ledger.get(key).cloned() {
            Some(Entry::InFlight { parts, .. }) => {
                self.ledger.insert(key.to_owned(), Entry::Sent(parts));
                Ok(())
            }
            other => panic!("record-sent of {key} in state {other:?}"),
        }
    }

    fn release(&mut self, key: &str) -> Result<(), LedgerError> {
        self.calls.push(Call::Release(key.to_owned()));
        if let Some(result) = self.release_script.pop_front() {
            return result;
        }
        match self.ledger.get(key).cloned() {
            Some(Entry::InFlight { parts, .. }) if !parts.is_empty() => {
                self.ledger.insert(key.to_owned(), Entry::Claimed(parts));
            }
            Some(Entry::InFlight { .. }) => {
                self.ledger.remove(key);
            }
            _ => {}
        }
        Ok(())
    }
}

/// The part the fake platform publishes as `id`: with X's permalink.
pub fn published(id: &str) -> PublishedPart {
    PublishedPart {
        id: id.to_owned(),
        url: Some(format!("https://x.com/i/web/status/{id}")),
        reply_ref: None,
    }
}

/// A claim held since `claimed_at` with no part recorded.
pub fn in_flight(claimed_at: u64) -> Entry {
    Entry::InFlight {
        claimed_at,
        parts: Vec::new(),
    }
}

/// A post recorded as sent in one part published as `id`.
pub fn sent_entry(id: &str) -> Entry {
    Entry::Sent(vec![published(id)])
}

/// The ledger calls after a single post was published as `id`.
pub fn recorded(id: &str) -> [Call; 2] {
    [
        Call::RecordPart(key(), 0, id.to_owned()),
        Call::RecordSent(key()),
    ]
}

/// The post of [`input`].
pub fn post() -> PostInput {
    PostInput {
        reference_number: "testtweet".to_owned(),
        message: "Hello world!".to_owned(),
        platform: "twitter".to_owned(),
        scheduled_date: "2026-03-02T08:48:00".to_owned(),
        thread: Vec::new(),
        account: None,
    }
}

/// A valid schedule input.
pub fn input() -> String {
    json!({
        "referenceNumber": "testtweet",
        "message": "Hello world!",
        "platform": "twitter",
        "scheduledDate": "2026-03-02T08:48:00",
    })
    .to_string()
}

/// The ledger key of [`post`].
pub fn key() -> String {
    ledger_key(&post())
}

/// The first delivery, no due time known.
pub const FIRST: Delivery = Delivery {
    attempt: 1,
    final_attempt: false,
    due_at: None,
};
/// A retry that is not the last one.
pub const SECOND: Delivery = Delivery {
    attempt: 2,
    final_attempt: false,
    due_at: None,
};
/// The final delivery, no due time known.
pub const LAST: Delivery = Delivery {
    attempt: 3,
    final_attempt: true,
    due_at: None,
};

/// `delivery` with the schedule due at `due_at`.
pub fn due(delivery: Delivery, due_at: u64) -> Delivery {
    Delivery {
        due_at: Some(due_at),
        ..delivery
    }
}

pub fn sent_event(reference: &str, post_id: &str) -> Call {
    Call::Event(
        "Social Post Sent".to_owned(),
        "SocialPostSender".to_owned(),
        json!({
            "referenceNumber": reference,
            "postId": post_id,
            "postIds": [post_id],
            "postUrl": format!("https://x.com/i/web/status/{post_id}"),
        }),
    )
}

pub fn failed_event(reference: &str, code: &str, message: &str, retryable: bool) -> Call {
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

/// `Failed` for the post of [`input`].
pub fn failed(code: &str, message: &str, retryable: bool) -> SendFailure {
    SendFailure::Failed(FailureReport {
        reference_number: Some("testtweet".to_owned()),
        code: code.to_owned(),
        message: message.to_owned(),
        retryable,
    })
}

pub fn retry_later(retry_at: Option<u64>, code: &str, message: &str) -> SendFailure {
    SendFailure::RetryLater(RetryLaterHint {
        retry_at,
        code: code.to_owned(),
        message: message.to_owned(),
    })
}

/// `Sent` for the post of [`input`] with [`POST_ID`].
pub fn sent() -> Sent {
    sent_as("testtweet", POST_ID)
}

/// `Sent` for a single post of `reference` published as `id`.
pub fn sent_as(reference: &str, id: &str) -> Sent {
    Sent {
        reference_number: reference.to_owned(),
        post_id: id.to_owned(),
        post_ids: vec![id.to_owned()],
        post_url: Some(format!("https://x.com/i/web/status/{id}")),
    }
}

pub fn hint(retry_at: Option<u64>, message: &str) -> RetryHint {
    RetryHint {
        retry_at,
        message: message.to_owned(),
    }
}

/// The calls of a delivery that reached the platform.
pub fn claim_and_publish() -> Vec<Call> {
    vec![
        Call::Claim(key()),
        Call::Supported,
        Call::Publish("twitter".to_owned(), "Hello world!".to_owned()),
    ]
}

/// X's answer to a duplicate post.
pub const DUPLICATE: &str = "You are not allowed to create a Tweet with duplicate content.";

/// The `unknown-outcome` message of an `in-flight(claimed_at)` entry within the grace period.
pub fn in_flight_message(claimed_at: u64) -> String {
    format!(
        "another delivery of this post claimed it at {} and has recorded no outcome yet",
        sps_contract::time::describe(claimed_at)
    )
}

/// The `unknown-outcome` message of an `in-flight(claimed_at)` entry after the grace period
/// (or on the final delivery).
pub fn cut_short_message(claimed_at: u64) -> String {
    format!(
        "an earlier delivery claimed this post at {} and recorded no outcome (it was cut \
         short): the post may have been published, so it is not sent again",
        sps_contract::time::describe(claimed_at)
    )
}

/// The `expired` message of a delivery `late` seconds after `due_at`.
pub fn expired_message(late: u64, due_at: u64) -> String {
    format!(
        "the delivery came {late} s after the schedule was due at {}, more than the 3600 s \
         allowed; the post was not published",
        sps_contract::time::describe(due_at)
    )
}

/// The calls of publishing part `index` (text `text`) of `post` after the parts whose ids
/// are `earlier`: the text, then what the platform was given besides (part, account,
/// idempotency key, the earlier ids).
pub fn publish_calls(post: &PostInput, index: u32, text: &str, earlier: &[&str]) -> [Call; 2] {
    [
        Call::Publish(post.platform.clone(), text.to_owned()),
        Call::PublishArgs(
            index,
            post.account().to_owned(),
            idempotency_key(post),
            earlier.iter().map(|s| s.to_string()).collect(),
        ),
    ]
}

/// `Sent` of the three-part thread of `testtweet` published as 1, 2 and 3.
pub fn sent_three() -> Sent {
    Sent {
        reference_number: "testtweet".to_owned(),
        post_id: "1".to_owned(),
        post_ids: vec!["1".to_owned(), "2".to_owned(), "3".to_owned()],
        post_url: Some("https://x.com/i/web/status/1".to_owned()),
    }
}
