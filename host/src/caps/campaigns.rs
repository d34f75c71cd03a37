//! `sps:social/campaigns`: campaign plans and the slots their posts booked (SQLite and a
//! file locally, DynamoDB on AWS, memory in tests).

use async_trait::async_trait;

use crate::bindings::campaigns::{Booking, BookingList, CampaignError, Host, Score};
use crate::runtime::Ctx;
use sps_local::campaigns::{bookings_from_json, bookings_to_json, StoredBooking};

/// Where plans and bookings live. Plans are JSON text the user writes (README,
/// "Campaigns"); bookings are one versioned list per campaign and platform. Errors are
/// [`CampaignError::Unavailable`] with a sentence; nothing panics.
#[async_trait]
pub trait CampaignBackend: Send + Sync {
    /// The plan of `name`, or `None`.
    async fn plan(&self, name: &str) -> Result<Option<String>, CampaignError>;
    /// The bookings of `campaign` on `platform`: version 0 and none before the first.
    async fn bookings(&self, campaign: &str, platform: &str) -> Result<BookingList, CampaignError>;
    /// Replaces the bookings if their version is still `expected` (it becomes
    /// `expected + 1`): `false`, changing nothing, otherwise. Atomic: of two replacements
    /// from one version exactly one succeeds.
    async fn replace(
        &self,
        campaign: &str,
        platform: &str,
        expected: u64,
        booked: &[Booking],
    ) -> Result<bool, CampaignError>;
    /// The scores recorded for `campaign` on `platform`.
    async fn scores(&self, campaign: &str, platform: &str) -> Result<Vec<Score>, CampaignError>;
    /// Records `score`, replacing an earlier score of the same reference.
    async fn record_score(
        &self,
        campaign: &str,
        platform: &str,
        score: &Score,
    ) -> Result<(), CampaignError>;
}

impl Host for Ctx {
    async fn plan(&mut self, name: String) -> Result<Option<String>, CampaignError> {
        self.backends.campaigns.plan(&name).await
    }

    async fn bookings(
        &mut self,
        campaign: String,
        platform: String,
    ) -> Result<BookingList, CampaignError> {
        self.backends.campaigns.bookings(&campaign, &platform).await
    }

    async fn replace_bookings(
        &mut self,
        campaign: String,
        platform: String,
        expected: u64,
        booked: Vec<Booking>,
    ) -> Result<bool, CampaignError> {
        self.backends
            .campaigns
            .replace(&campaign, &platform, expected, &booked)
            .await
    }

    async fn scores(
        &mut self,
        campaign: String,
        platform: String,
    ) -> Result<Vec<Score>, CampaignError> {
        self.backends.campaigns.scores(&campaign, &platform).await
    }

    async fn record_score(
        &mut self,
        campaign: String,
        platform: String,
        score: Score,
    ) -> Result<(), CampaignError> {
        sps_local::campaigns::check_score(score.bucket, score.score)
            .map_err(CampaignError::Invalid)?;
        self.backends
            .campaigns
            .record_score(&campaign, &platform, &score)
            .await
    }
}

/// Bookings as their stored JSON text (`sps_local::campaigns`).
pub fn to_json(booked: &[Booking]) -> String {
    let stored: Vec<StoredBooking> = booked
        .iter()
        .map(|b| StoredBooking {
            reference: b.reference.clone(),
            at: b.at.clone(),
        })
        .collect();
    bookings_to_json(&stored)
}

/// Bookings from their stored JSON text.
///
/// # Errors
/// [`CampaignError::Unavailable`] when the text is not such a list.
pub fn from_json(text: &str) -> Result<Vec<Booking>, CampaignError> {
    Ok(bookings_from_json(text)
        .map_err(CampaignError::Unavailable)?
        .into_iter()
        .map(|b| Booking {
            reference: b.reference,
            at: b.at,
        })
        .collect())
}
