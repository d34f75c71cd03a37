//! What every send ledger backend must do (the WIT `ledger` interface), as scenarios run
//! against each backend: SQLite and memory in tests/ledger.rs, DynamoDB (moto) in
//! tests/aws_sending.rs. Each backend's own shapes (rows, items, messages) are tested
//! beside it.

use std::sync::Arc;

use sps_host::bindings::ledger::Entry;
use sps_host::bindings::types::PublishedPart;
use sps_host::caps::ledger::LedgerBackend;

/// Claims `key`, records `part` as its part 0 and releases it: a released key with a part.
pub async fn released_with(ledger: &dyn LedgerBackend, key: &str, part: &PublishedPart) {
    assert_eq!(ledger.claim(key).await, Ok(Entry::Claimed(vec![])));
    assert_eq!(ledger.record_part(key, 0, part).await, Ok(()));
    assert_eq!(ledger.release(key).await, Ok(()));
}

/// A published part.
pub fn part(id: &str, url: Option<&str>, reply_ref: Option<&str>) -> PublishedPart {
    PublishedPart {
        id: id.to_string(),
        url: url.map(str::to_string),
        reply_ref: reply_ref.map(str::to_string),
    }
}

/// A thread of three parts goes out over two claims: the parts recorded under the first
/// claim survive its release and come back with the next claim; a retried record of the
/// same part changes nothing; once sent, every claim answers `sent` with all three parts,
/// and neither a release nor another `record-sent` changes that. Uses the key `k1`.
pub async fn keeps_each_part_across_a_release_until_sent(ledger: &dyn LedgerBackend) {
    let p0 = part(
        "1850000000000000001",
        Some("https://x.com/i/web/status/1850000000000000001"),
        None,
    );
    let p1 = part("1850000000000000002", None, Some("bafyreib2rxk3rh6kzwq"));
    let p2 = part(
        "1850000000000000003",
        Some("https://x.com/i/web/status/1850000000000000003"),
        None,
    );
    let before = chrono::Utc::now().timestamp();
    assert_eq!(ledger.claim("k1").await, Ok(Entry::Claimed(vec![])));
    assert_eq!(ledger.record_part("k1", 0, &p0).await, Ok(()));
    assert_eq!(ledger.record_part("k1", 1, &p1).await, Ok(()));
    // A retried call with the same part changes nothing.
    assert_eq!(ledger.record_part("k1", 1, &p1).await, Ok(()));
    let Ok(Entry::InFlight(claim)) = ledger.claim("k1").await else {
        panic!("a second claim must see the first");
    };
    assert_eq!(claim.parts, vec![p0.clone(), p1.clone()]);
    let claimed_at = i64::try_from(claim.claimed_at).unwrap_or(0);
    assert!((before..=before + 5).contains(&claimed_at), "{claimed_at}");

    assert_eq!(ledger.release("k1").await, Ok(()));
    assert_eq!(
        ledger.claim("k1").await,
        Ok(Entry::Claimed(vec![p0.clone(), p1.clone()]))
    );
    assert_eq!(ledger.record_part("k1", 2, &p2).await, Ok(()));
    assert_eq!(ledger.record_sent("k1").await, Ok(()));
    let all = vec![p0, p1, p2];
    assert_eq!(ledger.claim("k1").await, Ok(Entry::Sent(all.clone())));
    // Releasing or recording again a sent post changes nothing.
    assert_eq!(ledger.release("k1").await, Ok(()));
    assert_eq!(ledger.record_sent("k1").await, Ok(()));
    assert_eq!(ledger.claim("k1").await, Ok(Entry::Sent(all)));
}

/// Eight claims of one key at the same moment, spread over `ledgers` in turn (two
/// connections to one database, say): exactly one gets `claimed` (with `parts`, those
/// recorded before), the others `in-flight` with the same parts. Run for a new key
/// (`parts` empty) and for a released key with parts.
pub async fn exactly_one_of_concurrent_claims_is_claimed(
    ledgers: &[Arc<dyn LedgerBackend>],
    key: &'static str,
    parts: Vec<PublishedPart>,
) {
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let claims = (0..8)
        .map(|i| {
            let ledger = ledgers[i % ledgers.len()].clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                ledger.claim(key).await
            })
        })
        .collect::<Vec<_>>();
    let (mut claimed, mut in_flight) = (0, 0);
    for claim in claims {
        match claim.await.expect("the claim task ends") {
            Ok(Entry::Claimed(got)) if got == parts => claimed += 1,
            Ok(Entry::InFlight(c)) if c.parts == parts => in_flight += 1,
            other => panic!("unexpected claim of {key}: {other:?}"),
        }
    }
    assert_eq!((claimed, in_flight), (1, 7), "{key}");
}

