//! The embedded SQLite store (rusqlite): schedules, the event log, the send ledger and
//! the dead-letter queue, in one database file, in WAL mode. Writes are group-committed
//! ([`commit`]): an acknowledged write survives a crash and a power loss, because nothing
//! is acknowledged before the commit that holds it is synced to disk (the durability of
//! `synchronous=FULL`, with the WAL's sync made by the committer outside the connection's
//! lock).

mod backends;
mod cached;
mod campaigns;
pub mod commit;
mod files;
mod keyvalue;
mod ledger;
mod listing;
mod requeue;
mod target;
#[cfg(test)]
mod tests;

pub(crate) use files::create_data_dir;
use files::owner_only;
pub use listing::ScheduleCursor;

use std::path::{Path, PathBuf};
use std::sync::{Arc, MutexGuard};

use anyhow::Context as _;
use rand::Rng as _;
use rusqlite::{params, Connection};

use cached::Cached as _;
use sps_local::delivery;
use sps_local::records::{input_value, rfc3339};
use tokio::sync::Notify;

use crate::bindings::schedules::ScheduleError;
use crate::caps::events::EventEnvelope;
use crate::caps::schedules;

pub use target::TargetDelivery;

/// The records `GET /schedules` and `GET /dead-letters` list (shared with the Spin app).
pub use sps_local::records::{DeadLetter, PendingSchedule};

/// A schedule whose moment has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueSchedule {
    /// Schedule name.
    pub name: String,
    /// The target input JSON text.
    pub input: String,
    /// The moment the schedule was due (the one chosen inside its flexible window), Unix
    /// seconds: what the delivery policy and the sender's `expired` rule count from.
    pub due_at: i64,
    /// Deliveries made before this one.
    pub attempts: u32,
    /// Row version: a schedule updated meanwhile is not completed by an old delivery.
    pub version: i64,
}

/// The SQLite-backed store; implements the schedules, events and ledger backends.
pub struct SqliteStore {
    /// The connection, its open transaction and the committer's state.
    commits: Arc<commit::Commits>,
    /// The committer's thread; stopped and joined when the store is dropped.
    committer: Option<std::thread::JoinHandle<()>>,
    changed: Notify,
    /// When the timer looks at the schedules next, Unix milliseconds (`i64::MAX` while it
    /// is looking): a schedule created or updated to be delivered before then wakes it
    /// ([`Self::changed`]); a later one is found by that look anyway.
    timer_wake: std::sync::atomic::AtomicI64,
    /// Whether each event written is also queued for the event target.
    queue_for_target: std::sync::atomic::AtomicBool,
}

