//! The hostile components of tests/hostile/ on the Lambda path, against a moto server
//! over HTTP (tests/support/moto.rs): the Lambda handlers (`LambdaFunction::handle`,
//! called in-process as tests/aws.rs does) with the real SDK clients pointed at moto and
//! a hostile component swapped in from S3 (`SPS_COMPONENTS_URI`, README "Swap a component
//! without redeploying"). As under `sps serve` (tests/hostile.rs), the host stops each
//! one, the post ends in a reason reported on the event bus, and the same function goes
//! on serving the real components.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/hostile.rs"]
mod hostile;
// Not every helper of moto.rs is used here.
#[allow(dead_code)]
#[path = "support/moto.rs"]
mod moto;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_eventbridge::types::Target as RuleTarget;
use aws_sdk_sqs::types::QueueAttributeName;
use hostile::{hostile_wasm, ALLOC_CAUSE, SCHEDULER_TRAP_CAUSE};
use serde_json::{json, Value};
use sps_host::aws::{AwsSettings, Function};
use sps_host::lambda::{HandlerError, LambdaFunction};
use sps_host::runtime::GuestTimeExceeded;
use support::fake_x::{FakeX, FIRST_ID};

// The clients, names and moto fixtures below are those of tests/aws.rs.
const SENDER_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:sps-sender";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/sps-scheduler";
const DLQ_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:sps-dlq";
const EVENT_SOURCES: &str = r#"{"source":["SocialPostScheduler","SocialPostSender"]}"#;

/// The prefix of the components bucket that `SPS_COMPONENTS_URI` names.
const PREFIX: &str = "live/";

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

