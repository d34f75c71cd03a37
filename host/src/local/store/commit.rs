//! Group commit: the store's writes share transactions and fsyncs, and whoever must not
//! go on before its writes are durable waits for the commit that holds them.
//!
//! The store has one connection. The first use of it opens a transaction
//! (`BEGIN IMMEDIATE`) and wakes the committer, a thread of its own; every use until the
//! committer takes the connection writes into the same transaction. The committer waits
//! while uses keep coming (at most [`GATHER`]), then commits, which with
//! `synchronous=FULL` is one fsync of the WAL for every write made meanwhile, and counts
//! the commit: commit `n` holds every write made after commit `n - 1` ([`Commits`]).
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
    failures: Mutex<BTreeMap<u64, String>>,
    /// The `seq` of the last event written, committed or not.
    pub written_event: AtomicI64,
    /// The `seq` of the last committed event.
    pub committed_event: tokio::sync::watch::Sender<i64>,
    /// When a failed commit was last logged, and the failures since (logged at most
    /// once a minute: a full disk fails every commit).
    failure_log: Mutex<(Option<Instant>, u64)>,
}

/// How often a commit that keeps failing is logged.
const FAILURE_LOG_EVERY: Duration = Duration::from_secs(60);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Commits {
    /// Takes `conn` (no transaction open), whose last event has `seq` `last_event`.
    pub fn new(conn: Connection, last_event: i64) -> Arc<Self> {
        Arc::new(Self {
            conn: Mutex::new(conn),
            pending: Mutex::new(false),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
            uses: AtomicU64::new(0),
            attempted: AtomicU64::new(0),
            ended: tokio::sync::watch::Sender::new(0),
            failures: Mutex::new(BTreeMap::new()),
            written_event: AtomicI64::new(last_event),
            committed_event: tokio::sync::watch::Sender::new(last_event),
            failure_log: Mutex::new((None, 0)),
        })
    }

    /// The connection, inside the open transaction (opened now if none is).
    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        let conn = lock(&self.conn);
        self.uses.fetch_add(1, Ordering::Relaxed);
        if conn.is_autocommit() && conn.execute_batch("BEGIN IMMEDIATE").is_ok() {
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
            let conn = lock(&self.conn);
            self.attempted.load(Ordering::SeqCst) + u64::from(!conn.is_autocommit())
        };
        if target > mark {
            let mut ended = self.ended.subscribe();
            if ended.wait_for(|n| *n >= target).await.is_err() {
                return Err("the store is closed".to_string());
            }
        }
        match lock(&self.failures).range(mark + 1..=target).next() {
            Some((_, why)) => Err(why.clone()),
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

    /// Commits the open transaction (rolls it back when the commit fails) and publishes
    /// the outcome.
    pub fn commit(&self) {
        let (number, failed) = {
            let conn = lock(&self.conn);
            if conn.is_autocommit() {
                return;
            }
            let failed = conn.execute_batch("COMMIT").err().map(|e| e.to_string());
            if failed.is_some() && !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            let number = self.attempted.fetch_add(1, Ordering::SeqCst) + 1;
            (number, failed)
        };
        match failed {
            Some(why) => {
                let mut log = lock(&self.failure_log);
                log.1 += 1;
                if log.0.is_none_or(|at| at.elapsed() >= FAILURE_LOG_EVERY) {
                    tracing::warn!(error = %why, failed_commits = log.1, "the local store could not commit; its writes were rolled back");
                    *log = (Some(Instant::now()), 0);
                }
                drop(log);
                self.written_event
                    .store(*self.committed_event.borrow(), Ordering::SeqCst);
                let mut failures = lock(&self.failures);
                failures.insert(number, format!("local store: the commit failed: {why}"));
                while failures.len() > FAILURES_KEPT {
                    failures.pop_first();
                }
            }
            None => {
                let written = self.written_event.load(Ordering::SeqCst);
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

    /// Ends [`Self::run`] after a last commit.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }
}
