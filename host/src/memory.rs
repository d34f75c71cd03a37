//! In-memory backends for the domain capabilities: for tests and benchmarks. Nothing
//! survives the process.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::bindings::campaigns::{Booking, BookingList, CampaignError, Score};
use crate::bindings::events::EventError;
use crate::bindings::ledger::{CancelOutcome, Entry, InFlightClaim, LedgerError};
use crate::bindings::schedules::{Schedule, ScheduleError};
use crate::bindings::types::PublishedPart;
use crate::caps::campaigns::CampaignBackend;
use crate::caps::events::{EventBackend, EventEnvelope};
use crate::caps::keyvalue::{page, KeyValueBackend, LIST_PAGE};
use crate::caps::ledger::LedgerBackend;
use crate::caps::schedules::{self, ScheduleBackend};
use crate::caps::Backends;

/// Schedules, events, ledger and platform key-value state held in memory.
#[derive(Default)]
pub struct MemoryBackend {
    schedules: Mutex<BTreeMap<String, Schedule>>,
    events: Mutex<Vec<EventEnvelope>>,
    ledger: Mutex<HashMap<String, Entry>>,
    scheduled_names: Mutex<HashMap<String, String>>,
    plans: Mutex<HashMap<String, String>>,
    bookings: Mutex<HashMap<(String, String), BookingList>>,
    scores: Mutex<HashMap<(String, String), Vec<Score>>>,
    keyvalue: Mutex<BTreeMap<(String, String), Vec<u8>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl MemoryBackend {
    /// A new, empty backend, shared as all three capabilities.
    pub fn backends() -> (Arc<Self>, Backends) {
        let me = Arc::new(Self::default());
        let backends = Backends {
            schedules: me.clone(),
            events: me.clone(),
            ledger: me.clone(),
            keyvalue: me.clone(),
            campaigns: me.clone(),
        };
        (me, backends)
    }

    /// The schedules, by name.
    pub fn schedules(&self) -> BTreeMap<String, Schedule> {
        lock(&self.schedules).clone()
    }

    /// The published events, oldest first.
    pub fn events(&self) -> Vec<EventEnvelope> {
        lock(&self.events).clone()
    }

    /// Sets the plan of campaign `name` (its JSON text).
    pub fn set_plan(&self, name: &str, plan: &str) {
        lock(&self.plans).insert(name.to_string(), plan.to_string());
    }

    /// Forget the published events.
    pub fn clear_events(&self) {
        lock(&self.events).clear();
    }
}

#[async_trait]
impl ScheduleBackend for MemoryBackend {
    async fn create(&self, schedule: Schedule) -> Result<(), ScheduleError> {
        schedules::validate(&schedule)?;
        let mut all = lock(&self.schedules);
        if all.contains_key(&schedule.name) {
            return Err(ScheduleError::Conflict);
        }
        all.insert(schedule.name.clone(), schedule);
        Ok(())
    }

    async fn update(&self, schedule: Schedule) -> Result<(), ScheduleError> {
        schedules::validate(&schedule)?;
        let mut all = lock(&self.schedules);
        match all.get_mut(&schedule.name) {
            Some(existing) => {
                *existing = schedule;
                Ok(())
            }
            None => Err(ScheduleError::NotFound),
        }
    }

    async fn get(&self, name: &str) -> Result<Schedule, ScheduleError> {
        lock(&self.schedules)
            .get(name)
            .cloned()
            .ok_or(ScheduleError::NotFound)
    }

    async fn delete(&self, name: &str) -> Result<(), ScheduleError> {
        lock(&self.schedules)
            .remove(name)
            .map(|_| ())
            .ok_or(ScheduleError::NotFound)
    }
}

#[async_trait]
impl EventBackend for MemoryBackend {
    async fn publish(&self, event: EventEnvelope) -> Result<(), EventError> {
        lock(&self.events).push(event);
        Ok(())
    }
}

#[async_trait]
impl LedgerBackend for MemoryBackend {
    /// A released key with recorded parts is kept as `Entry::Claimed(parts)`.
    async fn claim(&self, key: &str) -> Result<Entry, LedgerError> {
        let mut ledger = lock(&self.ledger);
        let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
        let held = |parts| {
            Entry::InFlight(InFlightClaim {
                claimed_at: now,
                parts,
            })
        };
        match ledger.get(key).cloned() {
            Some(Entry::Claimed(parts)) => {
                ledger.insert(key.to_string(), held(parts.clone()));
                Ok(Entry::Claimed(parts))
            }
            Some(entry) => Ok(entry),
            None => {
                ledger.insert(key.to_string(), held(Vec::new()));
                Ok(Entry::Claimed(Vec::new()))
            }
        }
    }

    async fn record_part(
        &self,
        key: &str,
        index: u32,
        part: &PublishedPart,
    ) -> Result<(), LedgerError> {
        match lock(&self.ledger).get_mut(key) {
            Some(Entry::InFlight(claim)) if claim.parts.len() == index as usize => {
                claim.parts.push(part.clone());
                Ok(())
            }
            // A retried call with the part recorded already.
            Some(Entry::InFlight(claim)) if claim.parts.get(index as usize) == Some(part) => Ok(()),
            _ => Err(LedgerError::Unavailable(format!(
                "part {index} of {key} does not follow the recorded parts of a held claim"
            ))),
        }
    }

