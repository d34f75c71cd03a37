//! [`NotInThisFunction`]: the backend of every capability one of the two Lambda
//! functions does not use.

use async_trait::async_trait;

use super::Function;
use crate::bindings::campaigns::{Booking, BookingList, CampaignError, Score};
use crate::bindings::ledger::{CancelOutcome, Entry, LedgerError};
use crate::bindings::schedules::{Schedule, ScheduleError};
use crate::caps::campaigns::CampaignBackend;
use crate::caps::keyvalue::KeyValueBackend;
use crate::caps::ledger::LedgerBackend;
use crate::caps::schedules::ScheduleBackend;

/// The backend of a capability the function's component does not import (the
/// scheduler has no ledger, the sender no schedules): every call is `unavailable`.
#[derive(Debug, Clone, Copy)]
pub struct NotInThisFunction(pub Function);

impl NotInThisFunction {
    fn message(&self, capability: &str) -> String {
        format!("{capability} are not available in the {} function", self.0)
    }
}

#[async_trait]
impl ScheduleBackend for NotInThisFunction {
    async fn create(&self, _schedule: Schedule) -> Result<(), ScheduleError> {
        Err(ScheduleError::Unavailable(self.message("schedules")))
    }
    async fn update(&self, _schedule: Schedule) -> Result<(), ScheduleError> {
        Err(ScheduleError::Unavailable(self.message("schedules")))
    }
    async fn get(&self, _name: &str) -> Result<Schedule, ScheduleError> {
        Err(ScheduleError::Unavailable(self.message("schedules")))
    }
    async fn delete(&self, _name: &str) -> Result<(), ScheduleError> {
        Err(ScheduleError::Unavailable(self.message("schedules")))
    }
}

#[async_trait]
impl LedgerBackend for NotInThisFunction {
    async fn claim(&self, _key: &str) -> Result<Entry, LedgerError> {
        Err(LedgerError::Unavailable(self.message("ledger entries")))
    }
    async fn record_part(
        &self,
        _key: &str,
        _index: u32,
        _part: &crate::bindings::types::PublishedPart,
    ) -> Result<(), LedgerError> {
        Err(LedgerError::Unavailable(self.message("ledger entries")))
    }
    async fn record_sent(&self, _key: &str) -> Result<(), LedgerError> {
        Err(LedgerError::Unavailable(self.message("ledger entries")))
    }
    async fn release(&self, _key: &str) -> Result<(), LedgerError> {
        Err(LedgerError::Unavailable(self.message("ledger entries")))
    }
    async fn cancel(&self, _key: &str) -> Result<CancelOutcome, LedgerError> {
        Err(LedgerError::Unavailable(self.message("ledger entries")))
    }
    async fn note_scheduled(&self, _name: &str, _key: &str) -> Result<(), LedgerError> {
        Err(LedgerError::Unavailable(self.message("ledger entries")))
    }
    async fn scheduled_key(&self, _name: &str) -> Result<Option<String>, LedgerError> {
        Err(LedgerError::Unavailable(self.message("ledger entries")))
    }

    async fn sent_parts(
        &self,
        _key: &str,
    ) -> Result<Option<Vec<crate::bindings::types::PublishedPart>>, LedgerError> {
        Err(LedgerError::Unavailable(self.message("ledger entries")))
    }
}

#[async_trait]
impl KeyValueBackend for NotInThisFunction {
    async fn get(&self, _scope: &str, _key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        anyhow::bail!(self.message("platform key-value stores"))
    }
    async fn set(&self, _scope: &str, _key: &str, _value: &[u8]) -> anyhow::Result<()> {
        anyhow::bail!(self.message("platform key-value stores"))
    }
    async fn delete(&self, _scope: &str, _key: &str) -> anyhow::Result<()> {
        anyhow::bail!(self.message("platform key-value stores"))
    }
    async fn list_keys(
        &self,
        _scope: &str,
        _after: Option<&str>,
    ) -> anyhow::Result<(Vec<String>, Option<String>)> {
        anyhow::bail!(self.message("platform key-value stores"))
    }
    async fn swap(
        &self,
        _scope: &str,
        _key: &str,
        _expected: Option<&[u8]>,
        _value: &[u8],
    ) -> anyhow::Result<bool> {
        anyhow::bail!(self.message("platform key-value stores"))
    }
}

#[async_trait]
impl CampaignBackend for NotInThisFunction {
    async fn plan(&self, _name: &str) -> Result<Option<String>, CampaignError> {
        Err(CampaignError::Unavailable(self.message("campaigns")))
    }
    async fn bookings(
        &self,
        _campaign: &str,
        _platform: &str,
    ) -> Result<BookingList, CampaignError> {
        Err(CampaignError::Unavailable(self.message("campaigns")))
    }
    async fn replace(
        &self,
        _campaign: &str,
        _platform: &str,
        _expected: u64,
        _booked: &[Booking],
    ) -> Result<bool, CampaignError> {
        Err(CampaignError::Unavailable(self.message("campaigns")))
    }

    async fn scores(&self, _campaign: &str, _platform: &str) -> Result<Vec<Score>, CampaignError> {
        Err(CampaignError::Unavailable(self.message("campaigns")))
    }

    async fn record_score(
        &self,
        _campaign: &str,
        _platform: &str,
        _score: &Score,
    ) -> Result<(), CampaignError> {
        Err(CampaignError::Unavailable(self.message("campaigns")))
    }
}
