//! What every backend of the platform components' key-value store must do
//! (`wasi:keyvalue/store` and `atomics` through host/src/caps/keyvalue.rs), as one scenario
//! run against each backend: SQLite and memory in tests/ledger.rs, DynamoDB (moto) in
//! tests/aws_sending.rs.

use sps_host::caps::keyvalue::{KeyValueBackend, LIST_PAGE};

/// Values are kept per scope; a compare-and-swap sets a value only over the expected one
/// (absent included); keys list in byte order, a page of [`LIST_PAGE`] at a time with the
/// last key as the cursor; deleting an absent key is no error. Uses the scopes
/// `bluesky/default` and `bluesky/brand`.
pub async fn keeps_values_per_scope_and_swaps_only_over_the_expected(kv: &dyn KeyValueBackend) {
    let (a, b) = ("bluesky/default", "bluesky/brand");
    assert_eq!(kv.get(a, "session").await.unwrap(), None);
    assert!(kv.swap(a, "session", None, b"s1").await.unwrap());
    assert!(
        !kv.swap(a, "session", None, b"s2").await.unwrap(),
        "exists now"
    );
    assert!(!kv.swap(a, "session", Some(b"s0"), b"s2").await.unwrap());
    assert!(kv.swap(a, "session", Some(b"s1"), b"s2").await.unwrap());
    assert_eq!(kv.get(a, "session").await.unwrap(), Some(b"s2".to_vec()));
    assert_eq!(kv.get(b, "session").await.unwrap(), None, "another scope");
    kv.set(b, "session", &[0, 255, 7]).await.unwrap();
    assert_eq!(kv.get(b, "session").await.unwrap(), Some(vec![0, 255, 7]));
    assert_eq!(kv.get(a, "session").await.unwrap(), Some(b"s2".to_vec()));
    kv.delete(a, "session").await.unwrap();
    kv.delete(a, "session").await.unwrap();
    assert_eq!(kv.get(a, "session").await.unwrap(), None);

    for n in 0..=LIST_PAGE {
        kv.set(a, &format!("rkey/{n:03}"), b"t").await.unwrap();
    }
    let (page, cursor) = kv.list_keys(a, None).await.unwrap();
    assert_eq!(page.len(), LIST_PAGE);
    assert_eq!(page[0], "rkey/000");
    assert_eq!(cursor.as_deref(), Some("rkey/099"));
    let (rest, cursor) = kv.list_keys(a, Some("rkey/099")).await.unwrap();
    assert_eq!((rest, cursor), (vec!["rkey/100".to_string()], None));
    assert_eq!(
        kv.list_keys(b, None).await.unwrap(),
        (vec!["session".to_string()], None)
    );
}
