//! The campaigns of `sps serve`: plans from the campaigns file (`SPS_CAMPAIGNS_FILE`,
//! read again at every lookup, so an edit counts from the next post on without a
//! restart) and those saved through the API (`PUT /campaigns/NAME`, in the SQLite store;
//! a saved plan wins over the file's of the same name); bookings and scores in the store.
//!
//! The file is `{"campaigns": {"<name>": <plan>, ...}}` ([`sps_local::campaigns`]), each
//! plan in the shape of README "Campaigns"; the scheduler checks a plan when a post names
//! it.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use sps_local::campaigns;

use super::store::SqliteStore;
use crate::bindings::campaigns::{Booking, BookingList, CampaignError, Score};
use crate::caps::campaigns::CampaignBackend;

/// Plans from a file, bookings in the store.
pub struct LocalCampaigns {
    store: Arc<SqliteStore>,
    file: Option<PathBuf>,
}

impl LocalCampaigns {
    /// Campaigns with plans in `file` (none when `None`) and bookings in `store`.
    pub fn new(store: Arc<SqliteStore>, file: Option<PathBuf>) -> Self {
        Self { store, file }
    }

    /// Every plan, by name: the file's, with those saved through the API over them.
    ///
    /// # Errors
    /// When the file cannot be read or is not `{"campaigns": {...}}`, or the store fails.
    pub fn plans(&self) -> Result<serde_json::Map<String, serde_json::Value>, CampaignError> {
        let mut plans = match &self.file {
            None => serde_json::Map::new(),
            Some(file) => {
                let source = format!("the campaigns file {} (SPS_CAMPAIGNS_FILE)", file.display());
                let text = std::fs::read_to_string(file).map_err(|e| {
                    CampaignError::Unavailable(format!("{source} cannot be read: {e}"))
                })?;
                campaigns::parse_plans(&source, &text).map_err(CampaignError::Unavailable)?
            }
        };
        plans.extend(self.store.saved_plans()?);
        Ok(plans)
    }

    /// Saves `plan` (checked JSON) as the campaign `name`; true when it is new.
    ///
    /// # Errors
    /// When the store fails.
    pub fn save(&self, name: &str, plan: &serde_json::Value) -> Result<bool, CampaignError> {
        self.store.save_plan(name, &plan.to_string())
    }

    /// Deletes the plan `name` saved through the API; false when there is none (a plan
    /// of the file stays: edit the file).
    ///
    /// # Errors
    /// When the store fails.
    pub fn delete(&self, name: &str) -> Result<bool, CampaignError> {
        self.store.delete_plan(name)
    }
}

#[async_trait]
impl CampaignBackend for LocalCampaigns {
    async fn plan(&self, name: &str) -> Result<Option<String>, CampaignError> {
        Ok(self.plans()?.get(name).map(|plan| plan.to_string()))
    }

    async fn bookings(&self, campaign: &str, platform: &str) -> Result<BookingList, CampaignError> {
        self.store.campaign_bookings(campaign, platform)
    }

    async fn replace(
        &self,
        campaign: &str,
        platform: &str,
        expected: u64,
        booked: &[Booking],
    ) -> Result<bool, CampaignError> {
        self.store
            .replace_campaign_bookings(campaign, platform, expected, booked)
    }

    async fn scores(&self, campaign: &str, platform: &str) -> Result<Vec<Score>, CampaignError> {
        self.store.campaign_scores(campaign, platform)
    }

    async fn record_score(
        &self,
        campaign: &str,
        platform: &str,
        score: &Score,
    ) -> Result<(), CampaignError> {
        self.store.record_campaign_score(campaign, platform, score)
    }
}

impl LocalCampaigns {
    /// The view of `name` (`sps_local::campaigns::campaign_view`), or `None` when no plan
    /// has that name.
    ///
    /// # Errors
    /// When the file or the store cannot be read.
    pub fn view(&self, name: &str) -> Result<Option<serde_json::Value>, CampaignError> {
        let plans = self.plans()?;
        let Some(plan) = plans.get(name) else {
            return Ok(None);
        };
        let booked = self.store.all_campaign_bookings(name)?;
        let scores = self.store.all_campaign_scores(name)?;
        Ok(Some(campaigns::campaign_view(name, plan, &booked, &scores)))
    }
}
