//! The AWS host against a moto server over HTTP (tests/support/moto.rs): the Lambda
//! handlers with the real SDK clients pointed at moto, the real components (embedded in
//! the binary) and the fake X API; and the `sps` binary under the Lambda runtime API
//! emulated by `cargo lambda watch`.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/moto.rs"]
mod moto;
mod support;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_eventbridge::types::{PutEventsRequestEntry, Target as RuleTarget};
use aws_sdk_scheduler::types::{ActionAfterCompletion, FlexibleTimeWindowMode, ScheduleState};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};
use sps_host::aws::components::{Refresh, S3Components, S3Prefix};
use sps_host::aws::events::EventBridgeEvents;
use sps_host::aws::ledger::{delivery_key, DynamoLedger};
use sps_host::aws::secrets::SecretsManagerSource;
use sps_host::aws::{AwsSettings, Function};
use sps_host::bindings::events::EventError;
use sps_host::bindings::ledger::Entry;
use sps_host::caps::ledger::LedgerBackend;
use sps_host::lambda::{HandlerError, LambdaFunction};
use sps_host::memory::MemoryBackend;
use sps_host::runtime::{ComponentsSource, PlatformSettingsSource, Runtime};
use sps_host::secrets::XCredentials;
use support::fake_x::{FakeX, FIRST_ID};

const SENDER_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:sps-sender";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/sps-scheduler";
const DLQ_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:sps-dlq";
const EVENT_SOURCES: &str = r#"{"source":["SocialPostScheduler","SocialPostSender"]}"#;

/// The SDK clients on moto.
struct Aws {
    sdk: aws_config::SdkConfig,
    scheduler: aws_sdk_scheduler::Client,
    events: aws_sdk_eventbridge::Client,
    sqs: aws_sdk_sqs::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    secrets: aws_sdk_secretsmanager::Client,
    s3: aws_sdk_s3::Client,
}

fn aws() -> Aws {
    let sdk = moto::sdk_config();
    Aws {
        scheduler: aws_sdk_scheduler::Client::new(&sdk),
        events: aws_sdk_eventbridge::Client::new(&sdk),
        sqs: aws_sdk_sqs::Client::new(&sdk),
        dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
        secrets: aws_sdk_secretsmanager::Client::new(&sdk),
        s3: aws_sdk_s3::Client::new(&sdk),
        sdk,
    }
}

/// A name unique to this run: `<prefix>-<12 hex>`.
fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// The schedule group `social`, made once per moto server.
async fn social_group(aws: &Aws) {
    static MADE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    MADE.get_or_init(|| async {
        let exists = aws
            .scheduler
            .get_schedule_group()
            .name("social")
            .send()
            .await
            .is_ok();
        if !exists {
            aws.scheduler
                .create_schedule_group()
                .name("social")
                .send()
                .await
                .expect("create the schedule group social");
        }
    })
    .await;
}

async fn group(aws: &Aws, name: &str) {
    aws.scheduler
        .create_schedule_group()
        .name(name)
        .send()
        .await
        .expect("create a schedule group");
}

