//! The store's delivery state: due order, leases, and updates refused under a lease; and
//! the send ledger: parts kept across releases, rows of the version before parts, claims
//! from two connections; the files' owner-only modes.

use super::*;
use crate::bindings::ledger::{Entry, InFlightClaim, LedgerError};
use crate::bindings::schedules::Schedule;
use crate::bindings::types::PublishedPart;
use crate::caps::ledger::LedgerBackend as _;
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

fn part(id: &str, url: Option<&str>, reply_ref: Option<&str>) -> PublishedPart {
    PublishedPart {
        id: id.to_string(),
        url: url.map(str::to_string),
        reply_ref: reply_ref.map(str::to_string),
    }
}

/// The SQLite side of tests/ledger.rs's scenario: a sent post keeps the first part's id
/// in `post_id`, for readers of the version before parts.
#[tokio::test]
async fn a_sent_row_keeps_the_first_parts_id_in_post_id() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path())?;
    let (p0, p1) = (
        part("1850000000000000001", None, None),
        part("2", None, None),
    );
    assert_eq!(store.claim("k1").await, Ok(Entry::Claimed(vec![])));
    assert_eq!(store.record_part("k1", 0, &p0).await, Ok(()));
    assert_eq!(store.record_part("k1", 1, &p1).await, Ok(()));
    assert_eq!(store.record_sent("k1").await, Ok(()));
    let row: (String, Option<String>) = store.conn().query_row(
        "SELECT state, post_id FROM ledger WHERE key = 'k1'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(row, ("sent".to_string(), Some(p0.id.clone())));
    Ok(())
}

#[tokio::test]
async fn the_ledger_refuses_a_part_out_of_order_a_different_part_or_without_a_claim(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path())?;
    let p0 = part("1", None, None);
    assert_eq!(
        store.record_part("k2", 0, &p0).await,
        Err(LedgerError::Unavailable(
            "local store: ledger entry k2 is not claimed (no claim): part 0 cannot be recorded"
                .to_string()
        ))
    );
    assert_eq!(store.claim("k2").await, Ok(Entry::Claimed(vec![])));
    assert_eq!(
        store.record_part("k2", 1, &p0).await,
        Err(LedgerError::Unavailable(
            "local store: ledger entry k2 has 0 parts recorded: part 1 cannot be recorded next"
                .to_string()
        ))
    );
    assert_eq!(store.record_part("k2", 0, &p0).await, Ok(()));
    assert_eq!(
        store.record_part("k2", 0, &part("2", None, None)).await,
        Err(LedgerError::Unavailable(
            "local store: part 0 of ledger entry k2 is recorded already with the id 1".to_string()
        ))
    );
    assert_eq!(store.release("k2").await, Ok(()));
    assert_eq!(
        store.record_part("k2", 1, &part("2", None, None)).await,
        Err(LedgerError::Unavailable(
            "local store: ledger entry k2 is not claimed (no claim): part 1 cannot be recorded"
                .to_string()
        ))
    );
    assert_eq!(store.claim("k2").await, Ok(Entry::Claimed(vec![p0])));
    Ok(())
}

#[tokio::test]
async fn rows_of_the_version_before_parts_read_as_one_part() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path())?;
    store.conn().execute_batch(
        "INSERT INTO ledger (key, state, post_id, claimed_at) VALUES ('old-sent', 'sent', '1849999999999999999', 1700000000);
         INSERT INTO ledger (key, state, claimed_at) VALUES ('old-in-flight', 'in-flight', 1700000001);",
    )?;
    let sent = vec![part("1849999999999999999", None, None)];
    assert_eq!(store.claim("old-sent").await, Ok(Entry::Sent(sent.clone())));
    assert_eq!(
        store.claim("old-in-flight").await,
        Ok(Entry::InFlight(InFlightClaim {
            claimed_at: 1_700_000_001,
            parts: vec![]
        }))
    );
    // Recording it sent again keeps the old post id.
    assert_eq!(store.record_sent("old-sent").await, Ok(()));
    assert_eq!(store.claim("old-sent").await, Ok(Entry::Sent(sent)));
    Ok(())
}

#[test]
fn the_data_directory_and_database_are_the_owners_only() -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("new").join("data");
    let _store = SqliteStore::open(&data)?;
    let mode = |p: &Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode(&data)?, 0o700);
    assert_eq!(mode(&data.join("sps.sqlite3"))?, 0o600);
    assert_eq!(mode(&data.join("sps.sqlite3-wal"))?, 0o600);
    // A database of an older version, readable by others, is made owner-only.
    drop(_store);
    std::fs::set_permissions(
        data.join("sps.sqlite3"),
        std::fs::Permissions::from_mode(0o644),
    )?;
    let _store = SqliteStore::open(&data)?;
    assert_eq!(mode(&data.join("sps.sqlite3"))?, 0o600);
    Ok(())
}

