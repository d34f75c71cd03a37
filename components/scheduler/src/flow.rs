//! The scheduling rules: from a request's JSON text to a schedule and an event.
//!
//! Checks run in this order and the first failure wins: event shape -> `detail-type` ->
//! `referenceNumber` -> `message` presence/type -> `platform` -> `thread` -> `account` ->
//! `campaign` -> `timeZone` -> `scheduledDate` (optional, or `"auto"`, with a campaign) -> the platform's validation of every part (a reply's problem is named
//! `thread[i]: ...`). A rejected request is reported with a
//! `Social Post Failed` event (stage `scheduling`, not retryable) whenever its detail object
//! could be read; the reference is the request's, or a generated UUID when it has none (or an
//! invalid one: not a string, empty, or too long). Then the schedule is created, replaced on a name conflict (create-then-
//! update is race-free [AWS Scheduler API reference, CreateSchedule: ConflictException;
//! UpdateSchedule replaces every field]), after noting the post's send ledger key under the
//! schedule name (so a cancel can find it, and an earlier cancel of the same post is
//! forgotten), and `Post Scheduled` is published.

use sps_contract::events::{self, PostFailed, PostScheduled};
use sps_contract::input::{TargetInput, DEFAULT_ACCOUNT};
use sps_contract::ledger::ledger_key;

use chrono::{DateTime, Utc};

use crate::campaign::{self, BookFailure, Requested};
use crate::date::{self, Timing};
use crate::metrics;
use crate::name;
use crate::reason::{Problem, Reason};
use crate::request::{self, field, Request};
use crate::settings;
use crate::{
    Capabilities, Rejection, Schedule, ScheduleAction, ScheduleError, ScheduleFailure, Scheduled,
};
use sps_contract::metrics::{MetricsInput, METRICS_KIND};

pub use crate::campaign::AUTO_DATE;

/// How many create/update rounds are tried when the schedule keeps disappearing between a
/// `conflict` on create and a `not-found` on update.
pub const MAX_ROUNDS: usize = 3;

/// A request that passed every check.
pub(crate) struct Accepted<'r> {
    message: &'r str,
    platform: &'r str,
    thread: Vec<String>,
    account: Option<&'r str>,
    /// When to post.
    requested: Requested<'r>,
    /// The moment the request was checked.
    now: DateTime<Utc>,
}

/// The schedule's input: the target input, and the post's campaign when it has one (read
/// back by a cancel, to free the slot; the sender ignores it).
#[derive(serde::Serialize)]
struct Input<'a> {
    #[serde(flatten)]
    target: &'a TargetInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<&'a str>,
}

