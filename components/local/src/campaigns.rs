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

/// The body of `GET /campaigns/NAME`: `{"name", "plan", "booked": {"<platform>":
/// [{"referenceNumber", "at"}, ...]}}`, bookings in time order.
pub fn campaign_view(name: &str, plan: &Value, booked: &[(String, Vec<StoredBooking>)]) -> Value {
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
    json!({"name": name, "plan": plan, "booked": booked})
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
