//! How a delivery ends: platform errors mapped to reason codes and dispositions
//! ([`classify`]), the claim released or kept and the failure reported or retried
//! ([`conclude`]), and the outcome events (`Social Post Failed`, `Social Post Sent`).
//!
//! A thread that ends with some of its parts published is reported as `thread-incomplete`
//! with those parts' ids and the index of the first part that was not published, whatever
//! the cause (named in the message).

use sps_contract::events::{self, PostFailed, PostSent};

use crate::reason::Reason;
use crate::{
    Capabilities, Delivery, FailureReport, PostInput, PublishError, PublishedPart, RetryLaterHint,
    SendFailure, Sent,
};

/// What to do after a failed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disposition {
    /// Report now with this `retryable` flag, whatever the attempt.
    Report { retryable: bool },
    /// Retry later (at `retry_at` when known); on the final attempt report as retryable.
    Transient { retry_at: Option<u64> },
}

/// A classified failure.
pub(crate) struct Outcome {
    pub(crate) reason: Reason,
    pub(crate) message: String,
    /// Whether the claim is dropped (the failure proves the part was not published).
    pub(crate) release: bool,
    pub(crate) disposition: Disposition,
}

/// Map a platform error to a reason code, whether to release the claim, and what follows.
/// On an `idempotent` platform a publish whose outcome is in doubt is repeated like a
/// transient failure: the repeat gives back the part if the first one was published.
pub(crate) fn classify(error: PublishError, idempotent: bool) -> Outcome {
    let report = |reason, message| Outcome {
        reason,
        message,
        release: true,
        disposition: Disposition::Report { retryable: false },
    };
    match error {
        PublishError::MissingCredentials(m) => report(Reason::MissingCredentials, m),
        PublishError::Auth(m) => report(Reason::AuthFailed, m),
        PublishError::Forbidden(m) => report(Reason::Forbidden, m),
        PublishError::DuplicateContent(m) => report(Reason::DuplicateContent, m),
        PublishError::Invalid(m) => report(Reason::RejectedByPlatform, m),
        PublishError::UsageCapped(hint) => Outcome {
            reason: Reason::UsageCapped,
            message: hint.message,
            release: true,
            disposition: Disposition::Report { retryable: true },
        },
        PublishError::RateLimited(hint) => Outcome {
            reason: Reason::RateLimited,
            message: hint.message,
            release: true,
            disposition: Disposition::Transient {
                retry_at: hint.retry_at,
            },
        },
        PublishError::Transient(m) => Outcome {
            reason: Reason::PlatformUnavailable,
            message: m,
            release: true,
            disposition: Disposition::Transient { retry_at: None },
        },
        PublishError::UnknownOutcome(m) if idempotent => Outcome {
            reason: Reason::UnknownOutcome,
            message: m,
            release: true,
            disposition: Disposition::Transient { retry_at: None },
        },
        PublishError::UnknownOutcome(m) => Outcome {
            reason: Reason::UnknownOutcome,
            message: m,
            release: false,
            disposition: Disposition::Report { retryable: false },
        },
    }
}

/// Act on a failure after the `published` parts: release the claim when it proves the next
/// part was not published (a failed release is ignored: the claim then stays in-flight),
/// then report it (`thread-incomplete` when parts were published) or ask for a retry.
pub(crate) fn conclude<C: Capabilities + ?Sized>(
    caps: &mut C,
    post: &PostInput,
    key: &str,
    delivery: Delivery,
    outcome: Outcome,
    published: &[PublishedPart],
) -> SendFailure {
    if outcome.release {
        let _ = caps.release(key);
    }
    let retryable = match outcome.disposition {
        Disposition::Report { retryable } => retryable,
        Disposition::Transient { retry_at } if !delivery.final_attempt => {
            return SendFailure::RetryLater(RetryLaterHint {
                retry_at,
                code: outcome.reason.as_str().to_owned(),
                message: outcome.message,
            });
        }
        Disposition::Transient { .. } => true,
    };
    if published.is_empty() {
        return report(
            caps,
            &post.reference_number,
            outcome.reason,
            outcome.message,
            retryable,
        );
    }
    report_thread(
        caps,
        post,
        outcome.reason,
        &outcome.message,
        retryable,
        published,
    )
}