/// Handle one request (WIT `scheduling.schedule-post`): `event` is the JSON text of an
/// EventBridge event with `detail-type` `Schedule Social Post`, or of its detail alone.
///
/// Returns what was scheduled after `Post Scheduled` was published.
///
/// # Errors
/// - `Rejected` with a reason code (see [`Reason`], or the platform's validation code) when
///   the request is wrong; a `Social Post Failed` event was published when the reference is
///   known (`reference_number` is then `Some`).
/// - `Retryable` when a capability failed (schedules, events, settings, or publishing the
///   rejection event); no `Post Scheduled` event was published.
pub fn schedule_post<C: Capabilities + ?Sized>(
    caps: &mut C,
    event: &str,
) -> Result<Scheduled, ScheduleFailure> {
    let request = parse(event)?;
    let (reference, reference_problem) = match request.reference() {
        Ok(Some(reference)) => (reference.to_owned(), None),
        Ok(None) => (caps.new_uuid(), None),
        Err(problem) => (caps.new_uuid(), Some(problem)),
    };
    let accepted = match check(caps, &request, reference_problem) {
        Ok(accepted) => accepted,
        Err(problem) => return Err(reject(caps, &reference, problem)),
    };

    let raw_window = caps.setting(settings::FLEXIBLE_WINDOW_KEY).map_err(|e| {
        ScheduleFailure::Retryable(format!(
            "could not read setting {}: {e}",
            settings::FLEXIBLE_WINDOW_KEY
        ))
    })?;
    let window = settings::flexible_window_minutes(raw_window.as_deref())
        .map_err(ScheduleFailure::Retryable)?;

    let (requested, booked) = match accepted.requested {
        Requested::At(at) => (at, None),
        Requested::Campaign { name, at } => {
            match campaign::book(caps, name, accepted.platform, &reference, at) {
                Ok(booked) => (booked.date, Some((name, booked))),
                Err(BookFailure::Rejected(problem)) => {
                    return Err(reject(caps, &reference, problem))
                }
                Err(BookFailure::Retryable(m)) => return Err(ScheduleFailure::Retryable(m)),
            }
        }
    };
    let campaign_name = booked.as_ref().map(|(name, _)| *name);
    let timing: Timing = match date::plan(requested, accepted.now) {
        Ok(timing) => timing,
        Err(problem) => return Err(reject(caps, &reference, problem)),
    };
    let scheduled_date = date::format(timing.scheduled_date);
    let target = TargetInput {
        reference_number: reference.clone(),
        message: accepted.message.to_owned(),
        platform: accepted.platform.to_owned(),
        scheduled_date: scheduled_date.clone(),
        thread: accepted.thread,
        account: accepted.account.map(str::to_owned),
    };
    let input = events::to_json(&Input {
        target: &target,
        campaign: campaign_name,
    })
    .map_err(ScheduleFailure::Retryable)?;
    let schedule = Schedule {
        name: name::schedule_name(accepted.platform, &reference),
        at: date::format(timing.at),
        flexible_window_minutes: window,
        input,
    };
    // Before the schedule exists: a post cancelled earlier and scheduled again goes out.
    caps.note_scheduled(&schedule.name, &ledger_key(&target))
        .map_err(|e| {
            ScheduleFailure::Retryable(format!(
                "could not note schedule {} in the send ledger: {e}",
                schedule.name
            ))
        })?;
    let (action, replaced) = match put_schedule(caps, &schedule) {
        Ok(put) => put,
        Err(PutFailure::Refused(why)) => {
            let problem = Problem::new(
                Reason::ScheduleRejected,
                format!("schedule {} was refused: {why}", schedule.name),
            );
            return Err(reject(caps, &reference, problem));
        }
        Err(PutFailure::Failed(failure)) => return Err(failure),
    };

    // A post moved out of its campaign (or into another) gives up its old slot.
    if let Some(old) = replaced.as_deref().and_then(campaign::of_input) {
        if Some(old.as_str()) != campaign_name {
            campaign::release(caps, &old, accepted.platform, &reference)
                .and_then(|()| metrics::drop(caps, &schedule.name))
                .map_err(|e| {
                    ScheduleFailure::Retryable(format!(
                        "schedule {} was {action} but its old slot could not be freed: {e}",
                        schedule.name
                    ))
                })?;
        }
    }
    if let Some((name, booked)) = &booked {
        let reading = metrics::Reading {
            schedule_name: &schedule.name,
            input: MetricsInput {
                kind: METRICS_KIND.to_string(),
                reference_number: reference.clone(),
                platform: accepted.platform.to_owned(),
                account: target.account().to_owned(),
                campaign: (*name).to_owned(),
                bucket: booked.bucket,
                ledger_key: ledger_key(&target),
            },
            at: timing.at,
            window_minutes: window,
        };
        metrics::put(caps, &reading)?;
    }
    let detail = events::to_json(&PostScheduled {
        reference_number: &reference,
        scheduled_date: &scheduled_date,
        campaign: campaign_name,
        slot: booked.as_ref().map(|(_, booked)| booked.slot.as_str()),
    })
    .map_err(ScheduleFailure::Retryable)?;
    caps.publish_event(events::POST_SCHEDULED, events::SCHEDULER_SOURCE, &detail)
        .map_err(|e| {
            ScheduleFailure::Retryable(format!(
                "schedule {} was {action} but the {} event could not be published: {e}",
                schedule.name,
                events::POST_SCHEDULED
            ))
        })?;
    Ok(Scheduled {
        reference_number: reference,
        schedule_name: schedule.name,
        scheduled_date,
        action,
        campaign: booked.map(|(name, booked)| (name.to_owned(), booked.slot)),
    })
}

/// The event's request, or its rejection (no reference is known, so no event).
pub(crate) fn parse(event: &str) -> Result<Request, ScheduleFailure> {
    request::parse_event(event).map_err(|problem| {
        ScheduleFailure::Rejected(Rejection {
            code: problem.code,
            message: problem.message,
            reference_number: None,
        })
    })
}

/// Run every request check in order; the first failure wins.
pub(crate) fn check<'r, C: Capabilities + ?Sized>(
    caps: &mut C,
    request: &'r Request,
    reference_problem: Option<Problem>,
) -> Result<Accepted<'r>, Problem> {
    request.check_detail_type()?;
    if let Some(problem) = reference_problem {
        return Err(problem);
    }
    let message = request.required_string(field::MESSAGE)?;
    let platform = request.required_string(field::PLATFORM)?;
    check_platform(caps, platform)?;
    let thread = request.thread()?;
    let account = request.account()?;
    let requested = campaign::requested(request, request.campaign()?)?;
    let now = caps.now();
    if let Some(date) = requested.date() {
        date::plan(date, now)?;
    }
    let parts: Vec<String> = std::iter::once(message.to_owned())
        .chain(thread.iter().cloned())
        .collect();
    caps.validate_post(platform, &parts, account.unwrap_or(DEFAULT_ACCOUNT))
        .map_err(|e| Problem {
            code: e.code,
            message: match e.part {
                // A reply is named by its place in the event's `thread`.
                Some(part) if part > 0 => format!("thread[{}]: {}", part - 1, e.message),
                _ => e.message,
            },
        })?;
    Ok(Accepted {
        message,
        platform,
        thread,
        account,
        requested,
        now,
    })
}

