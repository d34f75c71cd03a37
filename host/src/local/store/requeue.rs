//! Deliveries an operator asks for: a pending schedule delivered now (`POST
//! /schedules/{name}/fire`) and a dead letter delivered again (`POST
//! /dead-letters/{id}/retry`). Both make the delivery due at once, without the flexible
//! window, with its hour of retries starting now; the send ledger still stops a second
//! post of one that was published.

use super::cached::Cached as _;
use rusqlite::{params, OptionalExtension as _};
use sps_local::api::Requeued;

use super::SqliteStore;

impl SqliteStore {
    /// Makes the pending schedule `name` due at `now` (Unix seconds): the moment inside the
    /// flexible window and any retry wait are dropped and its deliveries count from 0.
    ///
    /// # Errors
    /// When the database fails.
    pub fn fire_now(&self, name: &str, now: i64) -> anyhow::Result<Requeued> {
        let conn = self.conn();
        let updated = conn.run(
            "UPDATE schedules SET fire_at = ?2, due_at = ?2, attempt = 0, version = version + 1
             WHERE name = ?1 AND lease_until <= ?2",
            params![name, now],
        )?;
        if updated == 1 {
            drop(conn);
            self.changed.notify_one();
            return Ok(Requeued::Due(name.to_string()));
        }
        let exists = conn
            .row(
                "SELECT 1 FROM schedules WHERE name = ?1",
                params![name],
                |_| Ok(()),
            )
            .optional()?;
        Ok(match exists {
            Some(()) => Requeued::BeingDelivered(name.to_string()),
            None => Requeued::NotFound,
        })
    }

    /// Moves dead letter `id` back into the schedules, due at `now` (Unix seconds) with no
    /// flexible window, in one transaction.
    ///
    /// # Errors
    /// When the database fails.
    pub fn retry_dead_letter(&self, id: i64, now: i64) -> anyhow::Result<Requeued> {
        let at = chrono::DateTime::from_timestamp(now, 0)
            .map(crate::caps::schedules::format_at)
            .unwrap_or_default();
        let mut conn = self.conn();
        let tx = conn.savepoint()?;
        if let Some(event_id) = Self::requeue_target_letter(&tx, id, now)? {
            tx.commit()?;
            drop(conn);
            self.commits.committed_event.send_modify(|_| {});
            return Ok(Requeued::EventDue(event_id));
        }
        let letter: Option<(String, String)> = tx
            .row(
                "SELECT schedule_name, input FROM dead_letters WHERE seq = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((name, input)) = letter else {
            return Ok(Requeued::NotFound);
        };
        let inserted = tx.run(
            "INSERT INTO schedules (name, at, flexible_window_minutes, input, fire_at, due_at)
             VALUES (?1, ?2, 0, ?3, ?4, ?4) ON CONFLICT (name) DO NOTHING",
            params![name, at, input, now],
        )?;
        if inserted == 0 {
            return Ok(Requeued::Pending(name));
        }
        tx.run("DELETE FROM dead_letters WHERE seq = ?1", params![id])?;
        tx.commit()?;
        drop(conn);
        self.changed.notify_one();
        Ok(Requeued::Due(name))
    }
}
