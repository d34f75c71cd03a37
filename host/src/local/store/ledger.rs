//! The send ledger of the SQLite store, on the tables `ledger`, `ledger_parts`,
//! `ledger_cancelled` and `scheduled_names` (`sps_local::schema`).

use super::cached::Cached as _;
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::bindings::ledger::{CancelOutcome, Entry, InFlightClaim, LedgerError};
use crate::bindings::types::PublishedPart;
use crate::caps::ledger::LedgerBackend;

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

/// What the `ledger` row of `key` records: [`Entry::Sent`] or [`Entry::InFlight`] with
/// the recorded parts; `None` without a row (absent, released or cancelled).
fn recorded(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<Entry>> {
    let row: Option<(String, Option<String>, i64)> = conn
        .row(
            "SELECT state, post_id, claimed_at FROM ledger WHERE key = ?1",
            params![key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((state, post_id, claimed_at)) = row else {
        return Ok(None);
    };
    let parts = ledger_parts(conn, key)?;
    Ok(Some(if state == "sent" {
        Entry::Sent(sent_parts(parts, post_id))
    } else {
        Entry::InFlight(InFlightClaim {
            claimed_at: u64::try_from(claimed_at).unwrap_or(0),
            parts,
        })
    }))
}

/// Whether `key` has a `ledger_cancelled` row.
fn is_cancelled(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM ledger_cancelled WHERE key = ?1")?
        .exists(params![key])
}

impl SqliteStore {
    /// [`SqliteStore::durable_since`] `mark`, as a ledger error.
    async fn durable(&self, mark: u64) -> Result<(), LedgerError> {
        self.durable_since(mark)
            .await
            .map_err(LedgerError::Unavailable)
    }
}

/// The ledger on the `ledger`, `ledger_parts`, `ledger_cancelled` and `scheduled_names`
/// tables (`sps_local::schema`). A released key has no `ledger` row but keeps its
/// `ledger_parts` rows; a cancelled key has a `ledger_cancelled` row and no `ledger` row. Errors are
/// [`LedgerError::Unavailable`] with a sentence starting `local store: `.
#[async_trait]
impl LedgerBackend for SqliteStore {
    async fn claim(&self, key: &str) -> Result<Entry, LedgerError> {
        // Durable before the caller goes on: a post is published or reported only
        // after what the ledger says of it is committed (`commit`).
        let mark = self.commit_mark();
        let result = (|| -> Result<Entry, LedgerError> {
            let mut conn = self.conn();
            // The one connection holds the write lock for its whole transaction (`BEGIN
            // IMMEDIATE`), so two claims of one key are serialized: exactly one sees no row
            // and inserts it.
            let tx = conn.savepoint().map_err(unavailable_ledger)?;
            let entry = match recorded(&tx, key).map_err(unavailable_ledger)? {
                Some(entry) => entry,
                None if is_cancelled(&tx, key).map_err(unavailable_ledger)? => Entry::Cancelled,
                None => {
                    tx.run(
                        "INSERT INTO ledger (key, state, claimed_at) VALUES (?1, 'in-flight', ?2)",
                        params![key, chrono::Utc::now().timestamp()],
                    )
                    .map_err(unavailable_ledger)?;
                    Entry::Claimed(ledger_parts(&tx, key).map_err(unavailable_ledger)?)
                }
            };
            tx.commit().map_err(unavailable_ledger)?;
            Ok(entry)
        })();
        self.durable(mark).await?;
        result
    }

    async fn record_part(
        &self,
        key: &str,
        index: u32,
        part: &PublishedPart,
    ) -> Result<(), LedgerError> {
        // Durable before the caller goes on: a post is published or reported only
        // after what the ledger says of it is committed (`commit`).
        let mark = self.commit_mark();
        let result = (|| -> Result<(), LedgerError> {
            let mut conn = self.conn();
            let tx = conn.savepoint().map_err(unavailable_ledger)?;
            let recorded: Option<PublishedPart> = tx
                .row(
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
                .row(
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
                .row(
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
            tx.run(
                "INSERT INTO ledger_parts (key, idx, id, url, reply_ref) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, index, part.id, part.url, part.reply_ref],
            )
            .map_err(unavailable_ledger)?;
            tx.commit().map_err(unavailable_ledger)?;
            Ok(())
        })();
        self.durable(mark).await?;
        result
    }

    async fn record_sent(&self, key: &str) -> Result<(), LedgerError> {
        // Durable before the caller goes on: a post is published or reported only
        // after what the ledger says of it is committed (`commit`).
        let mark = self.commit_mark();
        let result = (|| -> Result<(), LedgerError> {
            // `post_id` keeps the first part's id for readers of the version before parts.
            self.conn()
                .run(
                    "INSERT INTO ledger (key, state, post_id, claimed_at)
                     VALUES (?1, 'sent', (SELECT id FROM ledger_parts WHERE key = ?1 AND idx = 0), ?2)
                     ON CONFLICT (key) DO UPDATE SET state = 'sent', post_id = COALESCE(excluded.post_id, ledger.post_id)",
                    params![key, chrono::Utc::now().timestamp()],
                )
                .map_err(unavailable_ledger)?;
            Ok(())
        })();
        self.durable(mark).await?;
        result
    }

    async fn release(&self, key: &str) -> Result<(), LedgerError> {
        // Durable before the caller goes on: a post is published or reported only
        // after what the ledger says of it is committed (`commit`).
        let mark = self.commit_mark();
        let result = (|| -> Result<(), LedgerError> {
            // Only the claim goes: the key's `ledger_parts` rows stay for the next claim.
            self.conn()
                .run(
                    "DELETE FROM ledger WHERE key = ?1 AND state = 'in-flight'",
                    params![key],
                )
                .map_err(unavailable_ledger)?;
            Ok(())
        })();
        self.durable(mark).await?;
        result
    }

    async fn cancel(&self, key: &str) -> Result<CancelOutcome, LedgerError> {
        let mut conn = self.conn();
        // IMMEDIATE, as `claim`: a cancel and a claim of one key are serialized.
        let tx = conn.savepoint().map_err(unavailable_ledger)?;
        let outcome = match recorded(&tx, key).map_err(unavailable_ledger)? {
            Some(Entry::Sent(parts)) => CancelOutcome::Sent(parts),
            Some(Entry::InFlight(claim)) => CancelOutcome::InFlight(claim),
            Some(other) => {
                return Err(unavailable_ledger(format_args!(
                    "ledger entry {key} reads as {other:?}"
                )))
            }
            None if is_cancelled(&tx, key).map_err(unavailable_ledger)? => {
                CancelOutcome::AlreadyCancelled
            }
            None => {
                tx.run(
                    "INSERT INTO ledger_cancelled (key, cancelled_at) VALUES (?1, ?2)",
                    params![key, chrono::Utc::now().timestamp()],
                )
                .map_err(unavailable_ledger)?;
                CancelOutcome::Cancelled
            }
        };
        tx.commit().map_err(unavailable_ledger)?;
        Ok(outcome)
    }

    async fn note_scheduled(&self, name: &str, key: &str) -> Result<(), LedgerError> {
        let mut conn = self.conn();
        let tx = conn.savepoint().map_err(unavailable_ledger)?;
        tx.run(
            "INSERT INTO scheduled_names (name, key) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET key = excluded.key",
            params![name, key],
        )
        .map_err(unavailable_ledger)?;
        tx.run("DELETE FROM ledger_cancelled WHERE key = ?1", params![key])
            .map_err(unavailable_ledger)?;
        tx.commit().map_err(unavailable_ledger)
    }

    async fn scheduled_key(&self, name: &str) -> Result<Option<String>, LedgerError> {
        self.conn()
            .row(
                "SELECT key FROM scheduled_names WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()
            .map_err(unavailable_ledger)
    }

    async fn sent_parts(&self, key: &str) -> Result<Option<Vec<PublishedPart>>, LedgerError> {
        match recorded(&self.conn(), key).map_err(unavailable_ledger)? {
            Some(Entry::Sent(parts)) => Ok(Some(parts)),
            _ => Ok(None),
        }
    }
}
