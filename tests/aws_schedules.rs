//! The scheduling function's handler (`LambdaFunction::handle`, in-process) against a
//! moto server over HTTP (tests/support/moto.rs), with the real SDK clients pointed at
//! moto and the real components embedded in the binary: the schedule it creates or
//! replaces, a date just past, a rejected event, and a failure of EventBridge Scheduler.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The AWS host exists only with the feature `aws`; refuse to build rather than skip.
#[cfg(not(feature = "aws"))]
compile_error!("the AWS tests need the feature aws: cargo test --workspace --features sps/aws (the README's test command)");

mod support;

use serde_json::{json, Value};
use sps_host::aws::Function;
use sps_host::lambda::{HandlerError, LambdaFunction};
use support::aws::{
    assert_schedule, aws, bus_to_queue, group, outcome_event, readme_event, receive_events,
    scheduler_settings, social_group, unique, EVENTS_WITHIN,
};

#[tokio::test]
async fn scheduling_handler_creates_then_replaces_the_schedule_and_reports_it() {
    let aws = aws();
    social_group(&aws).await;
    // A server reused across runs may still hold the schedule of the last run.
    let _ = aws
        .scheduler
        .delete_schedule()
        .group_name("social")
        .name("twitter-testtweet")
        .send()
        .await;
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let function = LambdaFunction::build(
        Function::Scheduler,
        &scheduler_settings(&aws, &bus, "social", None).await,
        &aws.sdk,
    )
    .await
    .expect("build the scheduling function");

    let first = function
        .handle(readme_event(
            "testtweet",
            "Hello world!",
            "2034-10-23T08:48:00",
        ))
        .await;
    assert_eq!(
        first,
        Ok(
            json!({"status": "scheduled", "action": "created", "referenceNumber": "testtweet",
            "scheduleName": "twitter-testtweet", "scheduledDate": "2034-10-23T08:48:00"})
        )
    );
    assert_schedule(
        &aws,
        "social",
        "twitter-testtweet",
        "2034-10-23T08:48:00",
        json!({"referenceNumber": "testtweet", "message": "Hello world!", "platform": "twitter", "scheduledDate": "2034-10-23T08:48:00"}),
    )
    .await;

    let second = function
        .handle(readme_event(
            "testtweet",
            "Second text",
            "2034-11-01T10:00:30",
        ))
        .await;
    assert_eq!(
        second,
        Ok(
            json!({"status": "scheduled", "action": "updated", "referenceNumber": "testtweet",
            "scheduleName": "twitter-testtweet", "scheduledDate": "2034-11-01T10:00:30"})
        )
    );
    let listed = aws
        .scheduler
        .list_schedules()
        .group_name("social")
        .name_prefix("twitter-testtweet")
        .send()
        .await
        .expect("list schedules");
    let names: Vec<_> = listed.schedules().iter().filter_map(|s| s.name()).collect();
    assert_eq!(names, vec!["twitter-testtweet"]);
    assert_schedule(
        &aws,
        "social",
        "twitter-testtweet",
        "2034-11-01T10:00:30",
        json!({"referenceNumber": "testtweet", "message": "Second text", "platform": "twitter", "scheduledDate": "2034-11-01T10:00:30"}),
    )
    .await;

    let mut events: Vec<Value> = receive_events(&aws, &queue, 2, EVENTS_WITHIN).await;
    events.sort_by_key(|e| e["detail"]["scheduledDate"].as_str().map(str::to_string));
    assert_eq!(
        events,
        vec![
            outcome_event(
                "Post Scheduled",
                "SocialPostScheduler",
                json!({"referenceNumber": "testtweet", "scheduledDate": "2034-10-23T08:48:00"})
            ),
            outcome_event(
                "Post Scheduled",
                "SocialPostScheduler",
                json!({"referenceNumber": "testtweet", "scheduledDate": "2034-11-01T10:00:30"})
            ),
        ]
    );
}

