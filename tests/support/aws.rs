//! The fixtures of the AWS tests (tests/aws*.rs) on a moto server ([`super::moto`]): the
//! SDK clients, unique names, an event bus delivering to an SQS queue and the events read
//! back from it, the function settings, and the schedule group, ledger table, secret and
//! components bucket a test makes for itself.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_eventbridge::types::Target as RuleTarget;
use aws_sdk_scheduler::types::{ActionAfterCompletion, FlexibleTimeWindowMode, ScheduleState};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};
use sps_host::aws::AwsSettings;

use super::fake_x::FakeX;
use super::moto;

/// The schedules' target (the sending function).
pub const SENDER_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:sps-sender";
/// The schedules' execution role.
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/sps-scheduler";
/// The schedules' dead-letter queue.
pub const DLQ_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:sps-dlq";
/// The event pattern of [`bus_to_queue`]'s rule: every event of the two functions.
pub const EVENT_SOURCES: &str = r#"{"source":["SocialPostScheduler","SocialPostSender"]}"#;
/// The prefix of the components bucket that [`settings`] names in `SPS_COMPONENTS_URI`.
pub const PREFIX: &str = "live/";
/// How long [`receive_events`] waits for the events a test expects.
pub const EVENTS_WITHIN: Duration = Duration::from_secs(15);

/// The SDK clients on moto.
pub struct Aws {
    pub sdk: aws_config::SdkConfig,
    pub scheduler: aws_sdk_scheduler::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub s3: aws_sdk_s3::Client,
}

pub fn aws() -> Aws {
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
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// The schedule group `social`, made once per moto server.
pub async fn social_group(aws: &Aws) {
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

pub async fn group(aws: &Aws, name: &str) {
    aws.scheduler
        .create_schedule_group()
        .name(name)
        .send()
        .await
        .expect("create a schedule group");
}

/// A new event bus (or `default`) with a rule sending every event of the two sources to
/// a new SQS queue; returns the queue URL.
pub async fn bus_to_queue(aws: &Aws, bus: &str) -> String {
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

/// Receives (and deletes) messages until `count` arrived or `within` passed (most tests
/// wait [`EVENTS_WITHIN`]); the events' envelopes ([`envelope`]), in arrival order.
pub async fn receive_events(
    aws: &Aws,
    queue_url: &str,
    count: usize,
    within: Duration,
) -> Vec<Value> {
    let deadline = Instant::now() + within;
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

/// Every event on the queue now: `count` are expected, and the queue is then watched
/// 3 s more for any further one (PutEvents returned before the handler did, and moto
/// delivers to the queue within PutEvents).
pub async fn all_events(aws: &Aws, queue_url: &str, count: usize) -> Vec<Value> {
    let mut events = receive_events(aws, queue_url, count, EVENTS_WITHIN).await;
    events.extend(receive_events(aws, queue_url, usize::MAX, Duration::from_secs(3)).await);
    events
}

/// The envelope of an event as EventBridge delivered it, without `id` and `time`
/// (checked to be present), for exact comparison.
pub fn envelope(mut event: Value) -> Value {
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

pub fn outcome_event(detail_type: &str, source: &str, detail: Value) -> Value {
    // moto's envelope has no `account` (EventBridge's has): the rest is compared exactly.
    json!({"version": "0", "detail-type": detail_type, "source": source,
        "region": moto::REGION, "resources": [], "detail": detail})
}

/// Asserts that the fake X received exactly one post, `text`, with a valid OAuth 1.0a
/// signature.
pub fn assert_one_post(x: &FakeX, text: &str) {
    let received = x.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(received[0].signature_valid, "{:?}", received[0]);
    assert_eq!(received[0].text.as_deref(), Some(text));
}

/// The function settings on `bus` and `group`, with the schedules' target, role and
/// dead-letter queue above. With a `bucket`, the components of its [`PREFIX`] are
/// checked before every invocation; without, only the embedded components run.
pub fn settings(bus: &str, group: &str, bucket: Option<&str>) -> AwsSettings {
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
        metrics_delay_seconds: 86_400,
        x_api_base_url: "https://api.x.com".to_string(),
        components_uri: bucket.map(|bucket| {
            format!("s3://{bucket}/{PREFIX}")
                .parse()
                .expect("components uri")
        }),
        components_check: if bucket.is_some() {
            Duration::ZERO
        } else {
            Duration::from_secs(60)
        },
        secret_ttl: Duration::from_secs(300),
        max_deliveries: 3,
        cache_dir: super::shared_cache_dir(),
        platform_secret_prefix: None,
        platform_env: Vec::new(),
    }
}

/// [`settings`] for the scheduling function, with a new send ledger table (where it notes
/// schedule names and arbitrates cancels).
pub async fn scheduler_settings(
    aws: &Aws,
    bus: &str,
    group: &str,
    bucket: Option<&str>,
) -> AwsSettings {
    AwsSettings {
        ledger_table: Some(table(aws).await),
        ..settings(bus, group, bucket)
    }
}

/// The README's example event for the scheduling function.
pub fn readme_event(reference: &str, message: &str, date: &str) -> Value {
    json!({"detail-type": "Schedule Social Post", "source": "test", "detail": {
        "message": message, "platform": "twitter", "scheduledDate": date, "referenceNumber": reference}})
}

/// Reads a schedule back and checks every field the host sets.
pub async fn assert_schedule(aws: &Aws, group: &str, name: &str, at: &str, input: Value) {
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

/// A new ledger table (hash key `key`); returns its name.
pub async fn table(aws: &Aws) -> String {
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

/// A new secret holding `value`; returns its name.
pub async fn secret(aws: &Aws, value: &str) -> String {
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

/// The ledger item of `key` in `table` (empty when there is none).
pub async fn item(aws: &Aws, table: &str, key: &str) -> HashMap<String, AttributeValue> {
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

/// The number attribute `name` of `item`, or -1.
pub fn number(item: &HashMap<String, AttributeValue>, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1)
}

/// A bucket holding each `(file, bytes)` under [`PREFIX`]; returns its name.
pub async fn components_bucket(aws: &Aws, files: &[(&str, Vec<u8>)]) -> String {
    let bucket = unique("components");
    aws.s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("bucket");
    for (file, bytes) in files {
        put_component(aws, &bucket, file, bytes.clone()).await;
    }
    bucket
}

/// Puts `bytes` as `file` under [`PREFIX`] of `bucket`.
pub async fn put_component(aws: &Aws, bucket: &str, file: &str, bytes: Vec<u8>) {
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(format!("{PREFIX}{file}"))
        .body(bytes.into())
        .send()
        .await
        .expect("put object");
}
