//! `timeZone` across real DST changes of the tz database (Europe/Berlin: summer time
//! begins 2027-03-28 02:00 -> 03:00 and ends 2027-10-31 03:00 -> 02:00; America/New_York:
//! 2027-03-14 02:00 -> 03:00 and 2027-11-07 02:00 -> 01:00).

use super::*;
use crate::date::{format, parse_scheduled_date_in};

fn zone(name: &str) -> Tz {
    parse_time_zone(name).unwrap()
}

/// The UTC `at` of `local` in `zone_name`, or the problem's code and message.
fn utc(local: &str, zone_name: &str) -> Result<String, (String, String)> {
    parse_scheduled_date_in(local, Some(zone(zone_name)))
        .map(format)
        .map_err(|p| (p.code, p.message))
}

#[test]
fn local_times_outside_changes_use_the_offset_of_that_day() {
    assert_eq!(
        utc("2027-01-15T09:30:00", "Europe/Berlin"),
        Ok("2027-01-15T08:30:00".into())
    );
    assert_eq!(
        utc("2027-06-01T09:30:00", "Europe/Berlin"),
        Ok("2027-06-01T07:30:00".into())
    );
    assert_eq!(
        utc("2027-06-01T09:30:00", "America/New_York"),
        Ok("2027-06-01T13:30:00".into())
    );
    assert_eq!(
        utc("2027-06-01T09:30:00", "UTC"),
        Ok("2027-06-01T09:30:00".into())
    );
    assert_eq!(
        utc("2027-06-01T09:30:00", "Asia/Kolkata"),
        Ok("2027-06-01T04:00:00".into())
    );
    // The last second before the gap and the first after it.
    assert_eq!(
        utc("2027-03-28T01:59:59", "Europe/Berlin"),
        Ok("2027-03-28T00:59:59".into())
    );
    assert_eq!(
        utc("2027-03-28T03:00:00", "Europe/Berlin"),
        Ok("2027-03-28T01:00:00".into())
    );
    // A fraction is truncated after the conversion, as without timeZone.
    assert_eq!(
        utc("2027-06-01T09:30:00.999", "Europe/Berlin"),
        Ok("2027-06-01T07:30:00".into())
    );
}

#[test]
fn an_offset_in_the_date_wins_over_the_time_zone() {
    assert_eq!(
        utc("2027-06-01T09:30:00Z", "Europe/Berlin"),
        Ok("2027-06-01T09:30:00".into())
    );
    assert_eq!(
        utc("2027-06-01T09:30:00+05:00", "Europe/Berlin"),
        Ok("2027-06-01T04:30:00".into())
    );
}

#[test]
fn a_time_in_the_spring_forward_gap_is_rejected_naming_the_first_time_after_it() {
    assert_eq!(
        utc("2027-03-28T02:30:15", "Europe/Berlin"),
        Err((
            "invalid-scheduled-date".into(),
            "scheduledDate \"2027-03-28T02:30:15\" does not exist in Europe/Berlin: the clocks \
             skip it when they go forward, and EventBridge Scheduler skips a schedule at such a \
             time; the first local time after the gap is 2027-03-28T03:00:00"
                .into()
        ))
    );
    assert_eq!(
        utc("2027-03-14T02:00:00", "America/New_York"),
        Err((
            "invalid-scheduled-date".into(),
            "scheduledDate \"2027-03-14T02:00:00\" does not exist in America/New_York: the \
             clocks skip it when they go forward, and EventBridge Scheduler skips a schedule at \
             such a time; the first local time after the gap is 2027-03-14T03:00:00"
                .into()
        ))
    );
}

#[test]
fn a_time_in_the_fall_back_hour_is_its_first_instant() {
    // 02:30 CEST (+02:00), not 02:30 CET (+01:00, 01:30 UTC).
    assert_eq!(
        utc("2027-10-31T02:30:00", "Europe/Berlin"),
        Ok("2027-10-31T00:30:00".into())
    );
    // 01:30 EDT (-04:00), not 01:30 EST (-05:00, 06:30 UTC).
    assert_eq!(
        utc("2027-11-07T01:30:00", "America/New_York"),
        Ok("2027-11-07T05:30:00".into())
    );
    // Just after the repeated hour there is one instant again.
    assert_eq!(
        utc("2027-11-07T02:00:00", "America/New_York"),
        Ok("2027-11-07T07:00:00".into())
    );
}

#[test]
fn unknown_names_are_invalid_time_zone() {
    for name in ["Mars/Olympus_Mons", "europe/berlin", "", "+02:00", "CEST"] {
        let problem = parse_time_zone(name).unwrap_err();
        assert_eq!(problem.code, "invalid-time-zone", "{name}");
        assert_eq!(
            problem.message,
            format!(
                "timeZone {name:?} is not an IANA time zone name (for example Europe/Berlin, \
                 America/New_York or UTC; names are case-sensitive)"
            )
        );
    }
    assert_eq!(zone("Europe/Berlin").name(), "Europe/Berlin");
    // A long text is shown cut at 64 characters.
    let long = "x".repeat(250_000);
    assert_eq!(
        parse_time_zone(&long).unwrap_err().message,
        format!(
            "timeZone {:?}... is not an IANA time zone name (for example Europe/Berlin, \
             America/New_York or UTC; names are case-sensitive)",
            "x".repeat(64)
        )
    );
}
