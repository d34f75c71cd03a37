//! The campaigns of `sps serve`: plans from the campaigns file (`SPS_CAMPAIGNS_FILE`,
//! read again at every lookup, so an edit counts from the next post on without a
//! restart), bookings in the SQLite store.
//!
//! The file is `{"campaigns": {"<name>": <plan>, ...}}` ([`sps_local::campaigns`]), each
//! plan in the shape of README "Campaigns"; the scheduler checks a plan when a post names
//! it.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use axum::extract::State;
use axum::response::{IntoResponse as _, Response};

use super::api::{respond, AppState};
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

    /// Every plan of the file, by name (none without a file).
    ///
    /// # Errors
    /// When the file cannot be read or is not `{"campaigns": {...}}`.
    pub fn plans(&self) -> Result<serde_json::Map<String, serde_json::Value>, CampaignError> {
        let Some(file) = &self.file else {
            return Ok(serde_json::Map::new());
        };
        let source = format!("the campaigns file {} (SPS_CAMPAIGNS_FILE)", file.display());
        let text = std::fs::read_to_string(file)
            .map_err(|e| CampaignError::Unavailable(format!("{source} cannot be read: {e}")))?;
        campaigns::parse_plans(&source, &text).map_err(CampaignError::Unavailable)
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
        let booked = self
            .store
            .all_campaign_bookings(name)?
            .into_iter()
            .map(|(platform, list)| {
                let stored = list
                    .booked
                    .into_iter()
                    .map(|b| campaigns::StoredBooking {
                        reference: b.reference,
                        at: b.at,
                    })
                    .collect();
                (platform, stored)
            })
            .collect::<Vec<_>>();
        let scores = self.store.all_campaign_scores(name)?;
        Ok(Some(campaigns::campaign_view(name, plan, &booked, &scores)))
    }
}

/// `GET /campaigns`: the view of every campaign of the file, by name.
pub(super) async fn get_campaigns(State(app): State<AppState>) -> Response {
    let names: Vec<String> = match app.campaigns.plans() {
        Ok(plans) => plans.keys().cloned().collect(),
        Err(e) => return unavailable(&e),
    };
    let mut views = Vec::with_capacity(names.len());
    for name in names {
        match app.campaigns.view(&name) {
            Ok(Some(view)) => views.push(view),
            Ok(None) => {}
            Err(e) => return unavailable(&e),
        }
    }
    axum::Json(views).into_response()
}

/// `GET /campaigns/NAME`: the campaign's view; 404 `unknown-campaign` when no plan has
/// that name.
pub(super) async fn get_campaign(
    State(app): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    match app.campaigns.view(&name) {
        Ok(Some(view)) => axum::Json(view).into_response(),
        Ok(None) => respond(campaigns::unknown_campaign(&name)),
        Err(e) => unavailable(&e),
    }
}

fn unavailable(e: &CampaignError) -> Response {
    let (CampaignError::Unavailable(message) | CampaignError::Invalid(message)) = e;
    tracing::error!(error = %message, "campaigns could not be read");
    respond(sps_local::api::unavailable(message))
}
