//! Shared by the scheduler's native tests: an in-memory implementation of `Capabilities` (a
//! schedule store with EventBridge Scheduler semantics, scripted failures, a settable clock
//! and setting, recorded calls), the requests the tests send and the values they expect.

// Each test file uses a part of this module.
#![allow(dead_code)]
// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Value};
use sps_scheduler::{
    Booking, CancelOutcome, Capabilities, EventError, MessageError, PartLength, Rejection,
    Schedule, ScheduleError, ScheduleFailure,
};

/// The fake clock's default, UTC.
pub const NOW: &str = "2026-03-01T12:00:00";
/// The first UUID the fake generates.
pub const UUID1: &str = "00000000-0000-4000-8000-000000000001";

/// One call the flow made.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Supported,
    /// `platforms.validate`: the platform, the parts and the account.
    Validate(String, Vec<String>, String),
    Create(Schedule),
    Update(Schedule),
    Publish(String, String, Value),
    Setting(String),
    Now,
    Uuid,
    Get(String),
    Delete(String),
    /// `ledger.cancel` of a key.
    CancelKey(String),
    /// `ledger.note-scheduled`: the schedule name and the key.
    Note(String, String),
    /// `ledger.scheduled-key` of a schedule name.
    NotedKey(String),
}

/// The fake ledger's state of one key, as far as cancelling is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    Cancelled,
    InFlight(u64),
    Sent(Vec<String>),
}

/// In-memory capabilities: a schedule store with EventBridge Scheduler semantics (create
/// conflicts on an existing name, update is not-found on a missing one), with scripted
/// failures taking precedence, and recorded calls.
pub struct Fake {
    pub supported: Vec<String>,
    pub validation: Option<MessageError>,
    pub store: BTreeMap<String, Schedule>,
    pub create_script: VecDeque<Result<(), ScheduleError>>,
    pub update_script: VecDeque<Result<(), ScheduleError>>,
    pub publish_script: VecDeque<Result<(), EventError>>,
    pub setting: Result<Option<String>, String>,
    pub now: DateTime<Utc>,
    pub uuids: usize,
    pub calls: Vec<Call>,
    /// The send ledger: key -> state (absent: no delivery touched it).
    pub ledger: BTreeMap<String, KeyState>,
    /// The ledger's noted names: schedule name -> key.
    pub noted: BTreeMap<String, String>,
    /// Scripted answers of `ledger.cancel`, before the ledger's own.
    pub cancel_script: VecDeque<Result<CancelOutcome, String>>,
    /// Campaign plans by name (JSON text).
    pub plans: BTreeMap<String, String>,
    /// Campaign bookings by (campaign, platform): version and list.
    pub bookings: BTreeMap<(String, String), (u64, Vec<Booking>)>,
    /// Recorded scores by (campaign, platform): bucket and score.
    pub scores: BTreeMap<(String, String), Vec<(u8, f64)>>,
}

/// The `Validate` call of a single post from the default account.
pub fn validate_call(platform: &str, message: &str) -> Call {
    Call::Validate(
        platform.to_owned(),
        vec![message.to_owned()],
        "default".to_owned(),
    )
}

pub fn utc(text: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .unwrap()
        .and_utc()
}

impl Fake {
    pub fn new() -> Self {
        Fake {
            supported: vec!["twitter".to_owned()],
            validation: None,
            store: BTreeMap::new(),
            create_script: VecDeque::new(),
            update_script: VecDeque::new(),
            publish_script: VecDeque::new(),
            setting: Ok(None),
            now: utc(NOW),
            uuids: 0,
            calls: Vec::new(),
            ledger: BTreeMap::new(),
            noted: BTreeMap::new(),
            cancel_script: VecDeque::new(),
            plans: BTreeMap::new(),
            bookings: BTreeMap::new(),
            scores: BTreeMap::new(),
        }
    }

