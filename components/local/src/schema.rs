//! The SQLite schema both local stores use: the host's (`host/src/local/store.rs`,
//! rusqlite) and the Spin app's (`components/spin/store`, `spin:sqlite`). One statement
//! per entry, each idempotent (`IF NOT EXISTS`).
//!
//! - `schedules`: one row per pending schedule; `due_at` is the moment chosen inside the
//!   flexible window (Unix seconds; 0 in rows older than the column, where `fire_at` stands
//!   in), `fire_at` when the next delivery is made (`due_at`, later after a failed
//!   delivery), `attempt` the deliveries made, `version` bumped by every update,
//!   `lease_until` (Unix seconds) the end of a delivery's lease (0 when free).
//! - `events`: the event log, envelopes as JSON text in `seq` order.
//! - `ledger`: the send ledger, one row per claimed or sent key: `state` `in-flight`
//!   (`claimed_at` Unix seconds) or `sent`; `post_id` the id of the post's first part once
//!   sent (the only record of a `sent` row written before `ledger_parts`, which reads as
//!   one part with that id). Releasing a claim deletes the row (the `state` CHECK cannot
//!   be altered in SQLite to admit a `released` state); its parts stay.
//! - `ledger_parts`: the published parts of each key's post, `idx` 0 the post and k its
//!   k-th reply, recorded in order and kept across releases: `id` the platform's id,
//!   `url` and `reply_ref` NULL when none.
//! - `ledger_cancelled`: keys a `Cancel Social Post` won before any delivery claimed them
//!   (`cancelled_at` Unix seconds); a claim of such a key answers `cancelled`. Scheduling
//!   the same post again deletes the row.
//! - `scheduled_names`: the ledger key each schedule name was last scheduled as, so a
//!   cancel finds a post whose schedule is gone.
//! - `dead_letters`: deliveries whose final attempt failed unreported, and outcome events
//!   the event target did not take within the maximum event age (`target` its URL,
//!   `event_seq` the event; `schedule_name` empty).
//! - `target_deliveries`: outcome events still to be delivered to the event target
//!   (`sps serve`'s `SPS_EVENT_TARGET_URL`), one row per event (`seq` the event's),
//!   delivered in `seq` order per `ordering_key` (the post's reference).

/// The statements that create the tables and index, in order.
pub const TABLES: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS schedules (
        name TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        flexible_window_minutes INTEGER NOT NULL,
        input TEXT NOT NULL,
        fire_at INTEGER NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 1,
        lease_until INTEGER NOT NULL DEFAULT 0,
        due_at INTEGER NOT NULL DEFAULT 0
    )",
    "CREATE INDEX IF NOT EXISTS schedules_fire_at ON schedules (fire_at)",
    "CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        envelope TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS ledger (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('in-flight', 'sent')),
        post_id TEXT,
        claimed_at INTEGER NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS ledger_parts (
        key TEXT NOT NULL,
        idx INTEGER NOT NULL,
        id TEXT NOT NULL,
        url TEXT,
        reply_ref TEXT,
        PRIMARY KEY (key, idx)
    )",
    // A key a `Cancel Social Post` won before any delivery claimed it (never in `ledger`).
    "CREATE TABLE IF NOT EXISTS ledger_cancelled (
        key TEXT PRIMARY KEY,
        cancelled_at INTEGER NOT NULL
    )",
    // The ledger key each schedule name was last scheduled as, for cancels.
    "CREATE TABLE IF NOT EXISTS scheduled_names (
        name TEXT PRIMARY KEY,
        key TEXT NOT NULL
    )",
    // The slots the posts of each campaign booked on each platform: a JSON list of
    // {"reference", "at"}, replaced only under its version.
    "CREATE TABLE IF NOT EXISTS campaign_bookings (
        campaign TEXT NOT NULL,
        platform TEXT NOT NULL,
        version INTEGER NOT NULL,
        booked TEXT NOT NULL,
        PRIMARY KEY (campaign, platform)
    )",
    // Campaign plans saved through the API (`PUT /campaigns/NAME`), the plan's JSON text.
    "CREATE TABLE IF NOT EXISTS campaign_plans (
        name TEXT PRIMARY KEY,
        plan TEXT NOT NULL
    )",
    // The engagement score of each sent post of a campaign, by the hour of the week of
    // its slot (0 = Monday 00:00, campaign time zone); one per post.
    "CREATE TABLE IF NOT EXISTS campaign_scores (
        campaign TEXT NOT NULL,
        platform TEXT NOT NULL,
        reference TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (campaign, platform, reference)
    )",
    // wasi:keyvalue of platform components: `scope` is `<platform>/<account>`.
    "CREATE TABLE IF NOT EXISTS platform_state (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (scope, key)
    )",
    "CREATE TABLE IF NOT EXISTS dead_letters (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        schedule_name TEXT NOT NULL,
        input TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL,
        time TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS target_deliveries (
        seq INTEGER PRIMARY KEY,
        ordering_key TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_error TEXT
    )",
    "CREATE INDEX IF NOT EXISTS target_deliveries_key ON target_deliveries (ordering_key, seq)",
];

/// Columns added after the first release, for databases made before them: each statement
/// fails with "duplicate column name" where the column exists, which the stores ignore.
pub const ADDED_COLUMNS: &[&str] = &[
    "ALTER TABLE schedules ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE schedules ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE dead_letters ADD COLUMN target TEXT",
    "ALTER TABLE dead_letters ADD COLUMN event_seq INTEGER",
];

/// Indexes over columns of [`ADDED_COLUMNS`], created after them.
///
/// `schedules_next` serves the timer's "when is the next delivery" question,
/// `MIN(MAX(fire_at, lease_until))`, from the index's first entry: without it every wake-up
/// of the timer (one per write) read the whole table, and `sps serve` slowed down as
/// schedules piled up (1,114 events/s at 32 connections on an empty store, 581/s after
/// 16,000 far-future schedules).
pub const INDEXES: &[&str] =
    &["CREATE INDEX IF NOT EXISTS schedules_next ON schedules (MAX(fire_at, lease_until))"];

/// The SQL expression of a schedule's due moment (Unix seconds), for rows of any age.
pub const DUE_AT: &str = "(CASE WHEN due_at > 0 THEN due_at ELSE fire_at END)";
