//! The sending rules: from a fired schedule's input to a published post and an event.
//!
//! 1. Parse the input; an unusable one is `invalid-input` (reported when it carries a string
//!    `referenceNumber`, otherwise nothing can carry the event).
//! 2. Claim the post's [ledger key](crate::ledger::ledger_key). `sent(id)` means an earlier
//!    delivery published it: `Social Post Sent` is published again, the platform is not called
//!    (EventBridge Scheduler delivers at least once). `claimed` and `in-flight` go on.
//! 3. Check the platform is loaded, then publish. Success is recorded in the ledger and
//!    reported with `Social Post Sent`.
//! 4. Errors map to reason codes. Errors that prove nothing was published release the claim;
//!    `unknown-outcome` keeps it. Rate limits and transient failures ask for another delivery
//!    (`retry-later`) unless this is the final attempt. A `duplicate-content` answer after an
//!    `in-flight` claim means an earlier attempt may have published the post, so it is
//!    `unknown-outcome` [docs.x.com, manage posts: 403 duplicate content].

use sps_contract::events::{self, PostFailed, PostSent};
use sps_contract::input;

use crate::ledger::ledger_key;
use crate::reason::Reason;
use crate::{
    Capabilities, Delivery, Entry, FailureReport, LedgerError, PostInput, PublishError,
    RetryLaterHint, SendFailure, Sent,
};

/// What to do after a failed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Disposition {
    /// Report now with this `retryable` flag, whatever the attempt.
    Report { retryable: bool },
    /// Retry later (at `retry_at` when known); on the final attempt report as retryable.
    Transient { retry_at: Option<u64> },
    /// The post may have been published: retry later; on the final attempt report as not
    /// retryable (retrying could post twice).
    Unknown,
}

/// A classified failure.
struct Outcome {
    reason: Reason,
    message: String,
    /// Whether the claim is dropped (the failure proves nothing was published).
    release: bool,
    disposition: Disposition,
}

/// Handle one delivery (WIT `sending.send-post`): `input` is the schedule's input JSON text.
///
/// Returns the post's reference and id after `Social Post Sent` was published.
///
/// # Errors
/// - `Failed` when the failure is final for this post; a `Social Post Failed` event (stage
///   `sending`) was published when the input carried a reference.
/// - `RetryLater` when the same input should be delivered again (rate limit, platform or
///   ledger unavailable, unknown outcome on a non-final attempt) or an outcome event could not
///   be published (`events-unavailable`).
pub fn send_post<C: Capabilities + ?Sized>(
    caps: &mut C,
    input: &str,
    delivery: Delivery,
) -> Result<Sent, SendFailure> {
    let post = match input::parse(input) {
        Ok(post) => post,
        Err(bad) => {
            return Err(match bad.reference_number {
                Some(reference) => {
                    report(caps, &reference, Reason::InvalidInput, bad.message, false)
                }
                None => SendFailure::Failed(FailureReport {
                    reference_number: None,
                    code: Reason::InvalidInput.as_str().to_owned(),
                    message: bad.message,
                    retryable: false,
                }),
            })
        }
    };
    let key = ledger_key(&post);
    let was_in_flight = match caps.claim(&key) {
        Ok(Entry::Sent(post_id)) => return report_sent(caps, &post, post_id),
        Ok(Entry::Claimed) => false,
        Ok(Entry::InFlight(_)) => true,
        Err(LedgerError::Unavailable(m)) => {
            let outcome = Outcome {
                reason: Reason::LedgerUnavailable,
                message: format!("the send ledger is unavailable: {m}"),
                release: false,
                disposition: Disposition::Transient { retry_at: None },
            };
            return Err(conclude(caps, &post, &key, delivery, outcome));
        }
    };

    let supported = caps.supported_platforms();
    if !supported.contains(&post.platform) {
        let list = if supported.is_empty() {
            "(none)".to_owned()
        } else {
            supported.join(", ")
        };
        let outcome = Outcome {
            reason: Reason::UnsupportedPlatform,
            message: format!(
                "platform {:?} is not supported; supported platforms: {list}",
                post.platform
            ),
            release: true,
            disposition: Disposition::Report { retryable: false },
        };
        return Err(conclude(caps, &post, &key, delivery, outcome));
    }

    match caps.publish_post(&post.platform, &post.message) {
        Ok(post_id) => {
            // A failed record is not fatal: the claim stays in-flight, and a redelivery is
            // then protected by the platform's duplicate check.
            let _ = caps.record_sent(&key, &post_id);
            report_sent(caps, &post, post_id)
        }
        Err(error) => {
            let outcome = classify(error, was_in_flight);
            Err(conclude(caps, &post, &key, delivery, outcome))
        }
    }
}

