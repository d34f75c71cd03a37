//! The capability backends of the SQLite store: `schedules` (EventBridge Scheduler's
//! semantics), `events` (the event log) and the send ledger.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::bindings::events::EventError;
use crate::bindings::ledger::{Entry, InFlightClaim, LedgerError};
use crate::bindings::schedules::{Schedule, ScheduleError};
use crate::bindings::types::PublishedPart;
use crate::caps::events::{EventBackend, EventEnvelope};
use crate::caps::ledger::LedgerBackend;
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
            .execute(
                "INSERT INTO schedules (name, at, flexible_window_minutes, input, fire_at, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (name) DO NOTHING",
                params![s.name, s.at, s.flexible_window_minutes, s.input, fire_at],
            )
            .map_err(unavailable_schedule)?;
        if inserted == 0 {
            return Err(ScheduleError::Conflict);
        }
        self.changed.notify_one();
        Ok(())
    }

    async fn update(&self, s: Schedule) -> Result<(), ScheduleError> {
        schedules::validate(&s)?;
        let fire_at = Self::fire_at(&s.at, s.flexible_window_minutes)?;
        let now = chrono::Utc::now().timestamp();
        let conn = self.conn();
        let updated = conn
            .execute(
                "UPDATE schedules SET at = ?2, flexible_window_minutes = ?3, input = ?4, fire_at = ?5, due_at = ?5, attempt = 0,
                 version = version + 1 WHERE name = ?1 AND lease_until <= ?6",
                params![s.name, s.at, s.flexible_window_minutes, s.input, fire_at, now],
            )
            .map_err(unavailable_schedule)?;
        if updated == 0 {
            let leased: Option<i64> = conn
                .query_row(
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
        self.changed.notify_one();
        Ok(())
    }

    async fn get(&self, name: &str) -> Result<Schedule, ScheduleError> {
        self.conn()
            .query_row(
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
            .execute("DELETE FROM schedules WHERE name = ?1", params![name])
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
        let tx = conn.transaction().map_err(unavailable)?;
        tx.execute(
            "INSERT INTO events (id, envelope) VALUES (?1, ?2)",
            params![event.id, text],
        )
        .map_err(unavailable)?;
        let seq = tx.last_insert_rowid();
        if self.queues_for_target() {
            let ordering_key = super::target::ordering_key(&event);
            let now = chrono::Utc::now().timestamp();
            tx.execute(
                "INSERT INTO target_deliveries (seq, ordering_key, next_at, created_at) VALUES (?1, ?2, ?3, ?3)",
                params![seq, ordering_key, now],
            )
            .map_err(unavailable)?;
        }
        tx.commit().map_err(unavailable)?;
        drop(conn);
        self.last_event.send_replace(seq);
        Ok(())
    }
}

fn unavailable_ledger(e: impl std::fmt::Display) -> LedgerError {
    LedgerError::Unavailable(format!("local store: {e}"))
}

/// The parts recorded for `key`, in order.
fn ledger_parts(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<Vec<PublishedPart>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, url, reply_ref FROM ledger_parts WHERE key = ?1 ORDER BY idx",
    )?;
    let rows = stmt.query_map(params![key], |r| {
        Ok(PublishedPart {
            id: r.get(0)?,
            url: r.get(1)?,
            reply_ref: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// The parts of a `sent` row: those recorded, or for a row written before `ledger_parts`
/// (no parts, a post id) the one part with that id.
fn sent_parts(parts: Vec<PublishedPart>, post_id: Option<String>) -> Vec<PublishedPart> {
    if !parts.is_empty() {
        return parts;
    }
    post_id
        .map(|id| PublishedPart {
            id,
            url: None,
            reply_ref: None,
        })
        .into_iter()
        .collect()
}

/// The ledger on the `ledger` and `ledger_parts` tables (`sps_local::schema`). A released
/// key has no `ledger` row but keeps its `ledger_parts` rows. Errors are
/// [`LedgerError::Unavailable`] with a sentence starting `local store: `.
#[async_trait]
impl LedgerBackend for SqliteStore {
    async fn claim(&self, key: &str) -> Result<Entry, LedgerError> {
        let mut conn = self.conn();
        // IMMEDIATE takes the write lock before the read, so two claims of one key (even
        // from two processes) are serialized: exactly one sees no row and inserts it.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(unavailable_ledger)?;
        let existing: Option<(String, Option<String>, i64)> = tx
            .query_row(
                "SELECT state, post_id, claimed_at FROM ledger WHERE key = ?1",
                params![key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(unavailable_ledger)?;
        let parts = ledger_parts(&tx, key).map_err(unavailable_ledger)?;
        let entry = match existing {
            Some((state, post_id, _)) if state == "sent" => Entry::Sent(sent_parts(parts, post_id)),
            Some((_, _, claimed_at)) => Entry::InFlight(InFlightClaim {
                claimed_at: u64::try_from(claimed_at).unwrap_or(0),
                parts,
            }),
            None => {
                tx.execute(
                    "INSERT INTO ledger (key, state, claimed_at) VALUES (?1, 'in-flight', ?2)",
                    params![key, chrono::Utc::now().timestamp()],
                )
                .map_err(unavailable_ledger)?;
                Entry::Claimed(parts)
            }
        };
        tx.commit().map_err(unavailable_ledger)?;
        Ok(entry)
    }

    async fn record_part(
        &self,
        key: &str,
        index: u32,
        part: &PublishedPart,
    ) -> Result<(), LedgerError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(unavailable_ledger)?;
        let recorded: Option<PublishedPart> = tx
            .query_row(
                "SELECT id, url, reply_ref FROM ledger_parts WHERE key = ?1 AND idx = ?2",
                params![key, index],
                |r| {
                    Ok(PublishedPart {
                        id: r.get(0)?,
                        url: r.get(1)?,
                        reply_ref: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(unavailable_ledger)?;
        if let Some(recorded) = recorded {
            // The same part again is a retried call: nothing to do.
            return if recorded == *part {
                Ok(())
            } else {
                Err(unavailable_ledger(format_args!(
                    "part {index} of ledger entry {key} is recorded already with the id {}",
                    recorded.id
                )))
            };
        }
        let state: Option<String> = tx
            .query_row(
                "SELECT state FROM ledger WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(unavailable_ledger)?;
        if state.as_deref() != Some("in-flight") {
            return Err(unavailable_ledger(format_args!(
                "ledger entry {key} is not claimed ({}): part {index} cannot be recorded",
                state.as_deref().unwrap_or("no claim")
            )));
        }
        let count: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM ledger_parts WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .map_err(unavailable_ledger)?;
        if count != i64::from(index) {
            return Err(unavailable_ledger(format_args!(
                "ledger entry {key} has {count} parts recorded: part {index} cannot be recorded next"
            )));
        }
        tx.execute(
            "INSERT INTO ledger_parts (key, idx, id, url, reply_ref) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, index, part.id, part.url, part.reply_ref],
        )
        .map_err(unavailable_ledger)?;
        tx.commit().map_err(unavailable_ledger)?;
        Ok(())
    }

    async fn record_sent(&self, key: &str) -> Result<(), LedgerError> {
        // `post_id` keeps the first part's id for readers of the version before parts.
        self.conn()
            .execute(
                "INSERT INTO ledger (key, state, post_id, claimed_at)
                 VALUES (?1, 'sent', (SELECT id FROM ledger_parts WHERE key = ?1 AND idx = 0), ?2)
                 ON CONFLICT (key) DO UPDATE SET state = 'sent', post_id = COALESCE(excluded.post_id, ledger.post_id)",
                params![key, chrono::Utc::now().timestamp()],
            )
            .map_err(unavailable_ledger)?;
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), LedgerError> {
        // Only the claim goes: the key's `ledger_parts` rows stay for the next claim.
        self.conn()
            .execute(
                "DELETE FROM ledger WHERE key = ?1 AND state = 'in-flight'",
                params![key],
            )
            .map_err(unavailable_ledger)?;
        Ok(())
    }
}
