//! Posts of a campaign through the scheduling rules, with the in-memory capabilities of
//! `support` (plans, and bookings replaced under a version): date-less posts book distinct
//! slots in the campaign's time zone under its gap and daily cap; a post with its own date
//! keeps it; a campaign that is unknown, unreadable or full is rejected with its exact
//! event.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};
use sps_scheduler::schedule_post;
use support::*;

/// Three weekday slots in Berlin, two hours apart at least, three a day.
const WEEKDAYS: &str = r#"{"timeZone": "Europe/Berlin",
    "slots": [{"days": ["mon", "tue", "wed", "thu", "fri"], "times": ["09:30", "12:15", "17:45"]}],
    "minGapMinutes": 120, "maxPerDay": 3}"#;

fn campaign_event(reference: &str, date: Option<&str>) -> String {
    let mut detail = json!({"message": "Hello world!", "platform": "twitter",
        "referenceNumber": reference, "campaign": "launch"});
    if let Some(date) = date {
        detail["scheduledDate"] = json!(date);
    }
    envelope(detail)
}

fn with_plan(plan: &str) -> Fake {
    let mut fake = Fake::new();
    fake.plans.insert("launch".to_owned(), plan.to_owned());
    fake
}

#[test]
fn date_less_posts_book_distinct_slots_in_the_campaigns_time_zone() {
    // The fake clock: Sunday 2026-03-01 12:00 UTC; Berlin is on CET (+01:00).
    let mut fake = with_plan(WEEKDAYS);
    let mut dates = Vec::new();
    for n in 0..10 {
        let event = if n % 2 == 0 {
            campaign_event(&format!("p{n}"), None)
        } else {
            campaign_event(&format!("p{n}"), Some("auto"))
        };
        let scheduled = schedule_post(&mut fake, &event).unwrap();
        dates.push(scheduled.scheduled_date);
    }
    assert_eq!(
        dates,
        [
            "2026-03-02T08:30:00",
            "2026-03-02T11:15:00",
            "2026-03-02T16:45:00",
            "2026-03-03T08:30:00",
            "2026-03-03T11:15:00",
            "2026-03-03T16:45:00",
            "2026-03-04T08:30:00",
            "2026-03-04T11:15:00",
            "2026-03-04T16:45:00",
            "2026-03-05T08:30:00",
        ]
    );
    let first = &fake.published()[0];
    assert_eq!(
        first.2,
        json!({"referenceNumber": "p0", "scheduledDate": "2026-03-02T08:30:00",
            "campaign": "launch",
            "slot": "Mon 2026-03-02 09:30 Europe/Berlin: the earliest free slot (no engagement measured yet)"})
    );
    // The schedule input names the campaign, for a cancel to free the slot.
    let input: Value = serde_json::from_str(&fake.store["twitter-p0"].input).unwrap();
    assert_eq!(input["campaign"], "launch");
    // Booking p0 again moves it to the next free slot; its old slot is free again.
    let again = schedule_post(&mut fake, &campaign_event("p0", None)).unwrap();
    assert_eq!(again.scheduled_date, "2026-03-02T08:30:00");
}

#[test]
fn a_post_with_its_own_date_keeps_it_and_takes_its_slot() {
    let mut fake = with_plan(WEEKDAYS);
    let own = schedule_post(
        &mut fake,
        &campaign_event("own", Some("2026-03-02T11:30:00Z")),
    )
    .unwrap();
    assert_eq!(own.scheduled_date, "2026-03-02T11:30:00");
    assert_eq!(
        own.campaign,
        Some((
            "launch".to_owned(),
            "Mon 2026-03-02 12:15 Europe/Berlin (the slot the requested date falls in)".to_owned()
        ))
    );
    // 09:30 (08:30Z) is 2 h 45 min before the slot at 11:15Z: free; 12:15 is taken.
    let next = schedule_post(&mut fake, &campaign_event("next", None)).unwrap();
    assert_eq!(next.scheduled_date, "2026-03-02T08:30:00");
    let third = schedule_post(&mut fake, &campaign_event("third", None)).unwrap();
    assert_eq!(third.scheduled_date, "2026-03-02T16:45:00");
}

