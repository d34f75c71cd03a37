//! The send ledger's scenarios (tests/support/ledger.rs) on the local backends: the
//! SQLite store `sps serve` uses and the in-memory backend of the tests. DynamoDB runs the
//! same scenarios against moto in tests/aws_sending.rs. The platform components' key-value
//! store (tests/support/keyvalue.rs) runs on the same two backends here.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::sync::Arc;

use sps_host::caps::keyvalue::KeyValueBackend;
use sps_host::caps::ledger::LedgerBackend;
use sps_host::local::store::SqliteStore;
use sps_host::memory::MemoryBackend;
use support::ledger::{
    cancels_only_what_no_delivery_holds, exactly_one_of_concurrent_claims_is_claimed,
    exactly_one_of_racing_claims_and_cancels_wins, keeps_each_part_across_a_release_until_sent,
    part, released_with,
};

#[tokio::test]
async fn sqlite_keeps_each_part_across_a_release_until_sent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("store");
    keeps_each_part_across_a_release_until_sent(&store).await;
}

#[tokio::test]
async fn memory_keeps_each_part_across_a_release_until_sent() {
    let (memory, _) = MemoryBackend::backends();
    keeps_each_part_across_a_release_until_sent(memory.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_claims_on_two_sqlite_connections_exactly_one_is_claimed() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Two connections to one database file, as a second process would have.
    let stores: [Arc<dyn LedgerBackend>; 2] = [
        Arc::new(SqliteStore::open(dir.path()).expect("store")),
        Arc::new(SqliteStore::open(dir.path()).expect("store")),
    ];
    let p0 = part("1", None, None);
    released_with(stores[0].as_ref(), "c2", &p0).await;
    exactly_one_of_concurrent_claims_is_claimed(&stores, "c1", vec![]).await;
    exactly_one_of_concurrent_claims_is_claimed(&stores, "c2", vec![p0]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_claims_in_memory_exactly_one_is_claimed() {
    let (memory, _) = MemoryBackend::backends();
    let ledgers: [Arc<dyn LedgerBackend>; 1] = [memory];
    let p0 = part("1", None, None);
    released_with(ledgers[0].as_ref(), "c2", &p0).await;
    exactly_one_of_concurrent_claims_is_claimed(&ledgers, "c1", vec![]).await;
    exactly_one_of_concurrent_claims_is_claimed(&ledgers, "c2", vec![p0]).await;
}

#[tokio::test]
async fn sqlite_cancels_only_what_no_delivery_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("store");
    cancels_only_what_no_delivery_holds(&store).await;
}

#[tokio::test]
async fn memory_cancels_only_what_no_delivery_holds() {
    let (memory, _) = MemoryBackend::backends();
    cancels_only_what_no_delivery_holds(memory.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_claims_and_cancels_racing_on_two_sqlite_connections_exactly_one_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stores: [Arc<dyn LedgerBackend>; 2] = [
        Arc::new(SqliteStore::open(dir.path()).expect("store")),
        Arc::new(SqliteStore::open(dir.path()).expect("store")),
    ];
    let keys = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"];
    let mut cancels = 0;
    for key in keys {
        cancels += usize::from(exactly_one_of_racing_claims_and_cancels_wins(&stores, key).await);
    }
    println!("of {} races, the cancel won {cancels}", keys.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_claims_and_cancels_racing_in_memory_exactly_one_wins() {
    let (memory, _) = MemoryBackend::backends();
    let ledgers: [Arc<dyn LedgerBackend>; 1] = [memory];
    for key in ["r0", "r1", "r2", "r3", "r4"] {
        exactly_one_of_racing_claims_and_cancels_wins(&ledgers, key).await;
    }
}

#[tokio::test]
async fn sqlite_keeps_platform_state_per_scope_and_swaps_only_over_the_expected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("store");
    support::keyvalue::keeps_values_per_scope_and_swaps_only_over_the_expected(&store).await;
    // Kept across a reopening, as a restart of sps serve would.
    drop(store);
    let store = SqliteStore::open(dir.path()).expect("store");
    assert_eq!(
        KeyValueBackend::get(&store, "bluesky/brand", "session")
            .await
            .unwrap(),
        Some(vec![0, 255, 7])
    );
}

#[tokio::test]
async fn memory_keeps_platform_state_per_scope_and_swaps_only_over_the_expected() {
    let (memory, _) = MemoryBackend::backends();
    support::keyvalue::keeps_values_per_scope_and_swaps_only_over_the_expected(memory.as_ref())
        .await;
}
