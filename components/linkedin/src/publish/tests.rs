use std::collections::HashMap;

use super::*;
use crate::request::SendPhase;

const TOKEN: &str = "AQX-test-token-123456";
const AUTHOR: &str = "urn:li:person:Zr4pX9tQ2w";
const NOW: u64 = 1_796_529_600;

/// Settings in memory, one scripted answer, every request kept.
struct Fake {
    settings: HashMap<String, String>,
    store_fails: bool,
    answer: Result<HttpResponse, TransportError>,
    sent: Vec<HttpRequest>,
}

impl Fake {
    fn new(answer: Result<HttpResponse, TransportError>) -> Self {
        let settings = [
            ("base_url", "http://127.0.0.1:9"),
            ("access_token", TOKEN),
            ("author", AUTHOR),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        Fake {
            settings,
            store_fails: false,
            answer,
            sent: Vec::new(),
        }
    }

    fn created(urn: &str) -> Self {
        Fake::new(Ok(HttpResponse {
            status: 201,
            headers: vec![("x-restli-id".to_string(), urn.to_string())],
            body: Vec::new(),
        }))
    }

    fn without(mut self, key: &str) -> Self {
        self.settings.remove(key);
        self
    }

    fn with(mut self, key: &str, value: &str) -> Self {
        self.settings.insert(key.to_string(), value.to_string());
        self
    }
}

impl Capabilities for Fake {
    fn setting(&mut self, key: &str) -> Result<Option<String>, String> {
        if self.store_fails {
            return Err("io: disk gone".to_string());
        }
        Ok(self.settings.get(key).cloned())
    }

    fn now_unix_seconds(&mut self) -> u64 {
        NOW
    }

    fn nonce(&mut self) -> String {
        unreachable!("publishing on LinkedIn needs no nonce")
    }

    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.push(request.clone());
        self.answer.clone()
    }
}

fn post(parts: &[&str], account: &str) -> Post {
    Post {
        parts: parts.iter().map(|p| p.to_string()).collect(),
        account: account.to_string(),
        idempotency_key: "key".to_string(),
    }
}

#[test]
fn a_post_goes_out_once_and_gives_its_urn_and_url() {
    let mut fake = Fake::created("urn:li:share:7400000000000000001");
    let published = publish(&mut fake, &post(&["Hello (world) #1"], "default"), 0, &[]);
    assert_eq!(
        published,
        Ok(PublishedPart {
            id: "urn:li:share:7400000000000000001".to_string(),
            url: Some(
                "https://www.linkedin.com/feed/update/urn:li:share:7400000000000000001/"
                    .to_string()
            ),
            reply_ref: None,
        })
    );
    assert_eq!(fake.sent.len(), 1);
    let sent = &fake.sent[0];
    assert_eq!(sent.url, "http://127.0.0.1:9/rest/posts");
    assert_eq!(
        sent.header("authorization"),
        Some("Bearer AQX-test-token-123456")
    );
    assert_eq!(sent.header("linkedin-version"), Some("202605"));
    let body: serde_json::Value = serde_json::from_slice(&sent.body).expect("json");
    assert_eq!(body["author"], AUTHOR);
    assert_eq!(body["commentary"], r"Hello \(world\) \#1");
    const { assert!(!IDEMPOTENT, "the Posts API has no idempotency key") };
}

#[test]
fn the_default_base_url_and_a_configured_version_are_used() {
    let mut fake = Fake::created("urn:li:share:1")
        .without("base_url")
        .with("linkedin_version", " 202603 ");
    assert!(publish(&mut fake, &post(&["x"], "default"), 0, &[]).is_ok());
    assert_eq!(fake.sent[0].url, "https://api.linkedin.com/rest/posts");
    assert_eq!(fake.sent[0].header("LinkedIn-Version"), Some("202603"));
}

#[test]
fn missing_credentials_name_the_account_and_send_nothing() {
    let cases = [
        (
            Fake::created("u").without("access_token").without("author"),
            "LinkedIn credentials are missing for the account \"default\": set its access_token and author",
        ),
        (
            Fake::created("u").with("access_token", "  "),
            "LinkedIn credentials are missing for the account \"default\": set its access_token",
        ),
        (
            Fake::created("u").without("author"),
            "LinkedIn credentials are missing for the account \"default\": set its author",
        ),
        (
            Fake::created("u").with("author", "Zr4pX9tQ2w"),
            "LinkedIn credentials of the account \"default\" cannot be used: its author must be a person or organization URN (urn:li:person:<id> or urn:li:organization:<id>)",
        ),
    ];
    for (mut fake, message) in cases {
        assert_eq!(
            publish(&mut fake, &post(&["x"], "default"), 0, &[]),
            Err(PublishError::MissingCredentials(message.to_string()))
        );
        assert!(fake.sent.is_empty());
    }
    let mut fake = Fake::created("u").without("access_token").without("author");
    assert_eq!(
        publish(&mut fake, &post(&["x"], "brand"), 0, &[]),
        Err(PublishError::MissingCredentials(
            "LinkedIn credentials are missing for the account \"brand\": set its access_token and author".to_string()
        ))
    );
}

