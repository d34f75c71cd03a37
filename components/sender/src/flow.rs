//! The sending rules: from a fired schedule's input to a published post and an event.
//!
//! 1. Parse the input; an unusable one is `invalid-input` (reported when it carries a string
//!    `referenceNumber`, otherwise nothing can carry the event).
//! 2. Claim the post's [ledger key](crate::ledger::ledger_key). `cancelled` means a
//!    `Cancel Social Post` won the key: nothing is published or reported (the cancel
//!    reported it), the delivery ends `cancelled`. `sent(id)` means an earlier
//!    delivery published it: `Social Post Sent` is published again, the platform is not called
//!    (EventBridge Scheduler delivers at least once). `in-flight` means an earlier delivery
//!    claimed it and recorded no outcome: within [`IN_FLIGHT_GRACE_SECONDS`] it may still be
//!    under way, so this delivery asks to be retried after the grace period; after it, that
//!    delivery was cut short (a crash) and may have published the post, so it is reported as
//!    `unknown-outcome` and never sent again (X has no idempotency key to make a second try
//!    safe) [docs.x.com, manage posts].
//! 3. A delivery more than [`MAX_LATENESS_SECONDS`] after the moment the schedule was due
//!    (`delivery.due-at`) is not published: `expired`.
//! 4. Check the platform is loaded, then publish the parts (the message, then the thread's
//!    replies, each replying to the one before) from the first one the ledger does not
//!    record: each published part is recorded before the next is sent, so a later delivery
//!    continues after it and never posts a part twice. When every part is out the post is
//!    recorded as sent and reported with `Social Post Sent` (every part's id, the first
//!    part's URL).
//! 5. Errors map to reason codes ([`crate::outcome`]). Errors that prove the part was not
//!    published release the claim (the recorded parts stay); `unknown-outcome` keeps it and is
//!    reported at once (a retry could publish twice). Rate limits and transient failures ask
//!    for another delivery (`retry-later`) unless this is the final attempt. A thread that
//!    ends with some parts published is reported as `thread-incomplete` with their ids.

use sps_contract::events::{self, PostFailed};
use sps_contract::input;
use sps_contract::time;

use crate::ledger::ledger_key;
use crate::outcome::{
    classify, conclude, report, report_sent, report_thread, Disposition, Outcome,
};
use crate::reason::Reason;
use crate::{
    Capabilities, Delivery, Entry, FailureReport, LedgerError, Post, PostInput, PublishedPart,
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
    let recorded = match caps.claim(&key) {
        // A `sent` record must name what was published; one without any part cannot be
        // reported as sent (nor posted again): the ledger is treated as unreadable.
        Ok(Entry::Sent(parts)) if parts.is_empty() => {
            let outcome = Outcome {
                reason: Reason::LedgerUnavailable,
                message: "the send ledger records this post as sent without any part".to_owned(),
                release: false,
                disposition: Disposition::Transient { retry_at: None },
            };
            return Err(conclude(caps, &post, &key, delivery, outcome, &[]));
        }
        Ok(Entry::Sent(parts)) => return report_sent(caps, &post, &parts),
        // The cancel won the race for the key and reported `Social Post Cancelled`.
        Ok(Entry::Cancelled) => {
            return Err(SendFailure::Failed(FailureReport {
                reference_number: Some(post.reference_number.clone()),
                code: Reason::Cancelled.as_str().to_owned(),
                message: format!(
                    "post {:?} on {} was cancelled before this delivery; nothing was published",
                    post.reference_number, post.platform
                ),
                retryable: false,
            }))
        }
        Ok(Entry::Claimed(parts)) => parts,
        // Every part recorded: the post is out, only its `sent` record is missing.
        Ok(Entry::InFlight { parts, .. }) if parts.len() > post.thread.len() => {
            return report_sent(caps, &post, &parts);
        }
        Ok(Entry::InFlight { claimed_at, parts }) => {
            in_flight(caps, &post, delivery, claimed_at, parts)?
        }
        Err(LedgerError::Unavailable(m)) => {
            let outcome = ledger_unavailable(format!("the send ledger is unavailable: {m}"));
            return Err(conclude(caps, &post, &key, delivery, outcome, &[]));
        }
    };
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
            return Err(conclude(caps, &post, &key, delivery, outcome, &recorded));
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
        return Err(conclude(caps, &post, &key, delivery, outcome, &recorded));
    }
    publish_parts(caps, &post, &key, delivery, recorded)
}

