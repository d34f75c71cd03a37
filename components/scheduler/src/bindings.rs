//! The component glue (wasm32 only): implements [`Capabilities`] with the `scheduler` world's
//! imports and exports `sps:social/scheduling@0.2.0`. No rules live here.

wit_bindgen::generate!({
    path: "../../wit",
    world: "sps:social/scheduler",
    with: {
        "sps:social/events@0.2.0/event-error": sps_contract::events::EventError,
    },
    generate_all,
});

use chrono::{DateTime, Utc};
use exports::sps::social::scheduling;
use sps::social::{events, platforms, schedules};
use wasi::config::store;

use crate::{Capabilities, EventError, MessageError, Schedule, ScheduleError};

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

    fn create_schedule(&mut self, schedule: &Schedule) -> Result<(), ScheduleError> {
        schedules::create(&to_wit(schedule)).map_err(schedule_error)
    }

    fn update_schedule(&mut self, schedule: &Schedule) -> Result<(), ScheduleError> {
        schedules::update(&to_wit(schedule)).map_err(schedule_error)
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
            }),
            Err(crate::ScheduleFailure::Rejected(r)) => Err(scheduling::ScheduleFailure::Rejected(
                scheduling::Rejection {
                    code: r.code,
                    message: r.message,
                    reference_number: r.reference_number,
                },
            )),
            Err(crate::ScheduleFailure::Retryable(m)) => {
                Err(scheduling::ScheduleFailure::Retryable(m))
            }
        }
    }
}

export!(Component);
