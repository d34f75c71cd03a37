//! The score, the choice before any data, and the draw's reason, exactly (seeded).

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::slots::free;

fn plan() -> Plan {
    Plan::parse(
        "c",
        r#"{"timeZone": "Europe/Berlin", "slots": [{"days": ["mon", "tue"], "times": ["09:30", "12:15"]}]}"#,
    )
    .unwrap()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2027-01-04T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn the_score_is_weighted_engagement_per_impression_where_there_are_impressions() {
    let m = Metrics {
        likes: 10,
        reposts: 3,
        replies: 2,
        impressions: Some(900),
    };
    assert_eq!(score(&m), 18.0 / 900.0);
    assert_eq!(
        score(&Metrics {
            impressions: None,
            ..m
        }),
        18.0
    );
    assert_eq!(
        score(&Metrics {
            impressions: Some(0),
            ..m
        }),
        18.0
    );
}

#[test]
fn before_any_data_the_earliest_free_slot_is_taken() {
    let plan = plan();
    let slots = free(&plan, now(), &[]);
    let choice = choose(
        &plan,
        &slots,
        &Learner::default(),
        &mut ChaCha8Rng::seed_from_u64(7),
    )
    .unwrap();
    assert_eq!(
        choice.reason,
        "Mon 2027-01-04 09:30 Europe/Berlin: the earliest free slot (no engagement measured yet)"
    );
    assert_eq!(
        choose(
            &plan,
            &[],
            &Learner::default(),
            &mut ChaCha8Rng::seed_from_u64(7)
        ),
        None
    );
}

#[test]
fn a_bucket_measured_far_better_wins_and_says_why() {
    let plan = plan();
    let mut learner = Learner::default();
    for _ in 0..20 {
        learner.record(36, 0.08); // Tuesday 12:00-13:00
        learner.record(9, 0.01); // Monday 09:00-10:00
    }
    let slots = free(&plan, now(), &[]);
    let choice = choose(&plan, &slots, &learner, &mut ChaCha8Rng::seed_from_u64(7)).unwrap();
    assert_eq!(
        choice.slot.describe(&plan),
        "Tue 2027-01-05 12:15 Europe/Berlin"
    );
    assert_eq!(
        choice.reason,
        "Tue 2027-01-05 12:15 Europe/Berlin: the best draw (0.0811) of the hour Tue 12:00 by \
         Thompson sampling (mean score 0.0800 over 20 posts there, 0.0450 over all 40)"
    );
}

#[test]
fn measured_buckets_are_listed_with_their_names() {
    let mut learner = Learner::default();
    learner.record(36, 0.5);
    learner.record(36, 0.25);
    learner.record(167, 2.0);
    learner.record(168, 9.0); // not a bucket: ignored
    assert_eq!(learner.measured(), [(36, 2, 0.375), (167, 1, 2.0)]);
    assert_eq!(bucket_name(36), "Tue 12:00");
    assert_eq!(bucket_name(167), "Sun 23:00");
    assert_eq!(bucket_name(0), "Mon 00:00");
}
