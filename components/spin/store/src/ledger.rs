//! The send ledger (the `ledger` capability) on the `ledger` and `ledger_parts` tables
//! (`sps_local::schema`), with the rules of the host's SQLite ledger
//! (`host/src/local/store/backends.rs`). The claim is one `BEGIN IMMEDIATE` transaction,
//! so of two deliveries of one post, in the HTTP or the cron process, exactly one gets
//! [`Claim::Claimed`]. A released key has no `ledger` row but keeps its parts. Errors are
//! sentences.

use crate::{col_int, col_text, int, now, text, Store};
use spin_sdk::sqlite3::{RowResult, Value};

/// One published part of a post, as the platform returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The platform's id of the part.
    pub id: String,
    /// The part's public URL, when the platform gave one.
    pub url: Option<String>,
    /// What a reply to the part needs besides `id`, when anything.
    pub reply_ref: Option<String>,
}

/// What the ledger holds for a send key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// No delivery held the key: the caller now holds the claim. The parts earlier
    /// deliveries recorded, in order (empty for a post not yet begun).
    Claimed(Vec<Part>),
    /// Another delivery claimed the key and recorded no outcome.
    InFlight {
        /// When it claimed the key, Unix seconds, UTC.
        claimed_at: u64,
        /// The parts recorded so far, in order.
        parts: Vec<Part>,
    },
    /// Every part was published: the recorded parts, in order. A row of the version
    /// before parts (one post id) reads as one part with that id.
    Sent(Vec<Part>),
    /// A cancel won the key before any delivery (`ledger_cancelled`, see `cancel.rs`).
    Cancelled,
}

/// `Some(text)` of a text value, `None` of NULL (or anything else).
fn optional_text(value: Option<&Value>) -> Option<String> {
    match value {
        Some(Value::Text(t)) => Some(t.clone()),
        _ => None,
    }
}

/// The part a row of `SELECT id, url, reply_ref` stands for.
pub(crate) fn part_of(row: &RowResult) -> Part {
    Part {
        id: col_text(row, 0),
        url: optional_text(row.values.get(1)),
        reply_ref: optional_text(row.values.get(2)),
    }
}

/// The parts of a `sent` row written before `ledger_parts`: the one part of its post id.
fn legacy_parts(post_id: Option<&Value>) -> Vec<Part> {
    optional_text(post_id)
        .map(|id| Part {
            id,
            url: None,
            reply_ref: None,
        })
        .into_iter()
        .collect()
}

fn nullable(value: Option<&str>) -> Value {
    value.map_or(Value::Null, text)
}

impl Store {
    /// The parts recorded for `key`, in order.
    pub(crate) fn parts(&self, key: &str) -> Result<Vec<Part>, String> {
        let result = self.exec(
            "SELECT id, url, reply_ref FROM ledger_parts WHERE key = ? ORDER BY idx",
            &[text(key)],
        )?;
        Ok(result.rows.iter().map(part_of).collect())
    }

    /// Atomically claims `key`, or says what is recorded for it (see [`Claim`]).
    ///
    /// # Errors
    /// When the database fails.
    pub fn claim(&self, key: &str) -> Result<Claim, String> {
        self.transaction(|store| {
            let recorded = store.exec("SELECT 1 FROM ledger WHERE key = ?", &[text(key)])?;
            if recorded.rows.is_empty() && store.is_cancelled(key)? {
                return Ok(Claim::Cancelled);
            }
            let inserted = store.change(
                "INSERT INTO ledger (key, state, claimed_at) VALUES (?, 'in-flight', ?) ON CONFLICT (key) DO NOTHING",
                &[text(key), int(now())],
            )?;
            let parts = store.parts(key)?;
            if inserted == 1 {
                return Ok(Claim::Claimed(parts));
            }
            let result = store.exec(
                "SELECT state, post_id, claimed_at FROM ledger WHERE key = ?",
                &[text(key)],
            )?;
            let Some(row) = result.rows.first() else {
                return Err(format!("ledger entry {key} vanished inside a transaction"));
            };
            Ok(match col_text(row, 0).as_str() {
                "sent" if parts.is_empty() => Claim::Sent(legacy_parts(row.values.get(1))),
                "sent" => Claim::Sent(parts),
                _ => Claim::InFlight {
                    claimed_at: u64::try_from(col_int(row, 2)).unwrap_or(0),
                    parts,
                },
            })
        })
    }

