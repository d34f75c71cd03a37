//! The scheduling rules driven through an in-memory implementation of `Capabilities`.
//!
//! Every test asserts the exact calls made (schedules created/updated, events published), and
//! the exact returned value.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Value};
use sps_scheduler::name::reference_hash;
use sps_scheduler::{
    schedule_post, Capabilities, EventError, MessageError, Rejection, Schedule, ScheduleAction,
    ScheduleError, ScheduleFailure, Scheduled,
};

const NOW: &str = "2026-03-01T12:00:00";
const UUID1: &str = "00000000-0000-4000-8000-000000000001";

/// One call the flow made.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    Supported,
    Validate(String, String),
    Create(Schedule),
    Update(Schedule),
    Publish(String, String, Value),
    Setting(String),
    Now,
    Uuid,
}

/// In-memory capabilities: a schedule store with EventBridge Scheduler semantics (create
/// conflicts on an existing name, update is not-found on a missing one), with scripted
/// failures taking precedence, and recorded calls.
struct Fake {
    supported: Vec<String>,
    validation: Option<MessageError>,
    store: BTreeMap<String, Schedule>,
    create_script: VecDeque<Result<(), ScheduleError>>,
    update_script: VecDeque<Result<(), ScheduleError>>,
    publish_script: VecDeque<Result<(), EventError>>,
    setting: Result<Option<String>, String>,
    now: DateTime<Utc>,
    uuids: usize,
    calls: Vec<Call>,
}

fn utc(text: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .unwrap()
        .and_utc()
}

