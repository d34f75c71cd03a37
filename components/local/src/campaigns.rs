//! Campaigns on the local runtimes (`sps serve` and the Spin app): the one shape of the
//! plans the user writes, the stored bookings, and the body of `GET /campaigns/NAME`.
//!
//! **Plans** are `{"campaigns": {"<name>": <plan>, ...}}` (README, "Campaigns"): the
//! content of `SPS_CAMPAIGNS_FILE` for `sps serve` and of the Spin variable `campaigns`.
//! On AWS each plan is its own DynamoDB item (`host/src/aws/campaigns.rs`). The scheduler
//! checks a plan when a post names it, so a wrong plan rejects that post only.
//!
//! **Bookings** are one row per campaign and platform in `campaign_bookings`
//! ([`crate::schema`]): a version and the JSON list `[{"reference", "at"}, ...]`
//! (`at` UTC, `YYYY-MM-DDTHH:MM:SS`), replaced only under its version.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A stored booking: a post's reference and its slot's instant (UTC,
/// `YYYY-MM-DDTHH:MM:SS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBooking {
    /// The post's reference.
    pub reference: String,
    /// The slot's instant.
    pub at: String,
}

/// The bookings of one campaign on one platform: `SELECT version, booked`.
pub const SELECT_BOOKINGS: &str =
    "SELECT version, booked FROM campaign_bookings WHERE campaign = ?1 AND platform = ?2";

/// Every platform's bookings of one campaign: `SELECT platform, version, booked`.
pub const SELECT_ALL_BOOKINGS: &str =
    "SELECT platform, version, booked FROM campaign_bookings WHERE campaign = ?1 ORDER BY platform";

/// Writes the bookings of a campaign on a platform at a new version, inside the
/// transaction that read the old one (`campaign, platform, version, booked`).
pub const UPSERT_BOOKINGS: &str =
    "INSERT INTO campaign_bookings (campaign, platform, version, booked) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (campaign, platform) DO UPDATE SET version = excluded.version, booked = excluded.booked";

/// The scores of one campaign on one platform: `SELECT reference, bucket, score`.
pub const SELECT_SCORES: &str =
    "SELECT reference, bucket, score FROM campaign_scores WHERE campaign = ?1 AND platform = ?2";

/// Every platform's scores of one campaign: `SELECT platform, bucket, score`.
pub const SELECT_ALL_SCORES: &str =
    "SELECT platform, bucket, score FROM campaign_scores WHERE campaign = ?1 ORDER BY platform, reference";

/// Records one post's score (`campaign, platform, reference, bucket, score`), replacing
/// an earlier one of the same post.
pub const UPSERT_SCORE: &str =
    "INSERT INTO campaign_scores (campaign, platform, reference, bucket, score) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (campaign, platform, reference) DO UPDATE SET bucket = excluded.bucket, score = excluded.score";

/// Whether a score can be recorded: a finite number of 0 or more in an hour-of-week
/// bucket 0-167 (`campaigns.record-score`, on every host).
///
/// # Errors
/// The sentence of `campaign-error::invalid`.
pub fn check_score(bucket: u8, score: f64) -> Result<(), String> {
    if score.is_finite() && score >= 0.0 && usize::from(bucket) < sps_campaign::slots::BUCKETS {
        Ok(())
    } else {
        Err(format!(
            "a score is a finite number of 0 or more in an hour-of-week bucket 0-167, not \
             {score} in bucket {bucket}"
        ))
    }
}

/// The plans saved through the API: `SELECT name, plan`.
pub const SELECT_SAVED_PLANS: &str = "SELECT name, plan FROM campaign_plans ORDER BY name";

/// Saves a plan (`name, plan`), replacing the one of that name.
pub const UPSERT_PLAN: &str = "INSERT INTO campaign_plans (name, plan) VALUES (?1, ?2)
     ON CONFLICT (name) DO UPDATE SET plan = excluded.plan";

/// Deletes the saved plan `name`.
pub const DELETE_PLAN: &str = "DELETE FROM campaign_plans WHERE name = ?1";

/// Checks a plan sent to `PUT /campaigns/NAME`: the name as an event's `campaign` must be
/// ([`sps_campaign::plan::is_campaign_name`]), the body one plan
/// ([`sps_campaign::Plan::parse`]). Returns the plan as JSON.
///
/// # Errors
/// The answer: 400 `invalid-campaign` with the reason.
pub fn check_plan(name: &str, body: &[u8]) -> Result<Value, crate::api::Answer> {
    let invalid = |message: String| crate::api::Answer {
        status: 400,
        body: crate::api::rejection("invalid-campaign", &message, None),
    };
    if !sps_campaign::plan::is_campaign_name(name) {
        return Err(invalid(format!(
            "{name:?} cannot name a campaign: 1 to {} characters of a-z, A-Z, 0-9, - _ .",
            sps_campaign::plan::MAX_CAMPAIGN_CHARS
        )));
    }
    let text =
        std::str::from_utf8(body).map_err(|_| invalid("the plan is not UTF-8 text".to_string()))?;
    sps_campaign::Plan::parse(name, text).map_err(invalid)?;
    serde_json::from_str(text).map_err(|e| invalid(e.to_string()))
}

