//! `timeZone` through the scheduling rules: a local `scheduledDate` is scheduled, reported
//! and delivered as its UTC instant; a bad zone or a date in a spring-forward gap is
//! rejected with its exact event and no schedule call. The DST rules themselves are pinned
//! in `src/zone/tests.rs`.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};
use sps_scheduler::{schedule_post, ScheduleAction, Scheduled};
use support::*;

fn zoned(reference: &str, date: &str, zone: Value) -> String {
    let mut detail = detail(reference, date);
    detail["timeZone"] = zone;
    envelope(detail)
}

#[test]
fn a_local_date_is_scheduled_and_reported_as_its_utc_instant() {
    let mut fake = Fake::new();
    // Berlin is on CET (+01:00) until 2026-03-29: 09:30 local is 08:30 UTC.
    let result = schedule_post(
        &mut fake,
        &zoned("tz1", "2026-03-02T09:30:00", json!("Europe/Berlin")),
    );
    assert_eq!(
        result,
        Ok(Scheduled {
            reference_number: "tz1".to_owned(),
            schedule_name: "twitter-tz1".to_owned(),
            scheduled_date: "2026-03-02T08:30:00".to_owned(),
            action: ScheduleAction::Created,
            campaign: None,
        })
    );
    let expected = schedule(
        "twitter-tz1",
        "2026-03-02T08:30:00",
        8,
        input("tz1", "Hello world!", "2026-03-02T08:30:00"),
    );
    assert_eq!(fake.store.get("twitter-tz1"), Some(&expected));
    assert_eq!(
        fake.published(),
        vec![scheduled_event("tz1", "2026-03-02T08:30:00")]
    );
}

#[test]
fn a_null_time_zone_is_utc() {
    let mut fake = Fake::new();
    let result = schedule_post(&mut fake, &zoned("tz2", "2026-03-02T09:30:00", Value::Null));
    assert_eq!(
        result.map(|s| s.scheduled_date),
        Ok("2026-03-02T09:30:00".to_owned())
    );
}

#[test]
fn an_unknown_zone_is_invalid_time_zone() {
    let mut fake = Fake::new();
    assert_rejected(
        &mut fake,
        &zoned("tz3", "2026-03-02T09:30:00", json!("Europe/Atlantis")),
        "tz3",
        "invalid-time-zone",
        "timeZone \"Europe/Atlantis\" is not an IANA time zone name (for example \
         Europe/Berlin, America/New_York or UTC; names are case-sensitive)",
    );
}

#[test]
fn a_time_zone_that_is_no_string_is_an_invalid_field() {
    let mut fake = Fake::new();
    assert_rejected(
        &mut fake,
        &zoned("tz4", "2026-03-02T09:30:00", json!(60)),
        "tz4",
        "invalid-field",
        "timeZone must be a string, not a number",
    );
}

#[test]
fn the_zone_is_checked_before_the_date() {
    let mut fake = Fake::new();
    assert_rejected(
        &mut fake,
        &zoned("tz5", "not a date", json!("Nowhere")),
        "tz5",
        "invalid-time-zone",
        "timeZone \"Nowhere\" is not an IANA time zone name (for example Europe/Berlin, \
         America/New_York or UTC; names are case-sensitive)",
    );
}

#[test]
fn a_date_in_the_spring_forward_gap_is_rejected() {
    let mut fake = Fake::new();
    assert_rejected(
        &mut fake,
        &zoned("tz6", "2026-03-29T02:30:00", json!("Europe/Berlin")),
        "tz6",
        "invalid-scheduled-date",
        "scheduledDate \"2026-03-29T02:30:00\" does not exist in Europe/Berlin: the clocks \
         skip it when they go forward, and EventBridge Scheduler skips a schedule at such a \
         time; the first local time after the gap is 2026-03-29T03:00:00",
    );
}
