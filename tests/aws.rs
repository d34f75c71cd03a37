//! The `sps` binary under the Lambda runtime API emulated by `cargo lambda watch`, with
//! the AWS host's SDK clients pointed at a moto server over HTTP (tests/support/moto.rs),
//! the real components (embedded in the binary) and the fake X API. The handlers called
//! in-process are in tests/aws_schedules.rs and tests/aws_sending.rs, the components in
//! tests/aws_components.rs.

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

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use support::aws::{
    assert_one_post, assert_schedule, aws, bus_to_queue, group, outcome_event, readme_event,
    receive_events, secret, table, unique, DLQ_ARN, EVENTS_WITHIN, ROLE_ARN, SENDER_ARN,
};
use support::fake_x::{FakeX, FIRST_ID};
use support::moto;

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
    let ledger = table(&aws).await;
    let function = RuntimeApi::start(&[
        ("SPS_FUNCTION", "scheduler"),
        ("SPS_EVENT_BUS", &bus),
        ("SPS_LEDGER_TABLE", &ledger),
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
    // A `Cancel Social Post` on the same function deletes the schedule (DeleteSchedule).
    let cancel = json!({"detail-type": "Cancel Social Post", "source": "test",
        "detail": {"referenceNumber": "viacargolambda", "platform": "twitter"}});
    assert_eq!(
        function.invoke(&cancel),
        json!({"status": "cancelled", "referenceNumber": "viacargolambda", "scheduleName": "twitter-viacargolambda"})
    );
    let gone = aws
        .scheduler
        .get_schedule()
        .group_name(&group_name)
        .name("twitter-viacargolambda")
        .send()
        .await;
    assert!(
        gone.as_ref()
            .err()
            .and_then(|e| e.as_service_error())
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{gone:?}"
    );
    let events: Vec<Value> = receive_events(&aws, &queue, 2, EVENTS_WITHIN).await;
    assert_eq!(
        events,
        vec![
            outcome_event(
                "Post Scheduled",
                "SocialPostScheduler",
                json!({"referenceNumber": "viacargolambda", "scheduledDate": "2034-10-23T08:48:00"})
            ),
            outcome_event(
                "Social Post Cancelled",
                "SocialPostScheduler",
                json!({"referenceNumber": "viacargolambda", "platform": "twitter"})
            ),
        ]
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
    let events: Vec<Value> = receive_events(&aws, &queue, 1, EVENTS_WITHIN).await;
    assert_eq!(
        events,
        vec![outcome_event(
            "Social Post Sent",
            "SocialPostSender",
            support::sent_detail(&reference, FIRST_ID)
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