/// The ledger could not be used: keep the claim, retry later (retryable on the final
/// delivery).
fn ledger_unavailable(message: String) -> Outcome {
    Outcome {
        reason: Reason::LedgerUnavailable,
        message,
        release: false,
        disposition: Disposition::Transient { retry_at: None },
    }
}

/// Publish the parts of `post` after the `published` ones, recording each, then record the
/// post as sent and report it.
fn publish_parts<C: Capabilities + ?Sized>(
    caps: &mut C,
    post: &PostInput,
    key: &str,
    delivery: Delivery,
    mut published: Vec<PublishedPart>,
) -> Result<Sent, SendFailure> {
    let request = Post {
        parts: post.parts(),
        account: post.account().to_owned(),
        idempotency_key: crate::ledger::idempotency_key(post),
    };
    // A part the ledger failed to record must never be posted again: the claim then stays
    // whatever follows (a redelivery waits out the grace period instead of continuing).
    let mut all_recorded = true;
    for (index, _) in request.parts.iter().enumerate().skip(published.len()) {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        match caps.publish_part(&post.platform, &request, index, &published) {
            Ok(part) => {
                all_recorded &= caps.record_part(key, index, &part).is_ok();
                published.push(part);
            }
            Err(error) => {
                // Asked only when it matters (each answer runs the platform component).
                let idempotent = matches!(error, crate::PublishError::UnknownOutcome(_))
                    && caps.idempotent(&post.platform);
                let mut outcome = classify(error, idempotent);
                outcome.release &= all_recorded;
                return Err(conclude(caps, post, key, delivery, outcome, &published));
            }
        }
    }
    // A failed record is not fatal: the claim stays in-flight, so a redelivery never posts
    // again (it reports the post as sent when every part is recorded, unknown-outcome once
    // the grace period is over when one is not). A part not recorded keeps the claim.
    if all_recorded {
        let _ = caps.record_sent(key);
    }
    report_sent(caps, post, &published)
}

/// An earlier delivery holds the claim since `claimed_at`: ask to be retried once the
/// grace period is over while it may still be under way (unless this is the final
/// delivery). After it, that delivery was cut short: on an idempotent platform the post is
/// continued after the recorded `parts` (a repeated part gives back the one published),
/// which this returns; otherwise it reports `unknown-outcome` without publishing
/// (`thread-incomplete` when `parts` of the thread were recorded as published).
fn in_flight<C: Capabilities + ?Sized>(
    caps: &mut C,
    post: &PostInput,
    delivery: Delivery,
    claimed_at: u64,
    parts: Vec<PublishedPart>,
) -> Result<Vec<PublishedPart>, SendFailure> {
    let now = caps.now_unix_seconds();
    let until = claimed_at.saturating_add(IN_FLIGHT_GRACE_SECONDS);
    if now < until && !delivery.final_attempt {
        return Err(SendFailure::RetryLater(RetryLaterHint {
            retry_at: Some(until),
            code: Reason::UnknownOutcome.as_str().to_owned(),
            message: format!(
                "another delivery of this post claimed it at {} and has recorded no outcome yet",
                time::describe(claimed_at)
            ),
        }));
    }
    if caps.idempotent(&post.platform) {
        return Ok(parts);
    }
    let message = format!(
        "an earlier delivery claimed this post at {} and recorded no outcome (it was cut \
         short): the post may have been published, so it is not sent again",
        time::describe(claimed_at)
    );
    Err(if parts.is_empty() {
        report(
            caps,
            &post.reference_number,
            Reason::UnknownOutcome,
            message,
            false,
        )
    } else {
        report_thread(caps, post, Reason::UnknownOutcome, &message, false, &parts)
    })
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
    if sps_contract::metrics::is_metrics(input) {
        // The post itself was sent or reported already: a lost reading reports nothing.
        return Err("a metrics reading reports no event; nothing was published".to_string());
    }
    let reference = match input::parse(input) {
        Ok(post) => post.reference_number,
        Err(bad) => bad
            .reference_number
            .ok_or_else(|| format!("the input carries no reference: {}", bad.message))?,
    };
    let detail = events::to_json(&PostFailed::new(
        &reference,
        code,
        message,
        false,
        events::STAGE_SENDING,
    ))?;
    caps.publish_event(events::SOCIAL_POST_FAILED, events::SENDER_SOURCE, &detail)
        .map_err(|e| e.to_string())?;
    Ok(FailureReport {
        reference_number: Some(reference),
        code: code.to_owned(),
        message: message.to_owned(),
        retryable: false,
    })
}
