//! The limits of a call (host/src/runtime: guest time, wall-clock time, platform HTTP
//! timeouts) with the real components and a slow fake X: waiting on X never counts as the
//! component's guest time, and an answer that comes too late is `unknown-outcome`, reported
//! once and never retried blindly.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use sps_host::bindings::sending::{Delivery, FailureReport, SendFailure};
use sps_host::caps::http::HttpTimeouts;
use sps_host::memory::MemoryBackend;
use sps_host::runtime::{Limits, Runtime};
use sps_host::secrets::XCredentials;
use support::fake_x::{FakeX, FIRST_ID};

const FIRST: Delivery = Delivery {
    attempt: 1,
    final_attempt: false,
    due_at: None,
};

fn runtime(x: &FakeX, limits: Limits) -> (Runtime, std::sync::Arc<MemoryBackend>) {
    let credentials = XCredentials::from_json(support::SECRETS_JSON).expect("secrets");
    let mut settings = sps_host::settings::runtime_settings(
        support::components_dir(),
        support::shared_cache_dir(),
        0,
        &x.base_url,
        &credentials,
    )
    .expect("settings");
    settings.limits = limits;
    let (memory, backends) = MemoryBackend::backends();
    (Runtime::new(settings, backends).expect("runtime"), memory)
}

fn input(reference: &str) -> String {
    json!({"referenceNumber": reference, "message": "Slow X", "platform": "twitter",
        "scheduledDate": "2030-01-02T03:04:00"})
    .to_string()
}

/// X answers after 1.5 s while the components may run for 200 ms of guest time: the wait
/// is not guest time, so the post is sent (before the fix the epoch deadline counted the
/// wait and the call trapped with "wasm trap: interrupt").
#[tokio::test]
async fn waiting_on_x_is_not_guest_time() {
    let x = FakeX::start();
    x.delay(Duration::from_millis(1500));
    let limits = Limits {
        cpu_time: Duration::from_millis(200),
        ..Limits::default()
    };
    let (runtime, _) = runtime(&x, limits);
    let outcome = runtime
        .send_post(&input("slow"), FIRST)
        .await
        .expect("call");
    assert_eq!(outcome, Ok(support::sent_record("slow", FIRST_ID)));
    assert_eq!(x.received().len(), 1);
}

/// X receives the post and answers after the first-byte timeout: the post may exist, so
/// it is `unknown-outcome`, reported at once (retryable false), and X got one request.
#[tokio::test]
async fn an_answer_after_the_first_byte_timeout_is_an_unknown_outcome() {
    let x = FakeX::start();
    x.delay(Duration::from_secs(3));
    let limits = Limits {
        http: HttpTimeouts {
            first_byte: Duration::from_millis(300),
            ..HttpTimeouts::default()
        },
        ..Limits::default()
    };
    let (runtime, memory) = runtime(&x, limits);
    let started = Instant::now();
    let outcome = runtime
        .send_post(&input("late"), FIRST)
        .await
        .expect("call");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let message = "the request to X failed after it may have been sent \
        (ErrorCode::ConnectionReadTimeout); the post may or may not have been published";
    assert_eq!(
        outcome,
        Err(SendFailure::Failed(FailureReport {
            reference_number: Some("late".into()),
            code: "unknown-outcome".into(),
            message: message.into(),
            retryable: false,
        }))
    );
    assert_eq!(x.received().len(), 1);
    let events = memory.events();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].detail_type.as_str(), &events[0].detail),
        (
            "Social Post Failed",
            &json!({"referenceNumber": "late", "reason": "unknown-outcome", "reasonMessage": message,
                "retryable": false, "stage": "sending"})
        )
    );
}

/// A platform call is cut at its wall-clock limit even when X keeps the connection open
/// and trickles nothing: the delivery ends in `unknown-outcome` within the limit.
#[tokio::test]
async fn a_platform_call_is_cut_at_its_wall_clock_limit() {
    let x = FakeX::start();
    x.delay(Duration::from_secs(5));
    let limits = Limits {
        platform_wall_time: Duration::from_millis(500),
        ..Limits::default()
    };
    let (runtime, _) = runtime(&x, limits);
    let started = Instant::now();
    let outcome = runtime.send_post(&input("cut"), FIRST).await.expect("call");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        outcome,
        Err(SendFailure::Failed(FailureReport {
            reference_number: Some("cut".into()),
            code: "unknown-outcome".into(),
            message:
                "the twitter component failed: the call exceeded its wall-clock limit of 500 ms"
                    .into(),
            retryable: false,
        }))
    );
    assert_eq!(x.received().len(), 1);
}
