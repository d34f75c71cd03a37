//! `sps:social/schedules` on Amazon EventBridge Scheduler (AWS Scheduler API reference:
//! CreateSchedule, UpdateSchedule, GetSchedule, DeleteSchedule).
//!
//! Every schedule is a one-time schedule in the configured group: `at(<at>)` with
//! `ScheduleExpressionTimezone` `UTC`, `FlexibleTimeWindow` `FLEXIBLE` with the
//! schedule's minutes (or `OFF` for 0), `ActionAfterCompletion` `DELETE`, `State`
//! `ENABLED`, and a target (the sending function) with the scheduler execution role, the
//! schedule's input, the host's [`SCHEDULE_RETRY_POLICY`] and the dead-letter queue.
//! UpdateSchedule replaces every field, so an update sends the complete schedule.

use async_trait::async_trait;
use aws_sdk_scheduler::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode,
    RetryPolicy, ScheduleState, Target,
};

use super::{describe, ScheduleRetryPolicy, SCHEDULE_RETRY_POLICY};
use crate::bindings::schedules::{Schedule, ScheduleError};
use crate::caps::schedules::{self, ScheduleBackend};

/// Where every schedule delivers: the target's ARN and role, and its dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleTarget {
    /// The sending function's ARN (`SPS_SENDER_ARN`).
    pub arn: String,
    /// The scheduler execution role (`SPS_SCHEDULER_ROLE_ARN`): `lambda:InvokeFunction`
    /// on the target and `sqs:SendMessage` on the dead-letter queue.
    pub role_arn: String,
    /// The dead-letter queue, a standard SQS queue (`SPS_DLQ_ARN`).
    pub dead_letter_arn: String,
    /// The retry policy.
    pub retry: ScheduleRetryPolicy,
}

impl ScheduleTarget {
    /// A target with the host's [`SCHEDULE_RETRY_POLICY`].
    pub fn new(arn: &str, role_arn: &str, dead_letter_arn: &str) -> Self {
        Self {
            arn: arn.to_string(),
            role_arn: role_arn.to_string(),
            dead_letter_arn: dead_letter_arn.to_string(),
            retry: SCHEDULE_RETRY_POLICY,
        }
    }
}

/// EventBridge Scheduler as the schedules backend: one client, one group, one target.
#[derive(Debug, Clone)]
pub struct SchedulerSchedules {
    client: aws_sdk_scheduler::Client,
    group: String,
    target: ScheduleTarget,
}

impl SchedulerSchedules {
    /// A backend on `client` for the schedule group `group`.
    pub fn new(client: aws_sdk_scheduler::Client, group: &str, target: ScheduleTarget) -> Self {
        Self {
            client,
            group: group.to_string(),
            target,
        }
    }

    fn target(&self, input: &str) -> Result<Target, ScheduleError> {
        Target::builder()
            .arn(&self.target.arn)
            .role_arn(&self.target.role_arn)
            .input(input)
            .retry_policy(
                RetryPolicy::builder()
                    .maximum_retry_attempts(self.target.retry.maximum_retry_attempts)
                    .maximum_event_age_in_seconds(self.target.retry.maximum_event_age_seconds)
                    .build(),
            )
            .dead_letter_config(
                DeadLetterConfig::builder()
                    .arn(&self.target.dead_letter_arn)
                    .build(),
            )
            .build()
            .map_err(|e| ScheduleError::Invalid(format!("schedule target: {e}")))
    }
}

/// `FLEXIBLE` with `minutes`, or `OFF` for 0 (EventBridge Scheduler API reference,
/// `FlexibleTimeWindow`: `MaximumWindowInMinutes` 1-1440, only with `FLEXIBLE`).
///
/// # Errors
/// [`ScheduleError::Invalid`] when the window cannot be expressed.
pub fn flexible_time_window(minutes: u32) -> Result<FlexibleTimeWindow, ScheduleError> {
    let builder = if minutes == 0 {
        FlexibleTimeWindow::builder().mode(FlexibleTimeWindowMode::Off)
    } else {
        let minutes = i32::try_from(minutes).map_err(|_| {
            ScheduleError::Invalid(format!("flexible window of {minutes} minutes is too long"))
        })?;
        FlexibleTimeWindow::builder()
            .mode(FlexibleTimeWindowMode::Flexible)
            .maximum_window_in_minutes(minutes)
    };
    builder
        .build()
        .map_err(|e| ScheduleError::Invalid(format!("flexible time window: {e}")))
}

