//! The cancel rules: from a `Cancel Social Post` request to a deleted schedule and an event.
//!
//! Checks, the first failure wins: event shape -> `detail-type` (`Cancel Social Post`, or
//! none for a bare detail) -> `referenceNumber` (required) -> `platform` (required, loaded).
//! A cancel that names no post (no usable `referenceNumber`) is answered without an event:
//! no producer could match an event under a made-up reference.
//! `scheduledDate`, `message` and the other fields of a scheduling request are ignored.
//! A rejected request is reported with `Social Post Failed` of stage `cancelling` under the
//! request's reference (or a generated UUID when it has no usable one).
//!
//! Then the post is found: the pending schedule `{platform}-{referenceNumber}` (its input
//! gives the post's send ledger key), else the key the ledger noted for that schedule name
//! when the post was scheduled. The ledger arbitrates between the cancel and a delivery
//! ([`Capabilities::cancel_key`]): of the two, exactly one wins the key, so a post never
//! ends with both `Social Post Sent` and `Social Post Cancelled`.
//!
//! | ledger       | schedule found                          | schedule gone                |
//! |--------------|-----------------------------------------|------------------------------|
//! | cancelled    | delete it, `Social Post Cancelled`      | `schedule-not-found`         |
//! | already      | delete it, `Social Post Cancelled`      | `Social Post Cancelled` again (a retried cancel) |
//! | in-flight    | `already-sending`                       | `already-sending`            |
//! | sent         | `already-sent`                          | `already-sent`               |
//!
//! No key at all (never scheduled, or scheduled before the ledger noted names) is
//! `schedule-not-found`; so is a gone schedule whose key no delivery touched (it was
//! deleted, or its delivery failed and was reported).

use sps_contract::events::{self, PostCancelled};
use sps_contract::input;
use sps_contract::ledger::ledger_key;

use crate::campaign;
use crate::flow::{check_platform, reject_at};
use crate::name;
use crate::reason::{Problem, Reason};
use crate::request::{field, Request};
use crate::{CancelOutcome, Cancelled, Capabilities, Rejection, ScheduleError, ScheduleFailure};