#[test]
fn a_post_scored_twice_counts_once_per_campaign_and_platform() -> anyhow::Result<()> {
    use crate::bindings::campaigns::Score;
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path())?;
    let score = |reference: &str, bucket: u8, score: f64| Score {
        reference: reference.to_string(),
        bucket,
        score,
    };
    store
        .record_campaign_score("launch", "twitter", &score("a", 36, 0.5))
        .unwrap();
    store
        .record_campaign_score("launch", "twitter", &score("a", 36, 0.25))
        .unwrap();
    store
        .record_campaign_score("launch", "twitter", &score("b", 9, 1.0))
        .unwrap();
    store
        .record_campaign_score("launch", "mastodon", &score("c", 1, 2.0))
        .unwrap();
    store
        .record_campaign_score("other", "twitter", &score("d", 2, 3.0))
        .unwrap();
    let twitter = store.campaign_scores("launch", "twitter").unwrap();
    let mut twitter: Vec<(String, u8, f64)> = twitter
        .into_iter()
        .map(|s| (s.reference, s.bucket, s.score))
        .collect();
    twitter.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        twitter,
        [("a".to_string(), 36, 0.25), ("b".to_string(), 9, 1.0)]
    );
    assert_eq!(
        store.all_campaign_scores("launch").unwrap(),
        [
            ("mastodon".to_string(), vec![(1, 2.0)]),
            ("twitter".to_string(), vec![(36, 0.25), (9, 1.0)])
        ]
    );
    Ok(())
}

#[tokio::test]
async fn the_next_delivery_time_is_read_from_an_index_whatever_the_leases() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path())?;
    let plan: Vec<String> = {
        let conn = store.conn();
        let mut stmt = conn
            .prepare("EXPLAIN QUERY PLAN SELECT MIN(MAX(fire_at, lease_until)) FROM schedules")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(3))?;
        rows.collect::<Result<_, _>>()?
    };
    assert_eq!(
        plan,
        ["SEARCH schedules USING COVERING INDEX schedules_next"]
    );
    // The earliest of a leased schedule's lease end and a free schedule's delivery time.
    store.create(schedule("a", "2030-01-01T00:00:00")).await?;
    let now = parse_due("2030-01-01T00:00:05");
    let due = store.due(now, 10)?;
    assert!(store.lease(&due[0], now, now + 60, 1)?);
    assert_eq!(
        store.next_fire_at()?,
        Some(parse_due("2030-01-01T00:01:05"))
    );
    store.create(schedule("b", "2030-01-01T00:00:20")).await?;
    assert_eq!(
        store.next_fire_at()?,
        Some(parse_due("2030-01-01T00:00:20"))
    );
    Ok(())
}

#[tokio::test]
async fn only_a_schedule_due_before_the_timer_looks_next_wakes_it() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path())?;
    // The timer looks next at 00:00:10.
    let next = parse_due("2030-01-01T00:00:10") * 1000;
    store.timer_looks_next(Some(next));
    store
        .create(schedule("later", "2030-01-01T00:00:10"))
        .await?;
    assert!(!woken(&store).await);
    store
        .create(schedule("sooner", "2030-01-01T00:00:09"))
        .await?;
    assert!(woken(&store).await);
    store
        .update(schedule("later", "2030-01-01T00:00:05"))
        .await?;
    assert!(woken(&store).await);
    // While the timer is looking, every change wakes it (it may have read before it).
    store.timer_looks_next(None);
    store.create(schedule("far", "2031-01-01T00:00:00")).await?;
    assert!(woken(&store).await);
    Ok(())
}

/// Whether the store wakes the timer within 50 ms.
async fn woken(store: &SqliteStore) -> bool {
    tokio::time::timeout(std::time::Duration::from_millis(50), store.changed())
        .await
        .is_ok()
}