/// The body of an `at(yyyy-mm-ddThh:mm:ss)` expression.
///
/// # Errors
/// [`ScheduleError::Invalid`] when `expression` is not a one-time expression.
pub fn at_of(expression: &str) -> Result<String, ScheduleError> {
    expression
        .strip_prefix("at(")
        .and_then(|rest| rest.strip_suffix(')'))
        .map(str::to_string)
        .ok_or_else(|| {
            ScheduleError::Invalid(format!(
                "schedule expression {expression:?} is not a one-time at(...) expression"
            ))
        })
}

/// How far ahead of the request a one-time schedule is set at the earliest, seconds.
pub const EARLIEST_AHEAD_SECONDS: i64 = 60;

/// The `at` body sent to EventBridge Scheduler for a schedule's `at` (both UTC,
/// `yyyy-mm-ddThh:mm:ss`): the schedule's own, or `now` + [`EARLIEST_AHEAD_SECONDS`]
/// when that is sooner. The scheduler component accepts dates up to 5 minutes in the past
/// ("post now"), but an `at(...)` that has already passed when CreateSchedule arrives is
/// not a time EventBridge Scheduler can still run; one minute matches its 60-second
/// precision (EventBridge Scheduler User Guide, "Schedule types").
///
/// # Errors
/// [`ScheduleError::Invalid`] when `at` is not of that form.
pub fn not_in_the_past(
    at: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, ScheduleError> {
    let earliest = now + chrono::Duration::seconds(EARLIEST_AHEAD_SECONDS);
    Ok(if schedules::parse_at(at)? < earliest {
        schedules::format_at(earliest)
    } else {
        at.to_string()
    })
}

/// Maps an EventBridge Scheduler error: `ConflictException` -> `conflict`,
/// `ResourceNotFoundException` -> `not-found`, `ValidationException` ->
/// `invalid(<operation> <name>: <message>)` (terminal: the scheduler component rejects the
/// request as `schedule-rejected` and reports `Social Post Failed`; tests/aws_validation.rs),
/// anything else (throttling after the SDK's retries, internal errors, network,
/// credentials) -> `unavailable(<`describe`d error>)`, which fails the invocation so it is
/// retried.
pub fn map_error<E, R>(operation: &str, name: &str, err: SdkError<E, R>) -> ScheduleError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match err.code() {
        Some("ConflictException") => ScheduleError::Conflict,
        Some("ResourceNotFoundException") => ScheduleError::NotFound,
        Some("ValidationException") => ScheduleError::Invalid(format!(
            "{operation} {name}: {}",
            err.message().unwrap_or("ValidationException")
        )),
        _ => ScheduleError::Unavailable(format!("{operation} {name}: {}", describe(&err))),
    }
}

/// Sets every field of a one-time schedule on a CreateSchedule or UpdateSchedule
/// request builder (the SDK's two builders share no trait). One definition for both,
/// because UpdateSchedule replaces the whole schedule: a field left out of an update
/// would reset to its default (AWS Scheduler API reference, UpdateSchedule).
macro_rules! complete_schedule {
    ($builder:expr, $backend:expr, $schedule:expr) => {
        $builder
            .name(&$schedule.name)
            .group_name(&$backend.group)
            .schedule_expression(format!(
                "at({})",
                not_in_the_past(&$schedule.at, chrono::Utc::now())?
            ))
            .schedule_expression_timezone("UTC")
            .flexible_time_window(flexible_time_window($schedule.flexible_window_minutes)?)
            .action_after_completion(ActionAfterCompletion::Delete)
            .state(ScheduleState::Enabled)
            .target($backend.target(&$schedule.input)?)
    };
}

