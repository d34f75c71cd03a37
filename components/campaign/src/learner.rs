//! The best-time learner: which free slot a post of the campaign gets, from the engagement
//! the campaign's own posts received.
//!
//! **The score** of a post is one number ([`score`]): `likes + 2 x reposts + replies`,
//! divided by `impressions` where the platform reports them (engagement per view), else
//! the weighted count itself. Reposts weigh double: they carry the post to new readers.
//!
//! **The method** is Thompson sampling over the hour-of-week buckets of the campaign's
//! time zone (168, [`crate::slots::BUCKETS`]). Each bucket's mean score has a normal
//! posterior: prior mean the campaign's mean score over every bucket, prior weight
//! [`PRIOR_WEIGHT`] posts, spread the campaign's standard deviation (at least
//! [`MIN_SPREAD`] of its mean). For each post one value is drawn per bucket that has a free
//! slot; the bucket with the highest draw wins, and the post gets its earliest free slot.
//! A bucket with few posts has a wide posterior, so it keeps being tried now and then; a
//! bucket that is measured worse is tried less and less. Before any score is recorded the
//! earliest free slot is taken. The random source is a seeded ChaCha generator, so a run
//! is exact and repeatable.

use rand::Rng;
use rand_distr::{Distribution, Normal};

use crate::plan::{day_name, Plan};
use crate::slots::{capitalized, Slot, BUCKETS};

/// The prior's weight, in posts: a bucket's posterior mean is pulled toward the campaign's
/// mean as if it had one post there.
pub const PRIOR_WEIGHT: f64 = 1.0;

/// The least spread of the posterior, as a share of the campaign's mean score: keeps
/// exploring when every score so far was equal.
pub const MIN_SPREAD: f64 = 0.1;

/// The engagement a platform reports for one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Metrics {
    /// Likes (X: `like_count`, Mastodon: `favourites_count`, Bluesky: `likeCount`).
    pub likes: u64,
    /// Reposts (X: `retweet_count` + `quote_count`, Mastodon: `reblogs_count`, Bluesky:
    /// `repostCount` + `quoteCount`).
    pub reposts: u64,
    /// Replies.
    pub replies: u64,
    /// Impressions, where the platform reports them (X: `impression_count`).
    pub impressions: Option<u64>,
}

/// The score of one post (see the module documentation).
#[allow(clippy::cast_precision_loss)]
pub fn score(metrics: &Metrics) -> f64 {
    let weighted = (metrics.likes + 2 * metrics.reposts + metrics.replies) as f64;
    match metrics.impressions {
        Some(views) if views > 0 => weighted / views as f64,
        _ => weighted,
    }
}

/// What the campaign measured per bucket: count, mean and the sum of squared deviations
/// (Welford's method).
#[derive(Debug, Clone, PartialEq)]
pub struct Learner {
    buckets: Vec<(u64, f64, f64)>,
}

impl Default for Learner {
    fn default() -> Self {
        Self {
            buckets: vec![(0, 0.0, 0.0); BUCKETS],
        }
    }
}

impl Learner {
    /// Records the score of a post in `bucket` (0-167; others are ignored).
    #[allow(clippy::cast_precision_loss)]
    pub fn record(&mut self, bucket: usize, score: f64) {
        if let Some((n, mean, m2)) = self.buckets.get_mut(bucket) {
            *n += 1;
            let delta = score - *mean;
            *mean += delta / *n as f64;
            *m2 += delta * (score - *mean);
        }
    }

    /// The posts and mean score of `bucket`.
    pub fn bucket(&self, bucket: usize) -> (u64, f64) {
        self.buckets
            .get(bucket)
            .map_or((0, 0.0), |(n, m, _)| (*n, *m))
    }

    /// The buckets with at least one post: `(bucket, posts, mean score)`, in bucket order.
    pub fn measured(&self) -> Vec<(usize, u64, f64)> {
        self.buckets
            .iter()
            .enumerate()
            .filter(|(_, b)| b.0 > 0)
            .map(|(i, b)| (i, b.0, b.1))
            .collect()
    }

    /// The posts, mean and standard deviation over every bucket.
    #[allow(clippy::cast_precision_loss)]
    fn overall(&self) -> (u64, f64, f64) {
        let n: u64 = self.buckets.iter().map(|b| b.0).sum();
        if n == 0 {
            return (0, 0.0, 0.0);
        }
        let mean = self.buckets.iter().map(|b| b.0 as f64 * b.1).sum::<f64>() / n as f64;
        // Within-bucket plus between-bucket squares.
        let squares: f64 = self
            .buckets
            .iter()
            .map(|b| b.2 + b.0 as f64 * (b.1 - mean).powi(2))
            .sum();
        (n, mean, (squares / n as f64).sqrt())
    }
}

/// The hour-of-week bucket `bucket` (0-167) in words: `Mon 09:00`.
pub fn bucket_name(bucket: usize) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let day = DAYS.get(bucket / 24).copied().unwrap_or("?");
    format!("{day} {:02}:00", bucket % 24)
}

/// The slot a post gets, and why in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The slot.
    pub slot: Slot,
    /// Why this one: `earliest free slot (no engagement measured yet)`, or the bucket's
    /// draw, mean and posts.
    pub reason: String,
}

/// Chooses among `free` (in time order) as the module documentation says; `None` when no
/// slot is free.
#[allow(clippy::cast_precision_loss)]
pub fn choose(plan: &Plan, free: &[Slot], learner: &Learner, rng: &mut impl Rng) -> Option<Choice> {
    let earliest = *free.first()?;
    let (n, mean, sd) = learner.overall();
    if n == 0 {
        return Some(Choice {
            slot: earliest,
            reason: format!(
                "{}: the earliest free slot (no engagement measured yet)",
                earliest.describe(plan)
            ),
        });
    }
    let spread = sd.max(MIN_SPREAD * mean.abs()).max(f64::MIN_POSITIVE);
    let mut best: Option<(f64, Slot)> = None;
    let mut drawn = [false; BUCKETS];
    for slot in free {
        let bucket = slot.bucket();
        if drawn.get(bucket).copied().unwrap_or(true) {
            continue;
        }
        if let Some(d) = drawn.get_mut(bucket) {
            *d = true;
        }
        let (k, m) = learner.bucket(bucket);
        let weight = PRIOR_WEIGHT + k as f64;
        let posterior = (PRIOR_WEIGHT * mean + k as f64 * m) / weight;
        let draw = Normal::new(posterior, spread / weight.sqrt())
            .map(|d| d.sample(rng))
            .unwrap_or(posterior);
        if best.is_none_or(|(b, _)| draw > b) {
            best = Some((draw, *slot));
        }
    }
    let (draw, slot) = best?;
    let (k, m) = learner.bucket(slot.bucket());
    let hour = slot.local.format("%H:00");
    Some(Choice {
        slot,
        reason: format!(
            "{}: the best draw ({draw:.4}) of the hour {} {hour} by Thompson sampling \
             (mean score {m:.4} over {k} posts there, {mean:.4} over all {n})",
            slot.describe(plan),
            capitalized(day_name(chrono::Datelike::weekday(&slot.local))),
        ),
    })
}

#[cfg(test)]
mod tests;