/// Map a platform error to a reason code, whether to release the claim, and what follows.
fn classify(error: PublishError, was_in_flight: bool) -> Outcome {
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
        PublishError::DuplicateContent(m) if was_in_flight => Outcome {
            reason: Reason::UnknownOutcome,
            message: format!(
                "the platform refused the post as a duplicate after an earlier attempt that \
                 recorded no outcome, so that attempt may have published it: {m}"
            ),
            release: false,
            disposition: Disposition::Unknown,
        },
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
        PublishError::UnknownOutcome(m) => Outcome {
            reason: Reason::UnknownOutcome,
            message: m,
            release: false,
            disposition: Disposition::Unknown,
        },
    }
}

/// Act on a failure: release the claim when it proves nothing was published (a failed release
/// is ignored: the claim then stays in-flight), then report it or ask for a retry.
fn conclude<C: Capabilities + ?Sized>(
    caps: &mut C,
    post: &PostInput,
    key: &str,
    delivery: Delivery,
    outcome: Outcome,
) -> SendFailure {
    if outcome.release {
        let _ = caps.release(key);
    }
    let retry_later = |retry_at| {
        SendFailure::RetryLater(RetryLaterHint {
            retry_at,
            code: outcome.reason.as_str().to_owned(),
            message: outcome.message.clone(),
        })
    };
    let retryable = match outcome.disposition {
        Disposition::Report { retryable } => retryable,
        Disposition::Transient { retry_at } if !delivery.final_attempt => {
            return retry_later(retry_at)
        }
        Disposition::Transient { .. } => true,
        Disposition::Unknown if !delivery.final_attempt => return retry_later(None),
        Disposition::Unknown => false,
    };
    report(
        caps,
        &post.reference_number,
        outcome.reason,
        outcome.message,
        retryable,
    )
}

/// Publish `Social Post Failed` and return `Failed`; `RetryLater` (`events-unavailable`) when
/// the event cannot be published.
fn report<C: Capabilities + ?Sized>(
    caps: &mut C,
    reference: &str,
    reason: Reason,
    message: String,
    retryable: bool,
) -> SendFailure {
    let published = events::to_json(&PostFailed {
        reference_number: reference,
        reason: reason.as_str(),
        reason_message: &message,
        retryable,
        stage: events::STAGE_SENDING,
    })
    .and_then(|detail| {
        caps.publish_event(events::SOCIAL_POST_FAILED, events::SENDER_SOURCE, &detail)
            .map_err(|e| e.to_string())
    });
    match published {
        Ok(()) => SendFailure::Failed(FailureReport {
            reference_number: Some(reference.to_owned()),
            code: reason.as_str().to_owned(),
            message,
            retryable,
        }),
        Err(e) => SendFailure::RetryLater(RetryLaterHint {
            retry_at: None,
            code: Reason::EventsUnavailable.as_str().to_owned(),
            message: format!(
                "could not publish the {} event ({}: {message}): {e}",
                events::SOCIAL_POST_FAILED,
                reason.as_str()
            ),
        }),
    }
}

/// Publish `Social Post Sent` and return `Sent`; `RetryLater` (`events-unavailable`) when the
/// event cannot be published (the ledger then replays it on the next delivery).
fn report_sent<C: Capabilities + ?Sized>(
    caps: &mut C,
    post: &PostInput,
    post_id: String,
) -> Result<Sent, SendFailure> {
    let published = events::to_json(&PostSent {
        reference_number: &post.reference_number,
        post_id: &post_id,
    })
    .and_then(|detail| {
        caps.publish_event(events::SOCIAL_POST_SENT, events::SENDER_SOURCE, &detail)
            .map_err(|e| e.to_string())
    });
    match published {
        Ok(()) => Ok(Sent {
            reference_number: post.reference_number.clone(),
            post_id,
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