#[async_trait]
impl ScheduleBackend for SchedulerSchedules {
    async fn create(&self, schedule: Schedule) -> Result<(), ScheduleError> {
        schedules::validate(&schedule)?;
        complete_schedule!(self.client.create_schedule(), self, schedule)
            .send()
            .await
            .map_err(|e| map_error("CreateSchedule", &schedule.name, e))?;
        tracing::info!(schedule = %schedule.name, group = %self.group, at = %schedule.at, "schedule created");
        Ok(())
    }

    async fn update(&self, schedule: Schedule) -> Result<(), ScheduleError> {
        schedules::validate(&schedule)?;
        complete_schedule!(self.client.update_schedule(), self, schedule)
            .send()
            .await
            .map_err(|e| map_error("UpdateSchedule", &schedule.name, e))?;
        tracing::info!(schedule = %schedule.name, group = %self.group, at = %schedule.at, "schedule updated");
        Ok(())
    }

    async fn get(&self, name: &str) -> Result<Schedule, ScheduleError> {
        let out = self
            .client
            .get_schedule()
            .name(name)
            .group_name(&self.group)
            .send()
            .await
            .map_err(|e| map_error("GetSchedule", name, e))?;
        let at = at_of(out.schedule_expression().unwrap_or_default())?;
        let flexible_window_minutes = match out.flexible_time_window() {
            Some(w) if *w.mode() == FlexibleTimeWindowMode::Flexible => w
                .maximum_window_in_minutes()
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or(0),
            _ => 0,
        };
        let input = out
            .target()
            .and_then(Target::input)
            .unwrap_or_default()
            .to_string();
        Ok(Schedule {
            name: out.name().unwrap_or(name).to_string(),
            at,
            flexible_window_minutes,
            input,
        })
    }

    async fn delete(&self, name: &str) -> Result<(), ScheduleError> {
        self.client
            .delete_schedule()
            .name(name)
            .group_name(&self.group)
            .send()
            .await
            .map_err(|e| map_error("DeleteSchedule", name, e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_past_or_imminent_at_moves_to_one_minute_ahead_and_a_later_one_stays() {
        let now = schedules::parse_at("2030-10-23T08:48:30").unwrap();
        assert_eq!(
            not_in_the_past("2030-10-23T08:45:00", now),
            Ok("2030-10-23T08:49:30".to_string())
        );
        assert_eq!(
            not_in_the_past("2030-10-23T08:49:29", now),
            Ok("2030-10-23T08:49:30".to_string())
        );
        assert_eq!(
            not_in_the_past("2030-10-23T08:49:30", now),
            Ok("2030-10-23T08:49:30".to_string())
        );
        assert_eq!(
            not_in_the_past("2030-10-23T08:49:31", now),
            Ok("2030-10-23T08:49:31".to_string())
        );
        assert_eq!(
            not_in_the_past("2030-10-23 08:49", now),
            Err(ScheduleError::Invalid(
                "at(2030-10-23 08:49) is not of the form yyyy-mm-ddThh:mm:ss".to_string()
            ))
        );
    }

    #[test]
    fn window_off_and_flexible() -> Result<(), ScheduleError> {
        let off = flexible_time_window(0)?;
        assert_eq!(
            (off.mode(), off.maximum_window_in_minutes()),
            (&FlexibleTimeWindowMode::Off, None)
        );
        let eight = flexible_time_window(8)?;
        assert_eq!(
            (eight.mode(), eight.maximum_window_in_minutes()),
            (&FlexibleTimeWindowMode::Flexible, Some(8))
        );
        Ok(())
    }

    #[test]
    fn reads_the_at_expression() {
        assert_eq!(
            at_of("at(2099-10-23T08:48:00)"),
            Ok("2099-10-23T08:48:00".to_string())
        );
        assert_eq!(
            at_of("rate(5 minutes)"),
            Err(ScheduleError::Invalid(
                "schedule expression \"rate(5 minutes)\" is not a one-time at(...) expression"
                    .to_string()
            ))
        );
    }
}
