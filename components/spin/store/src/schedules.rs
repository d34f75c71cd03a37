//! One-time schedules (the `schedules` capability) and their delivery state (the cron
//! glue): a due schedule is leased before it is delivered, so two cron ticks never
//! deliver it at once, and an updated schedule (a new `version`) is never completed by
//! an old delivery.

use sps_local::delivery;
use sps_local::schedules::validate;

use crate::{col_int, col_text, int, text, Store};

/// A complete schedule, as the `schedules` capability reads and writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSchedule {
    /// 1-64 characters of `[0-9a-zA-Z-_.]`.
    pub name: String,
    /// UTC `YYYY-MM-DDTHH:MM:SS`.
    pub at: String,
    /// 0 (`OFF`) or 1-1440 minutes.
    pub flexible_window_minutes: u32,
    /// The target input JSON text.
    pub input: String,
}

/// A schedule whose moment has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Schedule name.
    pub name: String,
    /// The target input JSON text.
    pub input: String,
    /// The moment the schedule was due (chosen inside its flexible window), Unix seconds.
    pub due_at: i64,
    /// Deliveries made before this one.
    pub attempts: u32,
    /// Row version: bumped by every update.
    pub version: i64,
}

/// Why a schedule operation failed (the `schedule-error` cases the store can give).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleFailure {
    /// No schedule has that name.
    NotFound,
    /// A schedule with that name exists already.
    Conflict,
    /// A field is wrong; the sentence names it.
    Invalid(String),
    /// The database failed.
    Unavailable(String),
}

/// A uniformly random `u64` from `wasi:random` (getrandom).
fn random() -> u64 {
    getrandom::u64().unwrap_or(0)
}

impl Store {
    /// Creates a schedule; [`ScheduleFailure::Conflict`] when the name is taken. Its fire
    /// moment is drawn uniformly inside the flexible time window.
    ///
    /// # Errors
    /// Conflict, invalid fields, or the database failed.
    pub fn create(&self, s: &StoredSchedule) -> Result<(), ScheduleFailure> {
        let at = validate(&s.name, &s.at, s.flexible_window_minutes, &s.input)
            .map_err(ScheduleFailure::Invalid)?;
        let fire_at = delivery::fire_at(at, s.flexible_window_minutes, random());
        let inserted = self
            .change(
                "INSERT INTO schedules (name, at, flexible_window_minutes, input, fire_at, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (name) DO NOTHING",
                &[text(&s.name), text(&s.at), int(i64::from(s.flexible_window_minutes)), text(&s.input), int(fire_at)],
            )
            .map_err(ScheduleFailure::Unavailable)?;
        if inserted == 0 {
            return Err(ScheduleFailure::Conflict);
        }
        Ok(())
    }

    /// Replaces the whole schedule of that name (attempts reset, a new fire moment, a new
    /// version); [`ScheduleFailure::NotFound`] when there is none, and
    /// [`ScheduleFailure::Invalid`] while a delivery holds its lease (the post may be going
    /// out: changing it then could publish both versions).
    ///
    /// # Errors
    /// Not found, invalid fields, or the database failed.
    pub fn update(&self, s: &StoredSchedule) -> Result<(), ScheduleFailure> {
        let at = validate(&s.name, &s.at, s.flexible_window_minutes, &s.input)
            .map_err(ScheduleFailure::Invalid)?;
        let fire_at = delivery::fire_at(at, s.flexible_window_minutes, random());
        let updated = self
            .change(
                "UPDATE schedules SET at = ?2, flexible_window_minutes = ?3, input = ?4, fire_at = ?5, due_at = ?5, attempt = 0,
                 version = version + 1, lease_until = 0 WHERE name = ?1 AND lease_until <= ?6",
                &[text(&s.name), text(&s.at), int(i64::from(s.flexible_window_minutes)), text(&s.input), int(fire_at), int(crate::now())],
            )
            .map_err(ScheduleFailure::Unavailable)?;
        if updated == 0 {
            return Err(match self.get(&s.name) {
                Ok(_) => ScheduleFailure::Invalid(sps_local::schedules::being_delivered(&s.name)),
                Err(e) => e,
            });
        }
        Ok(())
    }