#[test]
fn a_store_failure_or_a_bad_setting_is_transient_and_sends_nothing() {
    let mut fake = Fake::created("u");
    fake.store_fails = true;
    assert_eq!(
        publish(&mut fake, &post(&["x"], "default"), 0, &[]),
        Err(PublishError::Transient(
            "could not read setting access_token: io: disk gone".to_string()
        ))
    );
    let mut fake = Fake::created("u").with("linkedin_version", "May 2026");
    assert!(matches!(
        publish(&mut fake, &post(&["x"], "default"), 0, &[]),
        Err(PublishError::Transient(_))
    ));
    let mut fake = Fake::created("u").with("base_url", "ftp://x");
    assert!(matches!(
        publish(&mut fake, &post(&["x"], "default"), 0, &[]),
        Err(PublishError::Transient(_))
    ));
    assert!(fake.sent.is_empty());
}

#[test]
fn a_part_other_than_0_or_a_thread_is_invalid_and_sends_nothing() {
    let earlier = [PublishedPart {
        id: "urn:li:share:1".to_string(),
        url: None,
        reply_ref: None,
    }];
    let mut fake = Fake::created("u");
    assert_eq!(
        publish(&mut fake, &post(&["one", "two"], "default"), 1, &earlier),
        Err(PublishError::Invalid(
            "LinkedIn has no threads: part 1 cannot be published as a reply (only part 0 of a post, with no earlier parts)".to_string()
        ))
    );
    assert_eq!(
        publish(&mut fake, &post(&["one", "two"], "default"), 0, &[]),
        Err(PublishError::Invalid(
            "LinkedIn has no threads: send the message and the thread's 1 reply as separate posts, each in an event without \"thread\"".to_string()
        ))
    );
    assert_eq!(
        publish(&mut fake, &post(&[" "], "default"), 0, &[]),
        Err(PublishError::Invalid(
            "empty-message: message holds only white space (U+0020); LinkedIn needs at least 1 other character".to_string()
        ))
    );
    assert!(fake.sent.is_empty());
}

#[test]
fn answers_are_mapped_and_never_show_the_token() {
    let mut fake = Fake::new(Ok(HttpResponse {
        status: 401,
        headers: Vec::new(),
        body: format!(r#"{{"message":"Invalid access token {TOKEN}","status":401}}"#).into_bytes(),
    }));
    assert_eq!(
        publish(&mut fake, &post(&["x"], "default"), 0, &[]),
        Err(PublishError::Auth(
            "LinkedIn rejected the access token: HTTP 401: Invalid access token <redacted>"
                .to_string()
        ))
    );
    let mut fake = Fake::new(Ok(HttpResponse {
        status: 429,
        headers: vec![("retry-after".to_string(), "60".to_string())],
        body: Vec::new(),
    }));
    assert_eq!(
        publish(&mut fake, &post(&["x"], "default"), 0, &[]),
        Err(PublishError::RateLimited {
            retry_at: Some(NOW + 60),
            message:
                "LinkedIn rate limit reached: HTTP 429; retry at or after 2026-12-06T04:01:00Z"
                    .to_string(),
        })
    );
    let mut fake = Fake::new(Err(TransportError {
        phase: SendPhase::MaybeSent,
        detail: "connection terminated".to_string(),
    }));
    assert!(matches!(
        publish(&mut fake, &post(&["x"], "default"), 0, &[]),
        Err(PublishError::UnknownOutcome(_))
    ));
    assert_eq!(fake.sent.len(), 1, "sent once, never repeated");
}

#[test]
fn a_urn_that_cannot_be_linked_is_kept_without_a_url() {
    let mut fake = Fake::created("urn:li:share:1/../x");
    assert_eq!(
        publish(&mut fake, &post(&["x"], "default"), 0, &[]),
        Ok(PublishedPart {
            id: "urn:li:share:1/../x".to_string(),
            url: None,
            reply_ref: None,
        })
    );
}