impl Fake {
    fn new() -> Self {
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
        }
    }

    fn published(&self) -> Vec<(String, String, Value)> {
        self.calls
            .iter()
            .filter_map(|c| match c {
                Call::Publish(t, s, d) => Some((t.clone(), s.clone(), d.clone())),
                _ => None,
            })
            .collect()
    }

    fn schedule_calls(&self) -> Vec<Call> {
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

    fn validate_message(&mut self, platform: &str, message: &str) -> Result<(), MessageError> {
        self.calls
            .push(Call::Validate(platform.to_owned(), message.to_owned()));
        match &self.validation {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
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

fn envelope(detail: Value) -> String {
    json!({"detail-type": "Schedule Social Post", "source": "test", "detail": detail}).to_string()
}

fn detail(reference: &str, date: &str) -> Value {
    json!({
        "message": "Hello world!",
        "platform": "twitter",
        "scheduledDate": date,
        "referenceNumber": reference,
    })
}

/// The schedule input, exactly as the contract writes it (key order included).
fn input(reference: &str, message: &str, date: &str) -> String {
    let js = |s: &str| serde_json::to_string(s).unwrap();
    format!(
        r#"{{"referenceNumber":{},"message":{},"platform":"twitter","scheduledDate":{}}}"#,
        js(reference),
        js(message),
        js(date)
    )
}

fn schedule(name: &str, at: &str, window: u32, input: String) -> Schedule {
    Schedule {
        name: name.to_owned(),
        at: at.to_owned(),
        flexible_window_minutes: window,
        input,
    }
}

fn scheduled_event(reference: &str, date: &str) -> (String, String, Value) {
    (
        "Post Scheduled".to_owned(),
        "SocialPostScheduler".to_owned(),
        json!({"referenceNumber": reference, "scheduledDate": date}),
    )
}

fn failed_event(reference: &str, code: &str, message: &str) -> (String, String, Value) {
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

fn rejected(code: &str, message: &str, reference: Option<&str>) -> ScheduleFailure {
    ScheduleFailure::Rejected(Rejection {
        code: code.to_owned(),
        message: message.to_owned(),
        reference_number: reference.map(str::to_owned),
    })
}

fn publish(event: (String, String, Value)) -> Call {
    Call::Publish(event.0, event.1, event.2)
}

// ---------------------------------------------------------------- successes

#[test]
fn schedules_a_future_post_from_an_envelope() {
    let mut fake = Fake::new();
    let result = schedule_post(
        &mut fake,
        &envelope(detail("testtweet", "2026-03-02T08:48:00")),
    );
    assert_eq!(
        result,
        Ok(Scheduled {
            reference_number: "testtweet".to_owned(),
            schedule_name: "twitter-testtweet".to_owned(),
            scheduled_date: "2026-03-02T08:48:00".to_owned(),
            action: ScheduleAction::Created,
        })
    );
    let expected = schedule(
        "twitter-testtweet",
        "2026-03-02T08:48:00",
        8,
        input("testtweet", "Hello world!", "2026-03-02T08:48:00"),
    );
    assert_eq!(
        fake.calls,
        vec![
            Call::Supported,
            Call::Now,
            Call::Validate("twitter".to_owned(), "Hello world!".to_owned()),
            Call::Setting("flexible_window_minutes".to_owned()),
            Call::Create(expected.clone()),
            publish(scheduled_event("testtweet", "2026-03-02T08:48:00")),
        ]
    );
    assert_eq!(fake.store.get("twitter-testtweet"), Some(&expected));
}

#[test]
fn schedule_input_is_the_exact_target_json() {
    let mut fake = Fake::new();
    let message = "Grüße 👋 \"quoted\"\nline two";
    let event = envelope(json!({
        "message": message,
        "platform": "twitter",
        "scheduledDate": "2026-03-02T08:48:00",
        "referenceNumber": "r1",
        "extra": {"ignored": true},
    }));
    assert!(schedule_post(&mut fake, &event).is_ok());
    let stored = fake.store.get("twitter-r1").unwrap();
    let parsed: Value = serde_json::from_str(&stored.input).unwrap();
    assert_eq!(
        parsed,
        json!({
            "referenceNumber": "r1",
            "message": message,
            "platform": "twitter",
            "scheduledDate": "2026-03-02T08:48:00",
        })
    );
}

#[test]
fn bare_detail_is_accepted() {
    let mut fake = Fake::new();
    let result = schedule_post(
        &mut fake,
        &detail("bare", "2026-03-02T08:48:00").to_string(),
    );
    assert_eq!(
        result,
        Ok(Scheduled {
            reference_number: "bare".to_owned(),
            schedule_name: "twitter-bare".to_owned(),
            scheduled_date: "2026-03-02T08:48:00".to_owned(),
            action: ScheduleAction::Created,
        })
    );
    assert_eq!(
        fake.published(),
        vec![scheduled_event("bare", "2026-03-02T08:48:00")]
    );
}

#[test]
fn envelope_without_detail_type_is_accepted() {
    let mut fake = Fake::new();
    let event = json!({"detail": detail("nodt", "2026-03-02T08:48:00")}).to_string();
    assert_eq!(
        schedule_post(&mut fake, &event).map(|s| s.schedule_name),
        Ok("twitter-nodt".to_owned())
    );
}

#[test]
fn missing_or_null_reference_gets_a_uuid() {
    for reference in [None, Some(Value::Null)] {
        let mut fake = Fake::new();
        let mut d = json!({
            "message": "Hello world!",
            "platform": "twitter",
            "scheduledDate": "2026-03-02T08:48:00",
        });
        if let Some(r) = reference {
            d["referenceNumber"] = r;
        }
        let result = schedule_post(&mut fake, &envelope(d));
        assert_eq!(
            result,
            Ok(Scheduled {
                reference_number: UUID1.to_owned(),
                schedule_name: format!("twitter-{UUID1}"),
                scheduled_date: "2026-03-02T08:48:00".to_owned(),
                action: ScheduleAction::Created,
            })
        );
        assert_eq!(fake.calls.first(), Some(&Call::Uuid));
        assert_eq!(
            fake.schedule_calls(),
            vec![Call::Create(schedule(
                &format!("twitter-{UUID1}"),
                "2026-03-02T08:48:00",
                8,
                input(UUID1, "Hello world!", "2026-03-02T08:48:00"),
            ))]
        );
        assert_eq!(
            fake.published(),
            vec![scheduled_event(UUID1, "2026-03-02T08:48:00")]
        );
    }
}

#[test]
fn a_given_reference_never_generates_a_uuid() {
    let mut fake = Fake::new();
    assert!(schedule_post(&mut fake, &envelope(detail("x", "2026-03-02T08:48:00"))).is_ok());
    assert!(!fake.calls.contains(&Call::Uuid));
}

#[test]
fn dates_are_normalised_to_utc_seconds() {
    let cases = [
        ("2026-03-02T08:48:00", "2026-03-02T08:48:00"),
        ("2026-03-02T08:48:00Z", "2026-03-02T08:48:00"),
        ("2026-03-02T08:48:00.999", "2026-03-02T08:48:00"),
        ("2026-03-02T08:48:00.999999Z", "2026-03-02T08:48:00"),
        ("2026-03-02T08:48:00+02:00", "2026-03-02T06:48:00"),
        ("2026-03-02T08:48:00.5-03:30", "2026-03-02T12:18:00"),
        ("2026-03-02T00:30:00+01:00", "2026-03-01T23:30:00"),
    ];
    for (requested, normalised) in cases {
        let mut fake = Fake::new();
        let result = schedule_post(&mut fake, &envelope(detail("d", requested)));
        assert_eq!(
            result.map(|s| s.scheduled_date),
            Ok(normalised.to_owned()),
            "{requested}"
        );
        assert_eq!(
            fake.schedule_calls(),
            vec![Call::Create(schedule(
                "twitter-d",
                normalised,
                8,
                input("d", "Hello world!", normalised)
            ))],
            "{requested}"
        );
        assert_eq!(fake.published(), vec![scheduled_event("d", normalised)]);
    }
}

#[test]
fn recent_past_fires_now_and_keeps_the_requested_date() {
    // now = 12:00:00.750; 300 s before (truncated now) is 11:55:00.
    let cases = [
        ("2026-03-01T11:55:00", "2026-03-01T12:00:00"),
        ("2026-03-01T11:58:30", "2026-03-01T12:00:00"),
        ("2026-03-01T12:00:00", "2026-03-01T12:00:00"),
        ("2026-03-01T12:00:00.900", "2026-03-01T12:00:00"),
        ("2026-03-01T12:00:01", "2026-03-01T12:00:01"),
        ("2026-03-01T13:55:00+02:00", "2026-03-01T12:00:00"),
    ];
    for (requested, at) in cases {
        let mut fake = Fake::new();
        fake.now = utc(NOW) + chrono::TimeDelta::milliseconds(750);
        let normalised = &requested[..19];
        let normalised = if requested.ends_with("+02:00") {
            "2026-03-01T11:55:00"
        } else {
            normalised
        };
        let result = schedule_post(&mut fake, &envelope(detail("p", requested)));
        assert_eq!(
            result.map(|s| s.scheduled_date),
            Ok(normalised.to_owned()),
            "{requested}"
        );
        assert_eq!(
            fake.schedule_calls(),
            vec![Call::Create(schedule(
                "twitter-p",
                at,
                8,
                input("p", "Hello world!", normalised)
            ))],
            "{requested}"
        );
        assert_eq!(fake.published(), vec![scheduled_event("p", normalised)]);
    }
}

#[test]
fn flexible_window_setting() {
    let cases = [
        (Ok(None), 8),
        (Ok(Some("0".to_owned())), 0),
        (Ok(Some("15".to_owned())), 15),
        (Ok(Some("1440".to_owned())), 1440),
    ];
    for (setting, window) in cases {
        let mut fake = Fake::new();
        fake.setting = setting;
        assert!(schedule_post(&mut fake, &envelope(detail("w", "2026-03-02T08:48:00"))).is_ok());
        assert_eq!(
            fake.schedule_calls(),
            vec![Call::Create(schedule(
                "twitter-w",
                "2026-03-02T08:48:00",
                window,
                input("w", "Hello world!", "2026-03-02T08:48:00")
            ))]
        );
    }
}

#[test]
fn invalid_flexible_window_is_retryable_without_schedule_or_event() {
    for raw in ["abc", "1441", "-1", ""] {
        let mut fake = Fake::new();
        fake.setting = Ok(Some(raw.to_owned()));
        let result = schedule_post(&mut fake, &envelope(detail("w", "2026-03-02T08:48:00")));
        assert_eq!(
            result,
            Err(ScheduleFailure::Retryable(format!(
                "invalid setting flexible_window_minutes: {raw:?} is not a whole number of \
                 minutes from 0 to 1440"
            )))
        );
        assert_eq!(fake.schedule_calls(), vec![]);
        assert_eq!(fake.published(), vec![]);
    }
}

#[test]
fn unreadable_settings_are_retryable() {
    let mut fake = Fake::new();
    fake.setting = Err("store down".to_owned());
    assert_eq!(
        schedule_post(&mut fake, &envelope(detail("w", "2026-03-02T08:48:00"))),
        Err(ScheduleFailure::Retryable(
            "could not read setting flexible_window_minutes: store down".to_owned()
        ))
    );
    assert_eq!(fake.schedule_calls(), vec![]);
    assert_eq!(fake.published(), vec![]);
}

#[test]
fn invalid_setting_does_not_block_rejections() {
    let mut fake = Fake::new();
    fake.setting = Ok(Some("abc".to_owned()));
    let result = schedule_post(&mut fake, &envelope(detail("w", "2020-01-01T00:00:00")));
    assert_eq!(
        result.map_err(|f| match f {
            ScheduleFailure::Rejected(r) => r.code,
            ScheduleFailure::Retryable(m) => m,
        }),
        Err("scheduled-date-in-past".to_owned())
    );
    assert!(!fake.calls.iter().any(|c| matches!(c, Call::Setting(_))));
}

// ---------------------------------------------------------------- names

#[test]
fn schedule_names() {
    let hashed = |r: &str| format!("twitter.{}", reference_hash(r));
    let r56 = "a".repeat(56);
    let r57 = "b".repeat(57);
    let r58 = "c".repeat(58);
    let cases: Vec<(String, String)> = vec![
        ("testtweet".into(), "twitter-testtweet".into()),
        ("A-Z_a.z-09".into(), "twitter-A-Z_a.z-09".into()),
        (r56.clone(), format!("twitter-{r56}")),
        (r57.clone(), hashed(&r57)),
        (r58.clone(), hashed(&r58)),
        ("with space".into(), hashed("with space")),
        ("slash/ref".into(), hashed("slash/ref")),
        ("ünïcödé-ref".into(), hashed("ünïcödé-ref")),
        ("日本語".into(), hashed("日本語")),
        ("emoji🎉".into(), hashed("emoji🎉")),
    ];
    for (reference, name) in cases {
        let mut fake = Fake::new();
        let result = schedule_post(
            &mut fake,
            &envelope(detail(&reference, "2026-03-02T08:48:00")),
        );
        assert_eq!(
            result,
            Ok(Scheduled {
                reference_number: reference.clone(),
                schedule_name: name.clone(),
                scheduled_date: "2026-03-02T08:48:00".to_owned(),
                action: ScheduleAction::Created,
            }),
            "{reference:?}"
        );
        assert!(name.len() <= 64);
        assert_eq!(
            fake.schedule_calls(),
            vec![Call::Create(schedule(
                &name,
                "2026-03-02T08:48:00",
                8,
                input(&reference, "Hello world!", "2026-03-02T08:48:00")
            ))]
        );
        assert_eq!(
            fake.published(),
            vec![scheduled_event(&reference, "2026-03-02T08:48:00")]
        );
    }
}

// ---------------------------------------------------------------- create / update

#[test]
fn existing_schedule_is_replaced_on_conflict() {
    let mut fake = Fake::new();
    let old = schedule("twitter-dup", "2026-03-05T00:00:00", 3, "{}".to_owned());
    fake.store.insert(old.name.clone(), old);
    let result = schedule_post(&mut fake, &envelope(detail("dup", "2026-03-02T08:48:00")));
    assert_eq!(
        result,
        Ok(Scheduled {
            reference_number: "dup".to_owned(),
            schedule_name: "twitter-dup".to_owned(),
            scheduled_date: "2026-03-02T08:48:00".to_owned(),
            action: ScheduleAction::Updated,
        })
    );
    let new = schedule(
        "twitter-dup",
        "2026-03-02T08:48:00",
        8,
        input("dup", "Hello world!", "2026-03-02T08:48:00"),
    );
    assert_eq!(
        fake.schedule_calls(),
        vec![Call::Create(new.clone()), Call::Update(new.clone())]
    );
    assert_eq!(fake.store.get("twitter-dup"), Some(&new));
    assert_eq!(
        fake.published(),
        vec![scheduled_event("dup", "2026-03-02T08:48:00")]
    );
}

#[test]
fn update_not_found_creates_again() {
    let mut fake = Fake::new();
    fake.create_script.push_back(Err(ScheduleError::Conflict));
    fake.update_script.push_back(Err(ScheduleError::NotFound));
    let result = schedule_post(&mut fake, &envelope(detail("gone", "2026-03-02T08:48:00")));
    assert_eq!(result.map(|s| s.action), Ok(ScheduleAction::Created));
    let s = schedule(
        "twitter-gone",
        "2026-03-02T08:48:00",
        8,
        input("gone", "Hello world!", "2026-03-02T08:48:00"),
    );
    assert_eq!(
        fake.schedule_calls(),
        vec![
            Call::Create(s.clone()),
            Call::Update(s.clone()),
            Call::Create(s.clone())
        ]
    );
    assert_eq!(
        fake.published(),
        vec![scheduled_event("gone", "2026-03-02T08:48:00")]
    );
}

#[test]
fn second_round_update_succeeds() {
    let mut fake = Fake::new();
    fake.create_script
        .extend([Err(ScheduleError::Conflict), Err(ScheduleError::Conflict)]);
    fake.update_script
        .extend([Err(ScheduleError::NotFound), Ok(())]);
    let result = schedule_post(&mut fake, &envelope(detail("r", "2026-03-02T08:48:00")));
    assert_eq!(result.map(|s| s.action), Ok(ScheduleAction::Updated));
    assert_eq!(fake.schedule_calls().len(), 4);
}

#[test]
fn three_rounds_then_retryable() {
    let mut fake = Fake::new();
    fake.create_script.extend([
        Err(ScheduleError::Conflict),
        Err(ScheduleError::Conflict),
        Err(ScheduleError::Conflict),
        Ok(()),
    ]);
    fake.update_script.extend([
        Err(ScheduleError::NotFound),
        Err(ScheduleError::NotFound),
        Err(ScheduleError::NotFound),
    ]);
    let result = schedule_post(&mut fake, &envelope(detail("flap", "2026-03-02T08:48:00")));
    assert_eq!(
        result,
        Err(ScheduleFailure::Retryable(
            "could not create or update schedule twitter-flap: it kept appearing and \
             disappearing (3 rounds)"
                .to_owned()
        ))
    );
    let s = schedule(
        "twitter-flap",
        "2026-03-02T08:48:00",
        8,
        input("flap", "Hello world!", "2026-03-02T08:48:00"),
    );
    assert_eq!(
        fake.schedule_calls(),
        vec![
            Call::Create(s.clone()),
            Call::Update(s.clone()),
            Call::Create(s.clone()),
            Call::Update(s.clone()),
            Call::Create(s.clone()),
            Call::Update(s.clone()),
        ]
    );
    assert_eq!(fake.published(), vec![]);
}

#[test]
fn schedule_backend_failures_are_retryable_without_event() {
    let cases = [
        (
            vec![Err(ScheduleError::Unavailable("timeout".to_owned()))],
            vec![],
            "could not create schedule twitter-s: unavailable: timeout",
            1,
        ),
        (
            vec![Err(ScheduleError::NotFound)],
            vec![],
            "could not create schedule twitter-s: not found",
            1,
        ),
        (
            vec![Err(ScheduleError::Conflict)],
            vec![Err(ScheduleError::Unavailable("throttled".to_owned()))],
            "could not update schedule twitter-s: unavailable: throttled",
            2,
        ),
        (
            vec![Err(ScheduleError::Conflict)],
            vec![Err(ScheduleError::Conflict)],
            "could not update schedule twitter-s: conflict",
            2,
        ),
    ];
    for (creates, updates, message, calls) in cases {
        let mut fake = Fake::new();
        fake.create_script.extend(creates);
        fake.update_script.extend(updates);
        let result = schedule_post(&mut fake, &envelope(detail("s", "2026-03-02T08:48:00")));
        assert_eq!(
            result,
            Err(ScheduleFailure::Retryable(message.to_owned())),
            "{message}"
        );
        assert_eq!(fake.schedule_calls().len(), calls);
        assert_eq!(fake.published(), vec![], "{message}");
    }
}

/// A store that refuses the schedule as it is (`invalid`: EventBridge Scheduler's
/// ValidationException, or an update of a post being delivered) ends in a rejection with
/// `schedule-rejected` and a `Social Post Failed` event, not in a retry.
#[test]
fn a_refused_schedule_is_rejected_and_reported() {
    type Script = Vec<Result<(), ScheduleError>>;
    let cases: Vec<(Script, Script, &str)> = vec![
        (
            vec![Err(ScheduleError::Invalid("bad at".to_owned()))],
            vec![],
            "bad at",
        ),
        (
            vec![Err(ScheduleError::Conflict)],
            vec![Err(ScheduleError::Invalid("being delivered".to_owned()))],
            "being delivered",
        ),
    ];
    for (creates, updates, why) in cases {
        let mut fake = Fake::new();
        fake.create_script.extend(creates);
        fake.update_script.extend(updates);
        let result = schedule_post(&mut fake, &envelope(detail("s", "2026-03-02T08:48:00")));
        let message = format!("schedule twitter-s was refused: {why}");
        assert_eq!(
            result,
            Err(ScheduleFailure::Rejected(Rejection {
                code: "schedule-rejected".to_owned(),
                message: message.clone(),
                reference_number: Some("s".to_owned()),
            }))
        );
        assert_eq!(
            fake.published(),
            vec![(
                "Social Post Failed".to_owned(),
                "SocialPostSender".to_owned(),
                json!({"referenceNumber": "s", "reason": "schedule-rejected", "reasonMessage": message,
                    "retryable": false, "stage": "scheduling"})
            )]
        );
    }
}

#[test]
fn post_scheduled_publish_failure_is_retryable() {
    for error in [
        EventError::Unavailable("bus down".to_owned()),
        EventError::Invalid("too big".to_owned()),
    ] {
        let mut fake = Fake::new();
        fake.publish_script.push_back(Err(error.clone()));
        let result = schedule_post(&mut fake, &envelope(detail("e", "2026-03-02T08:48:00")));
        assert_eq!(
            result,
            Err(ScheduleFailure::Retryable(format!(
                "schedule twitter-e was created but the Post Scheduled event could not be \
                 published: {error}"
            )))
        );
        assert_eq!(
            fake.published(),
            vec![scheduled_event("e", "2026-03-02T08:48:00")]
        );
        // A redelivery of the same request then updates the schedule and reports it.
        let again = schedule_post(&mut fake, &envelope(detail("e", "2026-03-02T08:48:00")));
        assert_eq!(again.map(|s| s.action), Ok(ScheduleAction::Updated));
    }
}

// ---------------------------------------------------------------- rejections

#[test]
fn unreadable_events_are_rejected_without_reference_or_event() {
    let cases = [
        ("", "invalid-json"),
        ("{", "invalid-json"),
        ("hello", "invalid-json"),
        ("[1,2]", "invalid-event"),
        ("null", "invalid-event"),
        ("\"Schedule Social Post\"", "invalid-event"),
        (r#"{"detail-type":"Schedule Social Post"}"#, "invalid-event"),
        (
            r#"{"detail-type":"Schedule Social Post","detail":null}"#,
            "invalid-event",
        ),
        (
            r#"{"detail-type":"Schedule Social Post","detail":"{\"message\":\"x\"}"}"#,
            "invalid-event",
        ),
        (r#"{"detail":[]}"#, "invalid-event"),
    ];
    for (text, code) in cases {
        let mut fake = Fake::new();
        let result = schedule_post(&mut fake, text);
        match result {
            Err(ScheduleFailure::Rejected(Rejection {
                code: got,
                reference_number: None,
                ..
            })) => assert_eq!(got, code, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
        assert_eq!(fake.calls, vec![], "{text}");
    }
    let mut fake = Fake::new();
    assert_eq!(
        schedule_post(&mut fake, r#"{"detail-type":"Schedule Social Post"}"#),
        Err(rejected(
            "invalid-event",
            "event has a detail-type but no detail",
            None
        ))
    );
}

/// Run a request expected to be rejected; assert the exact rejection and Failed event, and
/// that nothing was scheduled.
fn assert_rejected(fake: &mut Fake, event: &str, reference: &str, code: &str, message: &str) {
    let result = schedule_post(fake, event);
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

#[test]
fn every_field_rule_has_its_reason_code() {
    let base = detail("ref-1", "2026-03-02T08:48:00");
    let with = |key: &str, value: Option<Value>| {
        let mut d = base.clone();
        match value {
            Some(v) => d[key] = v,
            None => {
                d.as_object_mut().unwrap().remove(key);
            }
        }
        envelope(d)
    };
    let cases: Vec<(String, &str, &str)> = vec![
        (
            json!({"detail-type": "Other", "detail": base.clone()}).to_string(),
            "unsupported-detail-type",
            "detail-type \"Other\" is not supported; expected \"Schedule Social Post\"",
        ),
        (
            json!({"detail-type": 7, "detail": base.clone()}).to_string(),
            "unsupported-detail-type",
            "detail-type 7 is not supported; expected \"Schedule Social Post\"",
        ),
        (
            with("message", None),
            "missing-field",
            "message is required",
        ),
        (
            with("message", Some(Value::Null)),
            "missing-field",
            "message is required",
        ),
        (
            with("message", Some(json!(12))),
            "invalid-field",
            "message must be a string, not a number",
        ),
        (
            with("message", Some(json!({"text": "x"}))),
            "invalid-field",
            "message must be a string, not an object",
        ),
        (
            with("platform", None),
            "missing-field",
            "platform is required",
        ),
        (
            with("platform", Some(Value::Null)),
            "missing-field",
            "platform is required",
        ),
        (
            with("platform", Some(json!(["twitter"]))),
            "invalid-field",
            "platform must be a string, not an array",
        ),
        (
            with("platform", Some(json!("Twitter"))),
            "unsupported-platform",
            "platform \"Twitter\" is not supported; supported platforms: twitter",
        ),
        (
            with("platform", Some(json!("mastodon"))),
            "unsupported-platform",
            "platform \"mastodon\" is not supported; supported platforms: twitter",
        ),
        (
            with("platform", Some(json!(""))),
            "unsupported-platform",
            "platform \"\" is not supported; supported platforms: twitter",
        ),
        (
            with("scheduledDate", None),
            "missing-field",
            "scheduledDate is required",
        ),
        (
            with("scheduledDate", Some(json!(1698050880))),
            "invalid-field",
            "scheduledDate must be a string, not a number",
        ),
        (
            with("scheduledDate", Some(json!(true))),
            "invalid-field",
            "scheduledDate must be a string, not a boolean",
        ),
        (
            with("scheduledDate", Some(json!("2026-03-02"))),
            "invalid-scheduled-date",
            "scheduledDate \"2026-03-02\" is not a UTC date-time of the form \
             YYYY-MM-DDTHH:MM:SS (optionally with a fraction and a Z or ±HH:MM offset)",
        ),
        (
            with("scheduledDate", Some(json!("2026-03-01T11:54:59"))),
            "scheduled-date-in-past",
            "scheduledDate 2026-03-01T11:54:59 is more than 300 seconds in the past \
             (now 2026-03-01T12:00:00)",
        ),
    ];
    for (event, code, message) in cases {
        let mut fake = Fake::new();
        assert_rejected(&mut fake, &event, "ref-1", code, message);
    }
}

#[test]
fn invalid_reference_is_rejected_under_a_generated_uuid() {
    for value in [json!(42), json!(true), json!(["a"]), json!({"id": "a"})] {
        let mut d = detail("x", "2026-03-02T08:48:00");
        d["referenceNumber"] = value.clone();
        let kind = match value {
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Array(_) => "an array",
            _ => "an object",
        };
        let mut fake = Fake::new();
        assert_rejected(
            &mut fake,
            &envelope(d),
            UUID1,
            "invalid-field",
            &format!("referenceNumber must be a string, not {kind}"),
        );
    }
}

#[test]
fn unsupported_detail_type_uses_the_request_reference_or_a_uuid() {
    let mut fake = Fake::new();
    let event = json!({"detail-type": "Post Scheduled", "detail": {"message": "x"}}).to_string();
    assert_rejected(
        &mut fake,
        &event,
        UUID1,
        "unsupported-detail-type",
        "detail-type \"Post Scheduled\" is not supported; expected \"Schedule Social Post\"",
    );
}

#[test]
fn no_platforms_loaded() {
    let mut fake = Fake::new();
    fake.supported = vec![];
    assert_rejected(
        &mut fake,
        &envelope(detail("np", "2026-03-02T08:48:00")),
        "np",
        "unsupported-platform",
        "platform \"twitter\" is not supported; supported platforms: (none)",
    );
}

#[test]
fn several_platforms_are_listed() {
    let mut fake = Fake::new();
    fake.supported = vec!["bluesky".to_owned(), "twitter".to_owned()];
    let mut d = detail("mp", "2026-03-02T08:48:00");
    d["platform"] = json!("x");
    assert_rejected(
        &mut fake,
        &envelope(d),
        "mp",
        "unsupported-platform",
        "platform \"x\" is not supported; supported platforms: bluesky, twitter",
    );
}

#[test]
fn invalid_dates_are_rejected() {
    let dates = [
        "2026-03-02",
        "2026-03-02T08:48",
        "2026-03-02 08:48:00",
        "2026-02-30T08:48:00",
        "2027-02-29T08:48:00",
        "2026-03-02T24:00:00",
        "2026-12-31T23:59:60",
        "26-03-02T08:48:00",
        "2026-03-02T08:48:00junk",
        "2026-03-02T08:48:00+0200",
        "2026-03-02T08:48:00.",
        "",
        "tomorrow",
    ];
    for date in dates {
        let mut fake = Fake::new();
        let result = schedule_post(&mut fake, &envelope(detail("bad", date)));
        match result {
            Err(ScheduleFailure::Rejected(r)) => {
                assert_eq!(r.code, "invalid-scheduled-date", "{date}");
                assert!(
                    r.message.starts_with(&format!("scheduledDate {date:?} ")),
                    "{}",
                    r.message
                );
                assert_eq!(
                    fake.published(),
                    vec![failed_event("bad", &r.code, &r.message)]
                );
            }
            other => panic!("{date}: {other:?}"),
        }
        assert_eq!(fake.schedule_calls(), vec![]);
        assert!(!fake.calls.iter().any(|c| matches!(c, Call::Validate(..))));
    }
}

#[test]
fn past_boundary_through_the_flow() {
    // now 12:00:00: 300 s before is accepted (fires now), 301 s before is refused.
    let mut fake = Fake::new();
    let ok = schedule_post(&mut fake, &envelope(detail("b", "2026-03-01T11:55:00")));
    assert_eq!(
        ok.map(|s| s.scheduled_date),
        Ok("2026-03-01T11:55:00".to_owned())
    );
    assert_eq!(
        fake.schedule_calls(),
        vec![Call::Create(schedule(
            "twitter-b",
            "2026-03-01T12:00:00",
            8,
            input("b", "Hello world!", "2026-03-01T11:55:00")
        ))]
    );
    let mut fake = Fake::new();
    assert_rejected(
        &mut fake,
        &envelope(detail("b", "2026-03-01T11:54:59")),
        "b",
        "scheduled-date-in-past",
        "scheduledDate 2026-03-01T11:54:59 is more than 300 seconds in the past \
         (now 2026-03-01T12:00:00)",
    );
    // An offset date that is in the past once converted to UTC.
    let mut fake = Fake::new();
    assert_rejected(
        &mut fake,
        &envelope(detail("b", "2026-03-01T13:54:59+02:00")),
        "b",
        "scheduled-date-in-past",
        "scheduledDate 2026-03-01T11:54:59 is more than 300 seconds in the past \
         (now 2026-03-01T12:00:00)",
    );
}

#[test]
fn platform_validation_codes_pass_through() {
    for (code, message) in [
        ("empty-message", "message is empty"),
        (
            "message-too-long",
            "message is 281 weighted characters; X allows at most 280",
        ),
        ("invalid-characters", "message contains U+FFFE"),
    ] {
        let mut fake = Fake::new();
        fake.validation = Some(MessageError {
            code: code.to_owned(),
            message: message.to_owned(),
        });
        assert_rejected(
            &mut fake,
            &envelope(detail("v", "2026-03-02T08:48:00")),
            "v",
            code,
            message,
        );
        assert!(fake.calls.contains(&Call::Validate(
            "twitter".to_owned(),
            "Hello world!".to_owned()
        )));
    }
}

#[test]
fn an_empty_or_too_long_reference_is_rejected_under_a_generated_uuid() {
    let cases = [
        (
            String::new(),
            "referenceNumber must not be empty; leave it out to have one generated",
        ),
        (
            "r".repeat(1025),
            "referenceNumber is 1025 characters long; at most 1024 are allowed",
        ),
    ];
    for (reference, message) in cases {
        let mut fake = Fake::new();
        let event = envelope(detail(&reference, "2026-03-02T08:48:00"));
        assert_rejected(&mut fake, &event, UUID1, "invalid-field", message);
    }
    // 1,024 characters are scheduled under that reference.
    let mut fake = Fake::new();
    let reference = "r".repeat(1024);
    let result = schedule_post(
        &mut fake,
        &envelope(detail(&reference, "2026-03-02T08:48:00")),
    );
    assert_eq!(result.map(|s| s.reference_number), Ok(reference));
}

#[test]
fn first_failure_wins() {
    // Each case breaks two rules; the earlier one in the order is reported.
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"detail-type": "Other", "detail": {"referenceNumber": 5}}),
            "unsupported-detail-type",
        ),
        (
            json!({"detail": {"referenceNumber": 5, "platform": "nope"}}),
            "invalid-field",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "platform": "nope", "scheduledDate": "x"}}),
            "missing-field",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": 1, "platform": "nope"}}),
            "invalid-field",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "platform": "nope", "scheduledDate": "x"}}),
            "unsupported-platform",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "scheduledDate": "x"}}),
            "missing-field",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "platform": "twitter", "scheduledDate": "x"}}),
            "invalid-scheduled-date",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "platform": "twitter", "scheduledDate": "2020-01-01T00:00:00"}}),
            "scheduled-date-in-past",
        ),
        (
            json!({"detail": {"referenceNumber": "o", "message": "m", "platform": "twitter", "scheduledDate": "2027-01-01T00:00:00"}}),
            "message-too-long",
        ),
    ];
    for (event, code) in cases {
        let mut fake = Fake::new();
        fake.validation = Some(MessageError {
            code: "message-too-long".to_owned(),
            message: "too long".to_owned(),
        });
        let result = schedule_post(&mut fake, &event.to_string());
        match result {
            Err(ScheduleFailure::Rejected(r)) => assert_eq!(r.code, code, "{event}"),
            other => panic!("{event}: {other:?}"),
        }
        assert_eq!(fake.published().len(), 1);
        assert_eq!(fake.schedule_calls(), vec![]);
    }
}

