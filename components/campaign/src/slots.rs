//! The campaign's slots on the calendar and which of them are free.
//!
//! A slot is one configured time on one local date of the campaign's time zone, from now
//! on for [`HORIZON_DAYS`] days. A local time that does not exist that day (the clocks go
//! forward) gives no slot; one that exists twice (the clocks go back) is its first
//! instant, as a `timeZone` date is (EventBridge Scheduler runs such a schedule once).
//!
//! A slot is free on a platform when no post of the campaign is booked on it, its local
//! date is not a skip date and holds fewer than `maxPerDay` bookings, and it lies at least
//! `minGapMinutes` from every booking (in real time, so a DST change does not shorten a
//! gap).

use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike, Utc};

use crate::plan::{day_name, Plan};

/// How far ahead slots are offered, days: 90.
pub const HORIZON_DAYS: i64 = 90;

/// The hours of a week: the learner's buckets, Monday 00:00-01:00 (0) to Sunday
/// 23:00-24:00 (167), in the campaign's time zone.
pub const BUCKETS: usize = 7 * 24;

/// One slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The instant, UTC.
    pub at: DateTime<Utc>,
    /// The local date and time in the campaign's time zone.
    pub local: NaiveDateTime,
}

impl Slot {
    /// The hour-of-week bucket of the slot (0-167, Monday 00:00 local first).
    pub fn bucket(&self) -> usize {
        let day = usize::try_from(self.local.weekday().num_days_from_monday()).unwrap_or(0);
        day * 24 + usize::try_from(self.local.hour()).unwrap_or(0)
    }

    /// The slot in words: `Tue 2027-01-05 12:15 Europe/Berlin`.
    pub fn describe(&self, plan: &Plan) -> String {
        format!(
            "{} {} {}",
            capitalized(day_name(self.local.weekday())),
            self.local.format("%Y-%m-%d %H:%M"),
            plan.time_zone
        )
    }
}

/// `mon` as `Mon`.
pub fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The instant of the local date-time `local` in `plan`'s zone
/// ([`sps_contract::time::local_instant`]: the first of two, none in a gap).
fn instant(plan: &Plan, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    sps_contract::time::local_instant(plan.time_zone, local)
}

/// The hour-of-week bucket of the instant `at` in `plan`'s time zone (0-167, Monday 00:00
/// local first).
pub fn bucket_at(plan: &Plan, at: DateTime<Utc>) -> usize {
    let local = at.with_timezone(&plan.time_zone).naive_local();
    Slot { at, local }.bucket()
}

/// Every slot of `plan` after `now` within [`HORIZON_DAYS`], in time order.
pub fn upcoming(plan: &Plan, now: DateTime<Utc>) -> Vec<Slot> {
    let today = now.with_timezone(&plan.time_zone).date_naive();
    let mut slots = Vec::new();
    for offset in 0..=HORIZON_DAYS {
        let Some(date) = today.checked_add_signed(TimeDelta::days(offset)) else {
            break;
        };
        if plan.skip_dates.contains(&date) {
            continue;
        }
        for (_, time) in plan.slots.iter().filter(|(day, _)| *day == date.weekday()) {
            let local = date.and_time(*time);
            match instant(plan, local) {
                Some(at) if at > now => slots.push(Slot { at, local }),
                _ => {}
            }
        }
    }
    slots.sort_by_key(|s| s.at);
    slots
}

/// The slot of `plan` a post at `at` takes: the slot at that instant, else the latest
/// slot at or before it on its local date (a post with an explicit date "falls in" the
/// slot it follows), else none.
pub fn slot_of(plan: &Plan, at: DateTime<Utc>) -> Option<Slot> {
    let local = at.with_timezone(&plan.time_zone).naive_local();
    plan.slots
        .iter()
        .filter(|(day, time)| *day == local.weekday() && *time <= local.time())
        .filter_map(|(_, time)| {
            let slot_local = local.date().and_time(*time);
            instant(plan, slot_local).map(|at| Slot {
                at,
                local: slot_local,
            })
        })
        .max_by_key(|s| s.at)
}

/// Whether `slot` is free given the campaign's bookings on the platform (`booked`, UTC).
pub fn is_free(plan: &Plan, slot: &Slot, booked: &[DateTime<Utc>]) -> bool {
    let gap = TimeDelta::minutes(i64::from(plan.min_gap_minutes));
    let same_day = booked
        .iter()
        .filter(|b| b.with_timezone(&plan.time_zone).date_naive() == slot.local.date())
        .count();
    let under_cap = plan
        .max_per_day
        .is_none_or(|cap| same_day < usize::try_from(cap).unwrap_or(usize::MAX));
    under_cap && !booked.contains(&slot.at) && booked.iter().all(|b| (*b - slot.at).abs() >= gap)
}

/// The free slots of `plan` after `now`, in time order.
pub fn free(plan: &Plan, now: DateTime<Utc>, booked: &[DateTime<Utc>]) -> Vec<Slot> {
    upcoming(plan, now)
        .into_iter()
        .filter(|s| is_free(plan, s, booked))
        .collect()
}

#[cfg(test)]
mod tests;