/// A new event bus with a rule sending every event of the two sources to a new SQS
/// queue; returns the queue URL.
async fn bus_to_queue(aws: &Aws, bus: &str) -> String {
    aws.events
        .create_event_bus()
        .name(bus)
        .send()
        .await
        .expect("create bus");
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

/// Receives (and deletes) messages until `count` arrived or `within` passed; the
/// events' envelopes ([`envelope`]), in arrival order.
async fn receive_events(aws: &Aws, queue_url: &str, count: usize, within: Duration) -> Vec<Value> {
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
async fn all_events(aws: &Aws, queue_url: &str, count: usize) -> Vec<Value> {
    let mut events = receive_events(aws, queue_url, count, Duration::from_secs(15)).await;
    events.extend(receive_events(aws, queue_url, usize::MAX, Duration::from_secs(3)).await);
    events
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

fn outcome_event(detail_type: &str, source: &str, detail: Value) -> Value {
    // moto's envelope has no `account` (EventBridge's has): the rest is compared exactly.
    json!({"version": "0", "detail-type": detail_type, "source": source,
        "region": moto::REGION, "resources": [], "detail": detail})
}

/// A bucket holding each `(file, bytes)` under [`PREFIX`]; returns its name.
async fn components_bucket(aws: &Aws, files: &[(&str, Vec<u8>)]) -> String {
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

async fn put_component(aws: &Aws, bucket: &str, file: &str, bytes: Vec<u8>) {
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(format!("{PREFIX}{file}"))
        .body(bytes.into())
        .send()
        .await
        .expect("put object");
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The function settings of tests/aws.rs, with the components of `bucket`'s
/// [`PREFIX`] checked before every invocation.
fn settings(bus: &str, group: &str, bucket: &str) -> AwsSettings {
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
        components_uri: Some(
            format!("s3://{bucket}/{PREFIX}")
                .parse()
                .expect("components uri"),
        ),
        components_check: Duration::ZERO,
        secret_ttl: Duration::from_secs(300),
        max_deliveries: 3,
        cache_dir: support::shared_cache_dir(),
    }
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

/// Runs one invocation on a task of its own, as the Lambda runtime would, bounded by
/// 10 s: its answer (a panic in the handler fails here, as a `JoinError`) and how long
/// it took.
async fn invoke(
    function: &Arc<LambdaFunction>,
    payload: Value,
) -> (Result<Value, HandlerError>, Duration) {
    let function = function.clone();
    let started = Instant::now();
    let task = tokio::spawn(async move { function.handle(payload).await });
    let joined = tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the invocation must return within 10 s");
    let elapsed = started.elapsed();
    let answer = joined.unwrap_or_else(|e| panic!("the handler panicked or was cancelled: {e}"));
    (answer, elapsed)
}

/// The sending function with the hostile crate `crate_name` as the platform `platform`
/// (`sps_<platform>.wasm` in S3) beside the embedded twitter component, which posts to
/// a fake X with the credentials of a Secrets Manager secret.
struct Sender {
    aws: Aws,
    x: FakeX,
    queue: String,
    function: Arc<LambdaFunction>,
}

async fn sender(platform: &str, crate_name: &str) -> Sender {
    let aws = aws();
    let x = FakeX::start();
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let bucket = components_bucket(
        &aws,
        &[(
            &format!("sps_{platform}.wasm"),
            read(&hostile_wasm(crate_name)),
        )],
    )
    .await;
    let mut s = settings(&bus, "social", &bucket);
    s.ledger_table = Some(table(&aws).await);
    s.secret_id = Some(secret(&aws, support::SECRETS_JSON).await);
    s.x_api_base_url = x.base_url.clone();
    let function = LambdaFunction::build(Function::Sender, &s, &aws.sdk)
        .await
        .expect("build the sending function");
    // Loaded from S3 during the build, as in the init phase.
    let report = function.runtime().load_report();
    assert!(
        report
            .source
            .starts_with("the components embedded in the binary with those of ")
            && report.source.ends_with(" over them"),
        "{report:?}"
    );
    assert_eq!(
        report.precompiled + report.cached + report.compiled,
        4,
        "{report:?}"
    );
    let mut names = vec![platform.to_string(), "twitter".to_string()];
    names.sort();
    assert_eq!(function.runtime().platform_names(), names);
    Sender {
        aws,
        x,
        queue,
        function: Arc::new(function),
    }
}

fn schedule_input(reference: &str, platform: &str) -> Value {
    // The schedule's target input, as EventBridge Scheduler passes it: a raw JSON object.
    json!({"referenceNumber": reference, "message": "Hello from a hostile test",
        "platform": platform, "scheduledDate": "2099-10-23T08:48:00"})
}

/// The delivery of `reference` to the hostile `platform` is answered as
/// `unknown-outcome` (final: the post may exist) with `the <platform> component failed:
/// <cause>`, and that is the one event on the bus; X got nothing. Returns how long the
/// invocation took (each test bounds it).
async fn assert_contained(
    s: &Sender,
    (reference, platform): (&str, &str),
    cause: &str,
) -> Duration {
    let (answer, elapsed) = invoke(&s.function, schedule_input(reference, platform)).await;
    let message = format!("the {platform} component failed: {cause}");
    assert_eq!(
        answer,
        Ok(
            json!({"status": "failed", "referenceNumber": reference, "reason": "unknown-outcome",
            "message": message, "retryable": false, "attempt": 1})
        )
    );
    assert_eq!(
        all_events(&s.aws, &s.queue, 1).await,
        vec![outcome_event(
            "Social Post Failed",
            "SocialPostSender",
            json!({"referenceNumber": reference, "reason": "unknown-outcome", "reasonMessage": message,
                "retryable": false, "stage": "sending"})
        )]
    );
    assert_eq!(s.x.received().len(), 0);
    elapsed
}

/// The next delivery, to the embedded twitter component, posts once to the fake X and
/// reports `Social Post Sent`.
async fn assert_twitter_still_posts(s: &Sender, reference: &str) {
    let (answer, _) = invoke(&s.function, schedule_input(reference, "twitter")).await;
    assert_eq!(
        answer,
        Ok(
            json!({"status": "sent", "referenceNumber": reference, "postId": FIRST_ID.to_string(), "attempt": 1})
        )
    );
    let received = s.x.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(received[0].signature_valid, "{:?}", received[0]);
    assert_eq!(
        received[0].text.as_deref(),
        Some("Hello from a hostile test")
    );
    assert_eq!(
        all_events(&s.aws, &s.queue, 1).await,
        vec![outcome_event(
            "Social Post Sent",
            "SocialPostSender",
            json!({"referenceNumber": reference, "postId": FIRST_ID.to_string()})
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sending_handler_stops_a_publish_that_loops_forever_after_one_second() {
    let s = sender("loop", "loop").await;
    let reference = unique("spin");
    // The error the epoch deadline callback ends the call with.
    let cause = GuestTimeExceeded(1000).to_string();
    assert_eq!(
        cause,
        "the component ran for more than its guest time limit of 1000 ms"
    );
    let elapsed = assert_contained(&s, (&reference, "loop"), &cause).await;
    assert!(
        elapsed >= Duration::from_millis(950) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );
    assert_twitter_still_posts(&s, &unique("after-loop")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sending_handler_stops_a_publish_that_allocates_without_end_at_the_memory_limit() {
    let s = sender("alloc", "alloc").await;
    let reference = unique("hog");
    let elapsed = assert_contained(&s, (&reference, "alloc"), ALLOC_CAUSE).await;
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    assert_twitter_still_posts(&s, &unique("after-alloc")).await;
}

/// The scheduling function with the trapping scheduler (`sps_scheduler.wasm` in S3),
/// its bus's queue, its schedule group and bucket, and a README event for it.
struct Scheduling {
    aws: Aws,
    queue: String,
    group: String,
    bucket: String,
    reference: String,
    event: Value,
    function: Arc<LambdaFunction>,
}

async fn scheduling_with_the_trapping_scheduler() -> Scheduling {
    let aws = aws();
    let group = unique("hostile");
    aws.scheduler
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .expect("create a schedule group");
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let bucket =
        components_bucket(&aws, &[("sps_scheduler.wasm", read(&hostile_wasm("trap")))]).await;
    let function = LambdaFunction::build(
        Function::Scheduler,
        &settings(&bus, &group, &bucket),
        &aws.sdk,
    )
    .await
    .expect("build the scheduling function");
    assert_eq!(function.runtime().platform_names(), vec!["twitter"]);
    let reference = unique("trapped");
    let event = json!({"detail-type": "Schedule Social Post", "source": "test", "detail": {
        "message": "Hello world!", "platform": "twitter", "scheduledDate": "2034-10-23T08:48:00",
        "referenceNumber": reference}});
    Scheduling {
        aws,
        queue,
        group,
        bucket,
        reference,
        event,
        function: Arc::new(function),
    }
}

/// The invocation of the trapping scheduler fails, quickly: its handler error.
async fn trapped_invocation(s: &Scheduling) -> HandlerError {
    let (answer, elapsed) = invoke(&s.function, s.event.clone()).await;
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    answer.expect_err("a trapped scheduler must fail the invocation")
}

async fn schedules_in(s: &Scheduling) -> Vec<String> {
    s.aws
        .scheduler
        .list_schedules()
        .group_name(&s.group)
        .send()
        .await
        .expect("list schedules")
        .schedules()
        .iter()
        .filter_map(|schedule| schedule.name().map(str::to_string))
        .collect()
}

/// The handler error is the message `sps serve` answers with (its 500's `message`,
/// tests/hostile.rs): the error chain in one line without the wasm backtrace (commit
/// be93f4e, `runtime::error_summary`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduling_handler_fails_the_invocation_with_the_one_line_trap_message() {
    let s = scheduling_with_the_trapping_scheduler().await;
    // Failed, so Lambda retries the event (then its dead-letter queue): every time.
    for _ in 0..2 {
        assert_eq!(
            trapped_invocation(&s).await,
            HandlerError {
                error_type: "ComponentFailed",
                message: format!("the scheduler component failed: {SCHEDULER_TRAP_CAUSE}"),
            }
        );
    }
    assert_eq!(schedules_in(&s).await, Vec::<String>::new());
    assert_eq!(all_events(&s.aws, &s.queue, 0).await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduling_handler_schedules_once_the_real_scheduler_replaces_the_trapping_one() {
    let s = scheduling_with_the_trapping_scheduler().await;
    for _ in 0..2 {
        let HandlerError {
            error_type,
            message,
        } = trapped_invocation(&s).await;
        assert_eq!(error_type, "ComponentFailed", "{message}");
        assert_eq!(
            message,
            format!("the scheduler component failed: {SCHEDULER_TRAP_CAUSE}")
        );
    }
    assert_eq!(schedules_in(&s).await, Vec::<String>::new());

    // The real scheduler put in its place in S3 is loaded before the next invocation
    // (checked before every one here), and the same function schedules the same event.
    put_component(
        &s.aws,
        &s.bucket,
        "sps_scheduler.wasm",
        read(&support::components_dir().join("sps_scheduler.wasm")),
    )
    .await;
    let (answer, _) = invoke(&s.function, s.event.clone()).await;
    let name = format!("twitter-{}", s.reference);
    assert_eq!(
        answer,
        Ok(
            json!({"status": "scheduled", "action": "created", "referenceNumber": s.reference,
            "scheduleName": name, "scheduledDate": "2034-10-23T08:48:00"})
        )
    );
    assert_eq!(schedules_in(&s).await, vec![name.clone()]);
    let schedule = s
        .aws
        .scheduler
        .get_schedule()
        .group_name(&s.group)
        .name(&name)
        .send()
        .await
        .expect("get schedule");
    let input = schedule
        .target()
        .and_then(|t| t.input())
        .map(|i| serde_json::from_str::<Value>(i).expect("json input"));
    assert_eq!(
        (schedule.schedule_expression(), input),
        (
            Some("at(2034-10-23T08:48:00)"),
            Some(
                json!({"referenceNumber": s.reference, "message": "Hello world!", "platform": "twitter",
                "scheduledDate": "2034-10-23T08:48:00"})
            )
        )
    );
    // The trapped invocations reported nothing: this is the one event.
    assert_eq!(
        all_events(&s.aws, &s.queue, 1).await,
        vec![outcome_event(
            "Post Scheduled",
            "SocialPostScheduler",
            json!({"referenceNumber": s.reference, "scheduledDate": "2034-10-23T08:48:00"})
        )]
    );
}
