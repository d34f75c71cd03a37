//! The send ledger (the `ledger` capability): the claim is one `INSERT ... ON CONFLICT DO
//! NOTHING`, so of two deliveries of one post, in the HTTP or the cron process, exactly
//! one gets [`Claim::Claimed`].

use crate::{col_int, col_text, int, now, text, Store};

/// What the ledger holds for a send key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Nothing was recorded: the caller now holds the claim.
    Claimed,
    /// Another attempt claimed the key at this Unix time and recorded no outcome.
    InFlight(u64),
    /// The post was published with this id.
    Sent(String),
}

impl Store {
    /// Atomically claims `key`, or says what is recorded for it.
    ///
    /// # Errors
    /// When the database fails.
    pub fn claim(&self, key: &str) -> Result<Claim, String> {
        let inserted = self.change(
            "INSERT INTO ledger (key, state, claimed_at) VALUES (?, 'in-flight', ?) ON CONFLICT (key) DO NOTHING",
            &[text(key), int(now())],
        )?;
        if inserted == 1 {
            return Ok(Claim::Claimed);
        }
        let result = self.exec(
            "SELECT state, post_id, claimed_at FROM ledger WHERE key = ?",
            &[text(key)],
        )?;
        let Some(row) = result.rows.first() else {
            // Released between the two statements: claim again.
            return self.claim(key);
        };
        let post_id = row.get::<&str>(1).map(str::to_string);
        Ok(match (col_text(row, 0).as_str(), post_id) {
            ("sent", Some(post_id)) => Claim::Sent(post_id),
            _ => Claim::InFlight(u64::try_from(col_int(row, 2)).unwrap_or(0)),
        })
    }

    /// Records that the post of `key` was published as `post_id`.
    ///
    /// # Errors
    /// When the database fails.
    pub fn record_sent(&self, key: &str, post_id: &str) -> Result<(), String> {
        self.exec(
            "INSERT INTO ledger (key, state, post_id, claimed_at) VALUES (?1, 'sent', ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET state = 'sent', post_id = ?2",
            &[text(key), text(post_id), int(now())],
        )?;
        Ok(())
    }

    /// Drops an in-flight claim on `key` (a failure proved nothing was published).
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
