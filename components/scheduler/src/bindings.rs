//! The component glue (wasm32 only): implements [`Capabilities`] with the `scheduler` world's
//! imports (`platforms`, `schedules`, `events`, `ledger`, `wasi:config/store`) and exports
//! `sps:social/scheduling@0.3.0`. No rules live here.

wit_bindgen::generate!({
    path: "../../wit",
    world: "sps:social/scheduler",
    with: {
        "sps:social/events@0.3.0/event-error": sps_contract::events::EventError,
    },
    generate_all,
});

use chrono::{DateTime, Utc};
use exports::sps::social::scheduling;
use sps::social::{campaigns, events, ledger, platforms, schedules};
use wasi::config::store;

use crate::{
    Booking, CancelOutcome, Capabilities, EventError, MessageError, Schedule, ScheduleError,
};

/// The component's implementation of the `scheduling` interface.
struct Component;

/// The capabilities of the running component: its imports.
struct Imports;

fn to_wit(schedule: &Schedule) -> schedules::Schedule {
    schedules::Schedule {
        name: schedule.name.clone(),
        at: schedule.at.clone(),
        flexible_window_minutes: schedule.flexible_window_minutes,
        input: schedule.input.clone(),
    }
}

fn from_wit(schedule: schedules::Schedule) -> Schedule {
    Schedule {
        name: schedule.name,
        at: schedule.at,
        flexible_window_minutes: schedule.flexible_window_minutes,
        input: schedule.input,
    }
}

fn ledger_error(e: ledger::LedgerError) -> String {
    match e {
        ledger::LedgerError::Unavailable(m) => m,
    }
}

fn campaign_error(e: campaigns::CampaignError) -> String {
    match e {
        campaigns::CampaignError::Unavailable(m) | campaigns::CampaignError::Invalid(m) => m,
    }
}

fn schedule_error(e: schedules::ScheduleError) -> ScheduleError {
    match e {
        schedules::ScheduleError::NotFound => ScheduleError::NotFound,
        schedules::ScheduleError::Conflict => ScheduleError::Conflict,
        schedules::ScheduleError::Invalid(m) => ScheduleError::Invalid(m),
        schedules::ScheduleError::Unavailable(m) => ScheduleError::Unavailable(m),
    }
}

impl Capabilities for Imports {
    fn supported_platforms(&mut self) -> Vec<String> {
        platforms::supported()
    }

    fn validate_post(
        &mut self,
        platform: &str,
        parts: &[String],
        account: &str,
    ) -> Result<(), MessageError> {
        let post = sps::social::types::Post {
            parts: parts.to_vec(),
            account: account.to_owned(),
            idempotency_key: String::new(),
        };
        platforms::validate(platform, &post).map_err(|e| MessageError {
            code: e.code,
            message: e.message,
            part: e.part,
        })
    }

    fn part_lengths(
        &mut self,
        platform: &str,
        parts: &[String],
        account: &str,
    ) -> Result<Vec<crate::PartLength>, MessageError> {
        let post = sps::social::types::Post {
            parts: parts.to_vec(),
            account: account.to_owned(),
            idempotency_key: String::new(),
        };
        platforms::lengths(platform, &post)
            .map(|lengths| {
                lengths
                    .into_iter()
                    .map(|l| crate::PartLength {
                        length: l.length,
                        limit: l.limit,
                    })
                    .collect()
            })
            .map_err(|e| MessageError {
                code: e.code,
                message: e.message,
                part: e.part,
            })
    }

    fn create_schedule(&mut self, schedule: &Schedule) -> Result<(), ScheduleError> {
        schedules::create(&to_wit(schedule)).map_err(schedule_error)
    }

    fn update_schedule(&mut self, schedule: &Schedule) -> Result<(), ScheduleError> {
        schedules::update(&to_wit(schedule)).map_err(schedule_error)
    }

    fn get_schedule(&mut self, name: &str) -> Result<Schedule, ScheduleError> {
        schedules::get(name).map(from_wit).map_err(schedule_error)
    }

    fn delete_schedule(&mut self, name: &str) -> Result<(), ScheduleError> {
        schedules::delete(name).map_err(schedule_error)
    }

    fn cancel_key(&mut self, key: &str) -> Result<CancelOutcome, String> {
        ledger::cancel(key)
            .map(|outcome| match outcome {
                ledger::CancelOutcome::Cancelled => CancelOutcome::Cancelled,
                ledger::CancelOutcome::AlreadyCancelled => CancelOutcome::AlreadyCancelled,
                ledger::CancelOutcome::InFlight(claim) => CancelOutcome::InFlight {
                    claimed_at: claim.claimed_at,
                },
                ledger::CancelOutcome::Sent(parts) => {
                    CancelOutcome::Sent(parts.into_iter().map(|p| p.id).collect())
                }
            })
            .map_err(ledger_error)
    }

