//! The pending schedules by pages (`GET /schedules`), in delivery order.

use rusqlite::params;
use sps_local::records::{at_rfc3339, input_value, rfc3339, PendingSchedule};

use super::SqliteStore;

/// Where a page of schedules starts: after the schedule with this delivery time (Unix
/// seconds) and name, the last one of the page before.
pub type ScheduleCursor = (i64, String);

impl SqliteStore {
    /// Up to `limit` pending schedules after `after` (from the first without it), earliest
    /// delivery first and, at the same moment, by name; each with its delivery time (Unix
    /// seconds: with its name, the schedule's [`ScheduleCursor`]). Read through
    /// the `schedules_fire_at` index (only schedules due at the same second are sorted), so
    /// a page costs the same at any depth. Names are unique and never reused for another
    /// row, so a schedule created while pages are read is listed exactly when it sorts
    /// after the cursor.
    ///
    /// # Errors
    /// When the database fails.
    pub fn pending_after(
        &self,
        after: Option<ScheduleCursor>,
        limit: usize,
    ) -> anyhow::Result<Vec<(i64, PendingSchedule)>> {
        let (fire_at, name) = after.unwrap_or((i64::MIN, String::new()));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT fire_at, name, at, flexible_window_minutes, attempt, input
             FROM schedules WHERE (fire_at, name) > (?1, ?2) ORDER BY fire_at, name LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![fire_at, name, limit], |r| {
            let input: String = r.get(5)?;
            Ok((
                r.get(0)?,
                PendingSchedule {
                    name: r.get(1)?,
                    at: at_rfc3339(&r.get::<_, String>(2)?),
                    flexible_window_minutes: r.get(3)?,
                    fire_at: rfc3339(r.get(0)?),
                    attempts: r.get(4)?,
                    input: input_value(&input),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