/// `platform` must be one of the loaded platforms (`platforms.supported`).
///
/// # Errors
/// [`Reason::UnsupportedPlatform`] listing the loaded ones.
pub(crate) fn check_platform<C: Capabilities + ?Sized>(
    caps: &mut C,
    platform: &str,
) -> Result<(), Problem> {
    let supported = caps.supported_platforms();
    if supported.iter().any(|name| name == platform) {
        return Ok(());
    }
    let list = if supported.is_empty() {
        "(none)".to_owned()
    } else {
        supported.join(", ")
    };
    Err(Problem::new(
        Reason::UnsupportedPlatform,
        format!("platform {platform:?} is not supported; supported platforms: {list}"),
    ))
}

/// Report a rejection with a `Social Post Failed` event (stage `scheduling`); `Retryable`
/// if that publish fails.
fn reject<C: Capabilities + ?Sized>(
    caps: &mut C,
    reference: &str,
    problem: Problem,
) -> ScheduleFailure {
    reject_at(caps, reference, problem, events::STAGE_SCHEDULING)
}

/// Report a rejection with a `Social Post Failed` event of `stage`; `Retryable` if that
/// publish fails.
pub(crate) fn reject_at<C: Capabilities + ?Sized>(
    caps: &mut C,
    reference: &str,
    problem: Problem,
    stage: &str,
) -> ScheduleFailure {
    let published = events::to_json(&PostFailed::new(
        reference,
        &problem.code,
        &problem.message,
        false,
        stage,
    ))
    .and_then(|detail| {
        caps.publish_event(events::SOCIAL_POST_FAILED, events::FAILED_SOURCE, &detail)
            .map_err(|e| e.to_string())
    });
    match published {
        Ok(()) => ScheduleFailure::Rejected(Rejection {
            code: problem.code,
            message: problem.message,
            reference_number: Some(reference.to_owned()),
        }),
        Err(e) => ScheduleFailure::Retryable(format!(
            "request rejected ({}: {}) but the {} event could not be published: {e}",
            problem.code,
            problem.message,
            events::SOCIAL_POST_FAILED
        )),
    }
}

/// Why [`put_schedule`] did not create or update the schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutFailure {
    /// The store refused the schedule as it is (`schedule-error::invalid`: EventBridge
    /// Scheduler's ValidationException, or a local update of a post being delivered);
    /// the same request would be refused again.
    Refused(String),
    /// The store failed; the request may be retried.
    Failed(ScheduleFailure),
}

/// Create `schedule`, or replace the existing one of that name: create; on `conflict` update;
/// on `not-found` from update (it fired or was deleted meanwhile) create again; at most
/// [`MAX_ROUNDS`] rounds. Returns what was done and, for an update, the replaced schedule's
/// input (read just before; `None` when it could not be read).
///
/// # Errors
/// `Refused` when the store refuses the schedule (`invalid`); `Failed` (`Retryable`) when the
/// backend is unavailable, answers unexpectedly, or the rounds run out.
pub fn put_schedule<C: Capabilities + ?Sized>(
    caps: &mut C,
    schedule: &Schedule,
) -> Result<(ScheduleAction, Option<String>), PutFailure> {
    let failed = |op: &str, e: ScheduleError| match e {
        ScheduleError::Invalid(why) => PutFailure::Refused(why),
        e => PutFailure::Failed(ScheduleFailure::Retryable(format!(
            "could not {op} schedule {}: {e}",
            schedule.name
        ))),
    };
    for _ in 0..MAX_ROUNDS {
        match caps.create_schedule(schedule) {
            Ok(()) => return Ok((ScheduleAction::Created, None)),
            Err(ScheduleError::Conflict) => {}
            Err(e) => return Err(failed("create", e)),
        }
        let replaced = caps.get_schedule(&schedule.name).ok().map(|s| s.input);
        match caps.update_schedule(schedule) {
            Ok(()) => return Ok((ScheduleAction::Updated, replaced)),
            Err(ScheduleError::NotFound) => {}
            Err(e) => return Err(failed("update", e)),
        }
    }
    Err(PutFailure::Failed(ScheduleFailure::Retryable(format!(
        "could not create or update schedule {}: it kept appearing and disappearing \
         ({MAX_ROUNDS} rounds)",
        schedule.name
    ))))
}
