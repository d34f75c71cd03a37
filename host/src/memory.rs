//! In-memory backends for the domain capabilities: for tests and benchmarks. Nothing
//! survives the process.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::bindings::events::EventError;
use crate::bindings::ledger::{Entry, LedgerError};
use crate::bindings::schedules::{Schedule, ScheduleError};
use crate::caps::events::{EventBackend, EventEnvelope};
use crate::caps::ledger::LedgerBackend;
use crate::caps::schedules::{self, ScheduleBackend};
use crate::caps::Backends;

/// Schedules, events and ledger held in memory.
#[derive(Default)]
pub struct MemoryBackend {
    schedules: Mutex<BTreeMap<String, Schedule>>,
    events: Mutex<Vec<EventEnvelope>>,
    ledger: Mutex<HashMap<String, Entry>>,
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
    async fn claim(&self, key: &str) -> Result<Entry, LedgerError> {
        let mut ledger = lock(&self.ledger);
        match ledger.get(key) {
            Some(entry) => Ok(entry.clone()),
            None => {
                let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
                ledger.insert(key.to_string(), Entry::InFlight(now));
                Ok(Entry::Claimed)
            }
        }
    }

    async fn record_sent(&self, key: &str, post_id: &str) -> Result<(), LedgerError> {
        lock(&self.ledger).insert(key.to_string(), Entry::Sent(post_id.to_string()));
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), LedgerError> {
        let mut ledger = lock(&self.ledger);
        if matches!(ledger.get(key), Some(Entry::InFlight(_))) {
            ledger.remove(key);
        }
        Ok(())
    }
}
