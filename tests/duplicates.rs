//! At-least-once delivery taken to the extreme: one schedule's input delivered 1,000 times,
//! 50 deliveries at a time, through the runtime with the real components and the SQLite
//! store `sps serve` uses. X receives exactly one request; every delivery ends in
//! `Social Post Sent` with that post's id, or asks to be retried because the first
//! delivery's claim is still in flight; the event log holds only those `Social Post Sent`.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sps_host::bindings::sending::Delivered;
use sps_host::bindings::sending::{Delivery, RetryLaterHint, SendFailure};
use sps_host::caps::Backends;
use sps_host::local::store::SqliteStore;
use sps_host::runtime::Runtime;
use sps_host::secrets::XCredentials;
use support::fake_x::{FakeX, FIRST_ID};

const DELIVERIES: usize = 1_000;
const AT_A_TIME: usize = 50;

/// How long the fake X takes to answer: the first half of the deliveries (0.3 ms each on
/// this machine) all start while the first one's claim is in flight.
const X_DELAY: Duration = Duration::from_secs(1);

/// The sender's grace period for an in-flight claim (components/sender/src/flow.rs,
/// `IN_FLIGHT_GRACE_SECONDS`).
const GRACE_SECONDS: u64 = 180;

fn runtime(x: &FakeX, data: &std::path::Path) -> (Runtime, Arc<SqliteStore>) {
    let credentials = XCredentials::from_json(support::SECRETS_JSON).expect("secrets");
    let settings = sps_host::settings::runtime_settings(
        support::components_dir(),
        support::shared_cache_dir(),
        0,
        &x.base_url,
        &credentials,
    )
    .expect("settings");
    let store = Arc::new(SqliteStore::open(data).expect("store"));
    let backends = Backends {
        schedules: store.clone(),
        events: store.clone(),
        ledger: store.clone(),
        keyvalue: store.clone(),
        campaigns: Arc::new(sps_host::local::campaigns::LocalCampaigns::new(
            store.clone(),
            None,
        )),
    };
    (Runtime::new(settings, backends).expect("runtime"), store)
}

/// One outcome as the test counts it: `Ok(Sent)`, or the `RetryLater` hint.
type Seen = Result<Delivered, RetryLaterHint>;

/// Delivers `input` `n` times, [`AT_A_TIME`] at a time; each distinct outcome and how often.
async fn deliver(runtime: &Runtime, input: &str, n: usize) -> BTreeMap<String, (Seen, usize)> {
    let delivery = Delivery {
        attempt: 1,
        final_attempt: false,
        due_at: None,
    };
    let mut calls = tokio::task::JoinSet::new();
    let mut counts: BTreeMap<String, (Seen, usize)> = BTreeMap::new();
    let mut launched = 0;
    let mut finished = 0;
    while finished < n {
        while launched < n && calls.len() < AT_A_TIME {
            let (runtime, input) = (runtime.clone(), input.to_string());
            calls.spawn(async move { runtime.send_post(&input, delivery).await });
            launched += 1;
        }
        let outcome = calls
            .join_next()
            .await
            .expect("a call")
            .expect("task")
            .expect("the sender component ran");
        finished += 1;
        let seen: Seen = match outcome {
            Ok(sent) => Ok(sent),
            Err(SendFailure::RetryLater(hint)) => Err(hint),
            Err(SendFailure::Failed(report)) => panic!("delivery {finished} failed: {report:?}"),
        };
        counts
            .entry(format!("{seen:?}"))
            .or_insert_with(|| (seen, 0))
            .1 += 1;
    }
    counts
}

/// Half the deliveries start while the first one waits on X (so they find its claim in
/// flight, or the post sent if they come late), the other half after it (so they find the
/// post sent).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_schedule_delivered_1000_times_posts_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    x.delay(X_DELAY);
    let (runtime, store) = runtime(&x, dir.path());
    let input = json!({"referenceNumber": "dup", "message": "Delivered a thousand times",
        "platform": "twitter", "scheduledDate": "2030-01-02T03:04:00"})
    .to_string();

    let before = chrono::Utc::now().timestamp();
    let started = Instant::now();
    let first_half = deliver(&runtime, &input, DELIVERIES / 2).await;
    let after = chrono::Utc::now().timestamp();
    let second_half = deliver(&runtime, &input, DELIVERIES - DELIVERIES / 2).await;
    let elapsed = started.elapsed();
    let sent = support::sent_record("dup", FIRST_ID);
    // After the post was sent, every delivery finds it sent.
    assert_eq!(
        second_half.values().collect::<Vec<_>>(),
        vec![&(Ok(sent.clone()), DELIVERIES - DELIVERIES / 2)]
    );
    let mut counts = first_half;
    for (key, (seen, n)) in second_half {
        counts.entry(key).or_insert_with(|| (seen, 0)).1 += n;
    }

    // X received exactly one request, the post.
    let received = x.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(
        received[0].text.as_deref(),
        Some("Delivered a thousand times")
    );

    // Exactly two distinct outcomes: Sent with the one id, and RetryLater naming the one
    // claim (made between `before` and `after`), retry at the claim plus the grace period.
    assert_eq!(counts.len(), 2, "{counts:#?}");
    let sent_count = counts
        .values()
        .find(|(seen, _)| seen.as_ref() == Ok(&sent))
        .map(|(_, n)| *n)
        .unwrap_or_else(|| panic!("no Sent {sent:?}: {counts:#?}"));
    let (hint, retry_count) = counts
        .values()
        .find_map(|(seen, n)| seen.as_ref().err().map(|h| (h.clone(), *n)))
        .unwrap_or_else(|| panic!("no RetryLater: {counts:#?}"));
    let claimed_at = hint
        .retry_at
        .and_then(|t| t.checked_sub(GRACE_SECONDS))
        .unwrap_or_else(|| panic!("{hint:?}"));
    assert!(
        (u64::try_from(before).unwrap()..=u64::try_from(after).unwrap()).contains(&claimed_at),
        "{hint:?} not within {before}..={after}"
    );
    assert_eq!(
        hint,
        RetryLaterHint {
            retry_at: Some(claimed_at + GRACE_SECONDS),
            code: "unknown-outcome".into(),
            message: format!(
                "another delivery of this post claimed it at {} and has recorded no outcome yet",
                sps_contract::time::describe(claimed_at)
            ),
        }
    );
    assert_eq!(sent_count + retry_count, DELIVERIES);

    // The event log: one Social Post Sent per Sent outcome, all with that id, nothing else.
    let events = store.events().expect("events");
    assert_eq!(events.len(), sent_count);
    for event in &events {
        assert_eq!(
            (
                event.detail_type.as_str(),
                event.source.as_str(),
                &event.detail
            ),
            (
                "Social Post Sent",
                "SocialPostSender",
                &support::sent_detail("dup", FIRST_ID)
            )
        );
    }
    let mut err = std::io::stderr().lock();
    let _ = std::io::Write::write_all(
        &mut err,
        format!(
            "duplicates: {DELIVERIES} deliveries, {AT_A_TIME} at a time, in {:.2} s: Sent {sent_count}, RetryLater {retry_count}, X requests {}\n",
            elapsed.as_secs_f64(),
            received.len()
        )
        .as_bytes(),
    );
}
