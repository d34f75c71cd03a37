//! Metrics readings: the one-time schedule the scheduler makes for each post of a
//! campaign fires here (README, "Campaigns"). The sender looks the post up in the send
//! ledger, reads its engagement from the platform (`platforms.metrics`), and records its
//! score (`sps_campaign::score`) for the campaign, platform and hour-of-week bucket
//! (`campaigns.record-score`). Nothing is reported as an event, and nothing about the post
//! changes.
//!
//! Outcomes: a post that was not sent (failed, cancelled, never delivered), a platform that
//! reports no engagement, a reading the platform refuses (`invalid`, `auth`,
//! `forbidden`, `missing-credentials`) or an input that is no metrics reading end the
//! reading ([`Measured`], in words). A ledger, platform or campaigns failure that may pass
//! (`transient`, `rate-limited`, `unavailable`) asks for another delivery, until the
//! final one, which ends the reading saying it gave up.

use sps_campaign::Metrics;
use sps_contract::metrics::{self, MetricsInput};

use crate::reason::Reason;
use crate::{Delivery, LedgerError, PublishError, PublishedPart, RetryLaterHint, SendFailure};

/// A metrics reading that ended (WIT `sending.measured`).
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// The post's reference ("" when the input had none).
    pub reference_number: String,
    /// What happened, in words.
    pub outcome: String,
}

/// What a metrics reading needs beyond the sending capabilities.
pub trait Measuring {
    /// The parts of the post of `key` when it was sent (`ledger.sent-parts`).
    ///
    /// # Errors
    /// The ledger is unavailable.
    fn sent_parts(&mut self, key: &str) -> Result<Option<Vec<PublishedPart>>, LedgerError>;
    /// The engagement of `post_id` of `account` on `platform` (`platforms.metrics`); `None`
    /// when the platform reports none.
    ///
    /// # Errors
    /// The platform's [`PublishError`].
    fn metrics(
        &mut self,
        platform: &str,
        account: &str,
        post_id: &str,
    ) -> Result<Option<Metrics>, PublishError>;
    /// Record `score` of post `reference` in `bucket` for `campaign` on `platform`
    /// (`campaigns.record-score`).
    ///
    /// # Errors
    /// A sentence, and whether retrying may succeed.
    fn record_score(
        &mut self,
        campaign: &str,
        platform: &str,
        reference: &str,
        bucket: u8,
        score: f64,
    ) -> Result<(), (String, bool)>;
}

/// Handle one metrics reading (module docs).
///
/// # Errors
/// `RetryLater` for a failure that may pass, unless `delivery` is the final one.
pub fn measure<C: Measuring + ?Sized>(
    caps: &mut C,
    input: &str,
    delivery: Delivery,
) -> Result<Measured, SendFailure> {
    let reading = match metrics::parse(input) {
        Ok(reading) => reading,
        Err(why) => {
            return Ok(Measured {
                reference_number: String::new(),
                outcome: format!("not a metrics reading ({why}); nothing recorded"),
            })
        }
    };
    let ended = |outcome: String| Measured {
        reference_number: reading.reference_number.clone(),
        outcome,
    };
    let again = |code: Reason, message: String, retry_at: Option<u64>| {
        if delivery.final_attempt {
            Ok(ended(format!("gave up: {message}; nothing recorded")))
        } else {
            Err(SendFailure::RetryLater(RetryLaterHint {
                retry_at,
                code: code.as_str().to_owned(),
                message,
            }))
        }
    };
    let parts =
        match caps.sent_parts(&reading.ledger_key) {
            Ok(Some(parts)) => parts,
            Ok(None) => return Ok(ended(
                "the post was not sent (failed, cancelled or never delivered); nothing recorded"
                    .to_string(),
            )),
            Err(e) => {
                return again(
                    Reason::LedgerUnavailable,
                    format!("the send ledger: {e}"),
                    None,
                )
            }
        };
    let Some(first) = parts.first() else {
        return Ok(ended(
            "the ledger holds no post id; nothing recorded".to_string(),
        ));
    };
    match caps.metrics(&reading.platform, &reading.account, &first.id) {
        Ok(None) => Ok(ended(format!(
            "{} reports no engagement; nothing recorded",
            reading.platform
        ))),
        Ok(Some(engagement)) => record(caps, &reading, &engagement, delivery).map(ended),
        Err(PublishError::Transient(m) | PublishError::UnknownOutcome(m)) => {
            again(Reason::PlatformUnavailable, m, None)
        }
        Err(PublishError::RateLimited(h) | PublishError::UsageCapped(h)) => {
            again(Reason::RateLimited, h.message, h.retry_at)
        }
        Err(
            PublishError::MissingCredentials(m)
            | PublishError::Auth(m)
            | PublishError::Forbidden(m)
            | PublishError::DuplicateContent(m)
            | PublishError::Invalid(m),
        ) => Ok(ended(format!(
            "{} refused the reading: {m}; nothing recorded",
            reading.platform
        ))),
    }
}

/// Records the score of `engagement`; the outcome in words.
fn record<C: Measuring + ?Sized>(
    caps: &mut C,
    reading: &MetricsInput,
    engagement: &Metrics,
    delivery: Delivery,
) -> Result<String, SendFailure> {
    let score = sps_campaign::score(engagement);
    let bucket = sps_campaign::bucket_name(usize::from(reading.bucket));
    match caps.record_score(
        &reading.campaign,
        &reading.platform,
        &reading.reference_number,
        reading.bucket,
        score,
    ) {
        Ok(()) => Ok(format!(
            "recorded score {score:.4} for {bucket} in campaign {} on {}",
            reading.campaign, reading.platform
        )),
        Err((why, true)) if !delivery.final_attempt => {
            Err(SendFailure::RetryLater(RetryLaterHint {
                retry_at: None,
                code: Reason::CampaignsUnavailable.as_str().to_owned(),
                message: format!("could not record the score: {why}"),
            }))
        }
        Err((why, _)) => Ok(format!(
            "could not record the score {score:.4}: {why}; nothing recorded"
        )),
    }
}

#[cfg(test)]
mod tests;
