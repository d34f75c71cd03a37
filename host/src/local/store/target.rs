//! The event log as a cursor (`GET /events?follow=1`) and the queue of deliveries to the
//! event target (`SPS_EVENT_TARGET_URL`, `local::event_target`): each event written
//! while a target is set gets a row in `target_deliveries` in the same transaction, and
//! leaves it when the target took it or it went to the dead-letter queue.

use super::cached::Cached as _;
use rusqlite::{params, OptionalExtension as _};

use super::SqliteStore;

/// An event still to be delivered to the event target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetDelivery {
    /// The event's `seq` in the log.
    pub seq: i64,
    /// The event's envelope, JSON text.
    pub envelope: String,
    /// Deliveries tried so far.
    pub attempts: u32,
    /// When the event was written, Unix seconds.
    pub created_at: i64,
}

/// The key an event's deliveries are ordered by: its post's `referenceNumber`, or the
/// event's own id when it names none.
pub(super) fn ordering_key(event: &crate::caps::events::EventEnvelope) -> &str {
    event
        .detail
        .get("referenceNumber")
        .and_then(serde_json::Value::as_str)
        .unwrap_or(&event.id)
}

impl SqliteStore {
    /// Queue every event written from now on for the event target (`on`), or not.
    pub fn queue_events_for_target(&self, on: bool) {
        self.queue_for_target
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }

    pub(super) fn queues_for_target(&self) -> bool {
        self.queue_for_target
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The `seq` of the last committed event (0 before any); changes with each commit
    /// that holds new events.
    pub fn subscribe_events(&self) -> tokio::sync::watch::Receiver<i64> {
        self.commits.committed_event.subscribe()
    }

    /// Up to `limit` committed events after `after` (their `seq`), oldest first: `(seq,
    /// envelope JSON text)`.
    ///
    /// # Errors
    /// When the database fails.
    pub fn events_after(&self, after: i64, limit: usize) -> anyhow::Result<Vec<(i64, String)>> {
        let committed = *self.commits.committed_event.borrow();
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, envelope FROM events WHERE seq > ?1 AND seq <= ?3 ORDER BY seq LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![after, limit, committed], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` deliveries due at `now` (Unix seconds), at most one per ordering key
    /// (the oldest, so each reference's events go in order), oldest first.
    ///
    /// # Errors
    /// When the database fails.
    pub fn target_due(&self, now: i64, limit: usize) -> anyhow::Result<Vec<TargetDelivery>> {
        // Only committed events leave for the target.
        let committed = *self.commits.committed_event.borrow();
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT d.seq, e.envelope, d.attempts, d.created_at FROM target_deliveries d
             JOIN events e ON e.seq = d.seq
             WHERE d.next_at <= ?1 AND d.seq <= ?3
               AND d.seq = (SELECT MIN(seq) FROM target_deliveries k WHERE k.ordering_key = d.ordering_key)
             ORDER BY d.seq LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![now, limit, committed], |r| {
            Ok(TargetDelivery {
                seq: r.get(0)?,
                envelope: r.get(1)?,
                attempts: r.get(2)?,
                created_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The earliest moment a queued delivery is due, Unix seconds; `None` when none is
    /// queued.
    ///
    /// # Errors
    /// When the database fails.
    pub fn target_next_at(&self) -> anyhow::Result<Option<i64>> {
        Ok(self
            .conn()
            .row("SELECT MIN(next_at) FROM target_deliveries", [], |r| {
                r.get(0)
            })?)
    }

    /// How many deliveries are queued.
    ///
    /// # Errors
    /// When the database fails.
    pub fn target_queued(&self) -> anyhow::Result<i64> {
        Ok(self
            .conn()
            .row("SELECT COUNT(*) FROM target_deliveries", [], |r| r.get(0))?)
    }

    /// The target took event `seq`: its delivery leaves the queue.
    ///
    /// # Errors
    /// When the database fails.
    pub fn target_delivered(&self, seq: i64) -> anyhow::Result<()> {
        self.conn()
            .run("DELETE FROM target_deliveries WHERE seq = ?1", params![seq])?;
        Ok(())
    }

    /// Event `seq`'s delivery failed `attempts` times, the last with `error`; the next
    /// is made at `next_at` (Unix seconds).
    ///
    /// # Errors
    /// When the database fails.
    pub fn target_retry_at(
        &self,
        seq: i64,
        attempts: u32,
        next_at: i64,
        error: &str,
    ) -> anyhow::Result<()> {
        self.conn().run(
            "UPDATE target_deliveries SET attempts = ?2, next_at = ?3, last_error = ?4 WHERE seq = ?1",
            params![seq, attempts, next_at, error],
        )?;
        Ok(())
    }

    /// Moves event `seq`'s delivery to `target` into the dead-letter queue with the
    /// reason, in one transaction.
    ///
    /// # Errors
    /// When the database fails.
    pub fn target_dead_letter(
        &self,
        delivery: &TargetDelivery,
        target: &str,
        attempts: u32,
        error: &str,
    ) -> anyhow::Result<()> {
        let mut conn = self.conn();
        let tx = conn.savepoint()?;
        tx.run(
            "INSERT INTO dead_letters (schedule_name, input, attempts, error, time, target, event_seq)
             VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                delivery.envelope,
                attempts,
                error,
                sps_local::records::rfc3339(chrono::Utc::now().timestamp()),
                target,
                delivery.seq
            ],
        )?;
        tx.run(
            "DELETE FROM target_deliveries WHERE seq = ?1",
            params![delivery.seq],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Puts an undelivered event of the dead-letter queue back into the target's queue,
    /// due at `now`; `None` when dead letter `id` is not such an event.
    pub(super) fn requeue_target_letter(
        tx: &rusqlite::Connection,
        id: i64,
        now: i64,
    ) -> anyhow::Result<Option<String>> {
        let letter: Option<(i64, String)> = tx
            .row(
                "SELECT event_seq, input FROM dead_letters WHERE seq = ?1 AND target IS NOT NULL",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((seq, envelope)) = letter else {
            return Ok(None);
        };
        let envelope: crate::caps::events::EventEnvelope = serde_json::from_str(&envelope)?;
        let event_id = envelope.id.clone();
        let ordering_key = ordering_key(&envelope);
        tx.run(
            "INSERT INTO target_deliveries (seq, ordering_key, next_at, created_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (seq) DO NOTHING",
            params![seq, ordering_key, now],
        )?;
        tx.run("DELETE FROM dead_letters WHERE seq = ?1", params![id])?;
        Ok(Some(event_id))
    }
}
