//! The metrics reading of a post of a campaign (README, "Campaigns"): a one-time schedule
//! of its own, [`settings::metrics_delay_seconds`] (24 hours unless set) after the latest
//! moment the post is sent without retries (its time plus the flexible time window). When
//! it fires, the sender reads the post's engagement and records its score
//! (`sps_contract::metrics`). Scheduling the post again moves the reading along; a cancel,
//! or a move out of the campaign, deletes it.

use chrono::{DateTime, TimeDelta, Utc};
use sps_contract::metrics::MetricsInput;

use crate::flow::{put_schedule, PutFailure};
use crate::{date, settings, Capabilities, Schedule, ScheduleError, ScheduleFailure};

pub use sps_contract::metrics::reading_name;

/// What the reading reads and where it records.
pub struct Reading<'a> {
    /// The post's schedule name.
    pub schedule_name: &'a str,
    /// The reading's input.
    pub input: MetricsInput,
    /// The post's schedule time, UTC.
    pub at: DateTime<Utc>,
    /// The post's flexible time window, minutes.
    pub window_minutes: u32,
}

/// Creates or moves the reading.
///
/// # Errors
/// `Retryable` when the setting or the schedules fail (the post's own schedule stands; the
/// same request again puts both).
pub fn put<C: Capabilities + ?Sized>(
    caps: &mut C,
    reading: &Reading,
) -> Result<(), ScheduleFailure> {
    let retryable = |what: String| ScheduleFailure::Retryable(what);
    let raw = caps.setting(settings::METRICS_DELAY_KEY).map_err(|e| {
        retryable(format!(
            "could not read setting {}: {e}",
            settings::METRICS_DELAY_KEY
        ))
    })?;
    let delay = settings::metrics_delay_seconds(raw.as_deref()).map_err(retryable)?;
    let seconds = i64::try_from(delay).unwrap_or(i64::MAX);
    let at = reading.at
        + TimeDelta::minutes(i64::from(reading.window_minutes))
        + TimeDelta::seconds(seconds);
    let input = serde_json::to_string(&reading.input).map_err(|e| retryable(e.to_string()))?;
    let schedule = Schedule {
        name: reading_name(reading.schedule_name),
        at: date::format(at),
        flexible_window_minutes: 0,
        input,
    };
    match put_schedule(caps, &schedule) {
        Ok(_) => Ok(()),
        Err(PutFailure::Refused(why)) => Err(retryable(format!(
            "the metrics reading {} was refused: {why}",
            schedule.name
        ))),
        Err(PutFailure::Failed(failure)) => Err(failure),
    }
}

/// Deletes the reading of the post named `schedule_name`, if there is one.
///
/// # Errors
/// A sentence when the schedules fail.
pub fn drop<C: Capabilities + ?Sized>(caps: &mut C, schedule_name: &str) -> Result<(), String> {
    let name = reading_name(schedule_name);
    match caps.delete_schedule(&name) {
        Ok(()) | Err(ScheduleError::NotFound) => Ok(()),
        Err(e) => Err(format!("could not delete the metrics reading {name}: {e}")),
    }
}
