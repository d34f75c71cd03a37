//! Group commit: the store's writes share transactions and fsyncs, and whoever must not
//! go on before its writes are durable waits for the commit that holds them.
//!
//! The store has one connection. The first use of it opens a transaction
//! (`BEGIN IMMEDIATE`) and wakes the committer, a thread of its own; every use until the
//! committer takes the connection writes into the same transaction. The committer waits
//! while uses keep coming (at most [`GATHER`]), then commits and counts the commit:
//! commit `n` holds every write made after commit `n - 1` ([`Commits`]).
//!
//! The fsync is the committer's own, made after it let go of the connection: the
//! connection runs with `synchronous=NORMAL`, under which a WAL-mode `COMMIT` writes the
//! transaction's frames to the WAL file without syncing it, and the committer then calls
//! `fdatasync` on the WAL file before it counts the commit as ended. That is the one sync
//! `synchronous=FULL` adds to `NORMAL` in WAL mode (sqlite.org, "PRAGMA synchronous":
//! "With synchronous=FULL in WAL mode, an additional sync operation of the WAL file
//! happens after each transaction commit"; checkpoints, and the WAL header when the WAL
//! is reused, are synced in both modes), made outside the connection's lock, so the next
//! transaction fills while the disk syncs this one. A commit is ended, and its writes are
//! acknowledged or seen by readers, only once that `fdatasync` returned.
//!
//! The WAL file is held open from the store's start, so that its `fdatasync` reports any
//! write-back error of the file since then, also one that SQLite's own descriptor saw
//! first (in an automatic checkpoint, whose errors SQLite does not return). A failed
//! `fdatasync` leaves the WAL's content unknown (Linux may drop the pages that failed and
//! report success next time), so from then on the store takes no more writes: every
//! commit is rolled back and reported failed until `sps serve` is restarted and SQLite
//! recovers the WAL from the disk.
//!
//! Nothing the store answers is acknowledged before its commit: the API answers a
//! state-changing request after [`super::SqliteStore::durable_since`] (`local::api`), and
//! the send ledger's claim and records wait for theirs before a post is published or
//! reported. Readers of the event log (`GET /events`, its stream, the event target) see
//! only committed events ([`super::SqliteStore::subscribe_events`]). A failed commit is
//! rolled back and reported to every waiter whose writes it held.
//!
//! The shape is SQLite's own advice for a write-heavy single process (one writer,
//! transactions batched), done with std's `Mutex` and `Condvar` and tokio's `watch`.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How long the committer waits for more writes once woken, at most: it commits as soon
/// as [`QUIET`] passes without a new use of the connection, or after this.
pub const GATHER: Duration = Duration::from_millis(2);

/// A pause without a new use of the connection after which the committer commits.
const QUIET: Duration = Duration::from_micros(50);

/// Failed commits remembered, for waiters that look late.
const FAILURES_KEPT: usize = 256;

/// The connection and what the committer and the waiters share.
pub struct Commits {
    conn: Mutex<Connection>,
    /// The connection's WAL file (`<database>-wal`), open since the start and synced
    /// after each commit.
    wal: File,
    /// Its path, for messages.
    wal_path: PathBuf,
    /// Whether the committer has a transaction to commit: set when `BEGIN IMMEDIATE`
    /// opened one, cleared when the committer ends it. Set while the connection is back in
    /// autocommit means SQLite rolled the transaction back itself (a statement that fails
    /// with an I/O error, a full disk or no memory ends the whole transaction, sqlite.org
    /// "Response To Errors Within A Transaction"): its writes are lost and reported so.
    open: AtomicBool,
    /// Set when a use of the connection found no transaction and could not open one
    /// (`BEGIN IMMEDIATE` failed): its writes, if any, were committed on their own, and
    /// wait for the next sync like a transaction's.
    autocommitted: AtomicBool,
    /// Why the store takes no more writes: a sync of the WAL failed.
    sync_failed: Mutex<Option<String>>,
    /// Whether a transaction is open and waits for the committer.
    pending: Mutex<bool>,
    wake: Condvar,
    stop: AtomicBool,
    /// Uses of the connection so far (the committer waits while it grows).
    uses: AtomicU64,
    /// Commits attempted so far, counted under the connection's lock.
    attempted: AtomicU64,
    /// The same count, published once each commit ended.
    ended: tokio::sync::watch::Sender<u64>,
    /// The commits that failed and why (the newest [`FAILURES_KEPT`]).
    failures: Mutex<Failures>,
    /// The `seq` of the last event written, committed or not.
    pub written_event: AtomicI64,
    /// The `seq` of the last committed event.
    pub committed_event: tokio::sync::watch::Sender<i64>,
    /// When a failed commit was last logged, and the failures since (logged at most
    /// once a minute: a full disk fails every commit).
    failure_log: Mutex<(Option<Instant>, u64)>,
}

