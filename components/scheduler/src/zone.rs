//! The optional `timeZone` field: an IANA time zone name in which a `scheduledDate` without
//! an offset is local time.
//!
//! The names and rules are the tz database as compiled into chrono-tz. A local time that
//! does not map to exactly one instant follows EventBridge Scheduler's rule for schedules
//! ([`sps_contract::time::local_instant`], which a campaign's slots follow too)
//! with a `ScheduleExpressionTimezone` [AWS Scheduler User Guide, "Schedule types",
//! "Daylight savings time on EventBridge Scheduler"], so that a post means the same on every
//! host:
//! - a time in the spring-forward gap does not exist, and EventBridge Scheduler skips an
//!   invocation there. A one-time schedule that is skipped never posts, so such a date is
//!   rejected up front (`invalid-scheduled-date`, naming the first local time after the
//!   gap) rather than accepted and silently lost;
//! - a time in the fall-back hour exists twice, and EventBridge Scheduler runs the
//!   schedule once, not again when the hour repeats: the first of the two instants (the one
//!   before the clocks go back) is used.
//!
//! Without `timeZone` nothing changes: a date without an offset is UTC.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use sps_contract::time::local_instant;

use crate::date::AT_FORMAT;
use crate::reason::{Problem, Reason};
use crate::request::{field, Request};

/// How far after a nonexistent local time the first existing one is looked for, in minutes:
/// one day, more than any gap in the tz database.
const GAP_SEARCH_MINUTES: i64 = 24 * 60;

impl Request {
    /// The `timeZone`: `None` when absent or null (dates without an offset are UTC).
    ///
    /// # Errors
    /// [`Reason::InvalidField`] when it is not a string; [`Reason::InvalidTimeZone`] when it
    /// is not an IANA time zone name of the tz database (case-sensitive, e.g.
    /// `Europe/Berlin`, `America/New_York`, `UTC`).
    pub fn time_zone(&self) -> Result<Option<Tz>, Problem> {
        match self.detail.get(field::TIME_ZONE) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(name)) => parse_time_zone(name).map(Some),
            Some(other) => Err(Problem::new(
                Reason::InvalidField,
                format!(
                    "{} must be a string, not {}",
                    field::TIME_ZONE,
                    sps_contract::input::type_name(other)
                ),
            )),
        }
    }
}

/// Parse an IANA time zone name.
///
/// # Errors
/// [`Reason::InvalidTimeZone`] naming `name` when the tz database has no such zone.
pub fn parse_time_zone(name: &str) -> Result<Tz, Problem> {
    name.parse::<Tz>().map_err(|_| {
        // The longest zone name is 32 characters: a longer text is shown cut.
        let shown: String = name.chars().take(MAX_SHOWN_CHARS).collect();
        let cut = if shown.len() < name.len() { "..." } else { "" };
        Problem::new(
            Reason::InvalidTimeZone,
            format!(
                "timeZone {shown:?}{cut} is not an IANA time zone name (for example \
                 Europe/Berlin, America/New_York or UTC; names are case-sensitive)"
            ),
        )
    })
}

/// The most characters of a refused `timeZone` a message repeats.
pub const MAX_SHOWN_CHARS: usize = 64;

/// The UTC instant of the local date-time `local` in `zone`; `text` is the request's
/// `scheduledDate`, for messages.
///
/// # Errors
/// [`Reason::InvalidScheduledDate`] when `local` falls in a spring-forward gap of `zone`
/// (see the module documentation); the message names the first local time after the gap.
pub fn local_to_utc(local: NaiveDateTime, zone: Tz, text: &str) -> Result<DateTime<Utc>, Problem> {
    let exists = |t: &NaiveDateTime| local_instant(zone, *t).is_some();
    match local_instant(zone, local) {
        Some(instant) => Ok(instant),
        None => {
            let after = (1..=GAP_SEARCH_MINUTES)
                .filter_map(|m| local.checked_add_signed(TimeDelta::minutes(m)))
                .find(exists)
                // Gaps begin and end on whole minutes: the minute the clocks jump to.
                .map(|t| match t.with_second(0) {
                    Some(m) if exists(&m) => m,
                    _ => t,
                });
            let hint = match after {
                Some(t) => format!(
                    "; the first local time after the gap is {}",
                    t.format(AT_FORMAT)
                ),
                None => String::new(),
            };
            Err(Problem::new(
                Reason::InvalidScheduledDate,
                format!(
                    "scheduledDate {text:?} does not exist in {zone}: the clocks skip it when \
                     they go forward, and EventBridge Scheduler skips a schedule at such a \
                     time{hint}"
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests;
