//! The delivery policy of the local runtimes, modelled on EventBridge Scheduler's target
//! `RetryPolicy` (maximum retry attempts, maximum event age) and its dead-letter queue
//! [AWS Scheduler API reference: RetryPolicy, DeadLetterConfig], and on its flexible time
//! window [AWS Scheduler User Guide: "Configuring flexible time windows"].
//!
//! All times are Unix seconds, UTC.

/// How deliveries of one schedule are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Deliveries of one schedule at most, the first included.
    pub max_attempts: u32,
    /// No delivery starts later than this many seconds after the moment the schedule was
    /// due (the one chosen inside its flexible window, as EventBridge Scheduler counts
    /// `MaximumEventAgeInSeconds` from the invocation time the window chose); the delivery
    /// that would pass it is the final one.
    pub max_event_age_seconds: i64,
    /// Wait before the first retry, seconds; doubled for each further retry.
    pub base_backoff_seconds: i64,
    /// Longest wait between two deliveries, seconds.
    pub max_backoff_seconds: i64,
}

impl Default for RetryPolicy {
    /// 5 deliveries within 1 hour, backing off 30 s, 60 s, 120 s, 240 s (at most 600 s).
    fn default() -> Self {
        Self {
            max_attempts: 5,
            max_event_age_seconds: 3600,
            base_backoff_seconds: 30,
            max_backoff_seconds: 600,
        }
    }
}

/// Which delivery of a schedule is about to be made (the `sending.delivery` record the
/// sender component receives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// 1 for the first delivery, 2 for the first retry, ...
    pub attempt: u32,
    /// No further delivery follows: a retryable failure must now be reported.
    pub final_attempt: bool,
}

/// How one delivery ended, as the runtime saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The sender published the post (or found it published) and reported it, or ended a
    /// metrics reading.
    Sent,
    /// The sender reported a final failure (`Social Post Failed`).
    Failed,
    /// The sender asks for another delivery, at or after `retry_at` when given; nothing
    /// was reported. `code` and `message` say why.
    RetryLater {
        /// Unix seconds from which a retry may succeed, when the platform said.
        retry_at: Option<u64>,
        /// Reason code.
        code: String,
        /// Human-readable explanation.
        message: String,
    },
    /// The sender component itself failed (trapped, or could not be run): nothing was
    /// reported. The text says why.
    Crashed(String),
}

/// What the runtime does with the schedule after a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Delete the schedule (`ActionAfterCompletion` DELETE): the outcome was reported.
    Complete,
    /// Keep it and deliver again at this Unix time; the delivery counts as made.
    RetryAt(i64),
    /// Move it to the dead-letter queue with this error: the final delivery failed
    /// without any report.
    DeadLetter(String),
}

impl RetryPolicy {
    /// The delivery about to be made at `now` of a schedule that was due at `at` (the
    /// moment chosen inside its window) and was delivered `attempts_before` times already.
    pub fn delivery(&self, at: i64, attempts_before: u32, now: i64) -> Delivery {
        let attempt = attempts_before.saturating_add(1);
        let final_attempt =
            attempt >= self.max_attempts || now >= at.saturating_add(self.max_event_age_seconds);
        Delivery {
            attempt,
            final_attempt,
        }
    }

    /// When to deliver again after delivery `attempt` failed at `now`: the exponential
    /// backoff, or `retry_at` when later, but never past the maximum event age.
    pub fn next_delivery(&self, at: i64, attempt: u32, now: i64, retry_at: Option<u64>) -> i64 {
        let exponent = attempt.saturating_sub(1).min(20);
        let backoff = self
            .base_backoff_seconds
            .saturating_mul(1_i64 << exponent)
            .min(self.max_backoff_seconds);
        let hinted = retry_at.and_then(|t| i64::try_from(t).ok()).unwrap_or(0);
        now.saturating_add(backoff)
            .max(hinted)
            .min(at.saturating_add(self.max_event_age_seconds))
    }

    /// What to do with a schedule (due at `at`) after `delivery`, made at `now`, ended in
    /// `outcome`. A failure that was not reported is retried unless the delivery was the
    /// final one; then it is dead-lettered with `"{code}: {message}"` (or the crash's text).
    pub fn after(&self, at: i64, delivery: Delivery, now: i64, outcome: &Outcome) -> Action {
        match outcome {
            Outcome::Sent | Outcome::Failed => Action::Complete,
            Outcome::RetryLater { retry_at, .. } if !delivery.final_attempt => {
                Action::RetryAt(self.next_delivery(at, delivery.attempt, now, *retry_at))
            }
            Outcome::Crashed(_) if !delivery.final_attempt => {
                Action::RetryAt(self.next_delivery(at, delivery.attempt, now, None))
            }
            Outcome::RetryLater { code, message, .. } => {
                Action::DeadLetter(format!("{code}: {message}"))
            }
            Outcome::Crashed(error) => Action::DeadLetter(error.clone()),
        }
    }
}