/// Handle one cancel (WIT `scheduling.cancel-post`): `event` is the JSON text of an
/// EventBridge event with `detail-type` `Cancel Social Post`, or of its detail alone.
///
/// # Errors
/// - `Rejected` with a reason code: the request is wrong (as for scheduling), or the post
///   cannot be cancelled (`schedule-not-found`, `already-sent`, `already-sending`); a
///   `Social Post Failed` event (stage `cancelling`) was published when the reference is
///   known.
/// - `Retryable` when a capability failed; sending the same cancel again is safe.
pub fn cancel_post<C: Capabilities + ?Sized>(
    caps: &mut C,
    event: &str,
) -> Result<Cancelled, ScheduleFailure> {
    let request = crate::flow::parse(event)?;
    let (reference, platform) = match check(caps, &request) {
        Ok(found) => found,
        Err((Some(reference), problem)) => return Err(reject(caps, &reference, problem)),
        // No post is named: an event under a made-up reference would tell no one anything.
        Err((None, problem)) => {
            return Err(ScheduleFailure::Rejected(Rejection {
                code: problem.code,
                message: problem.message,
                reference_number: None,
            }))
        }
    };
    let name = name::schedule_name(&platform, &reference);
    let retryable = |what: &str, e: &dyn std::fmt::Display| {
        ScheduleFailure::Retryable(format!("could not cancel {name}: {what}: {e}"))
    };
    let mut booked_in = None;
    let (key, pending) = match caps.get_schedule(&name) {
        Ok(schedule) => {
            booked_in = campaign::of_input(&schedule.input);
            match input::parse(&schedule.input) {
                Ok(post) => (Some(ledger_key(&post)), true),
                // Not the scheduler's input: only the noted key can name the post.
                Err(_) => (noted_key(caps, &name)?, true),
            }
        }
        Err(ScheduleError::NotFound) => (noted_key(caps, &name)?, false),
        Err(e) => return Err(retryable("reading the schedule", &e)),
    };
    let not_found = || {
        Problem::new(
            Reason::ScheduleNotFound,
            format!(
                "no pending post {reference:?} on {platform}: it was never scheduled, or its \
                 schedule is gone (deleted, or its delivery failed and was reported)"
            ),
        )
    };
    let Some(key) = key else {
        return Err(reject(caps, &reference, not_found()));
    };
    let outcome = caps
        .cancel_key(&key)
        .map_err(|e| retryable("the send ledger", &e))?;
    match outcome {
        // A retried cancel finds its own earlier cancellation: report it again.
        CancelOutcome::Cancelled if !pending => Err(reject(caps, &reference, not_found())),
        CancelOutcome::Cancelled | CancelOutcome::AlreadyCancelled => {
            // Before the schedule goes: a retried cancel still finds the campaign.
            if let Some(campaign) = booked_in {
                campaign::release(caps, &campaign, &platform, &reference)
                    .map_err(|e| retryable("freeing the campaign slot", &e))?;
                crate::metrics::drop(caps, &name)
                    .map_err(|e| retryable("deleting the metrics reading", &e))?;
            }
            match caps.delete_schedule(&name) {
                Ok(()) | Err(ScheduleError::NotFound) => {}
                Err(e) => return Err(retryable("deleting the schedule", &e)),
            }
            let detail = events::to_json(&PostCancelled {
                reference_number: &reference,
                platform: &platform,
            })
            .map_err(ScheduleFailure::Retryable)?;
            caps.publish_event(
                events::SOCIAL_POST_CANCELLED,
                events::SCHEDULER_SOURCE,
                &detail,
            )
            .map_err(|e| retryable("publishing the event", &e))?;
            Ok(Cancelled {
                reference_number: reference,
                schedule_name: name,
            })
        }
        CancelOutcome::InFlight { claimed_at } => {
            let problem = Problem::new(
                Reason::AlreadySending,
                format!(
                    "post {reference:?} on {platform} is being sent, or its outcome is unknown \
                     (a delivery claimed it at {} and recorded no outcome); it may be published, \
                     so it cannot be cancelled",
                    sps_contract::time::describe(claimed_at)
                ),
            );
            Err(reject(caps, &reference, problem))
        }
        CancelOutcome::Sent(ids) => {
            let problem = Problem::new(
                Reason::AlreadySent,
                format!(
                    "post {reference:?} on {platform} was already published as {}",
                    ids.join(", ")
                ),
            );
            Err(reject(caps, &reference, problem))
        }
    }
}

/// The key the ledger noted for `name`.
fn noted_key<C: Capabilities + ?Sized>(
    caps: &mut C,
    name: &str,
) -> Result<Option<String>, ScheduleFailure> {
    caps.scheduled_key(name).map_err(|e| {
        ScheduleFailure::Retryable(format!("could not cancel {name}: the send ledger: {e}"))
    })
}

/// The request's reference and platform, or the problem and the reference when known.
fn check<C: Capabilities + ?Sized>(
    caps: &mut C,
    request: &Request,
) -> Result<(String, String), (Option<String>, Problem)> {
    let reference = request.reference();
    let known = reference.clone().ok().flatten().map(str::to_owned);
    request
        .check_detail_type_is(events::CANCEL_DETAIL_TYPE)
        .map_err(|problem| (known.clone(), problem))?;
    let reference = match reference {
        Ok(Some(reference)) => reference.to_owned(),
        Ok(None) => {
            let problem = Problem::new(
                Reason::MissingField,
                format!("{} is required", field::REFERENCE_NUMBER),
            );
            return Err((None, problem));
        }
        Err(_) => {
            let problem = Problem::new(
                Reason::InvalidField,
                format!(
                    "{} must name the post to cancel: a string of 1 to {} characters",
                    field::REFERENCE_NUMBER,
                    crate::request::MAX_REFERENCE_CHARS
                ),
            );
            return Err((None, problem));
        }
    };
    let known = |problem| (Some(reference.clone()), problem);
    let platform = request.required_string(field::PLATFORM).map_err(known)?;
    check_platform(caps, platform).map_err(known)?;
    Ok((reference, platform.to_owned()))
}

/// Report a rejected cancel (stage `cancelling`).
fn reject<C: Capabilities + ?Sized>(
    caps: &mut C,
    reference: &str,
    problem: Problem,
) -> ScheduleFailure {
    reject_at(caps, reference, problem, events::STAGE_CANCELLING)
}
