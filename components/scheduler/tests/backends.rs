//! The scheduling rules driven through the in-memory `Capabilities` of `support` when a
//! capability fails: an unreadable or invalid setting, a schedule store that keeps
//! conflicting, is unavailable or refuses the schedule, and an event bus that refuses the
//! Post Scheduled or Social Post Failed event. `flow.rs` covers the requests that are
//! scheduled, `rejections.rs` the refused ones.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::json;
use sps_scheduler::{
    schedule_post, EventError, Rejection, ScheduleAction, ScheduleError, ScheduleFailure,
};
use support::*;

// ---------------------------------------------------------------- settings

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

// ---------------------------------------------------------------- schedule store

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

// ---------------------------------------------------------------- event bus

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