/// The reason code a dead-lettered delivery is reported with (`sending.report-undelivered`).
pub const UNDELIVERED_CODE: &str = "delivery-failed";

/// The reason message of a dead-lettered delivery whose last error was `error` (its first
/// line only: a trap's backtrace stays in the dead letter and the log).
pub fn undelivered_message(error: &str) -> String {
    let first_line = error.lines().next().unwrap_or_default();
    format!(
        "the final delivery failed without an outcome ({first_line}); the post may or may not \
         have been published; see GET /dead-letters"
    )
}

/// The moment inside the flexible time window after `at` when the schedule fires:
/// `at + random % (minutes * 60)`, so uniform in `[at, at + minutes * 60)` seconds for a
/// uniformly random `random`; `at` itself when the window is `OFF` (0 minutes).
pub fn fire_at(at: i64, window_minutes: u32, random: u64) -> i64 {
    let window = u64::from(window_minutes) * 60;
    if window == 0 {
        return at;
    }
    at.saturating_add(i64::try_from(random % window).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(attempt: u32, final_attempt: bool) -> Delivery {
        Delivery {
            attempt,
            final_attempt,
        }
    }

    #[test]
    fn counts_attempts_and_marks_the_final_one() {
        let p = RetryPolicy::default();
        assert_eq!(p.delivery(1000, 0, 1000), d(1, false));
        assert_eq!(p.delivery(1000, 3, 1500), d(4, false));
        assert_eq!(p.delivery(1000, 4, 1500), d(5, true));
        assert_eq!(p.delivery(1000, 1, 4599), d(2, false));
        assert_eq!(p.delivery(1000, 1, 4600), d(2, true));
    }

    #[test]
    fn backs_off_exponentially_honours_retry_at_and_stops_at_the_maximum_age() {
        let p = RetryPolicy::default();
        assert_eq!(p.next_delivery(0, 1, 100, None), 130);
        assert_eq!(p.next_delivery(0, 2, 100, None), 160);
        assert_eq!(p.next_delivery(0, 4, 100, None), 340);
        assert_eq!(p.next_delivery(0, 10, 100, None), 700);
        assert_eq!(p.next_delivery(0, 1, 100, Some(1000)), 1000);
        assert_eq!(p.next_delivery(0, 1, 100, Some(50)), 130);
        assert_eq!(p.next_delivery(0, 1, 3500, Some(99_999)), 3600);
    }

    #[test]
    fn reported_outcomes_complete_unreported_ones_retry_then_dead_letter() {
        let p = RetryPolicy::default();
        let later = Outcome::RetryLater {
            retry_at: Some(500),
            code: "rate-limited".into(),
            message: "X answered 429".into(),
        };
        let crash = Outcome::Crashed("wasm trap: unreachable".into());
        assert_eq!(
            p.after(0, d(1, false), 100, &Outcome::Sent),
            Action::Complete
        );
        assert_eq!(
            p.after(0, d(5, true), 100, &Outcome::Failed),
            Action::Complete
        );
        assert_eq!(p.after(0, d(1, false), 100, &later), Action::RetryAt(500));
        assert_eq!(p.after(0, d(2, false), 100, &crash), Action::RetryAt(160));
        assert_eq!(
            p.after(0, d(5, true), 100, &later),
            Action::DeadLetter("rate-limited: X answered 429".into())
        );
        assert_eq!(
            p.after(0, d(5, true), 100, &crash),
            Action::DeadLetter("wasm trap: unreachable".into())
        );
    }

    #[test]
    fn undelivered_messages_keep_the_first_line() {
        assert_eq!(
            undelivered_message("wasm trap: unreachable\nwasm backtrace:\n 0: ..."),
            "the final delivery failed without an outcome (wasm trap: unreachable); the post \
             may or may not have been published; see GET /dead-letters"
        );
    }

    #[test]
    fn fire_at_stays_inside_the_window() {
        assert_eq!(fire_at(1000, 0, 12345), 1000);
        assert_eq!(fire_at(1000, 8, 0), 1000);
        assert_eq!(fire_at(1000, 8, 479), 1479);
        assert_eq!(fire_at(1000, 8, 480), 1000);
        assert_eq!(
            fire_at(1000, 1440, u64::MAX),
            1000 + (u64::MAX % 86_400) as i64
        );
    }
}
