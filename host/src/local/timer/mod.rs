//! The local timer: delivers each due schedule to the sender component, at the moment
//! the store chose inside its flexible time window, and applies a retry policy modelled
//! on EventBridge Scheduler's (`RetryPolicy`: maximum attempts and maximum event age;
//! a failed final delivery goes to the dead-letter queue).

use std::sync::Arc;
use std::time::Duration;

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::task::JoinSet;

use crate::local::store::SqliteStore;
use crate::runtime::Runtime;

mod deliver;

/// How deliveries are retried: the policy the local runtimes share (`sps-local`).
pub use sps_local::delivery::RetryPolicy;

/// How long `sps serve` waits on SIGTERM or SIGINT for the deliveries in flight to finish
/// before it exits: above a platform call's wall-clock limit
/// ([`crate::runtime::Limits::platform_wall_time`], 7 s), below the 10 s a service
/// manager usually waits before SIGKILL (docker's default).
pub const DRAIN: Duration = Duration::from_secs(8);

/// The longest wait between two rounds while the store keeps failing (a full disk, a
/// read-only file system): rounds back off from 1 s, doubling, to this.
pub const MAX_STORE_BACKOFF: Duration = Duration::from_secs(60);

/// How often a store that keeps failing is logged again.
const STORE_FAILURE_LOG_EVERY: Duration = Duration::from_secs(60);

/// Deliveries made at once at most: one slow platform call does not hold back the others.
pub const MAX_CONCURRENT_DELIVERIES: usize = 8;

/// How long a delivery holds its lease on a schedule, seconds: above the sender call's
/// wall-clock limit ([`crate::runtime::Limits::wall_time`], 120 s). A lease left by a
/// process that died is dropped when the store is opened again.
pub const LEASE_SECONDS: i64 = 180;

/// Until when (Unix seconds) deliveries to a platform wait, after it answered 429 with a
/// reset time: the other posts due meanwhile wait too instead of each collecting a 429.
#[derive(Debug, Default)]
pub(crate) struct Holds(Mutex<HashMap<String, i64>>);

impl Holds {
    fn held(&self, platform: &str, now: i64) -> bool {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(platform)
            .is_some_and(|until| *until > now)
    }

    pub(crate) fn hold(&self, platform: &str, until: i64) {
        let mut holds = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = holds.entry(platform.to_string()).or_insert(until);
        *entry = (*entry).max(until);
    }
}

/// The platform a schedule's target input names (routing only; the sender judges the
/// input).
fn platform_of(input: &str) -> String {
    serde_json::from_str::<serde_json::Value>(input)
        .ok()
        .and_then(|v| {
            v.get("platform")
                .and_then(|p| p.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// Delivers due schedules until `stop` turns true, up to [`MAX_CONCURRENT_DELIVERIES`] at
/// once, in the order they fell due, each under a lease; then returns once the deliveries
/// in flight have recorded their outcomes (no new delivery starts).
///
/// While the store fails, rounds back off (1 s, doubling, to [`MAX_STORE_BACKOFF`]) and the
/// failure is logged once a minute, with how many rounds failed; the first round that
/// succeeds again logs the recovery.
pub async fn run(
    runtime: Runtime,
    store: Arc<SqliteStore>,
    policy: RetryPolicy,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut failures: u32 = 0;
    let mut last_logged: Option<std::time::Instant> = None;
    let mut in_flight = JoinSet::new();
    let holds = Arc::new(Holds::default());
    while !*stop.borrow() {
        while in_flight.try_join_next().is_some() {}
        store.timer_looks_next(None);
        let wait = match start_due(&runtime, &store, policy, &mut in_flight, &holds).await {
            Ok(()) => {
                if failures > 0 {
                    tracing::info!(
                        failed_rounds = failures,
                        "timer: the local store works again"
                    );
                }
                failures = 0;
                last_logged = None;
                until_next(&store)
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                let backoff = Duration::from_secs(1u64 << failures.saturating_sub(1).min(6))
                    .min(MAX_STORE_BACKOFF);
                if last_logged.is_none_or(|t| t.elapsed() >= STORE_FAILURE_LOG_EVERY) {
                    tracing::error!(error = %crate::runtime::error_summary(&err), failed_rounds = failures, retry_in_seconds = backoff.as_secs(), "timer: the local store failed; deliveries wait");
                    last_logged = Some(std::time::Instant::now());
                }
                backoff
            }
        };
        let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
        let now_ms = chrono::Utc::now().timestamp_millis();
        store.timer_looks_next(Some(now_ms.saturating_add(wait_ms)));
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = store.changed(), if failures == 0 => {}
            _ = stop.changed() => {}
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
        }
    }
    while in_flight.join_next().await.is_some() {}
}

/// How long to sleep until the next schedule can be delivered (at most 1 s, so a clock
/// jump is noticed).
fn until_next(store: &SqliteStore) -> Duration {
    match store.next_fire_at() {
        Ok(Some(next)) => {
            let now_ms = chrono::Utc::now().timestamp_millis();
            let until = next.saturating_mul(1000).saturating_sub(now_ms);
            Duration::from_millis(u64::try_from(until.clamp(0, 1000)).unwrap_or(1000))
        }
        _ => Duration::from_secs(1),
    }
}

/// Starts a delivery, under a lease, for each schedule due now while fewer than
/// [`MAX_CONCURRENT_DELIVERIES`] are in flight, skipping platforms on hold.
///
/// A delivery starts only once its lease is committed, so a store that cannot commit (a
/// full disk) makes deliveries wait instead of publishing what it cannot record.
///
/// # Errors
/// When the store cannot be read, or a lease cannot be written or committed.
async fn start_due(
    runtime: &Runtime,
    store: &Arc<SqliteStore>,
    policy: RetryPolicy,
    in_flight: &mut JoinSet<()>,
    holds: &Arc<Holds>,
) -> anyhow::Result<()> {
    let free = MAX_CONCURRENT_DELIVERIES.saturating_sub(in_flight.len());
    if free == 0 {
        return Ok(());
    }
    let now = chrono::Utc::now().timestamp();
    let mark = store.commit_mark();
    let mut leased = Vec::new();
    // Held platforms' schedules stay due: read a few more than there is room for.
    for due in store.due(now, free * 4)? {
        if in_flight.len() + leased.len() >= MAX_CONCURRENT_DELIVERIES {
            break;
        }
        let platform = platform_of(&due.input);
        if holds.held(&platform, now) {
            continue;
        }
        let delivery = policy.delivery(due.due_at, due.attempts, now);
        if store.lease(&due, now, now + LEASE_SECONDS, delivery.attempt)? {
            leased.push((due, delivery, platform));
        }
    }
    if leased.is_empty() {
        return Ok(());
    }
    store
        .durable_since(mark)
        .await
        .map_err(anyhow::Error::msg)?;
    for (due, delivery, platform) in leased {
        in_flight.spawn(deliver::deliver(
            runtime.clone(),
            store.clone(),
            policy,
            due,
            delivery,
            deliver::Hold {
                holds: holds.clone(),
                platform,
            },
        ));
    }
    Ok(())
}
