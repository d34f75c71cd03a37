//! The pending schedules by pages (`GET /schedules`), in delivery order.

use rusqlite::params;
use sps_local::records::{at_rfc3339, input_value, rfc3339, PendingSchedule};

use super::SqliteStore;

/// Where a page of schedules starts: after the schedule with this delivery time (Unix
/// seconds) and row id, the last one of the page before.
pub type ScheduleCursor = (i64, i64);

impl SqliteStore {
    /// Up to `limit` pending schedules after `after` (from the first without it), earliest
    /// delivery first and, at the same moment, in the order they were created; each with
    /// its cursor. Read through the `schedules_fire_at` index, so a page costs the same at
    /// any depth.
    ///
    /// # Errors
    /// When the database fails.
    pub fn pending_after(
        &self,
        after: Option<ScheduleCursor>,
        limit: usize,
    ) -> anyhow::Result<Vec<(ScheduleCursor, PendingSchedule)>> {
        let (fire_at, rowid) = after.unwrap_or((i64::MIN, i64::MIN));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT fire_at, rowid, name, at, flexible_window_minutes, attempt, input
             FROM schedules WHERE (fire_at, rowid) > (?1, ?2) ORDER BY fire_at, rowid LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![fire_at, rowid, limit], |r| {
            let input: String = r.get(6)?;
            Ok((
                (r.get(0)?, r.get(1)?),
                PendingSchedule {
                    name: r.get(2)?,
                    at: at_rfc3339(&r.get::<_, String>(3)?),
                    flexible_window_minutes: r.get(4)?,
                    fire_at: rfc3339(r.get(0)?),
                    attempts: r.get(5)?,
                    input: input_value(&input),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
