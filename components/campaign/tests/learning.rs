//! The learner converges: a fake platform whose engagement is high only in one hour of the
//! week (Tuesday 12:00-13:00 in Berlin), a fake clock, and a seeded random source. Each
//! post takes the slot the learner chooses among the campaign's free slots; its score is
//! recorded 24 hours after it went out, as the service reads engagement then. Over 300
//! posts the choice moves to that hour; the figures are printed per 50 posts.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, TimeDelta, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sps_campaign::{choose, free, score, Learner, Metrics, Plan};

/// Tuesday 12:00-13:00, the only hour the fake audience engages much.
const BEST_BUCKET: usize = 24 + 12;

/// The fake platform's metrics of a post in `bucket`: about 80 weighted interactions per
/// 1,000 impressions in the best hour, about 20 elsewhere, with noise.
fn metrics(bucket: usize, rng: &mut impl Rng) -> Metrics {
    let base = if bucket == BEST_BUCKET { 60 } else { 12 };
    Metrics {
        likes: base + rng.random_range(0..10),
        reposts: rng.random_range(0..4),
        replies: rng.random_range(0..6),
        impressions: Some(1000),
    }
}

#[test]
fn the_choice_converges_to_the_hour_with_the_most_engagement() {
    let plan = Plan::parse(
        "launch",
        r#"{"timeZone": "Europe/Berlin",
            "slots": [{"days": ["mon", "tue", "wed", "thu", "fri"], "times": ["09:30", "12:15", "17:45"]}],
            "minGapMinutes": 120, "maxPerDay": 3}"#,
    )
    .unwrap();
    let mut choices = ChaCha8Rng::seed_from_u64(42);
    let mut audience = ChaCha8Rng::seed_from_u64(7);
    let mut learner = Learner::default();
    let mut now: DateTime<Utc> = DateTime::parse_from_rfc3339("2027-01-04T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let mut in_best = Vec::new();
    for _ in 0..300 {
        let slots = free(&plan, now, &[]);
        let choice = choose(&plan, &slots, &learner, &mut choices).unwrap();
        let bucket = choice.slot.bucket();
        in_best.push(bucket == BEST_BUCKET);
        // The post goes out at its slot; its engagement is read 24 hours later.
        now = choice.slot.at + TimeDelta::hours(24);
        learner.record(bucket, score(&metrics(bucket, &mut audience)));
    }
    let per_window: Vec<usize> = in_best
        .chunks(50)
        .map(|w| w.iter().filter(|b| **b).count())
        .collect();
    println!("posts in Tuesday 12:00-13:00 per 50 posts: {per_window:?}");
    let (posts, mean) = learner.bucket(BEST_BUCKET);
    println!("Tuesday 12:00-13:00: {posts} posts, mean score {mean:.4}");
    assert_eq!(per_window, [29, 44, 47, 49, 50, 50]);
    assert_eq!(posts, 269);
}
