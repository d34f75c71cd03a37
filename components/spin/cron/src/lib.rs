//! Spin glue component: the main component of the cron trigger's composed app
//! (`[[trigger.cron]]` in spin.toml, every 2 seconds). Each tick delivers every due
//! schedule to the nested sender component (`sps:social/sending`) with the delivery policy
//! of `sps serve` (`sps_local::delivery`: attempts, backoff, the hour's limit, the
//! dead-letter queue), reading and writing Spin's SQLite database through
//! `sps_spin_store`. No sending rule lives here.
//!
//! A due schedule is leased before it is delivered, so an overlapping tick never delivers
//! it twice at once; the lease also counts the delivery. A delivery that ends without an
//! outcome (the sender trapped, or the trigger stopped) is delivered again when the lease
//! expires, and one that already used every attempt is dead-lettered.
//!
//! The glue is built for wasm32-wasip2 only; natively the crate is empty.

#[cfg(target_arch = "wasm32")]
mod glue {
    wit_bindgen::generate!({
        path: ["../../../wit", "../wit"],
        world: "sps:spin/cron-glue",
        generate_all,
    });

    use sps::social::sending;
    use sps_local::delivery::{Action, Outcome, RetryPolicy};
    use sps_spin_store::{Due, Store};

    /// Due schedules delivered per tick at most; the rest wait for the next tick.
    const BATCH: u32 = 100;

    /// How long a delivery holds its lease, seconds: longer than any platform call should
    /// take, short enough that a delivery lost to a trap is retried within the hour.
    const LEASE_SECONDS: i64 = 300;

    struct Component;

    impl Guest for Component {
        fn handle_cron_event(_metadata: Metadata) -> Result<(), Error> {
            let store =
                Store::shared().map_err(|m| Error::Other(format!("Spin SQLite store: {m}")))?;
            let policy = RetryPolicy::default();
            let now = sps_spin_store::now();
            let due = store
                .due(now, BATCH)
                .map_err(|m| Error::Other(format!("cannot read due schedules: {m}")))?;
            for schedule in due {
                if let Err(m) = deliver(&store, policy, &schedule, now) {
                    eprintln!("schedule {}: the store failed: {m}", schedule.name);
                }
            }
            Ok(())
        }
    }

    /// Delivers one due schedule, unless another tick holds its lease.
    fn deliver(store: &Store, policy: RetryPolicy, due: &Due, now: i64) -> Result<(), String> {
        if due.attempts >= policy.max_attempts {
            let error = "the final delivery ended without an outcome (the sender component trapped or the trigger stopped)";
            eprintln!("schedule {}: dead-lettered: {error}", due.name);
            report_undelivered(due, error);
            return store.dead_letter(due, due.attempts, error);
        }
        let delivery = policy.delivery(due.due_at, due.attempts, now);
        if !store.lease(due, now, now + LEASE_SECONDS, delivery.attempt)? {
            return Ok(());
        }
        eprintln!(
            "schedule {}: delivering (attempt {}, final {})",
            due.name, delivery.attempt, delivery.final_attempt
        );
        let result = sending::send_post(
            &due.input,
            sending::Delivery {
                attempt: delivery.attempt,
                final_attempt: delivery.final_attempt,
                due_at: u64::try_from(due.due_at).ok(),
            },
        );
        let outcome = match result {
            Ok(sending::Delivered::Sent(sent)) => {
                eprintln!("schedule {}: post sent as {}", due.name, sent.post_id);
                Outcome::Sent
            }
            Ok(sending::Delivered::Measured(m)) => {
                eprintln!("schedule {}: metrics reading: {}", due.name, m.outcome);
                Outcome::Sent
            }
            Err(sending::SendFailure::Failed(report)) => {
                eprintln!("schedule {}: post failed: {}", due.name, report.code);
                Outcome::Failed
            }
            Err(sending::SendFailure::RetryLater(hint)) => Outcome::RetryLater {
                retry_at: hint.retry_at,
                code: hint.code,
                message: hint.message,
            },
        };
        match policy.after(due.due_at, delivery, sps_spin_store::now(), &outcome) {
            Action::Complete => store.complete(due),
            Action::RetryAt(next) => {
                let why = match &outcome {
                    Outcome::RetryLater { code, message, .. } => format!("{code}: {message}"),
                    _ => String::new(),
                };
                eprintln!(
                    "schedule {}: will be retried at {} ({why})",
                    due.name,
                    sps_local::records::rfc3339(next)
                );
                store.retry_at(due, delivery.attempt, next)
            }
            Action::DeadLetter(error) => {
                eprintln!("schedule {}: dead-lettered: {error}", due.name);
                report_undelivered(due, &error);
                store.dead_letter(due, delivery.attempt, &error)
            }
        }
    }

    /// Reports a dead-lettered delivery with `Social Post Failed` (`delivery-failed`)
    /// through the sender, as `sps serve` does; a failure is logged.
    fn report_undelivered(due: &Due, error: &str) {
        let message = sps_local::delivery::undelivered_message(error);
        if let Err(why) =
            sending::report_undelivered(&due.input, sps_local::delivery::UNDELIVERED_CODE, &message)
        {
            eprintln!(
                "schedule {}: the dead letter could not be reported: {why}",
                due.name
            );
        }
    }

    export!(Component);
}
