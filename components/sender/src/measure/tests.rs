//! Metrics readings over an in-memory fake: each outcome in words, exactly, and when a
//! reading asks for another delivery.

use std::collections::HashMap;

use super::*;
use crate::RetryHint;

#[derive(Default)]
struct Fake {
    sent: HashMap<String, Vec<PublishedPart>>,
    ledger_down: bool,
    metrics: Option<Result<Option<Metrics>, PublishError>>,
    record: Option<Result<(), (String, bool)>>,
    asked: Vec<(String, String, String)>,
    recorded: Vec<(String, String, String, u8, f64)>,
}

impl Measuring for Fake {
    fn sent_parts(&mut self, key: &str) -> Result<Option<Vec<PublishedPart>>, LedgerError> {
        if self.ledger_down {
            return Err(LedgerError::Unavailable("disk gone".to_string()));
        }
        Ok(self.sent.get(key).cloned())
    }

    fn metrics(
        &mut self,
        platform: &str,
        account: &str,
        post_id: &str,
    ) -> Result<Option<Metrics>, PublishError> {
        self.asked.push((
            platform.to_string(),
            account.to_string(),
            post_id.to_string(),
        ));
        self.metrics.clone().unwrap_or(Ok(None))
    }

    fn record_score(
        &mut self,
        campaign: &str,
        platform: &str,
        reference: &str,
        bucket: u8,
        score: f64,
    ) -> Result<(), (String, bool)> {
        self.recorded.push((
            campaign.to_string(),
            platform.to_string(),
            reference.to_string(),
            bucket,
            score,
        ));
        self.record.clone().unwrap_or(Ok(()))
    }
}

const INPUT: &str = r#"{"kind":"metrics","referenceNumber":"r1","platform":"twitter","account":"work","campaign":"launch","bucket":36,"ledgerKey":"k1"}"#;

fn first() -> Delivery {
    Delivery {
        attempt: 1,
        final_attempt: false,
        due_at: None,
    }
}

fn last() -> Delivery {
    Delivery {
        attempt: 3,
        final_attempt: true,
        due_at: None,
    }
}

fn measured(outcome: &str) -> Result<Measured, SendFailure> {
    Ok(Measured {
        reference_number: "r1".to_string(),
        outcome: outcome.to_string(),
    })
}

fn sent_post() -> Fake {
    let mut fake = Fake::default();
    fake.sent.insert(
        "k1".to_string(),
        vec![PublishedPart {
            id: "1445880548472328192".to_string(),
            url: None,
            reply_ref: None,
        }],
    );
    fake
}

#[test]
fn a_sent_posts_engagement_is_recorded_as_its_score() {
    let mut fake = sent_post();
    fake.metrics = Some(Ok(Some(Metrics {
        likes: 100,
        reposts: 12,
        replies: 5,
        impressions: Some(1500),
    })));
    assert_eq!(
        measure(&mut fake, INPUT, first()),
        measured("recorded score 0.0860 for Tue 12:00 in campaign launch on twitter")
    );
    assert_eq!(
        fake.asked,
        [(
            "twitter".to_string(),
            "work".to_string(),
            "1445880548472328192".to_string()
        )]
    );
    // (100 + 2 x 12 + 5) / 1500
    assert_eq!(
        fake.recorded,
        [(
            "launch".to_string(),
            "twitter".to_string(),
            "r1".to_string(),
            36,
            0.086
        )]
    );
}

#[test]
fn readings_that_end_without_a_score_say_why() {
    assert_eq!(
        measure(&mut Fake::default(), INPUT, first()),
        measured("the post was not sent (failed, cancelled or never delivered); nothing recorded")
    );
    assert_eq!(
        measure(&mut sent_post(), INPUT, first()),
        measured("twitter reports no engagement; nothing recorded")
    );
    let mut gone = sent_post();
    gone.metrics = Some(Err(PublishError::Invalid("X has no post 1".to_string())));
    assert_eq!(
        measure(&mut gone, INPUT, first()),
        measured("twitter refused the reading: X has no post 1; nothing recorded")
    );
    assert!(gone.recorded.is_empty());
    assert_eq!(
        measure(&mut Fake::default(), r#"{"kind":"metrics"}"#, first()),
        Ok(Measured {
            reference_number: String::new(),
            outcome: "not a metrics reading (missing field `referenceNumber` at line 1 column \
                      18); nothing recorded"
                .to_string()
        })
    );
}

#[test]
fn failures_that_may_pass_are_retried_until_the_final_delivery() {
    let mut limited = sent_post();
    limited.metrics = Some(Err(PublishError::RateLimited(RetryHint {
        retry_at: Some(1_700_000_000),
        message: "X rate limit reached".to_string(),
    })));
    assert_eq!(
        measure(&mut limited, INPUT, first()),
        Err(SendFailure::RetryLater(RetryLaterHint {
            retry_at: Some(1_700_000_000),
            code: "rate-limited".to_string(),
            message: "X rate limit reached".to_string(),
        }))
    );
    assert_eq!(
        measure(&mut limited, INPUT, last()),
        measured("gave up: X rate limit reached; nothing recorded")
    );
    let mut down = sent_post();
    down.ledger_down = true;
    assert_eq!(
        measure(&mut down, INPUT, first()),
        Err(SendFailure::RetryLater(RetryLaterHint {
            retry_at: None,
            code: "ledger-unavailable".to_string(),
            message: "the send ledger: unavailable: disk gone".to_string(),
        }))
    );
    let mut store_down = sent_post();
    store_down.metrics = Some(Ok(Some(Metrics::default())));
    store_down.record = Some(Err(("DynamoDB: throttled".to_string(), true)));
    assert_eq!(
        measure(&mut store_down, INPUT, first()),
        Err(SendFailure::RetryLater(RetryLaterHint {
            retry_at: None,
            code: "campaigns-unavailable".to_string(),
            message: "could not record the score: DynamoDB: throttled".to_string(),
        }))
    );
    assert_eq!(
        measure(&mut store_down, INPUT, last()),
        measured("could not record the score 0.0000: DynamoDB: throttled; nothing recorded")
    );
}