impl SqliteStore {
    /// Opens (creating if needed) `{data_dir}/sps.sqlite3`.
    ///
    /// # Errors
    /// When the directory or database cannot be created or opened.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join("sps.sqlite3");
        owner_only(data_dir, &path)?;
        let conn = Connection::open(&path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL, because the committer syncs the WAL itself after each commit (commit.rs).
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(cached::CAPACITY);
        for statement in sps_local::schema::TABLES {
            conn.execute_batch(statement)
                .with_context(|| format!("cannot create the schema in {}", path.display()))?;
        }
        for statement in sps_local::schema::ADDED_COLUMNS {
            if let Err(err) = conn.execute_batch(statement) {
                if !err.to_string().contains("duplicate column name") {
                    return Err(err).with_context(|| {
                        format!("cannot update the schema in {}", path.display())
                    });
                }
            }
        }
        for statement in sps_local::schema::INDEXES {
            conn.execute_batch(statement)
                .with_context(|| format!("cannot create the schema in {}", path.display()))?;
        }
        conn.pragma_update(None, "user_version", 1)?;
        // Only one process serves a data directory (local::lock), so a lease found at
        // start was left by a process that died mid-delivery: its schedule is due again.
        conn.run(
            "UPDATE schedules SET lease_until = 0 WHERE lease_until > 0",
            [],
        )?;
        let last_event: i64 =
            conn.row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
        // The WAL file exists now (the schema's writes made it). It is held open from here
        // and synced after each commit (commit.rs), and synced now with its directory
        // entry (as SQLite syncs a new WAL's directory), before any write is acknowledged.
        let wal_path = PathBuf::from(format!("{}-wal", path.display()));
        let wal = std::fs::File::open(&wal_path)
            .and_then(|wal| wal.sync_data().map(|()| wal))
            .with_context(|| format!("cannot sync {}", wal_path.display()))?;
        std::fs::File::open(data_dir)
            .and_then(|dir| dir.sync_all())
            .with_context(|| format!("cannot sync the data directory {}", data_dir.display()))?;
        let commits = commit::Commits::new(conn, wal, wal_path, last_event);
        let committer = {
            let commits = commits.clone();
            std::thread::Builder::new()
                .name("sps-store-commit".to_string())
                .spawn(move || commits.run())
                .context("cannot start the store's committer thread")?
        };
        Ok(Self {
            commits,
            committer: Some(committer),
            changed: Notify::new(),
            timer_wake: std::sync::atomic::AtomicI64::new(i64::MAX),
            queue_for_target: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The connection, inside the transaction the committer commits next.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.commits.conn()
    }

    /// A mark for [`Self::durable_since`]: the commits so far.
    pub fn commit_mark(&self) -> u64 {
        self.commits.mark()
    }

    /// Waits until every write the store took since `mark` ([`Self::commit_mark`]) is
    /// committed, so that whatever depended on them may be acknowledged.
    ///
    /// # Errors
    /// Why a commit since `mark` failed: its writes were rolled back, or could not be
    /// synced to disk.
    pub async fn durable_since(&self, mark: u64) -> Result<(), String> {
        self.commits.durable_since(mark).await
    }

    /// Says that the timer looks at the schedules next at `at_ms` (Unix milliseconds), or
    /// with `None` that it is looking now: until then [`Self::changed`] resolves only for a
    /// schedule to be delivered before `at_ms`.
    pub fn timer_looks_next(&self, at_ms: Option<i64>) {
        self.timer_wake.store(
            at_ms.unwrap_or(i64::MAX),
            std::sync::atomic::Ordering::SeqCst,
        );
    }

    /// Wakes the timer when a schedule now to be delivered at `fire_at` (Unix seconds) is
    /// due before the timer looks next ([`Self::timer_looks_next`]).
    pub(crate) fn schedule_changed(&self, fire_at: i64) {
        let wake = self.timer_wake.load(std::sync::atomic::Ordering::SeqCst);
        if fire_at.saturating_mul(1000) < wake {
            self.changed.notify_one();
        }
    }

    /// Resolves when a schedule was created or updated to be delivered before the timer
    /// looks next ([`Self::timer_looks_next`]), or was requeued, since the last call.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    /// A moment inside the flexible window after `at`: uniformly random in
    /// `[at, at + minutes * 60)` seconds; `at` itself when the window is `OFF`.
    pub(crate) fn fire_at(at: &str, window_minutes: u32) -> Result<i64, ScheduleError> {
        let at = schedules::parse_at(at)?.timestamp();
        Ok(delivery::fire_at(at, window_minutes, rand::rng().random()))
    }

    /// Up to `limit` schedules whose delivery time is at or before `now` (Unix seconds)
    /// and that no delivery holds a lease on, in the order they fell due (delivery time,
    /// then the order they were created).
    ///
    /// # Errors
    /// When the database fails.
    pub fn due(&self, now: i64, limit: usize) -> anyhow::Result<Vec<DueSchedule>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT name, input, {}, attempt, version FROM schedules
             WHERE fire_at <= ?1 AND lease_until <= ?1 ORDER BY fire_at, rowid LIMIT ?2",
            sps_local::schema::DUE_AT
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![now, limit], |r| {
            Ok(DueSchedule {
                name: r.get(0)?,
                input: r.get(1)?,
                due_at: r.get(2)?,
                attempts: r.get(3)?,
                version: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Takes the lease on `due` until `until` (Unix seconds) for a delivery counted as
    /// `attempt`: no other round delivers it meanwhile, and an update of it is refused
    /// until the delivery recorded its outcome. False when the schedule changed since it
    /// was read or another delivery holds it.
    ///
    /// # Errors
    /// When the database fails.
    pub fn lease(
        &self,
        due: &DueSchedule,
        now: i64,
        until: i64,
        attempt: u32,
    ) -> anyhow::Result<bool> {
        let leased = self.conn().run(
            "UPDATE schedules SET lease_until = ?4, attempt = ?5
             WHERE name = ?1 AND version = ?2 AND lease_until <= ?3",
            params![due.name, due.version, now, until, attempt],
        )?;
        Ok(leased == 1)
    }

    /// The earliest moment a schedule can be delivered, Unix seconds: its delivery time,
    /// or the end of its lease when later.
    ///
    /// # Errors
    /// When the database fails.
    pub fn next_fire_at(&self) -> anyhow::Result<Option<i64>> {
        Ok(self.conn().row(
            "SELECT MIN(MAX(fire_at, lease_until)) FROM schedules",
            [],
            |r| r.get(0),
        )?)
    }

    /// Deletes a delivered schedule (`ActionAfterCompletion` DELETE), unless it was
    /// updated since `version`.
    ///
    /// # Errors
    /// When the database fails.
    pub fn complete(&self, name: &str, version: i64) -> anyhow::Result<()> {
        self.conn().run(
            "DELETE FROM schedules WHERE name = ?1 AND version = ?2",
            params![name, version],
        )?;
        Ok(())
    }

    /// Records a delivery that is to be made again at `fire_at` (Unix seconds), and drops
    /// its lease.
    ///
    /// # Errors
    /// When the database fails.
    pub fn retry_at(
        &self,
        name: &str,
        version: i64,
        attempts: u32,
        fire_at: i64,
    ) -> anyhow::Result<()> {
        self.conn().run(
            "UPDATE schedules SET attempt = ?3, fire_at = ?4, lease_until = 0 WHERE name = ?1 AND version = ?2",
            params![name, version, attempts, fire_at],
        )?;
        Ok(())
    }

    /// Moves a schedule whose last delivery failed to the dead-letter queue.
    ///
    /// # Errors
    /// When the database fails.
    pub fn dead_letter(&self, due: &DueSchedule, attempts: u32, error: &str) -> anyhow::Result<()> {
        let mut conn = self.conn();
        let tx = conn.savepoint()?;
        let removed = tx.run(
            "DELETE FROM schedules WHERE name = ?1 AND version = ?2",
            params![due.name, due.version],
        )?;
        if removed == 1 {
            tx.run(
                "INSERT INTO dead_letters (schedule_name, input, attempts, error, time) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![due.name, due.input, attempts, error, rfc3339(chrono::Utc::now().timestamp())],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The emitted events, oldest first.
    ///
    /// # Errors
    /// When the database fails.
    pub fn events(&self) -> anyhow::Result<Vec<EventEnvelope>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT envelope FROM events ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut events = Vec::new();
        for row in rows {
            events.push(serde_json::from_str(&row?)?);
        }
        Ok(events)
    }

    /// The dead-letter queue, oldest first.
    ///
    /// # Errors
    /// When the database fails.
    pub fn dead_letters(&self) -> anyhow::Result<Vec<DeadLetter>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, schedule_name, input, attempts, error, time, target FROM dead_letters ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            let input: String = r.get(2)?;
            let target: Option<String> = r.get(6)?;
            Ok(DeadLetter {
                id: r.get(0)?,
                schedule_name: if target.is_some() {
                    None
                } else {
                    Some(r.get(1)?)
                },
                target,
                input: input_value(&input),
                attempts: r.get(3)?,
                error: r.get(4)?,
                time: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Drop for SqliteStore {
    /// Stops the committer after it committed what was written.
    fn drop(&mut self) {
        self.commits.stop();
        if let Some(committer) = self.committer.take() {
            let _ = committer.join();
        }
        self.commits.commit();
    }
}
