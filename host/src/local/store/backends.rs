//! The capability backends of the SQLite store: `schedules` (EventBridge Scheduler's
//! semantics) and `events` (the event log); the send ledger is in `ledger.rs`.

use super::cached::Cached as _;
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::bindings::events::EventError;
use crate::bindings::schedules::{Schedule, ScheduleError};
use crate::caps::events::{EventBackend, EventEnvelope};
use crate::caps::schedules::{self, ScheduleBackend};

fn unavailable_schedule(e: impl std::fmt::Display) -> ScheduleError {
    ScheduleError::Unavailable(format!("local store: {e}"))
}

#[async_trait]
impl ScheduleBackend for SqliteStore {
    async fn create(&self, s: Schedule) -> Result<(), ScheduleError> {
        schedules::validate(&s)?;
        let fire_at = Self::fire_at(&s.at, s.flexible_window_minutes)?;
        let inserted = self
            .conn()
            .run(
                "INSERT INTO schedules (name, at, flexible_window_minutes, input, fire_at, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (name) DO NOTHING",
                params![s.name, s.at, s.flexible_window_minutes, s.input, fire_at],
            )
            .map_err(unavailable_schedule)?;
        if inserted == 0 {
            return Err(ScheduleError::Conflict);
        }
        self.schedule_changed(fire_at);
        Ok(())
    }

    async fn update(&self, s: Schedule) -> Result<(), ScheduleError> {
        schedules::validate(&s)?;
        let fire_at = Self::fire_at(&s.at, s.flexible_window_minutes)?;
        let now = chrono::Utc::now().timestamp();
        let conn = self.conn();
        let updated = conn
            .run(
                "UPDATE schedules SET at = ?2, flexible_window_minutes = ?3, input = ?4, fire_at = ?5, due_at = ?5, attempt = 0,
                 version = version + 1 WHERE name = ?1 AND lease_until <= ?6",
                params![s.name, s.at, s.flexible_window_minutes, s.input, fire_at, now],
            )
            .map_err(unavailable_schedule)?;
        if updated == 0 {
            let leased: Option<i64> = conn
                .row(
                    "SELECT lease_until FROM schedules WHERE name = ?1",
                    params![s.name],
                    |r| r.get(0),
                )
                .optional()
                .map_err(unavailable_schedule)?;
            return Err(match leased {
                Some(_) => ScheduleError::Invalid(sps_local::schedules::being_delivered(&s.name)),
                None => ScheduleError::NotFound,
            });
        }
        drop(conn);
        self.schedule_changed(fire_at);
        Ok(())
    }

    async fn get(&self, name: &str) -> Result<Schedule, ScheduleError> {
        self.conn()
            .row(
                "SELECT name, at, flexible_window_minutes, input FROM schedules WHERE name = ?1",
                params![name],
                |r| {
                    Ok(Schedule {
                        name: r.get(0)?,
                        at: r.get(1)?,
                        flexible_window_minutes: r.get(2)?,
                        input: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(unavailable_schedule)?
            .ok_or(ScheduleError::NotFound)
    }

    async fn delete(&self, name: &str) -> Result<(), ScheduleError> {
        let deleted = self
            .conn()
            .run("DELETE FROM schedules WHERE name = ?1", params![name])
            .map_err(unavailable_schedule)?;
        if deleted == 0 {
            return Err(ScheduleError::NotFound);
        }
        Ok(())
    }
}

#[async_trait]
impl EventBackend for SqliteStore {
    async fn publish(&self, event: EventEnvelope) -> Result<(), EventError> {
        let text = serde_json::to_string(&event).map_err(|e| EventError::Invalid(e.to_string()))?;
        let unavailable = |e: rusqlite::Error| EventError::Unavailable(format!("local store: {e}"));
        let mut conn = self.conn();
        // The event and its delivery to the event target are written together, so an
        // event in the log is never missing from the target's queue.
        let tx = conn.savepoint().map_err(unavailable)?;
        tx.run(
            "INSERT INTO events (id, envelope) VALUES (?1, ?2)",
            params![event.id, text],
        )
        .map_err(unavailable)?;
        let seq = tx.last_insert_rowid();
        if self.queues_for_target() {
            let ordering_key = super::target::ordering_key(&event);
            let now = chrono::Utc::now().timestamp();
            tx.run(
                "INSERT INTO target_deliveries (seq, ordering_key, next_at, created_at) VALUES (?1, ?2, ?3, ?3)",
                params![seq, ordering_key, now],
            )
            .map_err(unavailable)?;
        }
        tx.commit().map_err(unavailable)?;
        // Readers see it once it is committed (`commit`): counted before the connection
        // is let go, so that the commit that holds it publishes it.
        self.commits
            .written_event
            .fetch_max(seq, std::sync::atomic::Ordering::SeqCst);
        drop(conn);
        Ok(())
    }
}
