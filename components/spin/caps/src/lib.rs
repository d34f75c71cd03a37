//! Spin glue component (world `sps:spin/caps`): exports `sps:social/{schedules,events,
//! ledger,campaigns}` on Spin's SQLite database (campaign plans from the Spin variable
//! `campaigns`) through [`sps_spin_store`]. The scheduler and sender
//! components are plugged into it when the app is composed. No scheduling or sending rule
//! lives here.
//!
//! The glue is built for wasm32-wasip2 only; natively the crate is empty.

#[cfg(target_arch = "wasm32")]
mod glue {
    wit_bindgen::generate!({
        path: ["../../../wit", "../wit"],
        world: "sps:spin/caps",
        generate_all,
    });

    use exports::sps::social::{campaigns, events, ledger, schedules};
    use sps_local::campaigns::StoredBooking;
    use sps_local::records::EventEnvelope;
    use sps_spin_store::{CancelOutcome, Claim, Part, ScheduleFailure, Store, StoredSchedule};

    struct Component;

    fn schedule_error(e: ScheduleFailure) -> schedules::ScheduleError {
        match e {
            ScheduleFailure::NotFound => schedules::ScheduleError::NotFound,
            ScheduleFailure::Conflict => schedules::ScheduleError::Conflict,
            ScheduleFailure::Invalid(m) => schedules::ScheduleError::Invalid(m),
            ScheduleFailure::Unavailable(m) => {
                schedules::ScheduleError::Unavailable(format!("Spin SQLite store: {m}"))
            }
        }
    }

    fn open_for_schedules() -> Result<std::rc::Rc<Store>, schedules::ScheduleError> {
        Store::shared().map_err(|m| schedule_error(ScheduleFailure::Unavailable(m)))
    }

    fn stored(s: schedules::Schedule) -> StoredSchedule {
        StoredSchedule {
            name: s.name,
            at: s.at,
            flexible_window_minutes: s.flexible_window_minutes,
            input: s.input,
        }
    }

    impl schedules::Guest for Component {
        fn create(schedule: schedules::Schedule) -> Result<(), schedules::ScheduleError> {
            open_for_schedules()?
                .create(&stored(schedule))
                .map_err(schedule_error)
        }

        fn update(schedule: schedules::Schedule) -> Result<(), schedules::ScheduleError> {
            open_for_schedules()?
                .update(&stored(schedule))
                .map_err(schedule_error)
        }

        fn get(name: String) -> Result<schedules::Schedule, schedules::ScheduleError> {
            let s = open_for_schedules()?.get(&name).map_err(schedule_error)?;
            Ok(schedules::Schedule {
                name: s.name,
                at: s.at,
                flexible_window_minutes: s.flexible_window_minutes,
                input: s.input,
            })
        }

        fn delete(name: String) -> Result<(), schedules::ScheduleError> {
            open_for_schedules()?.delete(&name).map_err(schedule_error)
        }
    }

    impl events::Guest for Component {
        fn publish(
            detail_type: String,
            source: String,
            detail: String,
        ) -> Result<(), events::EventError> {
            let event = EventEnvelope::new(&detail_type, &source, &detail)
                .map_err(events::EventError::Invalid)?;
            let unavailable =
                |m: String| events::EventError::Unavailable(format!("Spin SQLite store: {m}"));
            Store::shared()
                .map_err(unavailable)?
                .publish(&event)
                .map_err(unavailable)
        }
    }

    fn ledger_unavailable(m: String) -> ledger::LedgerError {
        ledger::LedgerError::Unavailable(format!("Spin SQLite store: {m}"))
    }

    fn published(parts: Vec<Part>) -> Vec<ledger::PublishedPart> {
        parts
            .into_iter()
            .map(|p| ledger::PublishedPart {
                id: p.id,
                url: p.url,
                reply_ref: p.reply_ref,
            })
            .collect()
    }

    impl ledger::Guest for Component {
        fn claim(key: String) -> Result<ledger::Entry, ledger::LedgerError> {
            let claim = Store::shared()
                .map_err(ledger_unavailable)?
                .claim(&key)
                .map_err(ledger_unavailable)?;
            Ok(match claim {
                Claim::Claimed(parts) => ledger::Entry::Claimed(published(parts)),
                Claim::InFlight { claimed_at, parts } => {
                    ledger::Entry::InFlight(ledger::InFlightClaim {
                        claimed_at,
                        parts: published(parts),
                    })
                }
                Claim::Sent(parts) => ledger::Entry::Sent(published(parts)),
                Claim::Cancelled => ledger::Entry::Cancelled,
            })
        }

        fn record_part(
            key: String,
            index: u32,
            part: ledger::PublishedPart,
        ) -> Result<(), ledger::LedgerError> {
            let part = Part {
                id: part.id,
                url: part.url,
                reply_ref: part.reply_ref,
            };
            Store::shared()
                .map_err(ledger_unavailable)?
                .record_part(&key, index, &part)
                .map_err(ledger_unavailable)
        }

