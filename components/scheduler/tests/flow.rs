//! The scheduling rules driven through the in-memory `Capabilities` of `support`: requests
//! that are scheduled (envelopes and bare details, generated references, dates normalised
//! to UTC, the flexible window setting), schedule names, and a schedule that already exists
//! being replaced. `rejections.rs` covers refused requests, `backends.rs` a failing or
//! invalid setting, schedule store or event bus.
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

mod support;

use serde_json::{json, Value};
use sps_scheduler::name::reference_hash;
use sps_scheduler::{schedule_post, ScheduleAction, ScheduleError, Scheduled};
use support::*;

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
            campaign: None,
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
            validate_call("twitter", "Hello world!"),
            Call::Setting("flexible_window_minutes".to_owned()),
            // python3: sha256 of the length-prefixed platform, reference, date, message.
            Call::Note(
                "twitter-testtweet".to_owned(),
                "47dc9e5d82ec92197076795d1b400f39d17b1a15b48d27287c92e5974fa365eb".to_owned()
            ),
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
            campaign: None,
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
                campaign: None,
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
                campaign: None,
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
            campaign: None,
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