/// Report a thread of which only the `published` parts went out: `thread-incomplete` with
/// their ids, the index of the next part, and the `cause` of its failure in the message.
pub(crate) fn report_thread<C: Capabilities + ?Sized>(
    caps: &mut C,
    post: &PostInput,
    cause: Reason,
    why: &str,
    retryable: bool,
    published: &[PublishedPart],
) -> SendFailure {
    let ids: Vec<String> = published.iter().map(|p| p.id.clone()).collect();
    let failed_part = u32::try_from(published.len()).unwrap_or(u32::MAX);
    let total = 1 + post.thread.len();
    let message = format!(
        "published {} of the thread's {total} parts; the thread stopped at part \
         {failed_part} ({cause}: {why})",
        published.len()
    );
    publish_failed(
        caps,
        &PostFailed {
            post_ids: Some(&ids),
            failed_part: Some(failed_part),
            ..PostFailed::new(
                &post.reference_number,
                Reason::ThreadIncomplete.as_str(),
                &message,
                retryable,
                events::STAGE_SENDING,
            )
        },
    )
}

/// Publish `Social Post Failed` and return `Failed`; `RetryLater` (`events-unavailable`) when
/// the event cannot be published.
pub(crate) fn report<C: Capabilities + ?Sized>(
    caps: &mut C,
    reference: &str,
    reason: Reason,
    message: String,
    retryable: bool,
) -> SendFailure {
    publish_failed(
        caps,
        &PostFailed::new(
            reference,
            reason.as_str(),
            &message,
            retryable,
            events::STAGE_SENDING,
        ),
    )
}

/// Publish the failure `detail` and return `Failed`; `RetryLater` (`events-unavailable`)
/// when the event cannot be published.
fn publish_failed<C: Capabilities + ?Sized>(caps: &mut C, detail: &PostFailed<'_>) -> SendFailure {
    let published = events::to_json(detail).and_then(|text| {
        caps.publish_event(events::SOCIAL_POST_FAILED, events::SENDER_SOURCE, &text)
            .map_err(|e| e.to_string())
    });
    match published {
        Ok(()) => SendFailure::Failed(FailureReport {
            reference_number: Some(detail.reference_number.to_owned()),
            code: detail.reason.to_owned(),
            message: detail.reason_message.to_owned(),
            retryable: detail.retryable,
        }),
        Err(e) => SendFailure::RetryLater(RetryLaterHint {
            retry_at: None,
            code: Reason::EventsUnavailable.as_str().to_owned(),
            message: format!(
                "could not publish the {} event ({}: {}): {e}",
                events::SOCIAL_POST_FAILED,
                detail.reason,
                detail.reason_message
            ),
        }),
    }
}

/// Publish `Social Post Sent` for the `parts` and return `Sent`; `RetryLater`
/// (`events-unavailable`) when the event cannot be published (the ledger then replays it on
/// the next delivery).
pub(crate) fn report_sent<C: Capabilities + ?Sized>(
    caps: &mut C,
    post: &PostInput,
    parts: &[PublishedPart],
) -> Result<Sent, SendFailure> {
    let post_ids: Vec<String> = parts.iter().map(|p| p.id.clone()).collect();
    let first = parts.first();
    let post_id = first.map(|p| p.id.clone()).unwrap_or_default();
    let post_url = first.and_then(|p| p.url.clone());
    let published = events::to_json(&PostSent {
        reference_number: &post.reference_number,
        post_id: &post_id,
        post_ids: &post_ids,
        post_url: post_url.as_deref(),
    })
    .and_then(|detail| {
        caps.publish_event(events::SOCIAL_POST_SENT, events::SENDER_SOURCE, &detail)
            .map_err(|e| e.to_string())
    });
    match published {
        Ok(()) => Ok(Sent {
            reference_number: post.reference_number.clone(),
            post_id,
            post_ids,
            post_url,
        }),
        Err(e) => Err(SendFailure::RetryLater(RetryLaterHint {
            retry_at: None,
            code: Reason::EventsUnavailable.as_str().to_owned(),
            message: format!(
                "post {post_id} was published but the {} event could not be published: {e}",
                events::SOCIAL_POST_SENT
            ),
        })),
    }
}