    /// The parts of `key` when it is `sent` (a row of the version before parts: its one
    /// post id), else `None`. Reads only.
    ///
    /// # Errors
    /// When the database fails.
    pub fn sent_parts(&self, key: &str) -> Result<Option<Vec<Part>>, String> {
        let result = self.exec(
            "SELECT post_id FROM ledger WHERE key = ? AND state = 'sent'",
            &[text(key)],
        )?;
        let Some(row) = result.rows.first() else {
            return Ok(None);
        };
        let parts = self.parts(key)?;
        if !parts.is_empty() {
            return Ok(Some(parts));
        }
        Ok(Some(legacy_parts(row.values.first())))
    }

    /// Records that part `index` of the post of `key` was published as `part`, keeping
    /// the claim. `index` must be the number of parts recorded before and `key` claimed;
    /// the same part at the same index again succeeds and changes nothing.
    ///
    /// # Errors
    /// When the database fails, or the part is refused (a gap, a different part at
    /// `index`, no claim).
    pub fn record_part(&self, key: &str, index: u32, part: &Part) -> Result<(), String> {
        self.transaction(|store| {
            let recorded = store.exec(
                "SELECT id, url, reply_ref FROM ledger_parts WHERE key = ? AND idx = ?",
                &[text(key), int(i64::from(index))],
            )?;
            if let Some(row) = recorded.rows.first() {
                let recorded = part_of(row);
                // The same part again is a retried call: nothing to do.
                return if recorded == *part {
                    Ok(())
                } else {
                    Err(format!(
                        "part {index} of ledger entry {key} is recorded already with the id {}",
                        recorded.id
                    ))
                };
            }
            let state = store.exec("SELECT state FROM ledger WHERE key = ?", &[text(key)])?;
            let state = state.rows.first().map(|row| col_text(row, 0));
            if state.as_deref() != Some("in-flight") {
                return Err(format!(
                    "ledger entry {key} is not claimed ({}): part {index} cannot be recorded",
                    state.as_deref().unwrap_or("no claim")
                ));
            }
            let count = store.exec(
                "SELECT COUNT(*) FROM ledger_parts WHERE key = ?",
                &[text(key)],
            )?;
            let count = count.rows.first().map_or(0, |row| col_int(row, 0));
            if count != i64::from(index) {
                return Err(format!(
                    "ledger entry {key} has {count} parts recorded: part {index} cannot be recorded next"
                ));
            }
            store.exec(
                "INSERT INTO ledger_parts (key, idx, id, url, reply_ref) VALUES (?, ?, ?, ?, ?)",
                &[
                    text(key),
                    int(i64::from(index)),
                    text(&part.id),
                    nullable(part.url.as_deref()),
                    nullable(part.reply_ref.as_deref()),
                ],
            )?;
            Ok(())
        })
    }

    /// Records that every part of the post of `key` was published (state `sent`, and
    /// `post_id` the first part's id for readers of the version before parts).
    ///
    /// # Errors
    /// When the database fails.
    pub fn record_sent(&self, key: &str) -> Result<(), String> {
        self.exec(
            "INSERT INTO ledger (key, state, post_id, claimed_at)
             VALUES (?1, 'sent', (SELECT id FROM ledger_parts WHERE key = ?1 AND idx = 0), ?2)
             ON CONFLICT (key) DO UPDATE SET state = 'sent', post_id = COALESCE(excluded.post_id, ledger.post_id)",
            &[text(key), int(now())],
        )?;
        Ok(())
    }

    /// Drops an in-flight claim on `key` (a failure proved the next part was not
    /// published); its recorded parts stay.
    ///
    /// # Errors
    /// When the database fails.
    pub fn release(&self, key: &str) -> Result<(), String> {
        self.exec(
            "DELETE FROM ledger WHERE key = ? AND state = 'in-flight'",
            &[text(key)],
        )?;
        Ok(())
    }
}