/// A new event bus (or `default`) with a rule sending every event of the two sources to
/// a new SQS queue; returns the queue URL.
async fn bus_to_queue(aws: &Aws, bus: &str) -> String {
    if bus != "default" {
        aws.events
            .create_event_bus()
            .name(bus)
            .send()
            .await
            .expect("create bus");
    }
    let queue = aws
        .sqs
        .create_queue()
        .queue_name(unique("outcomes"))
        .send()
        .await
        .expect("create queue");
    let url = queue.queue_url().expect("queue url").to_string();
    let attributes = aws
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes");
    let arn = attributes
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .expect("queue arn")
        .clone();
    let rule = unique("outcomes");
    aws.events
        .put_rule()
        .name(&rule)
        .event_bus_name(bus)
        .event_pattern(EVENT_SOURCES)
        .send()
        .await
        .expect("put rule");
    aws.events
        .put_targets()
        .rule(&rule)
        .event_bus_name(bus)
        .targets(
            RuleTarget::builder()
                .id("queue")
                .arn(arn)
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("put targets");
    url
}

/// Receives (and deletes) messages until `count` arrived or 15 s passed; the events'
/// envelopes ([`envelope`]), in arrival order.
async fn receive_events(aws: &Aws, queue_url: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut bodies = Vec::new();
    while bodies.len() < count && Instant::now() < deadline {
        let out = aws
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        for message in out.messages() {
            bodies
                .push(serde_json::from_str(message.body().unwrap_or_default()).expect("json body"));
            if let Some(handle) = message.receipt_handle() {
                aws.sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }
    bodies.into_iter().map(envelope).collect()
}

/// The envelope of an event as EventBridge delivered it, without `id` and `time`
/// (checked to be present), for exact comparison.
fn envelope(mut event: Value) -> Value {
    let object = event.as_object_mut().expect("an object");
    let id = object.remove("id");
    let time = object.remove("time");
    assert!(
        id.as_ref()
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
            && time.as_ref().is_some_and(|t| !t.is_null()),
        "id and time missing in {event}"
    );
    event
}

/// Asserts that the fake X received exactly one post, `text`, with a valid OAuth 1.0a
/// signature.
fn assert_one_post(x: &FakeX, text: &str) {
    let received = x.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(received[0].signature_valid, "{:?}", received[0]);
    assert_eq!(received[0].text.as_deref(), Some(text));
}

fn outcome_event(detail_type: &str, source: &str, detail: Value) -> Value {
    // moto's envelope has no `account` (EventBridge's has): the rest is compared exactly.
    json!({"version": "0", "detail-type": detail_type, "source": source,
        "region": moto::REGION, "resources": [], "detail": detail})
}

fn settings(bus: &str, group: &str) -> AwsSettings {
    AwsSettings {
        function: None,
        event_bus: bus.to_string(),
        schedule_group: group.to_string(),
        sender_arn: Some(SENDER_ARN.to_string()),
        scheduler_role_arn: Some(ROLE_ARN.to_string()),
        dlq_arn: Some(DLQ_ARN.to_string()),
        secret_id: None,
        ledger_table: None,
        flexible_window_minutes: 8,
        x_api_base_url: "https://api.x.com".to_string(),
        components_uri: None,
        components_check: Duration::from_secs(60),
        secret_ttl: Duration::from_secs(300),
        max_deliveries: 3,
        cache_dir: support::shared_cache_dir(),
    }
}

fn readme_event(reference: &str, message: &str, date: &str) -> Value {
    json!({"detail-type": "Schedule Social Post", "source": "test", "detail": {
        "message": message, "platform": "twitter", "scheduledDate": date, "referenceNumber": reference}})
}

/// Reads a schedule back and checks every field the host sets.
async fn assert_schedule(aws: &Aws, group: &str, name: &str, at: &str, input: Value) {
    let s = aws
        .scheduler
        .get_schedule()
        .group_name(group)
        .name(name)
        .send()
        .await
        .expect("get schedule");
    assert_eq!(
        (
            s.name(),
            s.group_name(),
            s.schedule_expression(),
            s.schedule_expression_timezone()
        ),
        (
            Some(name),
            Some(group),
            Some(&*format!("at({at})")),
            Some("UTC")
        )
    );
    let window = s.flexible_time_window().expect("window");
    assert_eq!(
        (window.mode(), window.maximum_window_in_minutes()),
        (&FlexibleTimeWindowMode::Flexible, Some(8))
    );
    assert_eq!(
        s.action_after_completion(),
        Some(&ActionAfterCompletion::Delete)
    );
    assert_eq!(s.state(), Some(&ScheduleState::Enabled));
    let target = s.target().expect("target");
    assert_eq!((target.arn(), target.role_arn()), (SENDER_ARN, ROLE_ARN));
    assert_eq!(
        serde_json::from_str::<Value>(target.input().expect("input")).expect("input json"),
        input
    );
    let retry = target.retry_policy().expect("retry policy");
    assert_eq!(
        (
            retry.maximum_retry_attempts(),
            retry.maximum_event_age_in_seconds()
        ),
        (Some(5), Some(3600))
    );
    assert_eq!(
        target.dead_letter_config().and_then(|d| d.arn()),
        Some(DLQ_ARN)
    );
}

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
    let function = LambdaFunction::build(Function::Scheduler, &settings(&bus, "social"), &aws.sdk)
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

    let mut events: Vec<Value> = receive_events(&aws, &queue, 2).await;
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
        &settings("default", &group_name),
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
    let function = LambdaFunction::build(Function::Scheduler, &settings(&bus, "social"), &aws.sdk)
        .await
        .expect("build");
    let reference = unique("rejected");
    let mut event = readme_event(&reference, "Hello", "2034-10-23T08:48:00");
    event["detail"]["platform"] = json!("Twitter");
    let message = "platform \"Twitter\" is not supported; supported platforms: twitter";
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
    let events: Vec<Value> = receive_events(&aws, &queue, 1).await;
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
    let function = LambdaFunction::build(Function::Scheduler, &settings(&bus, &missing), &aws.sdk)
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
    assert_eq!(receive_events(&aws, &queue, 1).await, Vec::<Value>::new());
}

async fn table(aws: &Aws) -> String {
    let name = unique("ledger");
    aws.dynamodb
        .create_table()
        .table_name(&name)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("key")
                .key_type(KeyType::Hash)
                .build()
                .expect("key"),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("key")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("create table");
    name
}

async fn secret(aws: &Aws, value: &str) -> String {
    let name = unique("x-credentials");
    aws.secrets
        .create_secret()
        .name(&name)
        .secret_string(value)
        .send()
        .await
        .expect("create secret");
    name
}

async fn item(aws: &Aws, table: &str, key: &str) -> HashMap<String, AttributeValue> {
    aws.dynamodb
        .get_item()
        .table_name(table)
        .key("key", AttributeValue::S(key.to_string()))
        .consistent_read(true)
        .send()
        .await
        .expect("get item")
        .item()
        .cloned()
        .unwrap_or_default()
}

fn number(item: &HashMap<String, AttributeValue>, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1)
}

#[tokio::test]
async fn sending_handler_posts_with_the_secret_and_counts_deliveries() {
    let aws = aws();
    let x = FakeX::start();
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let mut s = settings(&bus, "social");
    s.ledger_table = Some(table(&aws).await);
    s.secret_id = Some(secret(&aws, support::SECRETS_JSON).await);
    s.x_api_base_url = x.base_url.clone();
    let function = LambdaFunction::build(Function::Sender, &s, &aws.sdk)
        .await
        .expect("build the sending function");
    let reference = unique("post");
    let input = json!({"referenceNumber": reference, "message": "Hello world!", "platform": "twitter", "scheduledDate": "2099-10-23T08:48:00"});

    assert_eq!(
        function.handle(input.clone()).await,
        Ok(
            json!({"status": "sent", "referenceNumber": reference, "postId": FIRST_ID.to_string(), "attempt": 1})
        )
    );
    assert_one_post(&x, "Hello world!");

    // The same schedule delivered again (at least once): counted, not posted twice.
    assert_eq!(
        function.handle(input.clone()).await,
        Ok(
            json!({"status": "sent", "referenceNumber": reference, "postId": FIRST_ID.to_string(), "attempt": 2})
        )
    );
    assert_eq!(x.received().len(), 1);
    let table_name = s.ledger_table.as_deref().unwrap_or_default();
    let counter = item(&aws, table_name, &delivery_key(&input.to_string())).await;
    assert_eq!(number(&counter, "deliveries"), 2);
    assert!(number(&counter, "expiresAt") > chrono::Utc::now().timestamp() + 29 * 24 * 3600);

    let events: Vec<Value> = receive_events(&aws, &queue, 2).await;
    let sent = outcome_event(
        "Social Post Sent",
        "SocialPostSender",
        json!({"referenceNumber": reference, "postId": FIRST_ID.to_string()}),
    );
    assert_eq!(events, vec![sent.clone(), sent]);
}

#[tokio::test]
async fn an_unreadable_secret_is_retried_then_reported_on_the_final_delivery() {
    let aws = aws();
    let x = FakeX::start();
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let mut s = settings(&bus, "social");
    s.ledger_table = Some(table(&aws).await);
    let missing = unique("no-such-secret");
    s.secret_id = Some(missing.clone());
    s.x_api_base_url = x.base_url.clone();
    s.max_deliveries = 2;
    let function = LambdaFunction::build(Function::Sender, &s, &aws.sdk)
        .await
        .expect("build");
    let reference = unique("post");
    let input = json!({"referenceNumber": reference, "message": "Hello", "platform": "twitter", "scheduledDate": "2099-10-23T08:48:00"});

    let first = function.handle(input.clone()).await;
    let Err(HandlerError {
        error_type,
        message,
    }) = &first
    else {
        panic!("expected a failed invocation, got {first:?}");
    };
    assert_eq!(*error_type, "RetryLater");
    let why = format!("cannot read the X credentials: GetSecretValue of {missing}: ResourceNotFoundException: Secrets Manager can't find the specified secret.");
    assert_eq!(
        *message,
        format!("platform-unavailable: {why} (delivery 1 of 2)")
    );

    let last = function
        .handle(input)
        .await
        .expect("the final delivery is answered");
    assert_eq!(
        (
            &last["status"],
            &last["reason"],
            &last["retryable"],
            &last["attempt"]
        ),
        (
            &json!("failed"),
            &json!("platform-unavailable"),
            &json!(true),
            &json!(2)
        )
    );
    assert_eq!(last["message"], json!(why), "{last}");
    assert!(x.received().is_empty());
    let events: Vec<Value> = receive_events(&aws, &queue, 1).await;
    assert_eq!(
        events,
        vec![outcome_event(
            "Social Post Failed",
            "SocialPostSender",
            json!({"referenceNumber": reference, "reason": "platform-unavailable", "reasonMessage": last["message"],
                "retryable": true, "stage": "sending"})
        )]
    );
}

#[tokio::test]
async fn a_rotated_secret_is_read_again_after_the_ttl() {
    let aws = aws();
    let id = secret(&aws, r#"{"xApiKey":"first","xApiKeySecret":"s"}"#).await;
    let source = SecretsManagerSource::new(
        aws.secrets.clone(),
        &id,
        Duration::from_millis(700),
        "http://127.0.0.1:9",
    )
    .expect("source");
    let key =
        |settings: &sps_host::runtime::PlatformSettings| settings.config.get("x_api_key").cloned();
    let settings = source.settings("twitter").await.expect("settings");
    assert_eq!(key(&settings).as_deref(), Some("first"));
    assert_eq!(
        settings.config.get("x_api_base_url").map(String::as_str),
        Some("http://127.0.0.1:9")
    );
    assert!(settings
        .outbound
        .allows(&"http://127.0.0.1:9/2/tweets".parse().expect("uri")));
    aws.secrets
        .put_secret_value()
        .secret_id(&id)
        .secret_string(r#"{"xApiKey":"second","xApiKeySecret":"s"}"#)
        .send()
        .await
        .expect("rotate");
    let cached = source.settings("twitter").await.expect("settings");
    assert_eq!(key(&cached).as_deref(), Some("first"));
    tokio::time::sleep(Duration::from_millis(800)).await;
    let fresh = source.settings("twitter").await.expect("settings");
    assert_eq!(key(&fresh).as_deref(), Some("second"));
    let other = source.settings("mastodon").await.expect("settings");
    assert!(other.config.is_empty());
    // A secret of the wrong shape is reported without its values.
    aws.secrets
        .put_secret_value()
        .secret_id(&id)
        .secret_string(r#"{"xApiKey":"SECRET-VALUE","password":"SECRET-VALUE"}"#)
        .send()
        .await
        .expect("rotate");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let err = source
        .settings("twitter")
        .await
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert_eq!(
        err,
        format!("cannot read the X credentials: in secret {id}: the X credentials are not a JSON object of strings with the keys xApiKey, xApiKeySecret, xBearerToken, xAccessToken, xAccessTokenSecret (unknown field `password` at line 1 column 36)")
    );
}

#[tokio::test]
async fn put_events_delivers_good_entries_and_rejects_a_bad_one() {
    let aws = aws();
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let events = EventBridgeEvents::new(aws.events.clone(), &bus);
    let good = PutEventsRequestEntry::builder()
        .event_bus_name(&bus)
        .source("SocialPostSender")
        .detail_type("Social Post Sent")
        .detail(r#"{"referenceNumber":"partial","postId":"1"}"#)
        .build();
    // moto, like EventBridge, fails an entry without a Source and puts the others.
    let bad = PutEventsRequestEntry::builder()
        .event_bus_name(&bus)
        .detail_type("Social Post Sent")
        .detail("{}")
        .build();
    assert_eq!(
        events.put_entries(vec![good, bad]).await,
        Err(EventError::Invalid(
            "PutEvents rejected an entry: InvalidArgument: Parameter Source is not valid. Reason: Source is a required argument.".to_string()
        ))
    );
    let delivered: Vec<Value> = receive_events(&aws, &queue, 2).await;
    assert_eq!(
        delivered,
        vec![outcome_event(
            "Social Post Sent",
            "SocialPostSender",
            json!({"referenceNumber": "partial", "postId": "1"})
        )]
    );
}

#[tokio::test]
async fn the_ledger_claims_once_and_keeps_a_sent_record() {
    let aws = aws();
    let table = table(&aws).await;
    let ledger = DynamoLedger::new(aws.dynamodb.clone(), &table);
    let before = chrono::Utc::now().timestamp();
    assert_eq!(ledger.claim("k1").await, Ok(Entry::Claimed));
    let Ok(Entry::InFlight(at)) = ledger.claim("k1").await else {
        panic!("a second claim must see the first");
    };
    assert!(
        (before..=before + 5).contains(&i64::try_from(at).unwrap_or(0)),
        "{at}"
    );
    let stored = item(&aws, &table, "k1").await;
    assert_eq!(
        stored
            .get("state")
            .and_then(|v| v.as_s().ok())
            .map(String::as_str),
        Some("in-flight")
    );
    assert_eq!(
        number(&stored, "expiresAt") - number(&stored, "claimedAt"),
        30 * 24 * 3600
    );

    assert_eq!(ledger.release("k1").await, Ok(()));
    assert_eq!(ledger.claim("k1").await, Ok(Entry::Claimed));
    assert_eq!(
        ledger.record_sent("k1", "1850000000000000001").await,
        Ok(())
    );
    assert_eq!(
        ledger.claim("k1").await,
        Ok(Entry::Sent("1850000000000000001".into()))
    );
    // Releasing a sent post changes nothing.
    assert_eq!(ledger.release("k1").await, Ok(()));
    assert_eq!(
        ledger.claim("k1").await,
        Ok(Entry::Sent("1850000000000000001".into()))
    );
    let stored = item(&aws, &table, "k1").await;
    assert_eq!(
        (
            stored
                .get("state")
                .and_then(|v| v.as_s().ok())
                .map(String::as_str),
            stored
                .get("postId")
                .and_then(|v| v.as_s().ok())
                .map(String::as_str)
        ),
        (Some("sent"), Some("1850000000000000001"))
    );
    assert_eq!(ledger.count_delivery("payload").await, Ok(1));
    assert_eq!(ledger.count_delivery("payload").await, Ok(2));
    assert_eq!(ledger.count_delivery("other").await, Ok(1));
}

/// A runtime on the components embedded in the binary, with the in-memory backends.
async fn embedded_runtime() -> (Runtime, std::sync::Arc<MemoryBackend>) {
    let mut settings = sps_host::settings::runtime_settings(
        support::components_dir(),
        support::shared_cache_dir(),
        8,
        "http://127.0.0.1:9",
        &XCredentials::default(),
    )
    .expect("settings");
    settings.components = ComponentsSource::Embedded;
    let (memory, backends) = MemoryBackend::backends();
    let runtime = tokio::task::spawn_blocking(move || Runtime::new(settings, backends))
        .await
        .expect("join")
        .expect("runtime on the embedded components");
    (runtime, memory)
}

#[tokio::test]
async fn components_from_s3_are_checked_and_a_bad_one_is_kept_out() {
    let aws = aws();
    let bucket = unique("components");
    aws.s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("bucket");
    let put = |key: &'static str, bytes: Vec<u8>| {
        let s3 = aws.s3.clone();
        let bucket = bucket.clone();
        async move {
            s3.put_object()
                .bucket(bucket)
                .key(key)
                .body(bytes.into())
                .send()
                .await
                .expect("put object");
        }
    };
    let (runtime, memory) = embedded_runtime().await;
    assert_eq!(
        runtime.load_report().source,
        "the components embedded in the binary"
    );
    let location: S3Prefix = format!("s3://{bucket}/live").parse().expect("uri");
    let s3 = S3Components::new(aws.s3.clone(), location, Duration::ZERO);

    assert_eq!(s3.refresh(&runtime).await, Refresh::Empty);
    let read = |file: &str| std::fs::read(support::components_dir().join(file)).expect("component");
    put("live/sps_twitter.wasm", read("sps_twitter.wasm")).await;
    put("live/notes.txt", b"not a component".to_vec()).await;
    let Refresh::Loaded(report) = s3.refresh(&runtime).await else {
        panic!("the twitter component from S3 must load");
    };
    assert!(
        report
            .source
            .starts_with("the components embedded in the binary with those of ")
            && report.source.ends_with(" over them"),
        "{}",
        report.source
    );
    assert_eq!(report.precompiled + report.cached + report.compiled, 3);
    assert_eq!(s3.refresh(&runtime).await, Refresh::Unchanged);

    // The sender's bytes are not a platform component: refused, the last good ones stay.
    put("live/sps_twitter.wasm", read("sps_sender.wasm")).await;
    let Refresh::Kept(why) = s3.refresh(&runtime).await else {
        panic!("a component of the wrong world must not load");
    };
    assert!(
        why.starts_with("component ") && why.ends_with("/sps_twitter.wasm is not allowed: it imports sps:social/platforms@0.1.0, which its world does not grant"),
        "{why}"
    );
    put("live/sps_scheduler.wasm", b"\0asm garbage".to_vec()).await;
    let Refresh::Kept(why) = s3.refresh(&runtime).await else {
        panic!("garbage must not load");
    };
    assert!(
        why.starts_with("cannot compile component ") && why.contains("/sps_scheduler.wasm"),
        "{why}"
    );
    assert_eq!(runtime.platform_names(), vec!["twitter".to_string()]);
    let outcome = runtime
        .schedule_post(&readme_event("s3", "Still here", "2034-10-23T08:48:00").to_string())
        .await
        .expect("call");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(memory.schedules().len(), 1);
}

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process started with `moto::spawn_guarded`: dropping it closes the guard's
/// standard input, so the guard stops the process and exits.
struct Guarded(Child);

impl Drop for Guarded {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

/// The Lambda runtime API emulated by `cargo lambda watch --only-lambda-apis`, with one
/// `sps` process serving it.
struct RuntimeApi {
    cargo_lambda: std::path::PathBuf,
    port: String,
    sps_log: std::path::PathBuf,
    _sps: Killed,
    _watch: Guarded,
}

impl RuntimeApi {
    /// Starts the runtime API and `sps` under it with `env` (plus moto's endpoint and the
    /// variables the Lambda service sets). SPS_TEST_LAMBDA_BINARY runs another build of
    /// `sps`, e.g. the arm64 `bootstrap` of `sam build` under qemu-user (README,
    /// "Checking the arm64 package").
    fn start(env: &[(&str, &str)]) -> Self {
        let venv = moto::venv_with(&["cargo-lambda"], "cargo-lambda")
            .unwrap_or_else(|e| panic!("cannot install cargo-lambda: {e}"));
        let cargo_lambda = venv.join("bin/cargo-lambda");
        let port = moto::free_port().to_string();
        let log = moto::target_dir().join(format!("cargo-lambda-{port}.log"));
        let mut watch = moto::spawn_guarded(
            &venv.join("bin/python"),
            &cargo_lambda,
            &[
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &port,
            ],
            &log,
        )
        .expect("start cargo lambda watch");
        moto::wait_for_http(
            &format!("http://127.0.0.1:{port}/lambda-url/readiness-probe"),
            Duration::from_secs(60),
            &mut watch,
            &log,
        )
        .unwrap_or_else(|e| panic!("cargo lambda watch: {e}"));
        let watch = Guarded(watch);
        let binary = std::env::var_os("SPS_TEST_LAMBDA_BINARY").map_or_else(
            || std::path::PathBuf::from(env!("CARGO_BIN_EXE_sps")),
            std::path::PathBuf::from,
        );
        let sps_log = moto::target_dir().join(format!("sps-lambda-{port}.log"));
        let sps = Command::new(&binary)
            .envs(moto::process_env())
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{port}/.rt"),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", "_")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("SPS_CACHE_DIR", support::shared_cache_dir())
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&sps_log).expect("log"))
            .spawn()
            .expect("start sps under the runtime API");
        Self {
            cargo_lambda,
            port,
            sps_log,
            _sps: Killed(sps),
            _watch: watch,
        }
    }

    /// What `sps` logged so far.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.sps_log).unwrap_or_default()
    }

    /// `cargo lambda invoke` with `payload`; the function's answer.
    fn invoke(&self, payload: &Value) -> Value {
        let invoke = Command::new(&self.cargo_lambda)
            .args([
                "lambda",
                "invoke",
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &self.port,
                "--data-ascii",
                &payload.to_string(),
            ])
            .output()
            .expect("run cargo lambda invoke");
        let stdout = String::from_utf8_lossy(&invoke.stdout);
        assert!(
            invoke.status.success(),
            "cargo lambda invoke failed: {stdout}{}\nsps log: {}",
            String::from_utf8_lossy(&invoke.stderr),
            std::fs::read_to_string(&self.sps_log).unwrap_or_default()
        );
        serde_json::from_str(stdout.trim()).expect("json answer")
    }
}

#[tokio::test]
async fn cargo_lambda_invokes_the_scheduling_function_through_the_runtime_api() {
    let aws = aws();
    let group_name = unique("lambda");
    group(&aws, &group_name).await;
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let function = RuntimeApi::start(&[
        ("SPS_FUNCTION", "scheduler"),
        ("SPS_EVENT_BUS", &bus),
        ("SPS_SCHEDULE_GROUP", &group_name),
        ("SPS_SENDER_ARN", SENDER_ARN),
        ("SPS_SCHEDULER_ROLE_ARN", ROLE_ARN),
        ("SPS_DLQ_ARN", DLQ_ARN),
    ]);

    let answer = function.invoke(&readme_event(
        "viacargolambda",
        "Hello world!",
        "2034-10-23T08:48:00",
    ));

    assert_eq!(
        answer,
        json!({"status": "scheduled", "action": "created", "referenceNumber": "viacargolambda",
            "scheduleName": "twitter-viacargolambda", "scheduledDate": "2034-10-23T08:48:00"})
    );
    assert_schedule(
        &aws,
        &group_name,
        "twitter-viacargolambda",
        "2034-10-23T08:48:00",
        json!({"referenceNumber": "viacargolambda", "message": "Hello world!", "platform": "twitter", "scheduledDate": "2034-10-23T08:48:00"}),
    )
    .await;
    let events: Vec<Value> = receive_events(&aws, &queue, 1).await;
    assert_eq!(
        events,
        vec![outcome_event(
            "Post Scheduled",
            "SocialPostScheduler",
            json!({"referenceNumber": "viacargolambda", "scheduledDate": "2034-10-23T08:48:00"})
        )]
    );
}

#[tokio::test]
async fn cargo_lambda_invokes_the_sending_function_with_the_schedule_input() {
    let aws = aws();
    let x = FakeX::start();
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let ledger = table(&aws).await;
    let secret_id = secret(&aws, support::SECRETS_JSON).await;
    let function = RuntimeApi::start(&[
        ("SPS_FUNCTION", "sender"),
        ("SPS_EVENT_BUS", &bus),
        ("SPS_LEDGER_TABLE", &ledger),
        ("SPS_SECRET_ID", &secret_id),
        ("SPS_X_API_BASE_URL", &x.base_url),
        // The most verbose logging, so the check below covers every log line.
        ("RUST_LOG", "trace"),
    ]);
    let reference = unique("viacargolambda");

    // The schedule's target input, as EventBridge Scheduler passes it: a raw JSON object.
    let answer = function.invoke(
        &json!({"referenceNumber": reference, "message": "Hello from the runtime API!",
        "platform": "twitter", "scheduledDate": "2099-10-23T08:48:00"}),
    );

    assert_eq!(
        answer,
        json!({"status": "sent", "referenceNumber": reference, "postId": FIRST_ID.to_string(), "attempt": 1})
    );
    assert_one_post(&x, "Hello from the runtime API!");
    let events: Vec<Value> = receive_events(&aws, &queue, 1).await;
    assert_eq!(
        events,
        vec![outcome_event(
            "Social Post Sent",
            "SocialPostSender",
            json!({"referenceNumber": reference, "postId": FIRST_ID.to_string()})
        )]
    );
    let log = function.log();
    assert!(log.contains("event published"), "{log}");
    for secret in [
        "test-consumer-secret",
        "test-bearer",
        "test-access-token-secret",
    ] {
        assert!(!log.contains(secret), "the log holds the secret {secret:?}");
    }
}

#[tokio::test]
async fn the_embedded_components_load_and_are_precompiled_with_the_feature() {
    let (runtime, _memory) = embedded_runtime().await;
    let report = runtime.load_report();
    assert_eq!(report.source, "the components embedded in the binary");
    if cfg!(feature = "precompiled") {
        // build.rs precompiled them for this target: nothing is compiled at start.
        assert_eq!(
            (report.precompiled, report.cached, report.compiled),
            (3, 0, 0)
        );
    } else {
        assert_eq!(
            (report.precompiled, report.cached + report.compiled),
            (0, 3)
        );
    }
    assert_eq!(runtime.platform_names(), vec!["twitter".to_string()]);
}
