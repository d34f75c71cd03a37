//! The store's delivery state: due order, leases, and updates refused under a lease.

use super::*;
use crate::bindings::schedules::Schedule;
use crate::caps::schedules::ScheduleBackend as _;

fn schedule(name: &str, at: &str) -> Schedule {
    Schedule {
        name: name.to_string(),
        at: at.to_string(),
        flexible_window_minutes: 0,
        input: format!(r#"{{"referenceNumber":"{name}"}}"#),
    }
}

#[tokio::test]
async fn due_schedules_come_in_the_order_they_fell_due_and_leases_hold_them() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path())?;
    // Created b, then a, both due at one second; c due a second earlier, created last.
    store.create(schedule("b", "2030-01-01T00:00:01")).await?;
    store.create(schedule("a", "2030-01-01T00:00:01")).await?;
    store.create(schedule("c", "2030-01-01T00:00:00")).await?;
    let now = parse_due("2030-01-01T00:00:05");
    let names = |due: &[DueSchedule]| due.iter().map(|d| d.name.clone()).collect::<Vec<_>>();
    let due = store.due(now, 10)?;
    assert_eq!(names(&due), ["c", "b", "a"]);
    assert_eq!(names(&store.due(now, 2)?), ["c", "b"]);
    assert!(store.lease(&due[1], now, now + 180, 1)?);
    assert!(!store.lease(&due[1], now, now + 180, 1)?);
    assert_eq!(names(&store.due(now, 10)?), ["c", "a"]);
    assert_eq!(
        store.next_fire_at()?,
        Some(parse_due("2030-01-01T00:00:00"))
    );
    let refused = store.update(schedule("b", "2030-01-01T00:00:09")).await;
    assert_eq!(
        refused,
        Err(ScheduleError::Invalid(
            "schedule b is being delivered right now; it can no longer be changed".to_string()
        ))
    );
    store.retry_at(&due[1].name, due[1].version, 1, now + 30)?;
    assert_eq!(
        store.update(schedule("b", "2030-01-01T00:00:09")).await,
        Ok(())
    );
    Ok(())
}

#[tokio::test]
async fn a_lease_left_by_a_dead_process_is_dropped_at_open() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let now = parse_due("2030-01-01T00:00:05");
    {
        let store = SqliteStore::open(dir.path())?;
        store.create(schedule("a", "2030-01-01T00:00:00")).await?;
        let due = store.due(now, 10)?;
        assert!(store.lease(&due[0], now, now + 180, 1)?);
        assert!(store.due(now, 10)?.is_empty());
    }
    let store = SqliteStore::open(dir.path())?;
    let due = store.due(now, 10)?;
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].name.as_str(), due[0].attempts), ("a", 1));
    Ok(())
}

fn parse_due(at: &str) -> i64 {
    schedules::parse_at(at)
        .map(|t| t.timestamp())
        .unwrap_or_default()
}