/// The failed commits a waiter may still ask about.
#[derive(Default)]
struct Failures {
    /// Commit number and why it failed, the newest [`FAILURES_KEPT`].
    commits: BTreeMap<u64, String>,
    /// The newest failed commit no longer kept (0: none).
    forgotten_through: u64,
}

/// How often a commit that keeps failing is logged.
const FAILURE_LOG_EVERY: Duration = Duration::from_secs(60);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Commits {
    /// Takes `conn` (WAL mode, `synchronous=NORMAL`, no transaction open), whose WAL file
    /// `wal_path` is open as `wal`, and whose last event has `seq` `last_event`.
    pub fn new(conn: Connection, wal: File, wal_path: PathBuf, last_event: i64) -> Arc<Self> {
        Arc::new(Self {
            conn: Mutex::new(conn),
            wal,
            wal_path,
            open: AtomicBool::new(false),
            autocommitted: AtomicBool::new(false),
            sync_failed: Mutex::new(None),
            pending: Mutex::new(false),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
            uses: AtomicU64::new(0),
            attempted: AtomicU64::new(0),
            ended: tokio::sync::watch::Sender::new(0),
            failures: Mutex::new(Failures::default()),
            written_event: AtomicI64::new(last_event),
            committed_event: tokio::sync::watch::Sender::new(last_event),
            failure_log: Mutex::new((None, 0)),
        })
    }

    /// The connection, inside the open transaction (opened now if none is).
    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        let conn = lock(&self.conn);
        self.uses.fetch_add(1, Ordering::Relaxed);
        if conn.is_autocommit() {
            if conn.execute_batch("BEGIN IMMEDIATE").is_ok() {
                self.open.store(true, Ordering::SeqCst);
            } else {
                self.autocommitted.store(true, Ordering::SeqCst);
            }
            *lock(&self.pending) = true;
            self.wake.notify_one();
        }
        conn
    }

    /// A mark of the commits so far: every write made after it is in a later commit.
    pub fn mark(&self) -> u64 {
        self.attempted.load(Ordering::SeqCst)
    }

    /// Waits until every write made since `mark` is committed.
    ///
    /// # Errors
    /// Why a commit since `mark` failed (its writes were rolled back).
    pub async fn durable_since(&self, mark: u64) -> Result<(), String> {
        let target = {
            let _conn = lock(&self.conn);
            let unsynced =
                self.open.load(Ordering::SeqCst) || self.autocommitted.load(Ordering::SeqCst);
            self.attempted.load(Ordering::SeqCst) + u64::from(unsynced)
        };
        if target > mark {
            let mut ended = self.ended.subscribe();
            if ended.wait_for(|n| *n >= target).await.is_err() {
                return Err("the store is closed".to_string());
            }
        }
        let failures = lock(&self.failures);
        match failures.commits.range(mark + 1..=target).next() {
            Some((_, why)) => Err(why.clone()),
            // A failure since `mark` may be among those no longer kept.
            None if failures.forgotten_through > mark => Err(
                "local store: a commit since this write failed (its reason is no longer kept)"
                    .to_string(),
            ),
            None => Ok(()),
        }
    }

    /// The committer's loop, until [`Self::stop`]: wait for an open transaction, gather,
    /// commit.
    pub fn run(&self) {
        loop {
            {
                let mut pending = lock(&self.pending);
                while !*pending && !self.stop.load(Ordering::SeqCst) {
                    pending = self
                        .wake
                        .wait(pending)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                if !*pending {
                    return;
                }
                *pending = false;
            }
            self.gather();
            self.commit();
        }
    }

    /// Waits while the connection keeps being used, at most [`GATHER`].
    fn gather(&self) {
        let started = Instant::now();
        let mut uses = self.uses.load(Ordering::Relaxed);
        while started.elapsed() < GATHER {
            std::thread::sleep(QUIET);
            let now = self.uses.load(Ordering::Relaxed);
            if now == uses {
                return;
            }
            uses = now;
        }
    }

    /// Commits the open transaction (rolls it back when the commit fails), syncs the WAL
    /// file once the connection is free again, and publishes the outcome.
    pub fn commit(&self) {
        let (number, written, failed) = {
            let conn = lock(&self.conn);
            let open = self.open.swap(false, Ordering::SeqCst);
            let autocommitted = self.autocommitted.swap(false, Ordering::SeqCst);
            if !open && !autocommitted {
                return;
            }
            let refused = lock(&self.sync_failed).clone();
            let failed = match (refused, conn.is_autocommit()) {
                (Some(why), _) => Some(why),
                (None, true) if open => {
                    Some("an error rolled the transaction back; its writes were lost".to_string())
                }
                (None, true) => None,
                (None, false) => conn
                    .execute_batch("COMMIT")
                    .err()
                    .map(|e| format!("the commit failed: {e}; its writes were rolled back")),
            };
            if failed.is_some() && !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            if failed.is_some() {
                self.written_event
                    .store(*self.committed_event.borrow(), Ordering::SeqCst);
            }
            // Read under the lock: the next transaction may write events during the sync.
            let written = self.written_event.load(Ordering::SeqCst);
            let number = self.attempted.fetch_add(1, Ordering::SeqCst) + 1;
            (number, written, failed)
        };
        // The transaction is in the WAL, but not known to be on disk until this returns.
        let failed = failed.or_else(|| self.sync_wal().err());
        match failed {
            Some(why) => {
                let mut log = lock(&self.failure_log);
                log.1 += 1;
                if log.0.is_none_or(|at| at.elapsed() >= FAILURE_LOG_EVERY) {
                    tracing::warn!(error = %why, failed_commits = log.1, "the local store could not commit");
                    *log = (Some(Instant::now()), 0);
                }
                drop(log);
                let mut failures = lock(&self.failures);
                failures
                    .commits
                    .insert(number, format!("local store: {why}"));
                while failures.commits.len() > FAILURES_KEPT {
                    if let Some((forgotten, _)) = failures.commits.pop_first() {
                        failures.forgotten_through = forgotten;
                    }
                }
            }
            None => {
                self.committed_event.send_if_modified(|seq| {
                    let newer = written > *seq;
                    if newer {
                        *seq = written;
                    }
                    newer
                });
            }
        }
        self.ended.send_replace(number);
    }

    /// `fdatasync` of the WAL file: makes every commit written to it so far durable.
    ///
    /// # Errors
    /// When the sync fails: the commit's durability is then unknown, it is reported as
    /// failed, and the store takes no more writes (every later commit is rolled back and
    /// reported failed with this reason) until it is opened again.
    fn sync_wal(&self) -> Result<(), String> {
        self.wal.sync_data().map_err(|e| {
            let why = format!(
                "a commit may not be on disk: cannot sync {}: {e}; the store takes no more writes until sps serve is restarted",
                self.wal_path.display()
            );
            tracing::error!(error = %why, "the local store stops taking writes");
            *lock(&self.sync_failed) = Some(why.clone());
            why
        })
    }

    /// Ends [`Self::run`] after a last commit.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }
}
