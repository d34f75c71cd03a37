//! The local timer: delivers each due schedule to the sender component, at the moment
//! the store chose inside its flexible time window, and applies a retry policy modelled
//! on EventBridge Scheduler's (`RetryPolicy`: maximum attempts and maximum event age;
//! a failed final delivery goes to the dead-letter queue).

use std::sync::Arc;
use std::time::Duration;

use sps_local::delivery::{Action, Outcome};

use crate::bindings::sending::{Delivery, SendFailure};
use crate::local::store::{DueSchedule, SqliteStore};
use crate::runtime::Runtime;

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

/// Delivers due schedules until `stop` turns true; then returns after the delivery in
/// flight, if any, has finished and recorded its outcome (no new delivery starts).
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
    while !*stop.borrow() {
        let wait = match deliver_due(&runtime, &store, policy, &stop).await {
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
                    tracing::error!(error = %format!("{err:#}"), failed_rounds = failures, retry_in_seconds = backoff.as_secs(), "timer: the local store failed; deliveries wait");
                    last_logged = Some(std::time::Instant::now());
                }
                backoff
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = store.changed(), if failures == 0 => {}
            _ = stop.changed() => {}
        }
    }
}

/// How long to sleep until the next schedule is due (at most 1 s, so a clock jump is
/// noticed).
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

/// Delivers every schedule due now, one after another, until `stop` turns true.
///
/// # Errors
/// When the store cannot be read or written.
pub async fn deliver_due(
    runtime: &Runtime,
    store: &SqliteStore,
    policy: RetryPolicy,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp();
    for due in store.due(now)? {
        if *stop.borrow() {
            break;
        }
        deliver(runtime, store, policy, &due).await?;
    }
    Ok(())
}

async fn deliver(
    runtime: &Runtime,
    store: &SqliteStore,
    policy: RetryPolicy,
    due: &DueSchedule,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp();
    let delivery = policy.delivery(due.due_at, due.attempts, now);
    let attempt = delivery.attempt;
    let final_attempt = delivery.final_attempt;
    tracing::info!(schedule = %due.name, attempt, final_attempt, "delivering schedule");
    let sending = Delivery {
        attempt,
        final_attempt,
        due_at: u64::try_from(due.due_at).ok(),
    };
    let outcome = match runtime.send_post(&due.input, sending).await {
        Ok(Ok(sent)) => {
            tracing::info!(schedule = %due.name, post_id = %sent.post_id, "post sent");
            Outcome::Sent
        }
        Ok(Err(SendFailure::Failed(report))) => {
            tracing::warn!(schedule = %due.name, reason = %report.code, "post failed: {}", report.message);
            Outcome::Failed
        }
        Ok(Err(SendFailure::RetryLater(hint))) => Outcome::RetryLater {
            retry_at: hint.retry_at,
            code: hint.code,
            message: hint.message,
        },
        Err(err) => {
            tracing::debug!(schedule = %due.name, error = %format!("{err:?}"), "sender component failure in full");
            Outcome::Crashed(crate::runtime::error_summary(&err))
        }
    };
    match policy.after(due.due_at, delivery, now, &outcome) {
        Action::Complete => store.complete(&due.name, due.version),
        Action::RetryAt(next) => {
            if let Outcome::RetryLater { code, message, .. } = &outcome {
                tracing::warn!(schedule = %due.name, reason = %code, next, "delivery will be retried: {}", message);
            } else if let Outcome::Crashed(error) = &outcome {
                tracing::error!(schedule = %due.name, next, error = %error, "delivery failed; will be retried");
            }
            store.retry_at(&due.name, due.version, attempt, next)
        }
        Action::DeadLetter(error) => {
            if matches!(outcome, Outcome::RetryLater { .. }) {
                tracing::error!(schedule = %due.name, "final delivery failed unreported; dead-lettered: {error}");
            } else {
                tracing::error!(schedule = %due.name, "final delivery failed; dead-lettered: {error}");
            }
            report_undelivered(runtime, due, &error).await;
            store.dead_letter(due, attempt, &error)
        }
    }
}

/// Reports a dead-lettered delivery with `Social Post Failed` (`delivery-failed`) through
/// the sender's `report-undelivered`, so no accepted post ends without an outcome event.
/// A failure is logged: the dead letter still records the delivery.
async fn report_undelivered(runtime: &Runtime, due: &DueSchedule, error: &str) {
    let message = sps_local::delivery::undelivered_message(error);
    match runtime
        .report_undelivered(&due.input, sps_local::delivery::UNDELIVERED_CODE, &message)
        .await
    {
        Ok(Ok(_)) => {}
        Ok(Err(why)) => {
            tracing::error!(schedule = %due.name, "the dead letter could not be reported: {why}");
        }
        Err(err) => {
            tracing::error!(schedule = %due.name, error = %format!("{err:#}"), "the dead letter could not be reported");
        }
    }
}
