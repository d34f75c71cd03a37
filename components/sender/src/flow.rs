//! The sending rules: from a fired schedule's input to a published post and an event.
//!
//! 1. Parse the input; an unusable one is `invalid-input` (reported when it carries a string
//!    `referenceNumber`, otherwise nothing can carry the event).
//! 2. Claim the post's [ledger key](crate::ledger::ledger_key). `sent(id)` means an earlier
//!    delivery published it: `Social Post Sent` is published again, the platform is not called
//!    (EventBridge Scheduler delivers at least once). `in-flight` means an earlier delivery
//!    claimed it and recorded no outcome: within [`IN_FLIGHT_GRACE_SECONDS`] it may still be
//!    under way, so this delivery asks to be retried after the grace period; after it, that
//!    delivery was cut short (a crash) and may have published the post, so it is reported as
//!    `unknown-outcome` and never sent again (X has no idempotency key to make a second try
//!    safe) [docs.x.com, manage posts].
//! 3. A delivery more than [`MAX_LATENESS_SECONDS`] after the moment the schedule was due
//!    (`delivery.due-at`) is not published: `expired`.
//! 4. Check the platform is loaded, then publish. Success is recorded in the ledger and
//!    reported with `Social Post Sent`.
//! 5. Errors map to reason codes. Errors that prove nothing was published release the claim;
//!    `unknown-outcome` keeps it and is reported at once (a retry could publish twice). Rate
//!    limits and transient failures ask for another delivery (`retry-later`) unless this is
//!    the final attempt.

use sps_contract::events::{self, PostFailed, PostSent};
use sps_contract::input;
use sps_contract::time;

use crate::ledger::ledger_key;
use crate::reason::Reason;
use crate::{
    Capabilities, Delivery, Entry, FailureReport, LedgerError, PostInput, PublishError,
    RetryLaterHint, SendFailure, Sent,
};

/// How long an `in-flight` claim may belong to a delivery still under way, seconds: above
/// the longest a delivery can hold it (the host cuts a platform call at 7 s, and Lambda an
/// invocation at the template's 150 s), so an older claim was left by a delivery that was
/// cut short.
pub const IN_FLIGHT_GRACE_SECONDS: u64 = 180;

/// The latest a post is published after the moment its schedule was due, seconds: one hour,
/// as EventBridge Scheduler's `MaximumEventAgeInSeconds` of 3600 in template.yaml.
pub const MAX_LATENESS_SECONDS: u64 = 3600;

/// What to do after a failed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Disposition {
    /// Report now with this `retryable` flag, whatever the attempt.
    Report { retryable: bool },
    /// Retry later (at `retry_at` when known); on the final attempt report as retryable.
    Transient { retry_at: Option<u64> },
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
///   ledger unavailable, another delivery in flight) or an outcome event could not be
///   published (`events-unavailable`).
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
    match caps.claim(&key) {
        Ok(Entry::Sent(post_id)) => return report_sent(caps, &post, post_id),
        Ok(Entry::Claimed) => {}
        Ok(Entry::InFlight(claimed_at)) => {
            return Err(in_flight(caps, &post, delivery, claimed_at));
        }
        Err(LedgerError::Unavailable(m)) => {
            let outcome = Outcome {
                reason: Reason::LedgerUnavailable,
                message: format!("the send ledger is unavailable: {m}"),
                release: false,
                disposition: Disposition::Transient { retry_at: None },
            };
            return Err(conclude(caps, &post, &key, delivery, outcome));
        }
    }
    if let Some(due_at) = delivery.due_at {
        let now = caps.now_unix_seconds();
        if now > due_at.saturating_add(MAX_LATENESS_SECONDS) {
            let outcome = Outcome {
                reason: Reason::Expired,
                message: format!(
                    "the delivery came {} s after the schedule was due at {}, more than the \
                     {MAX_LATENESS_SECONDS} s allowed; the post was not published",
                    now - due_at,
                    time::describe(due_at)
                ),
                release: true,
                disposition: Disposition::Report { retryable: false },
            };
            return Err(conclude(caps, &post, &key, delivery, outcome));
        }
    }

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
            // A failed record is not fatal: the claim stays in-flight, so a redelivery never
            // posts again (it reports unknown-outcome once the grace period is over).
            let _ = caps.record_sent(&key, &post_id);
            report_sent(caps, &post, post_id)
        }
        Err(error) => {
            let outcome = classify(error);
            Err(conclude(caps, &post, &key, delivery, outcome))
        }
    }
}

/// An earlier delivery holds the claim since `claimed_at`: ask to be retried once the
/// grace period is over while it may still be under way (unless this is the final
/// delivery), otherwise report `unknown-outcome` without publishing.
fn in_flight<C: Capabilities + ?Sized>(
    caps: &mut C,
    post: &PostInput,
    delivery: Delivery,
    claimed_at: u64,
) -> SendFailure {
    let now = caps.now_unix_seconds();
    let until = claimed_at.saturating_add(IN_FLIGHT_GRACE_SECONDS);
    if now < until && !delivery.final_attempt {
        return SendFailure::RetryLater(RetryLaterHint {
            retry_at: Some(until),
            code: Reason::UnknownOutcome.as_str().to_owned(),
            message: format!(
                "another delivery of this post claimed it at {} and has recorded no outcome yet",
                time::describe(claimed_at)
            ),
        });
    }
    report(
        caps,
        &post.reference_number,
        Reason::UnknownOutcome,
        format!(
            "an earlier delivery claimed this post at {} and recorded no outcome (it was cut \
             short): the post may have been published, so it is not sent again",
            time::describe(claimed_at)
        ),
        false,
    )
}

/// Handle a delivery the host gives up on (WIT `sending.report-undelivered`): publish
/// `Social Post Failed` with `code` and `message`, `retryable` false, without calling the
/// platform.
///
/// # Errors
/// Why no event could be published: the input carries no reference, or the events
/// capability failed.
pub fn report_undelivered<C: Capabilities + ?Sized>(
    caps: &mut C,
    input: &str,
    code: &str,
    message: &str,
) -> Result<FailureReport, String> {
    let reference = match input::parse(input) {
        Ok(post) => post.reference_number,
        Err(bad) => bad
            .reference_number
            .ok_or_else(|| format!("the input carries no reference: {}", bad.message))?,
    };
    let detail = events::to_json(&PostFailed {
        reference_number: &reference,
        reason: code,
        reason_message: message,
        retryable: false,
        stage: events::STAGE_SENDING,
    })?;
    caps.publish_event(events::SOCIAL_POST_FAILED, events::SENDER_SOURCE, &detail)
        .map_err(|e| e.to_string())?;
    Ok(FailureReport {
        reference_number: Some(reference),
        code: code.to_owned(),
        message: message.to_owned(),
        retryable: false,
    })
}

/// Map a platform error to a reason code, whether to release the claim, and what follows.
fn classify(error: PublishError) -> Outcome {
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
        PublishError::UnknownOutcome(m) => Outcome {
            reason: Reason::UnknownOutcome,
            message: m,
            release: false,
            disposition: Disposition::Report { retryable: false },
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
