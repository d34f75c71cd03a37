//! Slots on a real calendar (Europe/Berlin, January 2027 and its DST changes of
//! 2027-03-28 and 2027-10-31), and which are free under the gap, the cap and skip dates.

use super::*;

fn plan(json: &str) -> Plan {
    Plan::parse("c", json).unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn instants(slots: &[Slot]) -> Vec<String> {
    slots
        .iter()
        .map(|s| s.at.format("%Y-%m-%dT%H:%MZ").to_string())
        .collect()
}

const WEEKDAYS: &str = r#"{"timeZone": "Europe/Berlin",
    "slots": [{"days": ["mon", "tue", "wed", "thu", "fri"], "times": ["09:30", "12:15", "17:45"]}],
    "minGapMinutes": 120, "maxPerDay": 2}"#;

#[test]
fn slots_are_the_plans_local_times_from_now_on() {
    // Monday 2027-01-04 09:00 in Berlin (CET, +01:00).
    let slots = upcoming(&plan(WEEKDAYS), utc("2027-01-04T08:00:00Z"));
    assert_eq!(
        instants(&slots[..4]),
        [
            "2027-01-04T08:30Z",
            "2027-01-04T11:15Z",
            "2027-01-04T16:45Z",
            "2027-01-05T08:30Z"
        ]
    );
    // 90 days of weekdays from Monday 4 January: 65 weekdays up to Sunday 4 April.
    assert_eq!(slots.len(), 65 * 3);
    assert_eq!(
        slots[0].describe(&plan(WEEKDAYS)),
        "Mon 2027-01-04 09:30 Europe/Berlin"
    );
    // Monday 09:30 is hour 9 of the week; Tuesday 12:15 hour 24 + 12.
    assert_eq!((slots[0].bucket(), slots[4].bucket()), (9, 36));
}

#[test]
fn the_gap_and_the_daily_cap_count_in_the_campaigns_time_zone() {
    let plan = plan(WEEKDAYS);
    let now = utc("2027-01-04T08:00:00Z");
    // One post at Monday 09:30: 12:15 is 2 h 45 min later, outside the 2 h gap.
    let free1 = free(&plan, now, &[utc("2027-01-04T08:30:00Z")]);
    assert_eq!(
        instants(&free1[..2]),
        ["2027-01-04T11:15Z", "2027-01-04T16:45Z"]
    );
    // Two on Monday: the cap of 2 closes the day.
    let free2 = free(
        &plan,
        now,
        &[utc("2027-01-04T08:30:00Z"), utc("2027-01-04T11:15:00Z")],
    );
    assert_eq!(instants(&free2[..1]), ["2027-01-05T08:30Z"]);
    // A post at 10:00 UTC (11:00 local): 09:30 (1 h 30 min before) and 12:15 (1 h 15 min
    // after) are within the 2 h gap; 17:45 is free.
    let free3 = free(&plan, now, &[utc("2027-01-04T10:00:00Z")]);
    assert_eq!(instants(&free3[..1]), ["2027-01-04T16:45Z"]);
}

#[test]
fn skip_dates_have_no_slots() {
    let json = WEEKDAYS.replace(
        "\"maxPerDay\": 2",
        "\"maxPerDay\": 2, \"skipDates\": [\"2027-01-05\"]",
    );
    let slots = upcoming(&plan(&json), utc("2027-01-04T20:00:00Z"));
    assert_eq!(instants(&slots[..1]), ["2027-01-06T08:30Z"]);
}

#[test]
fn a_slot_in_a_dst_gap_is_left_out_and_one_in_the_repeated_hour_is_its_first_instant() {
    let sundays =
        plan(r#"{"timeZone": "Europe/Berlin", "slots": [{"days": ["sun"], "times": ["02:30"]}]}"#);
    let march = upcoming(&sundays, utc("2027-03-20T00:00:00Z"));
    // 21 March (CET), 28 March has no 02:30, 4 April (CEST).
    assert_eq!(
        instants(&march[..2]),
        ["2027-03-21T01:30Z", "2027-04-04T00:30Z"]
    );
    let october = upcoming(&sundays, utc("2027-10-30T00:00:00Z"));
    // 31 October 02:30 exists twice: the first, still CEST (+02:00).
    assert_eq!(
        instants(&october[..2]),
        ["2027-10-31T00:30Z", "2027-11-07T01:30Z"]
    );
}

#[test]
fn a_post_with_its_own_date_falls_in_the_slot_before_it() {
    let plan = plan(WEEKDAYS);
    let slot = slot_of(&plan, utc("2027-01-04T12:00:00Z")).unwrap();
    assert_eq!(slot.describe(&plan), "Mon 2027-01-04 12:15 Europe/Berlin");
    assert_eq!(slot_of(&plan, utc("2027-01-04T08:00:00Z")), None);
    assert_eq!(slot_of(&plan, utc("2027-01-09T12:00:00Z")), None); // a Saturday
}
