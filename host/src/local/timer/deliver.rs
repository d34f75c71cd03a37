//! One delivery of a due schedule: run the sender, then complete, retry or dead-letter the
//! schedule as the shared delivery policy says (`sps_local::delivery`).

use std::sync::Arc;

use sps_local::delivery::{Action, Delivery as Made, Outcome, RetryPolicy};

use super::Holds;
use crate::bindings::sending::{Delivered, Delivery, SendFailure};
use crate::local::store::{DueSchedule, SqliteStore};
use crate::runtime::Runtime;

/// Where a 429's reset time puts the schedule's platform on hold.
pub(super) struct Hold {
    pub(super) holds: Arc<Holds>,
    pub(super) platform: String,
}

/// Makes `delivery` of `due` (leased by the caller) and records what follows. A store that
/// fails here is logged: the lease runs out and the schedule is delivered again.
pub(super) async fn deliver(
    runtime: Runtime,
    store: Arc<SqliteStore>,
    policy: RetryPolicy,
    due: DueSchedule,
    delivery: Made,
    hold: Hold,
) {
    if let Err(err) = deliver_once(&runtime, &store, policy, &due, delivery, &hold).await {
        tracing::error!(schedule = %due.name, error = %crate::runtime::error_summary(&err), "the outcome of a delivery could not be recorded; it is delivered again when its lease ends");
    }
}

async fn deliver_once(
    runtime: &Runtime,
    store: &SqliteStore,
    policy: RetryPolicy,
    due: &DueSchedule,
    delivery: Made,
    hold: &Hold,
) -> anyhow::Result<()> {
    let attempt = delivery.attempt;
    let final_attempt = delivery.final_attempt;
    tracing::info!(schedule = %due.name, attempt, final_attempt, "delivering schedule");
    let sending = Delivery {
        attempt,
        final_attempt,
        due_at: u64::try_from(due.due_at).ok(),
    };
    let outcome = match runtime.send_post(&due.input, sending).await {
        Ok(Ok(Delivered::Sent(sent))) => {
            tracing::info!(schedule = %due.name, post_id = %sent.post_id, "post sent");
            Outcome::Sent
        }
        Ok(Ok(Delivered::Measured(m))) => {
            tracing::info!(schedule = %due.name, reference = %m.reference_number, outcome = %m.outcome, "metrics reading ended");
            Outcome::Sent
        }
        Ok(Err(SendFailure::Failed(report))) => {
            tracing::warn!(schedule = %due.name, reason = %report.code, "post failed: {}", report.message);
            Outcome::Failed
        }
        Ok(Err(SendFailure::RetryLater(hint))) => {
            if let (Some(until), "rate-limited") = (hint.retry_at, hint.code.as_str()) {
                hold.holds
                    .hold(&hold.platform, i64::try_from(until).unwrap_or(i64::MAX));
                tracing::warn!(platform = %hold.platform, until = %sps_contract::time::describe(until), "platform rate-limited: its deliveries wait until the reset");
            }
            Outcome::RetryLater {
                retry_at: hint.retry_at,
                code: hint.code,
                message: hint.message,
            }
        }
        Err(err) => {
            tracing::debug!(schedule = %due.name, error = %format!("{err:?}"), "sender component failure in full");
            Outcome::Crashed(crate::runtime::error_summary(&err))
        }
    };
    let now = chrono::Utc::now().timestamp();
    match policy.after(due.due_at, delivery, now, &outcome) {
        Action::Complete => store.complete(&due.name, due.version),
        Action::RetryAt(next) => {
            if let Outcome::RetryLater { code, message, .. } = &outcome {
                tracing::warn!(schedule = %due.name, reason = %code, next = %sps_local::records::rfc3339(next), "delivery will be retried: {}", message);
            } else if let Outcome::Crashed(error) = &outcome {
                tracing::error!(schedule = %due.name, next = %sps_local::records::rfc3339(next), error = %error, "delivery failed; will be retried");
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
            tracing::error!(schedule = %due.name, error = %crate::runtime::error_summary(&err), "the dead letter could not be reported");
        }
    }
}
