//! The Spin app's store: schedules, the event log, the send ledger, campaign bookings and
//! the dead-letter queue in Spin's default SQLite database (`spin:sqlite@3.0.0` through spin-sdk 5.2; the
//! file is `.spin/sqlite_db.db` beside `spin.toml`). The HTTP trigger's process and the
//! cron trigger's process share it; every write that must be atomic is one statement or
//! one `BEGIN IMMEDIATE` transaction.
//!
//! The schema and rules follow the host's SQLite store (`host/src/local/store.rs`); the
//! shared rules (fire moment, checks of a schedule, listed records) come from `sps-local`.
//! All times are Unix seconds, UTC. Errors are sentences without any setting's value.
//!
//! Built for wasm32-wasip2 only (spin-sdk's bindings); natively the crate is empty.

#![cfg(target_arch = "wasm32")]

pub mod campaigns;
mod cancel;
mod ledger;
mod schedules;

pub use cancel::CancelOutcome;
pub use ledger::{Claim, Part};
pub use schedules::{Due, ScheduleFailure, StoredSchedule};

use spin_sdk::sqlite3::{Connection, Error, QueryResult, Value};
use sps_local::records::{self, DeadLetter, EventEnvelope, PendingSchedule};

/// An open store: one connection to the default database, schema in place.
pub struct Store {
    conn: Connection,
}

thread_local! {
    /// The store of this component instance, once opened: a scheduling event makes three
    /// capability calls and a cron tick one per delivery, and each would otherwise open the
    /// database and check the schema again.
    static SHARED: std::cell::RefCell<Option<std::rc::Rc<Store>>> =
        const { std::cell::RefCell::new(None) };
}

/// `error` as a sentence.
fn describe(error: &Error) -> String {
    match error {
        Error::NoSuchDatabase => "Spin's default SQLite database is not granted (add `sqlite_databases = [\"default\"]` to the component)".to_string(),
        Error::AccessDenied => "access to Spin's SQLite database was denied".to_string(),
        Error::InvalidConnection => "the SQLite connection is not valid".to_string(),
        Error::DatabaseFull => "Spin's SQLite database is full".to_string(),
        Error::Io(message) => format!("SQLite: {message}"),
    }
}

/// The current time, Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

fn text(v: &str) -> Value {
    Value::Text(v.to_string())
}

fn int(v: i64) -> Value {
    Value::Integer(v)
}

/// Column `i` of `row` as text ("" when it is not text).
fn col_text(row: &spin_sdk::sqlite3::RowResult, i: usize) -> String {
    row.get::<&str>(i).unwrap_or_default().to_string()
}

/// Column `i` of `row` as an integer (0 when it is not one).
fn col_int(row: &spin_sdk::sqlite3::RowResult, i: usize) -> i64 {
    row.get::<i64>(i).unwrap_or_default()
}

impl Store {
    /// Opens the default database and creates the schema if needed.
    ///
    /// # Errors
    /// When the database is not granted to the component or cannot be opened.
    pub fn open() -> Result<Self, String> {
        let conn = Connection::open_default().map_err(|e| describe(&e))?;
        let store = Self { conn };
        store.exec("PRAGMA journal_mode = WAL", &[])?;
        for statement in sps_local::schema::TABLES {
            store.exec(statement, &[])?;
        }
        for statement in sps_local::schema::ADDED_COLUMNS {
            if let Err(err) = store.exec(statement, &[]) {
                if !err.contains("duplicate column name") {
                    return Err(err);
                }
            }
        }
        for statement in sps_local::schema::INDEXES {
            store.exec(statement, &[])?;
        }
        store.exec("PRAGMA synchronous = FULL", &[])?;
        Ok(store)
    }

    /// This component instance's store, opened by the first call ([`Store::open`]); a
    /// failed open is not kept, so the next call tries again.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn shared() -> Result<std::rc::Rc<Self>, String> {
        SHARED.with(|cell| {
            if let Some(store) = cell.borrow().as_ref() {
                return Ok(store.clone());
            }
            let store = std::rc::Rc::new(Self::open()?);
            *cell.borrow_mut() = Some(store.clone());
            Ok(store)
        })
    }

    /// Runs one statement.
    fn exec(&self, sql: &str, params: &[Value]) -> Result<QueryResult, String> {
        self.conn.execute(sql, params).map_err(|e| describe(&e))
    }

    /// Runs one statement and returns how many rows it changed.
    fn change(&self, sql: &str, params: &[Value]) -> Result<u64, String> {
        self.exec(sql, params)?;
        Ok(self.conn.changes())
    }

    /// Runs `body` inside `BEGIN IMMEDIATE` ... `COMMIT`, rolling back when it fails.
    fn transaction<T>(&self, body: impl FnOnce(&Self) -> Result<T, String>) -> Result<T, String> {
        self.exec("BEGIN IMMEDIATE", &[])?;
        match body(self) {
            Ok(value) => {
                self.exec("COMMIT", &[])?;
                Ok(value)
            }
            Err(err) => {
                let _ = self.exec("ROLLBACK", &[]);
                Err(err)
            }
        }
    }

    /// Appends an event to the event log.
    ///
    /// # Errors
    /// When the database fails.
    pub fn publish(&self, event: &EventEnvelope) -> Result<(), String> {
        let envelope = serde_json::to_string(event).map_err(|e| e.to_string())?;
        self.exec(
            "INSERT INTO events (id, envelope) VALUES (?, ?)",
            &[text(&event.id), text(&envelope)],
        )?;
        Ok(())
    }

    /// The emitted events, oldest first.
    ///
    /// # Errors
    /// When the database fails or holds an envelope that is not JSON.
    pub fn events(&self) -> Result<Vec<EventEnvelope>, String> {
        let result = self.exec("SELECT envelope FROM events ORDER BY seq", &[])?;
        result
            .rows
            .iter()
            .map(|row| serde_json::from_str(&col_text(row, 0)).map_err(|e| e.to_string()))
            .collect()
    }

    /// The pending schedules, earliest delivery first.
    ///
    /// # Errors
    /// When the database fails.
    pub fn pending(&self) -> Result<Vec<PendingSchedule>, String> {
        let result = self.exec(
            "SELECT name, at, flexible_window_minutes, fire_at, attempt, input FROM schedules ORDER BY fire_at, name",
            &[],
        )?;
        Ok(result
            .rows
            .iter()
            .map(|row| PendingSchedule {
                name: col_text(row, 0),
                at: records::at_rfc3339(&col_text(row, 1)),
                flexible_window_minutes: u32::try_from(col_int(row, 2)).unwrap_or(0),
                fire_at: records::rfc3339(col_int(row, 3)),
                attempts: u32::try_from(col_int(row, 4)).unwrap_or(0),
                input: records::input_value(&col_text(row, 5)),
            })
            .collect())
    }

    /// The dead-letter queue, oldest first.
    ///
    /// # Errors
    /// When the database fails.
    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, String> {
        let result = self.exec(
            "SELECT seq, schedule_name, input, attempts, error, time FROM dead_letters ORDER BY seq",
            &[],
        )?;
        Ok(result
            .rows
            .iter()
            .map(|row| DeadLetter {
                id: col_int(row, 0),
                schedule_name: Some(col_text(row, 1)),
                target: None,
                input: records::input_value(&col_text(row, 2)),
                attempts: u32::try_from(col_int(row, 3)).unwrap_or(0),
                error: col_text(row, 4),
                time: col_text(row, 5),
            })
            .collect())
    }
}