/// A database in WAL mode with `synchronous=NORMAL` and the table `t (x)`, as the store
/// opens its own, in `dir`; and its WAL file's path.
fn wal_database(dir: &Path) -> anyhow::Result<(Connection, PathBuf)> {
    let conn = Connection::open(dir.join("db"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch("CREATE TABLE t (x INTEGER)")?;
    Ok((conn, dir.join("db-wal")))
}

#[tokio::test]
async fn a_failed_sync_fails_its_commit_and_every_later_one_until_the_store_is_opened_again(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (conn, wal_path) = wal_database(dir.path())?;
    // fdatasync of /dev/null fails (EINVAL), as a sync of a failing disk would.
    let commits =
        commit::Commits::new(conn, std::fs::File::open("/dev/null")?, wal_path.clone(), 0);
    let why = format!(
        "local store: a commit may not be on disk: cannot sync {}: Invalid argument (os error 22); the store takes no more writes until sps serve is restarted",
        wal_path.display()
    );
    let mark = commits.mark();
    commits.conn().execute("INSERT INTO t VALUES (1)", [])?;
    commits
        .written_event
        .store(1, std::sync::atomic::Ordering::SeqCst);
    commits.commit();
    assert_eq!(commits.durable_since(mark).await, Err(why.clone()));
    assert_eq!(*commits.committed_event.borrow(), 0);
    // The next commit is refused with the same reason and rolled back: only the first
    // row, committed but never acknowledged, is in the database.
    let mark = commits.mark();
    commits.conn().execute("INSERT INTO t VALUES (2)", [])?;
    commits.commit();
    assert_eq!(commits.durable_since(mark).await, Err(why));
    let rows: Vec<i64> = commits
        .conn()
        .prepare("SELECT x FROM t")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    assert_eq!(rows, vec![1]);
    Ok(())
}

#[tokio::test]
async fn a_commit_is_ended_and_its_event_seen_only_after_the_wal_is_synced() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (conn, wal_path) = wal_database(dir.path())?;
    let commits = commit::Commits::new(conn, std::fs::File::open(&wal_path)?, wal_path, 0);
    let mark = commits.mark();
    commits.conn().execute("INSERT INTO t VALUES (1)", [])?;
    commits
        .written_event
        .store(1, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(*commits.committed_event.borrow(), 0);
    commits.commit();
    assert_eq!(commits.durable_since(mark).await, Ok(()));
    assert_eq!(*commits.committed_event.borrow(), 1);
    Ok(())
}

#[tokio::test]
async fn a_write_made_when_no_transaction_could_be_opened_waits_for_a_sync() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (conn, wal_path) = wal_database(dir.path())?;
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let commits = commit::Commits::new(conn, std::fs::File::open(&wal_path)?, wal_path, 0);
    // Another connection holds the write lock: BEGIN IMMEDIATE fails.
    let other = Connection::open(dir.path().join("db"))?;
    other.execute_batch("BEGIN IMMEDIATE")?;
    let mark = commits.mark();
    {
        let conn = commits.conn();
        assert!(conn.is_autocommit());
        other.execute_batch("ROLLBACK")?;
        // The write commits on its own, unsynced under synchronous=NORMAL.
        conn.execute("INSERT INTO t VALUES (1)", [])?;
    }
    commits.commit();
    // A commit was counted (and the WAL synced) for it, and its waiter waited for it.
    assert_eq!(commits.mark(), mark + 1);
    assert_eq!(commits.durable_since(mark).await, Ok(()));
    Ok(())
}

#[tokio::test]
async fn a_transaction_sqlite_rolled_back_itself_is_reported_failed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (conn, wal_path) = wal_database(dir.path())?;
    let commits = commit::Commits::new(conn, std::fs::File::open(&wal_path)?, wal_path, 0);
    let mark = commits.mark();
    {
        let conn = commits.conn();
        conn.execute("INSERT INTO t VALUES (1)", [])?;
        // As SQLite ends the whole transaction when a statement in it fails with an I/O
        // error or a full disk.
        conn.execute_batch("ROLLBACK")?;
    }
    commits
        .written_event
        .store(1, std::sync::atomic::Ordering::SeqCst);
    commits.commit();
    assert_eq!(
        commits.durable_since(mark).await,
        Err("local store: an error rolled the transaction back; its writes were lost".to_string())
    );
    assert_eq!(*commits.committed_event.borrow(), 0);
    assert_eq!(
        commits
            .written_event
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    Ok(())
}

#[tokio::test]
async fn a_waiter_whose_failure_is_no_longer_kept_is_still_told_it_failed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (conn, wal_path) = wal_database(dir.path())?;
    let commits = commit::Commits::new(conn, std::fs::File::open("/dev/null")?, wal_path, 0);
    let mark = commits.mark();
    commits.conn().execute("INSERT INTO t VALUES (0)", [])?;
    let waiter = {
        let commits = commits.clone();
        tokio::spawn(async move { commits.durable_since(mark).await })
    };
    // The waiter takes its target (the first commit) and waits.
    tokio::task::yield_now().await;
    // The first commit's sync fails; the next 256 are refused: the first failure is
    // dropped from those kept before the waiter looks.
    for x in 0..=256 {
        commits.conn().execute("INSERT INTO t VALUES (?1)", [x])?;
        commits.commit();
    }
    assert_eq!(
        waiter.await?,
        Err(
            "local store: a commit since this write failed (its reason is no longer kept)"
                .to_string()
        )
    );
    Ok(())
}