#[test]
fn rejection_event_failure_is_retryable() {
    let mut fake = Fake::new();
    fake.publish_script
        .push_back(Err(EventError::Unavailable("bus down".to_owned())));
    let mut d = detail("f", "2026-03-02T08:48:00");
    d["platform"] = json!("myspace");
    let result = schedule_post(&mut fake, &envelope(d));
    assert_eq!(
        result,
        Err(ScheduleFailure::Retryable(
            "request rejected (unsupported-platform: platform \"myspace\" is not supported; \
             supported platforms: twitter) but the Social Post Failed event could not be \
             published: unavailable: bus down"
                .to_owned()
        ))
    );
    assert_eq!(
        fake.calls,
        vec![
            Call::Supported,
            publish(failed_event(
                "f",
                "unsupported-platform",
                "platform \"myspace\" is not supported; supported platforms: twitter"
            )),
        ]
    );
}

#[test]
fn arbitrary_inputs_never_panic() {
    let inputs = [
        "\u{0}",
        "{\"detail\":{\"scheduledDate\":\"\u{FEFF}2026-03-02T08:48:00\"}}",
        "{\"message\":\"m\",\"platform\":\"twitter\",\"scheduledDate\":\"9999-12-31T23:59:59.99999999999999999999+23:59\"}",
        "{\"message\":\"m\",\"platform\":\"twitter\",\"scheduledDate\":\"0000-01-01T00:00:00-23:59\"}",
        "{\"message\":\"m\",\"platform\":\"twitter\",\"scheduledDate\":\"2026-03-02T08:48:00é\"}",
        "{\"message\":\"m\",\"platform\":\"twitter\",\"scheduledDate\":\"2026-03-02T08:48:0é\"}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{\"referenceNumber\":\"\\ud800\"}",
    ];
    for text in inputs {
        let mut fake = Fake::new();
        let _ = schedule_post(&mut fake, text);
    }
}
