//! The plan's shape: what is read, and the exact refusals.

use super::*;

const PLAN: &str = r#"{"timeZone": "Europe/Berlin",
    "slots": [{"days": ["fri", "mon"], "times": ["17:45", "09:30"]},
              {"days": ["mon"], "times": ["09:30"]}],
    "minGapMinutes": 120, "maxPerDay": 2, "skipDates": ["2027-12-24"]}"#;

fn time(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").unwrap()
}

#[test]
fn a_plan_is_read_sorted_without_repeats() {
    let plan = Plan::parse("launch", PLAN).unwrap();
    assert_eq!(plan.time_zone, chrono_tz::Europe::Berlin);
    assert_eq!(
        plan.slots,
        vec![
            (Weekday::Mon, time("09:30")),
            (Weekday::Mon, time("17:45")),
            (Weekday::Fri, time("09:30")),
            (Weekday::Fri, time("17:45")),
        ]
    );
    assert_eq!((plan.min_gap_minutes, plan.max_per_day), (120, Some(2)));
    assert_eq!(
        plan.skip_dates.into_iter().collect::<Vec<_>>(),
        vec![NaiveDate::from_ymd_opt(2027, 12, 24).unwrap()]
    );
    let minimal = Plan::parse(
        "m",
        r#"{"timeZone": "UTC", "slots": [{"days": ["sun"], "times": ["00:00"]}]}"#,
    )
    .unwrap();
    assert_eq!((minimal.min_gap_minutes, minimal.max_per_day), (0, None));
}

#[test]
fn bad_plans_are_refused_naming_the_campaign_and_the_problem() {
    let cases = [
        (
            r#"{"timeZone": "Mars/Base", "slots": []}"#,
            "campaign \"c\": timeZone \"Mars/Base\" is not an IANA time zone name",
        ),
        (
            r#"{"timeZone": "UTC", "slots": []}"#,
            "campaign \"c\": slots name no day and time",
        ),
        (
            r#"{"timeZone": "UTC", "slots": [{"days": ["monday"], "times": ["09:30"]}]}"#,
            "campaign \"c\": day \"monday\" is not one of mon ... sun",
        ),
        (
            r#"{"timeZone": "UTC", "slots": [{"days": ["mon"], "times": ["9:30"]}]}"#,
            "campaign \"c\": time \"9:30\" is not HH:MM",
        ),
        (
            r#"{"timeZone": "UTC", "slots": [{"days": ["mon"], "times": ["24:00"]}]}"#,
            "campaign \"c\": time \"24:00\" is not HH:MM",
        ),
        (
            r#"{"timeZone": "UTC", "slots": [{"days": ["mon"], "times": ["09:30"]}], "maxPerDay": 0}"#,
            "campaign \"c\": maxPerDay is 0: no post could ever be booked",
        ),
        (
            r#"{"timeZone": "UTC", "slots": [{"days": ["mon"], "times": ["09:30"]}], "skipDates": ["25.12.2027"]}"#,
            "campaign \"c\": skip date \"25.12.2027\" is not YYYY-MM-DD",
        ),
    ];
    for (json, message) in cases {
        assert_eq!(Plan::parse("c", json), Err(message.to_string()), "{json}");
    }
    let typo = Plan::parse("c", r#"{"timeZone": "UTC", "slots": [], "maxPerday": 1}"#).unwrap_err();
    assert!(
        typo.starts_with("campaign \"c\": unknown field `maxPerday`"),
        "{typo}"
    );
}
