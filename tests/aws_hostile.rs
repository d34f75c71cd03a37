//! The hostile components of tests/hostile/ on the Lambda path, against a moto server
//! over HTTP (tests/support/moto.rs): the Lambda handlers (`LambdaFunction::handle`,
//! called in-process as tests/aws_schedules.rs and tests/aws_sending.rs do) with the real
//! SDK clients pointed at moto and a hostile component swapped in from S3
//! (`SPS_COMPONENTS_URI`, README "Swap a component without redeploying"). As under
//! `sps serve` (tests/hostile.rs), the host stops each one, the post ends in a reason
//! reported on the event bus, and the same function goes on serving the real components.

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

#[path = "support/hostile.rs"]
mod hostile;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hostile::{hostile_wasm, ALLOC_CAUSE, SCHEDULER_TRAP_CAUSE};
use serde_json::{json, Value};
use sps_host::aws::Function;
use sps_host::lambda::{HandlerError, LambdaFunction};
use sps_host::runtime::GuestTimeExceeded;
use support::aws::{
    all_events, assert_one_post, aws, bus_to_queue, components_bucket, outcome_event,
    put_component, readme_event, scheduler_settings, secret, settings, table, unique, Aws,
};
use support::fake_x::{FakeX, FIRST_ID};

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
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
    let mut s = settings(&bus, "social", Some(&bucket));
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
    // The embedded components and the hostile one.
    assert_eq!(
        report.precompiled + report.cached + report.compiled,
        support::COMPONENT_FILES.len() + 1,
        "{report:?}"
    );
    let mut names = vec![platform.to_string()];
    names.extend(support::PLATFORMS.map(String::from));
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
    assert_one_post(&s.x, "Hello from a hostile test");
    assert_eq!(
        all_events(&s.aws, &s.queue, 1).await,
        vec![outcome_event(
            "Social Post Sent",
            "SocialPostSender",
            support::sent_detail(reference, FIRST_ID)
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
    support::aws::group(&aws, &group).await;
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let bucket =
        components_bucket(&aws, &[("sps_scheduler.wasm", read(&hostile_wasm("trap")))]).await;
    let function = LambdaFunction::build(
        Function::Scheduler,
        &scheduler_settings(&aws, &bus, &group, Some(&bucket)).await,
        &aws.sdk,
    )
    .await
    .expect("build the scheduling function");
    assert_eq!(function.runtime().platform_names(), support::PLATFORMS);
    let reference = unique("trapped");
    let event = readme_event(&reference, "Hello world!", "2034-10-23T08:48:00");
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
