//! The component glue (wasm32 only): implements [`Capabilities`] with the `sender` world's
//! imports and exports `sps:social/sending@0.3.0`. No rules live here.

wit_bindgen::generate!({
    path: "../../wit",
    world: "sps:social/sender",
    with: {
        "sps:social/events@0.3.0/event-error": sps_contract::events::EventError,
    },
    generate_all,
});

use exports::sps::social::sending;
use sps::social::{campaigns, events, ledger, platforms, types};

use crate::{
    Capabilities, Delivered, Delivery, Entry, EventError, LedgerError, Measuring, Post,
    PublishError, PublishedPart, RetryHint, SendFailure,
};

/// The component's implementation of the `sending` interface.
struct Component;

/// The capabilities of the running component: its imports.
struct Imports;

fn ledger_error(e: ledger::LedgerError) -> LedgerError {
    match e {
        ledger::LedgerError::Unavailable(m) => LedgerError::Unavailable(m),
    }
}

fn hint(h: types::RetryHint) -> RetryHint {
    RetryHint {
        retry_at: h.retry_at,
        message: h.message,
    }
}

impl Capabilities for Imports {
    fn now_unix_seconds(&mut self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    fn supported_platforms(&mut self) -> Vec<String> {
        platforms::supported()
    }

    fn idempotent(&mut self, platform: &str) -> bool {
        platforms::idempotent(platform)
    }

    fn publish_part(
        &mut self,
        platform: &str,
        post: &Post,
        part: u32,
        earlier: &[PublishedPart],
    ) -> Result<PublishedPart, PublishError> {
        let post = types::Post {
            parts: post.parts.clone(),
            account: post.account.clone(),
            idempotency_key: post.idempotency_key.clone(),
        };
        let earlier: Vec<types::PublishedPart> = earlier.iter().map(to_wit_part).collect();
        platforms::publish(platform, &post, part, &earlier)
            .map(from_wit_part)
            .map_err(publish_error)
    }

    fn publish_event(
        &mut self,
        detail_type: &str,
        source: &str,
        detail: &str,
    ) -> Result<(), EventError> {
        events::publish(detail_type, source, detail)
    }

    fn claim(&mut self, key: &str) -> Result<Entry, LedgerError> {
        let parts =
            |parts: Vec<types::PublishedPart>| parts.into_iter().map(from_wit_part).collect();
        ledger::claim(key)
            .map(|entry| match entry {
                ledger::Entry::Claimed(done) => Entry::Claimed(parts(done)),
                ledger::Entry::InFlight(claim) => Entry::InFlight {
                    claimed_at: claim.claimed_at,
                    parts: parts(claim.parts),
                },
                ledger::Entry::Sent(done) => Entry::Sent(parts(done)),
                ledger::Entry::Cancelled => Entry::Cancelled,
            })
            .map_err(ledger_error)
    }

    fn record_part(
        &mut self,
        key: &str,
        index: u32,
        part: &PublishedPart,
    ) -> Result<(), LedgerError> {
        ledger::record_part(key, index, &to_wit_part(part)).map_err(ledger_error)
    }

    fn record_sent(&mut self, key: &str) -> Result<(), LedgerError> {
        ledger::record_sent(key).map_err(ledger_error)
    }

    fn release(&mut self, key: &str) -> Result<(), LedgerError> {
        ledger::release(key).map_err(ledger_error)
    }
}

impl Measuring for Imports {
    fn sent_parts(&mut self, key: &str) -> Result<Option<Vec<PublishedPart>>, LedgerError> {
        ledger::sent_parts(key)
            .map(|parts| parts.map(|p| p.into_iter().map(from_wit_part).collect()))
            .map_err(ledger_error)
    }

    fn metrics(
        &mut self,
        platform: &str,
        account: &str,
        post_id: &str,
    ) -> Result<Option<sps_campaign::Metrics>, PublishError> {
        platforms::metrics(platform, account, post_id)
            .map(|found| {
                found.map(|e| sps_campaign::Metrics {
                    likes: e.likes,
                    reposts: e.reposts,
                    replies: e.replies,
                    impressions: e.impressions,
                })
            })
            .map_err(publish_error)
    }

    fn record_score(
        &mut self,
        campaign: &str,
        platform: &str,
        reference: &str,
        bucket: u8,
        score: f64,
    ) -> Result<(), (String, bool)> {
        let score = campaigns::Score {
            reference: reference.to_string(),
            bucket,
            score,
        };
        campaigns::record_score(campaign, platform, &score).map_err(|e| match e {
            campaigns::CampaignError::Unavailable(m) => (m, true),
            campaigns::CampaignError::Invalid(m) => (m, false),
        })
    }
}

/// A WIT publish error as the sender's, case for case.
fn publish_error(e: types::PublishError) -> PublishError {
    match e {
        types::PublishError::MissingCredentials(m) => PublishError::MissingCredentials(m),
        types::PublishError::Auth(m) => PublishError::Auth(m),
        types::PublishError::Forbidden(m) => PublishError::Forbidden(m),
        types::PublishError::DuplicateContent(m) => PublishError::DuplicateContent(m),
        types::PublishError::RateLimited(h) => PublishError::RateLimited(hint(h)),
        types::PublishError::UsageCapped(h) => PublishError::UsageCapped(hint(h)),
        types::PublishError::Invalid(m) => PublishError::Invalid(m),
        types::PublishError::Transient(m) => PublishError::Transient(m),
        types::PublishError::UnknownOutcome(m) => PublishError::UnknownOutcome(m),
    }
}

fn to_wit_part(part: &PublishedPart) -> types::PublishedPart {
    types::PublishedPart {
        id: part.id.clone(),
        url: part.url.clone(),
        reply_ref: part.reply_ref.clone(),
    }
}

fn from_wit_part(part: types::PublishedPart) -> PublishedPart {
    PublishedPart {
        id: part.id,
        url: part.url,
        reply_ref: part.reply_ref,
    }
}

fn report(r: crate::FailureReport) -> sending::FailureReport {
    sending::FailureReport {
        reference_number: r.reference_number,
        code: r.code,
        message: r.message,
        retryable: r.retryable,
    }
}

impl sending::Guest for Component {
    fn send_post(
        input: String,
        delivery: sending::Delivery,
    ) -> Result<sending::Delivered, sending::SendFailure> {
        let delivery = Delivery {
            attempt: delivery.attempt,
            final_attempt: delivery.final_attempt,
            due_at: delivery.due_at,
        };
        match crate::deliver(&mut Imports, &input, delivery) {
            Ok(Delivered::Sent(sent)) => Ok(sending::Delivered::Sent(sending::Sent {
                reference_number: sent.reference_number,
                post_id: sent.post_id,
                post_ids: sent.post_ids,
                post_url: sent.post_url,
            })),
            Ok(Delivered::Measured(m)) => Ok(sending::Delivered::Measured(sending::Measured {
                reference_number: m.reference_number,
                outcome: m.outcome,
            })),
            Err(SendFailure::Failed(r)) => Err(sending::SendFailure::Failed(report(r))),
            Err(SendFailure::RetryLater(h)) => {
                Err(sending::SendFailure::RetryLater(sending::RetryLaterHint {
                    retry_at: h.retry_at,
                    code: h.code,
                    message: h.message,
                }))
            }
        }
    }

    fn report_undelivered(
        input: String,
        code: String,
        message: String,
    ) -> Result<sending::FailureReport, String> {
        crate::report_undelivered(&mut Imports, &input, &code, &message).map(report)
    }
}

export!(Component);