/// Cancelling: an absent key is cancelled and every claim then answers `cancelled`, a
/// second cancel `already-cancelled`; noting the key for a schedule name forgets the
/// cancellation (the same post scheduled again), and the name gives the key back; a
/// claimed key answers `in-flight`, a sent one `sent` (and noting changes neither); a
/// released key with a part is cancelled. Uses the keys `x1`, `x2` and the name `n1`.
pub async fn cancels_only_what_no_delivery_holds(ledger: &dyn LedgerBackend) {
    use sps_host::bindings::ledger::CancelOutcome;
    assert_eq!(ledger.cancel("x1").await, Ok(CancelOutcome::Cancelled));
    assert_eq!(ledger.claim("x1").await, Ok(Entry::Cancelled));
    assert_eq!(
        ledger.cancel("x1").await,
        Ok(CancelOutcome::AlreadyCancelled)
    );
    assert_eq!(ledger.scheduled_key("n1").await, Ok(None));
    assert_eq!(ledger.note_scheduled("n1", "x1").await, Ok(()));
    assert_eq!(ledger.scheduled_key("n1").await, Ok(Some("x1".to_string())));
    assert_eq!(ledger.claim("x1").await, Ok(Entry::Claimed(vec![])));
    let p0 = part("1", Some("https://x.com/i/web/status/1"), None);
    assert_eq!(ledger.record_part("x1", 0, &p0).await, Ok(()));
    let Ok(CancelOutcome::InFlight(claim)) = ledger.cancel("x1").await else {
        panic!("a cancel of a claimed key must see the claim");
    };
    assert_eq!(claim.parts, vec![p0.clone()]);
    assert_eq!(ledger.record_sent("x1").await, Ok(()));
    assert_eq!(
        ledger.cancel("x1").await,
        Ok(CancelOutcome::Sent(vec![p0.clone()]))
    );
    assert_eq!(ledger.note_scheduled("n1", "x1").await, Ok(()));
    assert_eq!(ledger.claim("x1").await, Ok(Entry::Sent(vec![p0.clone()])));
    released_with(ledger, "x2", &p0).await;
    assert_eq!(ledger.cancel("x2").await, Ok(CancelOutcome::Cancelled));
    assert_eq!(ledger.claim("x2").await, Ok(Entry::Cancelled));
    assert_eq!(ledger.note_scheduled("n1", "x2").await, Ok(()));
    assert_eq!(ledger.scheduled_key("n1").await, Ok(Some("x2".to_string())));
}

/// Four claims and four cancels of `key` at the same moment, spread over `ledgers`:
/// exactly one wins. Either a claim got `claimed` and every other call saw its claim, or
/// a cancel got `cancelled`, the other cancels `already-cancelled` and every claim
/// `cancelled`. Returns whether the cancel won.
pub async fn exactly_one_of_racing_claims_and_cancels_wins(
    ledgers: &[Arc<dyn LedgerBackend>],
    key: &'static str,
) -> bool {
    use sps_host::bindings::ledger::CancelOutcome;
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let calls = (0..8)
        .map(|i| {
            let ledger = ledgers[i % ledgers.len()].clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                if i % 2 == 0 {
                    (Some(ledger.claim(key).await), None)
                } else {
                    (None, Some(ledger.cancel(key).await))
                }
            })
        })
        .collect::<Vec<_>>();
    let mut seen = Vec::new();
    for call in calls {
        seen.push(call.await.expect("the task ends"));
    }
    let claimed = seen
        .iter()
        .filter(|c| matches!(c.0, Some(Ok(Entry::Claimed(_)))))
        .count();
    let cancelled = seen
        .iter()
        .filter(|c| matches!(c.1, Some(Ok(CancelOutcome::Cancelled))))
        .count();
    assert_eq!(claimed + cancelled, 1, "{seen:?}");
    for (claim, cancel) in &seen {
        let ok = if cancelled == 1 {
            matches!(claim, None | Some(Ok(Entry::Cancelled)))
                && matches!(
                    cancel,
                    None | Some(Ok(
                        CancelOutcome::Cancelled | CancelOutcome::AlreadyCancelled
                    ))
                )
        } else {
            matches!(
                claim,
                None | Some(Ok(Entry::Claimed(_) | Entry::InFlight(_)))
            ) && matches!(cancel, None | Some(Ok(CancelOutcome::InFlight(_))))
        };
        assert!(ok, "{seen:?}");
    }
    cancelled == 1
}