    async fn record_sent(&self, key: &str) -> Result<(), LedgerError> {
        let mut ledger = lock(&self.ledger);
        if let Some(Entry::InFlight(claim)) = ledger.get(key).cloned() {
            ledger.insert(key.to_string(), Entry::Sent(claim.parts));
        }
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), LedgerError> {
        let mut ledger = lock(&self.ledger);
        match ledger.get(key).cloned() {
            Some(Entry::InFlight(claim)) if claim.parts.is_empty() => {
                ledger.remove(key);
            }
            Some(Entry::InFlight(claim)) => {
                ledger.insert(key.to_string(), Entry::Claimed(claim.parts));
            }
            _ => {}
        }
        Ok(())
    }

    async fn cancel(&self, key: &str) -> Result<CancelOutcome, LedgerError> {
        let mut ledger = lock(&self.ledger);
        Ok(match ledger.get(key).cloned() {
            Some(Entry::InFlight(claim)) => CancelOutcome::InFlight(claim),
            Some(Entry::Sent(parts)) => CancelOutcome::Sent(parts),
            Some(Entry::Cancelled) => CancelOutcome::AlreadyCancelled,
            // Absent, or released (kept as `Claimed` with its parts).
            Some(Entry::Claimed(_)) | None => {
                ledger.insert(key.to_string(), Entry::Cancelled);
                CancelOutcome::Cancelled
            }
        })
    }

    async fn note_scheduled(&self, name: &str, key: &str) -> Result<(), LedgerError> {
        lock(&self.scheduled_names).insert(name.to_string(), key.to_string());
        let mut ledger = lock(&self.ledger);
        if ledger.get(key) == Some(&Entry::Cancelled) {
            ledger.remove(key);
        }
        Ok(())
    }

    async fn scheduled_key(&self, name: &str) -> Result<Option<String>, LedgerError> {
        Ok(lock(&self.scheduled_names).get(name).cloned())
    }

    async fn sent_parts(&self, key: &str) -> Result<Option<Vec<PublishedPart>>, LedgerError> {
        match lock(&self.ledger).get(key) {
            Some(Entry::Sent(parts)) => Ok(Some(parts.clone())),
            _ => Ok(None),
        }
    }
}

#[async_trait]
impl KeyValueBackend for MemoryBackend {
    async fn get(&self, scope: &str, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(lock(&self.keyvalue)
            .get(&(scope.to_string(), key.to_string()))
            .cloned())
    }

    async fn set(&self, scope: &str, key: &str, value: &[u8]) -> anyhow::Result<()> {
        lock(&self.keyvalue).insert((scope.to_string(), key.to_string()), value.to_vec());
        Ok(())
    }

    async fn delete(&self, scope: &str, key: &str) -> anyhow::Result<()> {
        lock(&self.keyvalue).remove(&(scope.to_string(), key.to_string()));
        Ok(())
    }

    async fn list_keys(
        &self,
        scope: &str,
        after: Option<&str>,
    ) -> anyhow::Result<(Vec<String>, Option<String>)> {
        let keys: Vec<String> = lock(&self.keyvalue)
            .keys()
            .filter(|(s, k)| s == scope && after.is_none_or(|a| k.as_str() > a))
            .map(|(_, k)| k.clone())
            .take(LIST_PAGE)
            .collect();
        Ok(page(keys))
    }

    async fn swap(
        &self,
        scope: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> anyhow::Result<bool> {
        let mut map = lock(&self.keyvalue);
        let id = (scope.to_string(), key.to_string());
        if map.get(&id).map(Vec::as_slice) != expected {
            return Ok(false);
        }
        map.insert(id, value.to_vec());
        Ok(true)
    }
}

#[async_trait]
impl CampaignBackend for MemoryBackend {
    async fn plan(&self, name: &str) -> Result<Option<String>, CampaignError> {
        Ok(lock(&self.plans).get(name).cloned())
    }

    async fn bookings(&self, campaign: &str, platform: &str) -> Result<BookingList, CampaignError> {
        let key = (campaign.to_string(), platform.to_string());
        Ok(lock(&self.bookings)
            .get(&key)
            .cloned()
            .unwrap_or(BookingList {
                version: 0,
                booked: Vec::new(),
            }))
    }

    async fn replace(
        &self,
        campaign: &str,
        platform: &str,
        expected: u64,
        booked: &[Booking],
    ) -> Result<bool, CampaignError> {
        let key = (campaign.to_string(), platform.to_string());
        let mut bookings = lock(&self.bookings);
        let version = bookings.get(&key).map_or(0, |b| b.version);
        if version != expected {
            return Ok(false);
        }
        bookings.insert(
            key,
            BookingList {
                version: version + 1,
                booked: booked.to_vec(),
            },
        );
        Ok(true)
    }

    async fn scores(&self, campaign: &str, platform: &str) -> Result<Vec<Score>, CampaignError> {
        let key = (campaign.to_string(), platform.to_string());
        Ok(lock(&self.scores).get(&key).cloned().unwrap_or_default())
    }

    async fn record_score(
        &self,
        campaign: &str,
        platform: &str,
        score: &Score,
    ) -> Result<(), CampaignError> {
        let key = (campaign.to_string(), platform.to_string());
        let mut scores = lock(&self.scores);
        let list = scores.entry(key).or_default();
        list.retain(|s| s.reference != score.reference);
        list.push(score.clone());
        Ok(())
    }
}