    pub fn published(&self) -> Vec<(String, String, Value)> {
        self.calls
            .iter()
            .filter_map(|c| match c {
                Call::Publish(t, s, d) => Some((t.clone(), s.clone(), d.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn schedule_calls(&self) -> Vec<Call> {
        self.calls
            .iter()
            .filter(|c| matches!(c, Call::Create(_) | Call::Update(_)))
            .cloned()
            .collect()
    }
}

impl Capabilities for Fake {
    fn supported_platforms(&mut self) -> Vec<String> {
        self.calls.push(Call::Supported);
        self.supported.clone()
    }

    fn validate_post(
        &mut self,
        platform: &str,
        parts: &[String],
        account: &str,
    ) -> Result<(), MessageError> {
        self.calls.push(Call::Validate(
            platform.to_owned(),
            parts.to_vec(),
            account.to_owned(),
        ));
        match &self.validation {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Each part's length in characters against 280, or the scripted validation error
    /// when it names no part (the limits could not be known).
    fn part_lengths(
        &mut self,
        _platform: &str,
        parts: &[String],
        _account: &str,
    ) -> Result<Vec<PartLength>, MessageError> {
        if let Some(e) = self.validation.as_ref().filter(|e| e.part.is_none()) {
            return Err(e.clone());
        }
        Ok(parts
            .iter()
            .map(|p| PartLength {
                length: u32::try_from(p.chars().count()).unwrap(),
                limit: 280,
            })
            .collect())
    }

    fn create_schedule(&mut self, schedule: &Schedule) -> Result<(), ScheduleError> {
        self.calls.push(Call::Create(schedule.clone()));
        if let Some(result) = self.create_script.pop_front() {
            return result;
        }
        if self.store.contains_key(&schedule.name) {
            return Err(ScheduleError::Conflict);
        }
        self.store.insert(schedule.name.clone(), schedule.clone());
        Ok(())
    }

    fn update_schedule(&mut self, schedule: &Schedule) -> Result<(), ScheduleError> {
        self.calls.push(Call::Update(schedule.clone()));
        if let Some(result) = self.update_script.pop_front() {
            return result;
        }
        match self.store.get_mut(&schedule.name) {
            Some(existing) => {
                *existing = schedule.clone();
                Ok(())
            }
            None => Err(ScheduleError::NotFound),
        }
    }

    fn get_schedule(&mut self, name: &str) -> Result<Schedule, ScheduleError> {
        self.calls.push(Call::Get(name.to_owned()));
        self.store.get(name).cloned().ok_or(ScheduleError::NotFound)
    }

    fn delete_schedule(&mut self, name: &str) -> Result<(), ScheduleError> {
        self.calls.push(Call::Delete(name.to_owned()));
        self.store
            .remove(name)
            .map(|_| ())
            .ok_or(ScheduleError::NotFound)
    }

    fn cancel_key(&mut self, key: &str) -> Result<CancelOutcome, String> {
        self.calls.push(Call::CancelKey(key.to_owned()));
        if let Some(result) = self.cancel_script.pop_front() {
            return result;
        }
        Ok(match self.ledger.get(key) {
            None => {
                self.ledger.insert(key.to_owned(), KeyState::Cancelled);
                CancelOutcome::Cancelled
            }
            Some(KeyState::Cancelled) => CancelOutcome::AlreadyCancelled,
            Some(KeyState::InFlight(at)) => CancelOutcome::InFlight { claimed_at: *at },
            Some(KeyState::Sent(ids)) => CancelOutcome::Sent(ids.clone()),
        })
    }

    fn note_scheduled(&mut self, name: &str, key: &str) -> Result<(), String> {
        self.calls.push(Call::Note(name.to_owned(), key.to_owned()));
        self.noted.insert(name.to_owned(), key.to_owned());
        if self.ledger.get(key) == Some(&KeyState::Cancelled) {
            self.ledger.remove(key);
        }
        Ok(())
    }

    fn scheduled_key(&mut self, name: &str) -> Result<Option<String>, String> {
        self.calls.push(Call::NotedKey(name.to_owned()));
        Ok(self.noted.get(name).cloned())
    }

    fn campaign_plan(&mut self, name: &str) -> Result<Option<String>, String> {
        Ok(self.plans.get(name).cloned())
    }

    fn bookings(&mut self, campaign: &str, platform: &str) -> Result<(u64, Vec<Booking>), String> {
        let key = (campaign.to_owned(), platform.to_owned());
        Ok(self.bookings.get(&key).cloned().unwrap_or((0, Vec::new())))
    }

    fn replace_bookings(
        &mut self,
        campaign: &str,
        platform: &str,
        expected: u64,
        booked: &[Booking],
    ) -> Result<bool, String> {
        let key = (campaign.to_owned(), platform.to_owned());
        let version = self.bookings.get(&key).map_or(0, |(v, _)| *v);
        if version != expected {
            return Ok(false);
        }
        self.bookings.insert(key, (version + 1, booked.to_vec()));
        Ok(true)
    }

    fn campaign_scores(
        &mut self,
        campaign: &str,
        platform: &str,
    ) -> Result<Vec<(u8, f64)>, String> {
        let key = (campaign.to_owned(), platform.to_owned());
        Ok(self.scores.get(&key).cloned().unwrap_or_default())
    }

    fn publish_event(
        &mut self,
        detail_type: &str,
        source: &str,
        detail: &str,
    ) -> Result<(), EventError> {
        let parsed: Value = serde_json::from_str(detail).expect("detail is JSON");
        assert!(parsed.is_object(), "detail is an object: {detail}");
        self.calls.push(Call::Publish(
            detail_type.to_owned(),
            source.to_owned(),
            parsed,
        ));
        self.publish_script.pop_front().unwrap_or(Ok(()))
    }

    fn setting(&mut self, key: &str) -> Result<Option<String>, String> {
        self.calls.push(Call::Setting(key.to_owned()));
        self.setting.clone()
    }

    fn now(&mut self) -> DateTime<Utc> {
        self.calls.push(Call::Now);
        self.now
    }

    fn new_uuid(&mut self) -> String {
        self.calls.push(Call::Uuid);
        self.uuids += 1;
        format!("00000000-0000-4000-8000-{:012}", self.uuids)
    }
}

pub fn envelope(detail: Value) -> String {
    json!({"detail-type": "Schedule Social Post", "source": "test", "detail": detail}).to_string()
}

pub fn detail(reference: &str, date: &str) -> Value {
    json!({
        "message": "Hello world!",
        "platform": "twitter",
        "scheduledDate": date,
        "referenceNumber": reference,
    })
}

/// The schedule input, exactly as the contract writes it (key order included).
pub fn input(reference: &str, message: &str, date: &str) -> String {
    let js = |s: &str| serde_json::to_string(s).unwrap();
    format!(
        r#"{{"referenceNumber":{},"message":{},"platform":"twitter","scheduledDate":{}}}"#,
        js(reference),
        js(message),
        js(date)
    )
}

pub fn schedule(name: &str, at: &str, window: u32, input: String) -> Schedule {
    Schedule {
        name: name.to_owned(),
        at: at.to_owned(),
        flexible_window_minutes: window,
        input,
    }
}

pub fn scheduled_event(reference: &str, date: &str) -> (String, String, Value) {
    (
        "Post Scheduled".to_owned(),
        "SocialPostScheduler".to_owned(),
        json!({"referenceNumber": reference, "scheduledDate": date}),
    )
}

pub fn failed_event(reference: &str, code: &str, message: &str) -> (String, String, Value) {
    (
        "Social Post Failed".to_owned(),
        "SocialPostSender".to_owned(),
        json!({
            "referenceNumber": reference,
            "reason": code,
            "reasonMessage": message,
            "retryable": false,
            "stage": "scheduling",
        }),
    )
}

pub fn rejected(code: &str, message: &str, reference: Option<&str>) -> ScheduleFailure {
    ScheduleFailure::Rejected(Rejection {
        code: code.to_owned(),
        message: message.to_owned(),
        reference_number: reference.map(str::to_owned),
    })
}

pub fn publish(event: (String, String, Value)) -> Call {
    Call::Publish(event.0, event.1, event.2)
}

/// Asserts `event` is rejected with `code` and `message` under `reference`: the answer, the
/// one `Social Post Failed` event, and no schedule call.
pub fn assert_rejected(fake: &mut Fake, event: &str, reference: &str, code: &str, message: &str) {
    let result = sps_scheduler::schedule_post(fake, event);
    assert_eq!(
        result,
        Err(rejected(code, message, Some(reference))),
        "{event}"
    );
    assert_eq!(
        fake.published(),
        vec![failed_event(reference, code, message)],
        "{event}"
    );
    assert_eq!(fake.schedule_calls(), vec![], "{event}");
}