#[test]
fn an_unknown_unreadable_or_full_campaign_is_rejected() {
    let mut fake = Fake::new();
    assert_rejected(
        &mut fake,
        &campaign_event("u", None),
        "u",
        "unknown-campaign",
        "no campaign is named \"launch\"",
    );
    let mut fake = with_plan(r#"{"timeZone": "Mars/Base", "slots": []}"#);
    let result = schedule_post(&mut fake, &campaign_event("i", None));
    assert_eq!(
        result,
        Err(rejected(
            "invalid-campaign",
            "campaign \"launch\": timeZone \"Mars/Base\" is not an IANA time zone name",
            Some("i")
        ))
    );
    // One slot a week: 13 Sundays in the next 90 days, then the campaign is full.
    let mut fake =
        with_plan(r#"{"timeZone": "UTC", "slots": [{"days": ["sun"], "times": ["18:00"]}]}"#);
    let mut booked = 0;
    let failure = loop {
        match schedule_post(&mut fake, &campaign_event(&format!("w{booked}"), None)) {
            Ok(_) => booked += 1,
            Err(failure) => break failure,
        }
    };
    assert_eq!(booked, 13);
    assert_eq!(
        failure,
        rejected(
            "campaign-full",
            "campaign \"launch\" has no free slot on twitter in the next 90 days: every slot is \
             booked, or closed by the gap, the daily cap or a skip date",
            Some("w13")
        )
    );
}

#[test]
fn a_campaign_that_is_no_name_is_an_invalid_field() {
    let mut fake = with_plan(WEEKDAYS);
    let mut detail = json!({"message": "m", "platform": "twitter", "referenceNumber": "b",
        "campaign": "launch plan"});
    detail["scheduledDate"] = json!("auto");
    assert_rejected(
        &mut fake,
        &envelope(detail),
        "b",
        "invalid-field",
        "campaign \"launch plan\" is not a campaign name: 1 to 64 characters of A-Z, a-z, 0-9, -, _ and .",
    );
}

#[test]
fn a_cancelled_post_frees_its_slot_for_the_next_post() {
    let mut fake = with_plan(WEEKDAYS);
    for reference in ["a", "b"] {
        schedule_post(&mut fake, &campaign_event(reference, None)).unwrap();
    }
    let cancel = json!({"detail-type": "Cancel Social Post", "source": "test",
        "detail": {"referenceNumber": "a", "platform": "twitter"}})
    .to_string();
    sps_scheduler::cancel_post(&mut fake, &cancel).unwrap();
    let key = ("launch".to_owned(), "twitter".to_owned());
    let booked: Vec<&str> = fake.bookings[&key]
        .1
        .iter()
        .map(|b| b.reference.as_str())
        .collect();
    assert_eq!(booked, ["b"]);
    // Monday 09:30 Berlin (a's slot) goes to the next post.
    let next = schedule_post(&mut fake, &campaign_event("c", None)).unwrap();
    assert_eq!(next.scheduled_date, "2026-03-02T08:30:00");
}

#[test]
fn a_post_moved_out_of_its_campaign_frees_its_slot() {
    let mut fake = with_plan(WEEKDAYS);
    schedule_post(&mut fake, &campaign_event("a", None)).unwrap();
    let own_date = envelope(json!({"message": "Hello world!", "platform": "twitter",
        "referenceNumber": "a", "scheduledDate": "2026-03-10T10:00:00Z"}));
    let moved = schedule_post(&mut fake, &own_date).unwrap();
    assert_eq!(moved.campaign, None);
    let key = ("launch".to_owned(), "twitter".to_owned());
    assert_eq!(fake.bookings[&key].1, []);
}

#[test]
fn recorded_scores_steer_a_date_less_post_to_the_best_hour() {
    let mut fake = with_plan(WEEKDAYS);
    let key = ("launch".to_owned(), "twitter".to_owned());
    // Every slot's hour was measured ten times: Tuesday 12:00-12:59 Berlin (bucket 36)
    // far better than the others.
    let mut scores = Vec::new();
    for day in 0..5_u8 {
        for hour in [9, 12, 17] {
            let bucket = day * 24 + hour;
            let score = if bucket == 36 { 0.08 } else { 0.01 };
            scores.extend(vec![(bucket, score); 10]);
        }
    }
    fake.scores.insert(key, scores);
    let scheduled = schedule_post(&mut fake, &campaign_event("best", None)).unwrap();
    assert_eq!(scheduled.scheduled_date, "2026-03-03T11:15:00");
    assert_eq!(
        scheduled.campaign.unwrap().1,
        "Tue 2026-03-03 12:15 Europe/Berlin: the best draw (0.0716) of the hour Tue 12:00 by \
         Thompson sampling (mean score 0.0800 over 10 posts there, 0.0147 over all 150)"
    );
    // Scores from another platform do not count.
    let mut other = with_plan(WEEKDAYS);
    other.scores.insert(
        ("launch".to_owned(), "mastodon".to_owned()),
        vec![(36, 0.08); 20],
    );
    let scheduled = schedule_post(&mut other, &campaign_event("best", None)).unwrap();
    assert_eq!(scheduled.scheduled_date, "2026-03-02T08:30:00");
}

#[test]
fn a_post_of_a_campaign_gets_a_metrics_reading_a_day_after_its_window() {
    let mut fake = with_plan(WEEKDAYS);
    schedule_post(&mut fake, &campaign_event("m1", None)).unwrap();
    let name = sps_scheduler::metrics::reading_name("twitter-m1");
    assert_eq!(name.len(), 60);
    let reading = &fake.store[&name];
    // Monday 09:30 Berlin is 08:30Z; the window is 8 minutes; then 24 hours.
    assert_eq!(reading.at, "2026-03-03T08:38:00");
    assert_eq!(reading.flexible_window_minutes, 0);
    let input: Value = serde_json::from_str(&reading.input).unwrap();
    let key = sps_contract::ledger::ledger_key(
        &sps_contract::input::parse(&fake.store["twitter-m1"].input).unwrap(),
    );
    assert_eq!(
        input,
        json!({"kind": "metrics", "referenceNumber": "m1", "platform": "twitter",
            "account": "default", "campaign": "launch", "bucket": 9, "ledgerKey": key})
    );
    // The delay is a setting (the fake answers every setting alike: a window of 60
    // minutes, a delay of 60 seconds); a cancel deletes the reading with the post.
    fake.setting = Ok(Some("60".to_owned()));
    fake.store.remove(&name);
    schedule_post(&mut fake, &campaign_event("m1", None)).unwrap();
    assert_eq!(fake.store[&name].at, "2026-03-02T09:31:00");
    let cancel = json!({"detail-type": "Cancel Social Post", "source": "test",
        "detail": {"referenceNumber": "m1", "platform": "twitter"}})
    .to_string();
    sps_scheduler::cancel_post(&mut fake, &cancel).unwrap();
    assert!(!fake.store.contains_key(&name));
    assert!(!fake.store.contains_key("twitter-m1"));
}

#[test]
fn auto_without_a_campaign_says_it_needs_one() {
    let mut fake = Fake::new();
    let event = envelope(json!({"message": "Hello world!", "platform": "twitter",
        "referenceNumber": "a1", "scheduledDate": "auto"}));
    assert_rejected(
        &mut fake,
        &event,
        "a1",
        "invalid-scheduled-date",
        "scheduledDate \"auto\" asks a campaign for its best free slot: name the campaign \
         in the field campaign",
    );
}
