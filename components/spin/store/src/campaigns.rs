//! Campaigns in the Spin app: plans from the Spin variable `campaigns` (the shape of
//! `sps_local::campaigns`, `{"campaigns": {"<name>": <plan>}}`), bookings in the
//! `campaign_bookings` table with the statements of the host's SQLite store
//! (`host/src/local/store/campaigns.rs`), replaced under their version in one
//! `BEGIN IMMEDIATE` transaction.

use sps_local::campaigns::{self, StoredBooking};

use crate::{col_int, col_text, int, text, Store};

/// The Spin variable that holds the plans.
pub const PLANS_VARIABLE: &str = "campaigns";

/// Every plan of the variable [`PLANS_VARIABLE`], by name; none when the variable is
/// empty or not granted to the component.
///
/// # Errors
/// When the variable is not `{"campaigns": {...}}`, or Spin cannot read it.
pub fn plans() -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let text = match spin_sdk::variables::get(PLANS_VARIABLE) {
        Ok(text) => text,
        Err(spin_sdk::variables::Error::Undefined(_)) => String::new(),
        Err(e) => return Err(format!("the Spin variable {PLANS_VARIABLE}: {e}")),
    };
    campaigns::parse_plans(&format!("the Spin variable {PLANS_VARIABLE}"), &text)
}

/// A row of text, bucket and score (a reference or a platform first).
fn score_row(row: &spin_sdk::sqlite3::RowResult) -> (String, u8, f64) {
    (
        col_text(row, 0),
        u8::try_from(col_int(row, 1)).unwrap_or(u8::MAX),
        row.get::<f64>(2).unwrap_or_default(),
    )
}

impl Store {
    /// The version and bookings of `campaign` on `platform` (0 and none before the first).
    ///
    /// # Errors
    /// When the database fails or holds a list that is not bookings.
    pub fn bookings(
        &self,
        campaign: &str,
        platform: &str,
    ) -> Result<(u64, Vec<StoredBooking>), String> {
        let result = self.exec(
            campaigns::SELECT_BOOKINGS,
            &[text(campaign), text(platform)],
        )?;
        match result.rows.first() {
            Some(row) => Ok((
                u64::try_from(col_int(row, 0)).unwrap_or(0),
                campaigns::bookings_from_json(&col_text(row, 1))?,
            )),
            None => Ok((0, Vec::new())),
        }
    }

    /// Replaces the bookings if their version is still `expected`; false otherwise.
    ///
    /// # Errors
    /// When the database fails.
    pub fn replace_bookings(
        &self,
        campaign: &str,
        platform: &str,
        expected: u64,
        booked: &[StoredBooking],
    ) -> Result<bool, String> {
        self.transaction(|store| {
            let result = store.exec(
                campaigns::SELECT_BOOKINGS,
                &[text(campaign), text(platform)],
            )?;
            let version = result.rows.first().map_or(0, |row| col_int(row, 0));
            if u64::try_from(version).ok() != Some(expected) {
                return Ok(false);
            }
            store.exec(
                campaigns::UPSERT_BOOKINGS,
                &[
                    text(campaign),
                    text(platform),
                    int(version + 1),
                    text(&campaigns::bookings_to_json(booked)),
                ],
            )?;
            Ok(true)
        })
    }

    /// Every platform's bookings of `campaign`, by platform name.
    ///
    /// # Errors
    /// When the database fails.
    pub fn all_bookings(
        &self,
        campaign: &str,
    ) -> Result<Vec<(String, Vec<StoredBooking>)>, String> {
        let result = self.exec(campaigns::SELECT_ALL_BOOKINGS, &[text(campaign)])?;
        result
            .rows
            .iter()
            .map(|row| {
                Ok((
                    col_text(row, 0),
                    campaigns::bookings_from_json(&col_text(row, 2))?,
                ))
            })
            .collect()
    }

    /// The scores of `campaign` on `platform`: `(reference, bucket, score)`.
    ///
    /// # Errors
    /// When the database fails.
    pub fn scores(&self, campaign: &str, platform: &str) -> Result<Vec<(String, u8, f64)>, String> {
        let result = self.exec(campaigns::SELECT_SCORES, &[text(campaign), text(platform)])?;
        Ok(result.rows.iter().map(score_row).collect())
    }

    /// Records a score (checked by `sps_local::campaigns::check_score`), replacing an
    /// earlier one of the same post.
    ///
    /// # Errors
    /// When the database fails.
    pub fn record_score(
        &self,
        campaign: &str,
        platform: &str,
        reference: &str,
        bucket: u8,
        score: f64,
    ) -> Result<(), String> {
        self.exec(
            campaigns::UPSERT_SCORE,
            &[
                text(campaign),
                text(platform),
                text(reference),
                int(i64::from(bucket)),
                spin_sdk::sqlite3::Value::Real(score),
            ],
        )?;
        Ok(())
    }

    /// The view of `name` for `GET /campaigns/NAME`, or `None` when no plan has that name.
    ///
    /// # Errors
    /// When the variable or the database cannot be read.
    pub fn campaign_view(&self, name: &str) -> Result<Option<serde_json::Value>, String> {
        let plans = plans()?;
        let Some(plan) = plans.get(name) else {
            return Ok(None);
        };
        let result = self.exec(campaigns::SELECT_ALL_SCORES, &[text(name)])?;
        let rows = result.rows.iter().map(score_row).collect();
        Ok(Some(campaigns::campaign_view(
            name,
            plan,
            &self.all_bookings(name)?,
            &campaigns::group_scores(rows),
        )))
    }
}