    /// Reads a schedule back.
    ///
    /// # Errors
    /// Not found, or the database failed.
    pub fn get(&self, name: &str) -> Result<StoredSchedule, ScheduleFailure> {
        let result = self
            .exec(
                "SELECT name, at, flexible_window_minutes, input FROM schedules WHERE name = ?",
                &[text(name)],
            )
            .map_err(ScheduleFailure::Unavailable)?;
        let row = result.rows.first().ok_or(ScheduleFailure::NotFound)?;
        Ok(StoredSchedule {
            name: col_text(row, 0),
            at: col_text(row, 1),
            flexible_window_minutes: u32::try_from(col_int(row, 2)).unwrap_or(0),
            input: col_text(row, 3),
        })
    }

    /// Deletes a schedule.
    ///
    /// # Errors
    /// Not found, or the database failed.
    pub fn delete(&self, name: &str) -> Result<(), ScheduleFailure> {
        let deleted = self
            .change("DELETE FROM schedules WHERE name = ?", &[text(name)])
            .map_err(ScheduleFailure::Unavailable)?;
        if deleted == 0 {
            return Err(ScheduleFailure::NotFound);
        }
        Ok(())
    }

    /// Up to `limit` schedules whose fire moment is at or before `now` and that no other
    /// delivery holds a lease on, earliest first (then by name).
    ///
    /// # Errors
    /// When the database fails.
    pub fn due(&self, now: i64, limit: u32) -> Result<Vec<Due>, String> {
        let result = self.exec(
            &format!(
                "SELECT name, input, {}, attempt, version FROM schedules
                 WHERE fire_at <= ?1 AND lease_until <= ?1 ORDER BY fire_at, name LIMIT ?2",
                sps_local::schema::DUE_AT
            ),
            &[int(now), int(i64::from(limit))],
        )?;
        Ok(result
            .rows
            .iter()
            .map(|row| Due {
                name: col_text(row, 0),
                input: col_text(row, 1),
                due_at: col_int(row, 2),
                attempts: u32::try_from(col_int(row, 3)).unwrap_or(0),
                version: col_int(row, 4),
            })
            .collect())
    }

    /// Takes the lease on `due` until `until` (Unix seconds), so no other tick delivers
    /// it meanwhile, and counts the delivery as `attempt` (so a delivery that never
    /// returns still counts). False when another delivery holds it or the schedule
    /// changed since it was read.
    ///
    /// # Errors
    /// When the database fails.
    pub fn lease(&self, due: &Due, now: i64, until: i64, attempt: u32) -> Result<bool, String> {
        let leased = self.change(
            "UPDATE schedules SET lease_until = ?4, attempt = ?5
             WHERE name = ?1 AND version = ?2 AND lease_until <= ?3",
            &[
                text(&due.name),
                int(due.version),
                int(now),
                int(until),
                int(i64::from(attempt)),
            ],
        )?;
        Ok(leased == 1)
    }

    /// Deletes a delivered schedule (`ActionAfterCompletion` DELETE), unless it was
    /// updated since `due` was read.
    ///
    /// # Errors
    /// When the database fails.
    pub fn complete(&self, due: &Due) -> Result<(), String> {
        self.change(
            "DELETE FROM schedules WHERE name = ? AND version = ?",
            &[text(&due.name), int(due.version)],
        )?;
        Ok(())
    }

    /// Records that `attempts` deliveries were made and the next is at `fire_at`, and
    /// drops the lease.
    ///
    /// # Errors
    /// When the database fails.
    pub fn retry_at(&self, due: &Due, attempts: u32, fire_at: i64) -> Result<(), String> {
        self.change(
            "UPDATE schedules SET attempt = ?3, fire_at = ?4, lease_until = 0 WHERE name = ?1 AND version = ?2",
            &[text(&due.name), int(due.version), int(i64::from(attempts)), int(fire_at)],
        )?;
        Ok(())
    }

    /// Moves a schedule whose final delivery failed unreported to the dead-letter queue.
    ///
    /// # Errors
    /// When the database fails.
    pub fn dead_letter(&self, due: &Due, attempts: u32, error: &str) -> Result<(), String> {
        self.transaction(|store| {
            let removed = store.change(
                "DELETE FROM schedules WHERE name = ? AND version = ?",
                &[text(&due.name), int(due.version)],
            )?;
            if removed == 1 {
                store.exec(
                    "INSERT INTO dead_letters (schedule_name, input, attempts, error, time) VALUES (?, ?, ?, ?, ?)",
                    &[text(&due.name), text(&due.input), int(i64::from(attempts)), text(error),
                      text(&sps_local::records::rfc3339(crate::now()))],
                )?;
            }
            Ok(())
        })
    }
}
