//! The campaign the campaign tests share (`tests/campaigns.rs`, the Spin app's), and its
//! expected slots computed here with chrono-tz, apart from the scheduler's own rules.

use chrono::{DateTime, Datelike as _, NaiveTime, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;

/// The issue's campaign: three weekday slots in Berlin, at least two hours apart.
pub const LAUNCH: &str = r#"{"campaigns": {"launch": {"timeZone": "Europe/Berlin",
    "slots": [{"days": ["mon", "tue", "wed", "thu", "fri"], "times": ["09:30", "12:15", "17:45"]}],
    "minGapMinutes": 120}}}"#;

/// The next `n` weekday slots (09:30, 12:15, 17:45 Berlin) after `now`, UTC, as the API
/// writes dates.
pub fn weekday_slots(now: DateTime<Utc>, n: usize) -> Vec<String> {
    let berlin: Tz = "Europe/Berlin".parse().unwrap();
    let mut date = now.with_timezone(&berlin).date_naive();
    let mut slots = Vec::new();
    while slots.len() < n {
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            for time in ["09:30", "12:15", "17:45"] {
                let local = date.and_time(NaiveTime::parse_from_str(time, "%H:%M").unwrap());
                let at = local.and_local_timezone(berlin).earliest().unwrap();
                if at > now {
                    slots.push(
                        at.with_timezone(&Utc)
                            .format("%Y-%m-%dT%H:%M:%S")
                            .to_string(),
                    );
                }
            }
        }
        date = date.succ_opt().unwrap();
    }
    slots.truncate(n);
    slots
}

/// Waits while a slot is due in the next two minutes, so none passes during a test.
pub fn away_from_a_slot() -> DateTime<Utc> {
    loop {
        let now = Utc::now();
        let next = weekday_slots(now, 1)[0].clone();
        let next = chrono::NaiveDateTime::parse_from_str(&next, "%Y-%m-%dT%H:%M:%S")
            .unwrap()
            .and_utc();
        if next - now > TimeDelta::minutes(2) {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_secs(5));
    }
}

/// Every hour of every day, in UTC.
pub const EVERY_HOUR: &str = r#"{"campaigns": {"hourly": {"timeZone": "UTC",
    "slots": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
      "times": ["00:00", "01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00",
                "08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00",
                "16:00", "17:00", "18:00", "19:00", "20:00", "21:00", "22:00", "23:00"]}]}}}"#;

/// `GET /campaigns/NAME` once a score is recorded on `platform` (or after `wait`).
pub fn view_once_scored(
    base: &str,
    name: &str,
    platform: &str,
    wait: std::time::Duration,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let view = super::api::get(base, &format!("/campaigns/{name}"));
        if view["scores"][platform]
            .as_array()
            .is_some_and(|s| !s.is_empty())
            || std::time::Instant::now() > deadline
        {
            return view;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
