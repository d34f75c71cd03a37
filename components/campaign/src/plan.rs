//! A campaign's posting plan: the one JSON shape a user writes, whichever host keeps it
//! (a file locally, an item on AWS, a variable under Spin):
//!
//! ```json
//! {
//!   "timeZone": "Europe/Berlin",
//!   "slots": [{"days": ["mon", "tue", "wed", "thu", "fri"], "times": ["09:30", "12:15", "17:45"]}],
//!   "minGapMinutes": 120,
//!   "maxPerDay": 3,
//!   "skipDates": ["2026-12-25"]
//! }
//! ```
//!
//! - `timeZone` (required): an IANA name of the tz database; slots, days and dates are in it.
//! - `slots` (required, at least one): weekly times, `HH:MM` (24 h), on the days named
//!   (`mon` ... `sun`).
//! - `minGapMinutes` (default 0): the least time between two posts of the campaign on one
//!   platform, minutes.
//! - `maxPerDay` (default: no cap): the most posts of the campaign on one platform on one
//!   local date.
//! - `skipDates` (default none): local dates without posts, `YYYY-MM-DD`.
//!
//! Unknown keys are refused, so a typo (`maxPerday`) is an error, not a silent default.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

/// The longest campaign name, in characters: 64.
pub const MAX_CAMPAIGN_CHARS: usize = 64;

/// Whether `name` can name a campaign: 1 to [`MAX_CAMPAIGN_CHARS`] characters of `a-z`,
/// `A-Z`, `0-9`, `-`, `_` and `.` (a DynamoDB key part, a file key, a URL path segment).
pub fn is_campaign_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_CAMPAIGN_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The campaign's time zone.
    pub time_zone: Tz,
    /// The weekly slots, sorted by weekday (Monday first) and time, without repeats.
    pub slots: Vec<(Weekday, NaiveTime)>,
    /// The least gap between two posts on one platform, minutes.
    pub min_gap_minutes: u32,
    /// The most posts on one platform on one local date; `None` for no cap.
    pub max_per_day: Option<u32>,
    /// Local dates without posts.
    pub skip_dates: BTreeSet<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Shape {
    time_zone: String,
    slots: Vec<SlotShape>,
    #[serde(default)]
    min_gap_minutes: u32,
    #[serde(default)]
    max_per_day: Option<u32>,
    #[serde(default)]
    skip_dates: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotShape {
    days: Vec<String>,
    times: Vec<String>,
}

/// The day names of `days`, Monday first.
const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// The three-letter name of `day` (`mon`).
pub fn day_name(day: Weekday) -> &'static str {
    DAYS.iter()
        .find(|(_, d)| *d == day)
        .map_or("?", |(name, _)| name)
}

impl Plan {
    /// Reads and checks a plan from its JSON text; `name` is the campaign's, for messages.
    ///
    /// # Errors
    /// A sentence naming the campaign and the first problem: not JSON of the shape above,
    /// an unknown time zone, a day or time or date that is not one, no slot at all, or a
    /// `maxPerDay` of 0.
    pub fn parse(name: &str, json: &str) -> Result<Self, String> {
        let bad = |why: String| format!("campaign {name:?}: {why}");
        let shape: Shape = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        let time_zone: Tz = shape.time_zone.parse().map_err(|_| {
            bad(format!(
                "timeZone {:?} is not an IANA time zone name",
                shape.time_zone
            ))
        })?;
        let mut slots = BTreeSet::new();
        for slot in &shape.slots {
            for day in &slot.days {
                let weekday = DAYS
                    .iter()
                    .find(|(n, _)| n == day)
                    .map(|(_, d)| *d)
                    .ok_or_else(|| bad(format!("day {day:?} is not one of mon ... sun")))?;
                for time in &slot.times {
                    let at = NaiveTime::parse_from_str(time, "%H:%M")
                        .ok()
                        .filter(|_| time.len() == 5)
                        .ok_or_else(|| bad(format!("time {time:?} is not HH:MM")))?;
                    slots.insert((weekday.num_days_from_monday(), at));
                }
            }
        }
        if slots.is_empty() {
            return Err(bad("slots name no day and time".to_string()));
        }
        if shape.max_per_day == Some(0) {
            return Err(bad(
                "maxPerDay is 0: no post could ever be booked".to_string()
            ));
        }
        let skip_dates = shape
            .skip_dates
            .iter()
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| bad(format!("skip date {d:?} is not YYYY-MM-DD")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Plan {
            time_zone,
            slots: slots
                .into_iter()
                .filter_map(|(day, at)| {
                    let weekday = DAYS.get(usize::try_from(day).ok()?)?.1;
                    Some((weekday, at))
                })
                .collect(),
            min_gap_minutes: shape.min_gap_minutes,
            max_per_day: shape.max_per_day,
            skip_dates,
        })
    }
}

#[cfg(test)]
mod tests;