#[tokio::test]
async fn a_date_just_past_is_scheduled_one_minute_ahead_keeping_its_date_in_the_input() {
    let aws = aws();
    let group_name = unique("recent");
    group(&aws, &group_name).await;
    let function = LambdaFunction::build(
        Function::Scheduler,
        &scheduler_settings(&aws, "default", &group_name, None).await,
        &aws.sdk,
    )
    .await
    .expect("build");
    let reference = unique("recent");
    let date = support::utc_in(-120);

    let before = support::utc_in(60);
    let answer = function
        .handle(readme_event(&reference, "Hello", &date))
        .await;
    let after = support::utc_in(60);

    assert_eq!(
        answer,
        Ok(
            json!({"status": "scheduled", "action": "created", "referenceNumber": reference,
            "scheduleName": format!("twitter-{reference}"), "scheduledDate": date})
        )
    );
    let s = aws
        .scheduler
        .get_schedule()
        .group_name(&group_name)
        .name(format!("twitter-{reference}"))
        .send()
        .await
        .expect("get schedule");
    let at = s
        .schedule_expression()
        .and_then(|e| e.strip_prefix("at("))
        .and_then(|e| e.strip_suffix(')'))
        .expect("an at() expression");
    assert!(
        before.as_str() <= at && at <= after.as_str(),
        "{before} <= {at} <= {after}"
    );
    let input: Value = serde_json::from_str(s.target().and_then(|t| t.input()).expect("input"))
        .expect("json input");
    assert_eq!(
        input,
        json!({"referenceNumber": reference, "message": "Hello", "platform": "twitter", "scheduledDate": date})
    );
}

#[tokio::test]
async fn a_rejected_event_is_answered_and_reported_never_failed() {
    let aws = aws();
    social_group(&aws).await;
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let function = LambdaFunction::build(
        Function::Scheduler,
        &scheduler_settings(&aws, &bus, "social", None).await,
        &aws.sdk,
    )
    .await
    .expect("build");
    let reference = unique("rejected");
    let mut event = readme_event(&reference, "Hello", "2034-10-23T08:48:00");
    event["detail"]["platform"] = json!("Twitter");
    let message = format!(
        "platform \"Twitter\" is not supported; {}",
        support::SUPPORTED
    );
    assert_eq!(
        function.handle(event).await,
        Ok(
            json!({"status": "rejected", "reason": "unsupported-platform", "message": message, "referenceNumber": reference})
        )
    );
    let answer = function.handle(json!("not json")).await.expect("answered");
    assert_eq!(
        (
            &answer["status"],
            &answer["reason"],
            &answer["referenceNumber"]
        ),
        (&json!("rejected"), &json!("invalid-json"), &Value::Null)
    );
    let events: Vec<Value> = receive_events(&aws, &queue, 1, EVENTS_WITHIN).await;
    assert_eq!(
        events,
        vec![outcome_event(
            "Social Post Failed",
            "SocialPostSender",
            json!({"referenceNumber": reference, "reason": "unsupported-platform", "reasonMessage": message,
                "retryable": false, "stage": "scheduling"})
        )]
    );
}

#[tokio::test]
async fn a_schedules_failure_fails_the_invocation_so_it_is_retried() {
    let aws = aws();
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    // No such group: EventBridge Scheduler answers ResourceNotFoundException.
    let missing = unique("missing-group");
    let function = LambdaFunction::build(
        Function::Scheduler,
        &scheduler_settings(&aws, &bus, &missing, None).await,
        &aws.sdk,
    )
    .await
    .expect("build");
    let result = function
        .handle(readme_event("retry-me", "Hello", "2034-10-23T08:48:00"))
        .await;
    let Err(HandlerError {
        error_type,
        message,
    }) = result
    else {
        panic!("expected a failed invocation, got {result:?}");
    };
    assert_eq!(error_type, "Retryable", "{message}");
    // moto answers an unknown group with an HTML 500 (EventBridge Scheduler with
    // ResourceNotFoundException): either way the schedules capability failed.
    assert!(
        message.starts_with(
            "could not create schedule twitter-retry-me: unavailable: CreateSchedule twitter-retry-me: "
        ),
        "{message}"
    );
    // Nothing was reported: the retry will report.
    assert_eq!(
        receive_events(&aws, &queue, 1, EVENTS_WITHIN).await,
        Vec::<Value>::new()
    );
}
