//! Campaign bookings in the SQLite store: one row per campaign and platform in
//! `campaign_bookings` (`sps_local::schema`), the list as JSON, replaced under its version.

use super::cached::Cached as _;
use rusqlite::{params, OptionalExtension};
use sps_local::campaigns;

use super::SqliteStore;
use crate::bindings::campaigns::{Booking, BookingList, CampaignError, Score};
use crate::caps::campaigns::{from_json, to_json};

fn unavailable(e: impl std::fmt::Display) -> CampaignError {
    CampaignError::Unavailable(format!("local store: {e}"))
}

impl SqliteStore {
    /// The bookings of `campaign` on `platform` (version 0, none, before the first).
    ///
    /// # Errors
    /// When the database fails or holds a list that is not bookings.
    pub fn campaign_bookings(
        &self,
        campaign: &str,
        platform: &str,
    ) -> Result<BookingList, CampaignError> {
        let row: Option<(i64, String)> = self
            .conn()
            .row(
                campaigns::SELECT_BOOKINGS,
                params![campaign, platform],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(unavailable)?;
        match row {
            Some((version, booked)) => Ok(BookingList {
                version: u64::try_from(version).unwrap_or(0),
                booked: from_json(&booked)?,
            }),
            None => Ok(BookingList {
                version: 0,
                booked: Vec::new(),
            }),
        }
    }

    /// Replaces the bookings under their version `expected`, in one IMMEDIATE
    /// transaction, so of two replacements from one version exactly one succeeds.
    ///
    /// # Errors
    /// When the database fails.
    pub fn replace_campaign_bookings(
        &self,
        campaign: &str,
        platform: &str,
        expected: u64,
        booked: &[Booking],
    ) -> Result<bool, CampaignError> {
        let mut conn = self.conn();
        let tx = conn.savepoint().map_err(unavailable)?;
        let version: i64 = tx
            .row(
                "SELECT version FROM campaign_bookings WHERE campaign = ?1 AND platform = ?2",
                params![campaign, platform],
                |r| r.get(0),
            )
            .optional()
            .map_err(unavailable)?
            .unwrap_or(0);
        if u64::try_from(version).ok() != Some(expected) {
            return Ok(false);
        }
        tx.run(
            campaigns::UPSERT_BOOKINGS,
            params![campaign, platform, version + 1, to_json(booked)],
        )
        .map_err(unavailable)?;
        tx.commit().map_err(unavailable)?;
        Ok(true)
    }

    /// Every platform's bookings of `campaign`, by platform name, as stored (for
    /// `GET /campaigns/NAME`).
    ///
    /// # Errors
    /// When the database fails or holds a list that is not bookings.
    pub fn all_campaign_bookings(
        &self,
        campaign: &str,
    ) -> Result<Vec<(String, Vec<campaigns::StoredBooking>)>, CampaignError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(campaigns::SELECT_ALL_BOOKINGS)
            .map_err(unavailable)?;
        let rows = stmt
            .query_map(params![campaign], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(2)?))
            })
            .map_err(unavailable)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(unavailable)?;
        rows.into_iter()
            .map(|(platform, booked)| {
                let booked =
                    campaigns::bookings_from_json(&booked).map_err(CampaignError::Unavailable)?;
                Ok((platform, booked))
            })
            .collect()
    }

    /// The scores of `campaign` on `platform`.
    ///
    /// # Errors
    /// When the database fails.
    pub fn campaign_scores(
        &self,
        campaign: &str,
        platform: &str,
    ) -> Result<Vec<Score>, CampaignError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(campaigns::SELECT_SCORES)
            .map_err(unavailable)?;
        let rows = stmt
            .query_map(params![campaign, platform], |r| {
                Ok(Score {
                    reference: r.get(0)?,
                    bucket: r.get(1)?,
                    score: r.get(2)?,
                })
            })
            .map_err(unavailable)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
    }

    /// Every platform's scores of `campaign`: bucket and score, by platform name.
    ///
    /// # Errors
    /// When the database fails.
    pub fn all_campaign_scores(
        &self,
        campaign: &str,
    ) -> Result<Vec<campaigns::PlatformScores>, CampaignError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(campaigns::SELECT_ALL_SCORES)
            .map_err(unavailable)?;
        let rows = stmt
            .query_map(params![campaign], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u8>(1)?,
                    r.get::<_, f64>(2)?,
                ))
            })
            .map_err(unavailable)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(unavailable)?;
        Ok(campaigns::group_scores(rows))
    }

    /// Records a score, replacing an earlier one of the same post.
    ///
    /// # Errors
    /// When the database fails.
    pub fn record_campaign_score(
        &self,
        campaign: &str,
        platform: &str,
        score: &Score,
    ) -> Result<(), CampaignError> {
        self.conn()
            .run(
                campaigns::UPSERT_SCORE,
                params![
                    campaign,
                    platform,
                    score.reference,
                    score.bucket,
                    score.score
                ],
            )
            .map_err(unavailable)?;
        Ok(())
    }

    /// The plans saved through the API, by name.
    ///
    /// # Errors
    /// When the database fails or holds a plan that is not JSON.
    pub fn saved_plans(&self) -> Result<serde_json::Map<String, serde_json::Value>, CampaignError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(campaigns::SELECT_SAVED_PLANS)
            .map_err(unavailable)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(unavailable)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(unavailable)?;
        rows.into_iter()
            .map(|(name, plan)| {
                let plan = serde_json::from_str(&plan).map_err(|e| {
                    unavailable(format!("the saved plan {name:?} is not JSON: {e}"))
                })?;
                Ok((name, plan))
            })
            .collect()
    }

    /// Saves the plan `name`; true when there was none of that name.
    ///
    /// # Errors
    /// When the database fails.
    pub fn save_plan(&self, name: &str, plan: &str) -> Result<bool, CampaignError> {
        let mut conn = self.conn();
        let tx = conn.savepoint().map_err(unavailable)?;
        let existed = tx
            .row(
                "SELECT 1 FROM campaign_plans WHERE name = ?1",
                params![name],
                |_| Ok(()),
            )
            .optional()
            .map_err(unavailable)?
            .is_some();
        tx.run(campaigns::UPSERT_PLAN, params![name, plan])
            .map_err(unavailable)?;
        tx.commit().map_err(unavailable)?;
        Ok(!existed)
    }

    /// Deletes the saved plan `name`; false when there was none.
    ///
    /// # Errors
    /// When the database fails.
    pub fn delete_plan(&self, name: &str) -> Result<bool, CampaignError> {
        let deleted = self
            .conn()
            .run(campaigns::DELETE_PLAN, params![name])
            .map_err(unavailable)?;
        Ok(deleted > 0)
    }
}
