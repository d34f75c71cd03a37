//! `sps:social/schedules`: one-time schedules (EventBridge Scheduler on AWS, SQLite
//! locally, memory in tests).

use async_trait::async_trait;

use crate::bindings::schedules::{Host, Schedule, ScheduleError};
use crate::runtime::Ctx;

/// A store of one-time schedules with EventBridge Scheduler's semantics
/// (AWS Scheduler API reference: CreateSchedule, UpdateSchedule, GetSchedule,
/// DeleteSchedule).
#[async_trait]
pub trait ScheduleBackend: Send + Sync {
    /// Create `schedule`; [`ScheduleError::Conflict`] when its name exists.
    async fn create(&self, schedule: Schedule) -> Result<(), ScheduleError>;
    /// Replace every field of the schedule of that name; [`ScheduleError::NotFound`]
    /// when there is none.
    async fn update(&self, schedule: Schedule) -> Result<(), ScheduleError>;
    /// Read the schedule `name`.
    async fn get(&self, name: &str) -> Result<Schedule, ScheduleError>;
    /// Delete the schedule `name`.
    async fn delete(&self, name: &str) -> Result<(), ScheduleError>;
}

impl Host for Ctx {
    async fn create(&mut self, schedule: Schedule) -> Result<(), ScheduleError> {
        self.backends.schedules.create(schedule).await
    }

    async fn update(&mut self, schedule: Schedule) -> Result<(), ScheduleError> {
        self.backends.schedules.update(schedule).await
    }

    async fn get(&mut self, name: String) -> Result<Schedule, ScheduleError> {
        self.backends.schedules.get(&name).await
    }

    async fn delete(&mut self, name: String) -> Result<(), ScheduleError> {
        self.backends.schedules.delete(&name).await
    }
}

/// Checks a schedule's fields the way EventBridge Scheduler validates them
/// ([`sps_local::schedules::validate`]: a name of 1-64 characters of `[0-9a-zA-Z-_.]`,
/// `at` as `YYYY-MM-DDTHH:MM:SS`, a flexible window of 0 (`OFF`) or 1-1440 minutes, and
/// input that is a JSON text).
///
/// # Errors
/// [`ScheduleError::Invalid`] naming the first field that is wrong.
pub fn validate(schedule: &Schedule) -> Result<(), ScheduleError> {
    sps_local::schedules::validate(
        &schedule.name,
        &schedule.at,
        schedule.flexible_window_minutes,
        &schedule.input,
    )
    .map(|_| ())
    .map_err(ScheduleError::Invalid)
}

/// The form of the body of an `at(...)` expression (AWS Scheduler API reference,
/// CreateSchedule `ScheduleExpression`), here always UTC.
pub const AT_FORMAT: &str = sps_local::schedules::AT_FORMAT;

/// `t` as the body of an `at(...)` expression ([`AT_FORMAT`]), fractions of a second dropped.
pub fn format_at(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format(AT_FORMAT).to_string()
}

/// Parses the body of an `at(...)` expression, `YYYY-MM-DDTHH:MM:SS` in UTC.
///
/// # Errors
/// [`ScheduleError::Invalid`] when `at` has another form.
pub fn parse_at(at: &str) -> Result<chrono::DateTime<chrono::Utc>, ScheduleError> {
    let unix = sps_local::schedules::parse_at(at).map_err(ScheduleError::Invalid)?;
    chrono::DateTime::from_timestamp(unix, 0)
        .ok_or_else(|| ScheduleError::Invalid(format!("at({at}) is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(name: &str, at: &str, window: u32, input: &str) -> Schedule {
        Schedule {
            name: name.to_string(),
            at: at.to_string(),
            flexible_window_minutes: window,
            input: input.to_string(),
        }
    }

    #[test]
    fn accepts_a_valid_schedule() {
        assert_eq!(
            validate(&schedule("twitter-a_b.c", "2030-01-02T03:04:05", 8, "{}")),
            Ok(())
        );
    }

    #[test]
    fn rejects_each_invalid_field() {
        let name65 = "a".repeat(65);
        let cases = [
            (
                schedule("", "2030-01-02T03:04:05", 8, "{}"),
                "schedule name \"\" must be 1-64 characters of [0-9a-zA-Z-_.]",
            ),
            (
                schedule(&name65, "2030-01-02T03:04:05", 8, "{}"),
                &*format!("schedule name {name65:?} must be 1-64 characters of [0-9a-zA-Z-_.]"),
            ),
            (
                schedule("a b", "2030-01-02T03:04:05", 8, "{}"),
                "schedule name \"a b\" must be 1-64 characters of [0-9a-zA-Z-_.]",
            ),
            (
                schedule("a", "2030-01-02T03:04:05Z", 8, "{}"),
                "at(2030-01-02T03:04:05Z) is not of the form yyyy-mm-ddThh:mm:ss",
            ),
            (
                schedule("a", "2030-01-02T03:04", 8, "{}"),
                "at(2030-01-02T03:04) is not of the form yyyy-mm-ddThh:mm:ss",
            ),
            (
                schedule("a", "2030-01-02T03:04:05", 1441, "{}"),
                "flexible window of 1441 minutes is outside 1-1440",
            ),
            (
                schedule("a", "2030-01-02T03:04:05", 8, "{"),
                "input is not JSON text",
            ),
        ];
        for (s, want) in cases {
            assert_eq!(
                validate(&s),
                Err(ScheduleError::Invalid(want.to_string())),
                "{s:?}"
            );
        }
    }
}