        fn record_sent(key: String) -> Result<(), ledger::LedgerError> {
            Store::shared()
                .map_err(ledger_unavailable)?
                .record_sent(&key)
                .map_err(ledger_unavailable)
        }

        fn release(key: String) -> Result<(), ledger::LedgerError> {
            Store::shared()
                .map_err(ledger_unavailable)?
                .release(&key)
                .map_err(ledger_unavailable)
        }

        fn cancel(key: String) -> Result<ledger::CancelOutcome, ledger::LedgerError> {
            let outcome = Store::shared()
                .map_err(ledger_unavailable)?
                .cancel(&key)
                .map_err(ledger_unavailable)?;
            Ok(match outcome {
                CancelOutcome::Cancelled => ledger::CancelOutcome::Cancelled,
                CancelOutcome::AlreadyCancelled => ledger::CancelOutcome::AlreadyCancelled,
                CancelOutcome::InFlight { claimed_at, parts } => {
                    ledger::CancelOutcome::InFlight(ledger::InFlightClaim {
                        claimed_at,
                        parts: published(parts),
                    })
                }
                CancelOutcome::Sent(parts) => ledger::CancelOutcome::Sent(published(parts)),
            })
        }

        fn note_scheduled(name: String, key: String) -> Result<(), ledger::LedgerError> {
            Store::shared()
                .map_err(ledger_unavailable)?
                .note_scheduled(&name, &key)
                .map_err(ledger_unavailable)
        }

        fn scheduled_key(name: String) -> Result<Option<String>, ledger::LedgerError> {
            Store::shared()
                .map_err(ledger_unavailable)?
                .scheduled_key(&name)
                .map_err(ledger_unavailable)
        }

        fn sent_parts(
            key: String,
        ) -> Result<Option<Vec<ledger::PublishedPart>>, ledger::LedgerError> {
            Ok(Store::shared()
                .map_err(ledger_unavailable)?
                .sent_parts(&key)
                .map_err(ledger_unavailable)?
                .map(published))
        }
    }

    fn campaigns_unavailable(m: String) -> campaigns::CampaignError {
        campaigns::CampaignError::Unavailable(format!("Spin campaigns: {m}"))
    }

    impl campaigns::Guest for Component {
        fn plan(name: String) -> Result<Option<String>, campaigns::CampaignError> {
            let plans = sps_spin_store::campaigns::plans().map_err(campaigns_unavailable)?;
            Ok(plans.get(&name).map(ToString::to_string))
        }

        fn bookings(
            campaign: String,
            platform: String,
        ) -> Result<campaigns::BookingList, campaigns::CampaignError> {
            let (version, booked) = Store::shared()
                .map_err(campaigns_unavailable)?
                .bookings(&campaign, &platform)
                .map_err(campaigns_unavailable)?;
            Ok(campaigns::BookingList {
                version,
                booked: booked
                    .into_iter()
                    .map(|b| campaigns::Booking {
                        reference: b.reference,
                        at: b.at,
                    })
                    .collect(),
            })
        }

        fn replace_bookings(
            campaign: String,
            platform: String,
            expected: u64,
            booked: Vec<campaigns::Booking>,
        ) -> Result<bool, campaigns::CampaignError> {
            let booked: Vec<StoredBooking> = booked
                .into_iter()
                .map(|b| StoredBooking {
                    reference: b.reference,
                    at: b.at,
                })
                .collect();
            Store::shared()
                .map_err(campaigns_unavailable)?
                .replace_bookings(&campaign, &platform, expected, &booked)
                .map_err(campaigns_unavailable)
        }

        fn scores(
            campaign: String,
            platform: String,
        ) -> Result<Vec<campaigns::Score>, campaigns::CampaignError> {
            let scores = Store::shared()
                .map_err(campaigns_unavailable)?
                .scores(&campaign, &platform)
                .map_err(campaigns_unavailable)?;
            Ok(scores
                .into_iter()
                .map(|(reference, bucket, score)| campaigns::Score {
                    reference,
                    bucket,
                    score,
                })
                .collect())
        }

        fn record_score(
            campaign: String,
            platform: String,
            score: campaigns::Score,
        ) -> Result<(), campaigns::CampaignError> {
            sps_local::campaigns::check_score(score.bucket, score.score)
                .map_err(campaigns::CampaignError::Invalid)?;
            Store::shared()
                .map_err(campaigns_unavailable)?
                .record_score(
                    &campaign,
                    &platform,
                    &score.reference,
                    score.bucket,
                    score.score,
                )
                .map_err(campaigns_unavailable)
        }
    }

    export!(Component);
}
