//! Cancelling in the send ledger, on the `ledger_cancelled` and `scheduled_names` tables
//! (`sps_local::schema`), with the rules of the host's SQLite ledger
//! (`host/src/local/store/ledger.rs`): a cancel is one `BEGIN IMMEDIATE` transaction, as a
//! claim is, so of a cancel and a delivery of one post exactly one wins the key.

use crate::ledger::{part_of, Part};
use crate::{col_int, col_text, int, now, text, Store};

/// What a cancel found for a send key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// No delivery had claimed or sent it: it is now cancelled.
    Cancelled,
    /// It was cancelled before.
    AlreadyCancelled,
    /// A delivery holds the claim since `claimed_at` (Unix seconds, UTC).
    InFlight {
        /// When the delivery claimed it.
        claimed_at: u64,
        /// The parts recorded so far, in order.
        parts: Vec<Part>,
    },
    /// Every part was published: the recorded parts, in order.
    Sent(Vec<Part>),
}

impl Store {
    /// Whether `key` has a `ledger_cancelled` row.
    pub(crate) fn is_cancelled(&self, key: &str) -> Result<bool, String> {
        let found = self.exec("SELECT 1 FROM ledger_cancelled WHERE key = ?", &[text(key)])?;
        Ok(!found.rows.is_empty())
    }

    /// Cancels the post of `key` unless a delivery claimed or sent it (see
    /// [`CancelOutcome`]); a released key (no `ledger` row) is cancelled.
    ///
    /// # Errors
    /// When the database fails.
    pub fn cancel(&self, key: &str) -> Result<CancelOutcome, String> {
        self.transaction(|store| {
            let result = store.exec(
                "SELECT state, post_id, claimed_at FROM ledger WHERE key = ?",
                &[text(key)],
            )?;
            if let Some(row) = result.rows.first() {
                let parts = store.parts(key)?;
                return Ok(match col_text(row, 0).as_str() {
                    "sent" if parts.is_empty() => {
                        let first = store.exec(
                            "SELECT post_id AS id, NULL AS url, NULL AS reply_ref FROM ledger WHERE key = ? AND post_id IS NOT NULL",
                            &[text(key)],
                        )?;
                        CancelOutcome::Sent(first.rows.iter().map(part_of).collect())
                    }
                    "sent" => CancelOutcome::Sent(parts),
                    _ => CancelOutcome::InFlight {
                        claimed_at: u64::try_from(col_int(row, 2)).unwrap_or(0),
                        parts,
                    },
                });
            }
            if store.is_cancelled(key)? {
                return Ok(CancelOutcome::AlreadyCancelled);
            }
            store.exec(
                "INSERT INTO ledger_cancelled (key, cancelled_at) VALUES (?, ?)",
                &[text(key), int(now())],
            )?;
            Ok(CancelOutcome::Cancelled)
        })
    }

    /// Notes that the post named `name` is now scheduled as `key`, and forgets a
    /// cancellation of `key`.
    ///
    /// # Errors
    /// When the database fails.
    pub fn note_scheduled(&self, name: &str, key: &str) -> Result<(), String> {
        self.transaction(|store| {
            store.exec(
                "INSERT INTO scheduled_names (name, key) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET key = excluded.key",
                &[text(name), text(key)],
            )?;
            store.exec("DELETE FROM ledger_cancelled WHERE key = ?", &[text(key)])?;
            Ok(())
        })
    }

    /// The key last noted for `name`.
    ///
    /// # Errors
    /// When the database fails.
    pub fn scheduled_key(&self, name: &str) -> Result<Option<String>, String> {
        let result = self.exec(
            "SELECT key FROM scheduled_names WHERE name = ?",
            &[text(name)],
        )?;
        Ok(result.rows.first().map(|row| col_text(row, 0)))
    }
}