/// Bookings as their stored JSON text.
pub fn bookings_to_json(booked: &[StoredBooking]) -> String {
    serde_json::to_string(booked).unwrap_or_else(|_| "[]".to_string())
}

/// Bookings from their stored JSON text.
///
/// # Errors
/// A sentence when the text is not such a list.
pub fn bookings_from_json(text: &str) -> Result<Vec<StoredBooking>, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("stored bookings are not a list of bookings: {e}"))
}

/// Every plan in `text`, by name. `source` names where the text came from, for the error
/// (for example `the campaigns file /x.json (SPS_CAMPAIGNS_FILE)`).
///
/// # Errors
/// A sentence when the text is not JSON or has no object `"campaigns"`. An empty text
/// has no plans.
pub fn parse_plans(source: &str, text: &str) -> Result<Map<String, Value>, String> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("{source} is not JSON: {e}"))?;
    value
        .get("campaigns")
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| format!("{source} has no object \"campaigns\""))
}

/// The learned scores of one platform: each post's hour-of-week bucket (0-167) and score.
pub type PlatformScores = (String, Vec<(u8, f64)>);

/// Rows `(platform, bucket, score)` ordered by platform, grouped by platform.
pub fn group_scores(rows: Vec<(String, u8, f64)>) -> Vec<PlatformScores> {
    let mut grouped: Vec<PlatformScores> = Vec::new();
    for (platform, bucket, score) in rows {
        match grouped.last_mut() {
            Some((last, list)) if *last == platform => list.push((bucket, score)),
            _ => grouped.push((platform, vec![(bucket, score)])),
        }
    }
    grouped
}

/// The body of `GET /campaigns/NAME`: `{"name", "plan", "booked": {"<platform>":
/// [{"referenceNumber", "at"}, ...]}, "scores": {"<platform>": [{"hourOfWeek", "bucket",
/// "posts", "meanScore"}, ...]}}`, bookings in time order, scores by bucket (only the
/// buckets with posts; `hourOfWeek` 0 is Monday 00:00 in the campaign's time zone,
/// `bucket` the same in words, `Mon 00:00`).
pub fn campaign_view(
    name: &str,
    plan: &Value,
    booked: &[(String, Vec<StoredBooking>)],
    scores: &[PlatformScores],
) -> Value {
    let booked: Map<String, Value> = booked
        .iter()
        .map(|(platform, list)| {
            let mut list = list.clone();
            list.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.reference.cmp(&b.reference)));
            let list: Vec<Value> = list
                .iter()
                .map(|b| json!({"referenceNumber": b.reference, "at": b.at}))
                .collect();
            (platform.clone(), Value::Array(list))
        })
        .collect();
    let scores: Map<String, Value> = scores
        .iter()
        .map(|(platform, list)| {
            let mut learner = sps_campaign::Learner::default();
            for (bucket, score) in list {
                learner.record(usize::from(*bucket), *score);
            }
            let buckets: Vec<Value> = learner
                .measured()
                .into_iter()
                .map(|(bucket, posts, mean)| {
                    json!({"hourOfWeek": bucket, "bucket": sps_campaign::bucket_name(bucket),
                        "posts": posts, "meanScore": mean})
                })
                .collect();
            (platform.clone(), Value::Array(buckets))
        })
        .collect();
    json!({"name": name, "plan": plan, "booked": booked, "scores": scores})
}

/// The answer to `PUT /campaigns/NAME`: 201 (new) or 200 `{"status":"saved","name"}`.
pub fn saved(name: &str, created: bool) -> crate::api::Answer {
    crate::api::Answer {
        status: if created { 201 } else { 200 },
        body: json!({"status": "saved", "name": name}),
    }
}

/// The answer to `GET /campaigns/NAME` when no plan has that name: 404,
/// `unknown-campaign` ([`crate::api::rejection`]).
pub fn unknown_campaign(name: &str) -> crate::api::Answer {
    crate::api::Answer {
        status: 404,
        body: crate::api::rejection(
            "unknown-campaign",
            &format!("no campaign is named {name:?}"),
            None,
        ),
    }
}

#[cfg(test)]
mod tests;
