//! The local timer: delivers each due schedule to the sender component, at the moment
//! the store chose inside its flexible time window, and applies a retry policy modelled
//! on EventBridge Scheduler's (`RetryPolicy`: maximum attempts and maximum event age;
//! a failed final delivery goes to the dead-letter queue).

use std::sync::Arc;
use std::time::Duration;

use crate::bindings::sending::{Delivery, SendFailure};
use crate::local::store::{DueSchedule, SqliteStore};
use crate::runtime::Runtime;

/// How deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Deliveries of one schedule at most, the first included.
    pub max_attempts: u32,
    /// No delivery starts later than this many seconds after the scheduled time; the
    /// delivery that would pass it is the final one.
    pub max_event_age_seconds: i64,
    /// Wait before the first retry, seconds; doubled for each further retry.
    pub base_backoff_seconds: i64,
    /// Longest wait between two deliveries, seconds.
    pub max_backoff_seconds: i64,
}

impl Default for RetryPolicy {
    /// 5 deliveries within 1 hour, backing off 30 s, 60 s, 120 s, 240 s.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            max_event_age_seconds: 3600,
            base_backoff_seconds: 30,
            max_backoff_seconds: 600,
        }
    }
}

impl RetryPolicy {
    /// The delivery that is about to be made for `due` at `now` (Unix seconds).
    pub fn delivery(&self, due: &DueSchedule, now: i64) -> Delivery {
        let attempt = due.attempts.saturating_add(1);
        let final_attempt =
            attempt >= self.max_attempts || now >= due.at + self.max_event_age_seconds;
        Delivery {
            attempt,
            final_attempt,
        }
    }

    /// When to deliver again after delivery `attempt` failed at `now`: the backoff, or
    /// `retry_at` (Unix seconds) when later, but never past the maximum event age.
    pub fn next_delivery(
        &self,
        due: &DueSchedule,
        attempt: u32,
        now: i64,
        retry_at: Option<u64>,
    ) -> i64 {
        let exponent = attempt.saturating_sub(1).min(20);
        let backoff = self
            .base_backoff_seconds
            .saturating_mul(1_i64 << exponent)
            .min(self.max_backoff_seconds);
        let hinted = retry_at.and_then(|t| i64::try_from(t).ok()).unwrap_or(0);
        (now + backoff)
            .max(hinted)
            .min(due.at + self.max_event_age_seconds)
    }
}

/// Delivers due schedules until the process ends.
pub async fn run(runtime: Runtime, store: Arc<SqliteStore>, policy: RetryPolicy) {
    loop {
        if let Err(err) = deliver_due(&runtime, &store, policy).await {
            tracing::error!(error = %format!("{err:#}"), "timer: cannot read due schedules; retrying");
        }
        let wait = match store.next_fire_at() {
            Ok(Some(next)) => {
                let now_ms = chrono::Utc::now().timestamp_millis();
                let until = next.saturating_mul(1000).saturating_sub(now_ms);
                Duration::from_millis(u64::try_from(until.clamp(0, 1000)).unwrap_or(1000))
            }
            _ => Duration::from_secs(1),
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = store.changed() => {}
        }
    }
}

/// Delivers every schedule due now, one after another.
///
/// # Errors
/// When the store cannot be read or written.
pub async fn deliver_due(
    runtime: &Runtime,
    store: &SqliteStore,
    policy: RetryPolicy,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp();
    for due in store.due(now)? {
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
    let delivery = policy.delivery(due, now);
    let attempt = delivery.attempt;
    let final_attempt = delivery.final_attempt;
    tracing::info!(schedule = %due.name, attempt, final_attempt, "delivering schedule");
    match runtime.send_post(&due.input, delivery).await {
        Ok(Ok(sent)) => {
            tracing::info!(schedule = %due.name, post_id = %sent.post_id, "post sent");
            store.complete(&due.name, due.version)
        }
        Ok(Err(SendFailure::Failed(report))) => {
            tracing::warn!(schedule = %due.name, reason = %report.code, "post failed: {}", report.message);
            store.complete(&due.name, due.version)
        }
        Ok(Err(SendFailure::RetryLater(hint))) if !final_attempt => {
            let next = policy.next_delivery(due, attempt, now, hint.retry_at);
            tracing::warn!(schedule = %due.name, reason = %hint.code, next, "delivery will be retried: {}", hint.message);
            store.retry_at(&due.name, due.version, attempt, next)
        }
        Ok(Err(SendFailure::RetryLater(hint))) => {
            let error = format!("{}: {}", hint.code, hint.message);
            tracing::error!(schedule = %due.name, "final delivery failed unreported; dead-lettered: {error}");
            store.dead_letter(due, attempt, &error)
        }
        Err(err) if !final_attempt => {
            let next = policy.next_delivery(due, attempt, now, None);
            tracing::error!(schedule = %due.name, next, error = %format!("{err:#}"), "delivery failed; will be retried");
            store.retry_at(&due.name, due.version, attempt, next)
        }
        Err(err) => {
            let error = format!("{err:#}");
            tracing::error!(schedule = %due.name, "final delivery failed; dead-lettered: {error}");
            store.dead_letter(due, attempt, &error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(at: i64, attempts: u32) -> DueSchedule {
        DueSchedule {
            name: "n".into(),
            input: "{}".into(),
            at,
            attempts,
            version: 1,
        }
    }

    #[test]
    fn counts_attempts_and_marks_the_final_one() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delivery(&due(1000, 0), 1000),
            Delivery {
                attempt: 1,
                final_attempt: false
            }
        );
        assert_eq!(
            p.delivery(&due(1000, 3), 1500),
            Delivery {
                attempt: 4,
                final_attempt: false
            }
        );
        assert_eq!(
            p.delivery(&due(1000, 4), 1500),
            Delivery {
                attempt: 5,
                final_attempt: true
            }
        );
        assert_eq!(
            p.delivery(&due(1000, 1), 4599),
            Delivery {
                attempt: 2,
                final_attempt: false
            }
        );
        assert_eq!(
            p.delivery(&due(1000, 1), 4600),
            Delivery {
                attempt: 2,
                final_attempt: true
            }
        );
    }

    #[test]
    fn backs_off_exponentially_honours_retry_at_and_stops_at_the_maximum_age() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_delivery(&due(0, 0), 1, 100, None), 130);
        assert_eq!(p.next_delivery(&due(0, 1), 2, 100, None), 160);
        assert_eq!(p.next_delivery(&due(0, 3), 4, 100, None), 340);
        assert_eq!(p.next_delivery(&due(0, 9), 10, 100, None), 700);
        assert_eq!(p.next_delivery(&due(0, 0), 1, 100, Some(1000)), 1000);
        assert_eq!(p.next_delivery(&due(0, 0), 1, 100, Some(50)), 130);
        assert_eq!(p.next_delivery(&due(0, 0), 1, 3500, Some(99_999)), 3600);
    }
}