    fn note_scheduled(&mut self, name: &str, key: &str) -> Result<(), String> {
        ledger::note_scheduled(name, key).map_err(ledger_error)
    }

    fn scheduled_key(&mut self, name: &str) -> Result<Option<String>, String> {
        ledger::scheduled_key(name).map_err(ledger_error)
    }

    fn campaign_plan(&mut self, name: &str) -> Result<Option<String>, String> {
        campaigns::plan(name).map_err(campaign_error)
    }

    fn bookings(&mut self, campaign: &str, platform: &str) -> Result<(u64, Vec<Booking>), String> {
        let list = campaigns::bookings(campaign, platform).map_err(campaign_error)?;
        let booked = list
            .booked
            .into_iter()
            .map(|b| {
                chrono::NaiveDateTime::parse_from_str(&b.at, crate::date::AT_FORMAT)
                    .map(|at| Booking {
                        reference: b.reference,
                        at: at.and_utc(),
                    })
                    .map_err(|e| format!("a stored booking's time {:?} is not one: {e}", b.at))
            })
            .collect::<Result<_, _>>()?;
        Ok((list.version, booked))
    }

    fn replace_bookings(
        &mut self,
        campaign: &str,
        platform: &str,
        expected: u64,
        booked: &[Booking],
    ) -> Result<bool, String> {
        let list: Vec<campaigns::Booking> = booked
            .iter()
            .map(|b| campaigns::Booking {
                reference: b.reference.clone(),
                at: crate::date::format(b.at),
            })
            .collect();
        campaigns::replace_bookings(campaign, platform, expected, &list).map_err(campaign_error)
    }

    fn campaign_scores(
        &mut self,
        campaign: &str,
        platform: &str,
    ) -> Result<Vec<(u8, f64)>, String> {
        Ok(campaigns::scores(campaign, platform)
            .map_err(campaign_error)?
            .into_iter()
            .map(|s| (s.bucket, s.score))
            .collect())
    }

    fn publish_event(
        &mut self,
        detail_type: &str,
        source: &str,
        detail: &str,
    ) -> Result<(), EventError> {
        events::publish(detail_type, source, detail)
    }

    fn setting(&mut self, key: &str) -> Result<Option<String>, String> {
        store::get(key).map_err(|e| match e {
            store::Error::Upstream(m) => format!("config store failed: {m}"),
            store::Error::Io(m) => format!("config store I/O error: {m}"),
        })
    }

    fn now(&mut self) -> DateTime<Utc> {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(since_epoch.as_secs())
            .ok()
            .and_then(|secs| DateTime::from_timestamp(secs, since_epoch.subsec_nanos()))
            .unwrap_or(DateTime::UNIX_EPOCH)
    }

    fn new_uuid(&mut self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

impl scheduling::Guest for Component {
    fn schedule_post(event: String) -> Result<scheduling::Scheduled, scheduling::ScheduleFailure> {
        match crate::schedule_post(&mut Imports, &event) {
            Ok(s) => Ok(scheduling::Scheduled {
                reference_number: s.reference_number,
                schedule_name: s.schedule_name,
                scheduled_date: s.scheduled_date,
                action: match s.action {
                    crate::ScheduleAction::Created => scheduling::ScheduleAction::Created,
                    crate::ScheduleAction::Updated => scheduling::ScheduleAction::Updated,
                },
                campaign: s
                    .campaign
                    .map(|(name, slot)| scheduling::CampaignSlot { name, slot }),
            }),
            Err(failure) => Err(to_wit_failure(failure)),
        }
    }

    fn check_post(event: String) -> scheduling::Check {
        let check = crate::check_post(&mut Imports, &event);
        scheduling::Check {
            rejection: check.rejection.map(|r| scheduling::Rejection {
                code: r.code,
                message: r.message,
                reference_number: None,
            }),
            lengths: check
                .lengths
                .into_iter()
                .map(|l| sps::social::types::PartLength {
                    length: l.length,
                    limit: l.limit,
                })
                .collect(),
        }
    }

    fn cancel_post(event: String) -> Result<scheduling::Cancelled, scheduling::ScheduleFailure> {
        crate::cancel_post(&mut Imports, &event)
            .map(|c| scheduling::Cancelled {
                reference_number: c.reference_number,
                schedule_name: c.schedule_name,
            })
            .map_err(to_wit_failure)
    }
}

fn to_wit_failure(failure: crate::ScheduleFailure) -> scheduling::ScheduleFailure {
    match failure {
        crate::ScheduleFailure::Rejected(r) => {
            scheduling::ScheduleFailure::Rejected(scheduling::Rejection {
                code: r.code,
                message: r.message,
                reference_number: r.reference_number,
            })
        }
        crate::ScheduleFailure::Retryable(m) => scheduling::ScheduleFailure::Retryable(m),
    }
}

export!(Component);
