//! Hostile components (tests/hostile/: test-only crates built here for wasm32-wasip2) in
//! the real host beside the real scheduler, sender and twitter components: each is
//! stopped by the host, the post ends in a reason, and the host goes on serving others.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/hostile.rs"]
mod hostile;
mod support;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hostile::{components, ALLOC_CAUSE, SCHEDULER_TRAP_CAUSE};
use serde_json::{json, Value};
use sps_host::bindings::sending::Delivered;
use sps_host::bindings::sending::{Delivery, FailureReport, RetryLaterHint, SendFailure};
use sps_host::caps::http::OutboundPolicy;
use sps_host::memory::MemoryBackend;
use sps_host::runtime::{GuestTimeExceeded, PlatformSettings, Runtime};
use sps_host::secrets::XCredentials;
use support::api::{events_until, get, post, readme_event, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};
use support::serve::Serve;

const FIRST: Delivery = Delivery {
    attempt: 1,
    final_attempt: false,
    due_at: None,
};
const FINAL: Delivery = Delivery {
    attempt: 5,
    final_attempt: true,
    due_at: None,
};

struct Harness {
    runtime: Runtime,
    memory: Arc<MemoryBackend>,
    x: FakeX,
    _dir: tempfile::TempDir,
}

/// A runtime with the default limits (1 s of guest time, 64 MiB), the fake X for
/// `twitter`, and the hostile `(platform, crate, settings)`, each allowed to call only
/// the fake X.
fn harness(platforms: &[(&str, &str, HashMap<String, String>)]) -> Harness {
    let x = FakeX::start();
    let names: Vec<(&str, &str)> = platforms.iter().map(|(p, c, _)| (*p, *c)).collect();
    let dir = components(None, &names);
    let credentials = XCredentials::from_json(support::SECRETS_JSON).expect("secrets");
    let mut settings = sps_host::settings::runtime_settings(
        dir.path().to_path_buf(),
        support::shared_cache_dir(),
        0,
        &x.base_url,
        &credentials,
    )
    .expect("settings");
    for (platform, _, config) in platforms {
        let outbound = OutboundPolicy::deny_all()
            .allow_url(&x.base_url)
            .expect("url");
        settings.platforms.insert(
            platform.to_string(),
            PlatformSettings {
                config: config.clone(),
                outbound,
                ..PlatformSettings::default()
            },
        );
    }
    let (memory, backends) = MemoryBackend::backends();
    let runtime = Runtime::new(settings, backends).expect("runtime");
    Harness {
        runtime,
        memory,
        x,
        _dir: dir,
    }
}

fn input(reference: &str, platform: &str) -> String {
    json!({"referenceNumber": reference, "message": "Hello from a hostile test", "platform": platform,
        "scheduledDate": "2030-01-02T03:04:00"})
    .to_string()
}

/// The events published so far as (detail-type, detail).
fn events(memory: &MemoryBackend) -> Vec<(String, Value)> {
    memory
        .events()
        .into_iter()
        .map(|e| (e.detail_type, e.detail))
        .collect()
}

fn failed(reference: &str, code: &str, message: &str, retryable: bool) -> SendFailure {
    SendFailure::Failed(FailureReport {
        reference_number: Some(reference.into()),
        code: code.into(),
        message: message.into(),
        retryable,
    })
}

fn failed_event(reference: &str, code: &str, message: &str, retryable: bool) -> (String, Value) {
    (
        "Social Post Failed".into(),
        json!({"referenceNumber": reference, "reason": code, "reasonMessage": message,
            "retryable": retryable, "stage": "sending"}),
    )
}

/// A normal delivery to the real twitter component, after the hostile one: X gets it.
async fn twitter_still_works(h: &Harness, reference: &str) {
    let before = h.x.received().len();
    let outcome = h
        .runtime
        .send_post(&input(reference, "twitter"), FIRST)
        .await
        .expect("call");
    assert_eq!(outcome, Ok(support::sent_record(reference, FIRST_ID)));
    assert_eq!(h.x.received().len(), before + 1);
    let last = h.memory.events().pop().expect("an event");
    assert_eq!(
        (last.detail_type.as_str(), last.detail),
        (
            "Social Post Sent",
            support::sent_detail(reference, FIRST_ID)
        )
    );
}

/// Asserts that `message` is the host's message for a trap in the export `export` of
/// `wasm`: `<prefix><cause>`, one line, without the wasm backtrace (which goes to the debug
/// log; `wasm` and `export` name the frame it would show).
fn assert_trap(message: &str, prefix: &str, wasm: &str, export: &str, cause: &str) {
    assert_eq!(
        message,
        format!("{prefix}{cause}"),
        "trap in {wasm}!{export}"
    );
}

/// Asserts that the delivery of `reference` to the hostile `platform` (the crate
/// `sps-hostile-<crate_name>`) ended in `unknown-outcome`, final and reported, because
/// its `publish` trapped with `cause`, and that this was the only event. Returns the
/// report's message.
fn assert_publish_trapped(
    h: &Harness,
    outcome: &Result<Delivered, SendFailure>,
    (reference, platform, crate_name): (&str, &str, &str),
    cause: &str,
) -> String {
    let Err(SendFailure::Failed(report)) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(
        (
            report.reference_number.as_deref(),
            report.code.as_str(),
            report.retryable
        ),
        (Some(reference), "unknown-outcome", false)
    );
    assert_trap(
        &report.message,
        &format!("the {platform} component failed: "),
        &format!("sps_hostile_{crate_name}.wasm"),
        "sps:social/platform@0.3.0#publish",
        cause,
    );
    assert_eq!(
        events(&h.memory),
        vec![failed_event(
            reference,
            "unknown-outcome",
            &report.message,
            false
        )]
    );
    report.message.clone()
}

#[tokio::test]
async fn a_publish_that_loops_forever_is_stopped_after_one_second_of_guest_time() {
    let h = harness(&[("loop", "loop", HashMap::new())]);
    let started = Instant::now();
    let outcome = h
        .runtime
        .send_post(&input("spin", "loop"), FIRST)
        .await
        .expect("call");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(950) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );
    // The error the epoch deadline callback ends the call with.
    let cause = GuestTimeExceeded(1000).to_string();
    assert_eq!(
        cause,
        "the component ran for more than its guest time limit of 1000 ms"
    );
    assert_publish_trapped(&h, &outcome, ("spin", "loop", "loop"), &cause);
    assert_eq!(h.x.received().len(), 0);
    twitter_still_works(&h, "after-loop").await;
}

#[tokio::test]
async fn a_publish_that_allocates_without_end_is_stopped_at_the_memory_limit() {
    let h = harness(&[("alloc", "alloc", HashMap::new())]);
    let started = Instant::now();
    let outcome = h
        .runtime
        .send_post(&input("hog", "alloc"), FIRST)
        .await
        .expect("call");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    // 64 MiB and one 64 KiB page: the first growth past Limits::memory_bytes.
    assert_publish_trapped(&h, &outcome, ("hog", "alloc", "alloc"), ALLOC_CAUSE);
    assert_eq!(h.x.received().len(), 0);
    twitter_still_works(&h, "after-alloc").await;
}

#[tokio::test]
async fn a_request_to_a_host_not_granted_is_denied() {
    // `http` posts to a second fake X, `port9` to http://127.0.0.1:9/ (its default);
    // both may call only the first fake X.
    let other = FakeX::start();
    let other_url = format!("{}/2/tweets", other.base_url);
    let h = harness(&[
        (
            "http",
            "http",
            HashMap::from([("url".to_string(), other_url.clone())]),
        ),
        ("port9", "http", HashMap::new()),
    ]);
    let denied = |url: &str| format!("could not reach {url}: ErrorCode::HttpRequestDenied");

    // Like the twitter component's "not sent", the denial is transient: retried first...
    let outcome = h
        .runtime
        .send_post(&input("denied", "http"), FIRST)
        .await
        .expect("call");
    assert_eq!(
        outcome,
        Err(SendFailure::RetryLater(RetryLaterHint {
            retry_at: None,
            code: "platform-unavailable".into(),
            message: denied(&other_url),
        }))
    );
    assert_eq!(events(&h.memory), vec![]);
    // ...and reported on the final delivery.
    let outcome = h
        .runtime
        .send_post(&input("denied", "http"), FINAL)
        .await
        .expect("call");
    let message = denied(&other_url);
    assert_eq!(
        outcome,
        Err(failed("denied", "platform-unavailable", &message, true))
    );
    let outcome = h
        .runtime
        .send_post(&input("denied9", "port9"), FINAL)
        .await
        .expect("call");
    let message9 = denied("http://127.0.0.1:9/");
    assert_eq!(
        outcome,
        Err(failed("denied9", "platform-unavailable", &message9, true))
    );
    assert_eq!(
        events(&h.memory),
        vec![
            failed_event("denied", "platform-unavailable", &message, true),
            failed_event("denied9", "platform-unavailable", &message9, true),
        ]
    );
    assert_eq!((other.received().len(), h.x.received().len()), (0, 0));
    twitter_still_works(&h, "after-http").await;
}

/// A 10 MB post id is no id the service can report (it fits neither an EventBridge entry
/// nor the send ledger): the host ends the call in `unknown-outcome` (the post may exist),
/// reported once, with the claim kept so a redelivery never posts again.
#[tokio::test]
async fn a_ten_megabyte_post_id_is_an_unknown_outcome() {
    let h = harness(&[("bigid", "bigid", HashMap::new())]);
    let started = Instant::now();
    let outcome = h
        .runtime
        .send_post(&input("huge", "bigid"), FIRST)
        .await
        .expect("call");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let message = "the bigid component returned a post id of 10000000 bytes, over the 1024 \
        allowed: the post may exist but cannot be reported";
    assert_eq!(
        outcome,
        Err(failed("huge", "unknown-outcome", message, false))
    );
    assert_eq!(
        events(&h.memory),
        vec![failed_event("huge", "unknown-outcome", message, false)]
    );
    twitter_still_works(&h, "after-bigid").await;
}

/// Starts `sps serve` on a free port with the components of `components`, reloaded every
/// second.
fn serve(components: &Path, data_dir: &Path, x: &FakeX, secrets: &Path) -> Serve {
    let mut cmd = support::serve::command(data_dir, x, secrets);
    cmd.env("SPS_COMPONENTS_DIR", components)
        .env("SPS_RELOAD_SECONDS", "1");
    support::serve::spawn(cmd)
}

/// Asserts that `message` is the host's message for the trap of the hostile scheduler.
fn assert_scheduler_trap(message: &str) {
    assert_trap(
        message,
        "the scheduler component failed: ",
        "sps_hostile_trap.wasm",
        "sps:social/scheduling@0.3.0#schedule-post",
        SCHEDULER_TRAP_CAUSE,
    );
}

#[tokio::test]
async fn a_scheduler_that_traps_fails_the_call() {
    let x = FakeX::start();
    let dir = components(Some("trap"), &[]);
    let credentials = XCredentials::from_json(support::SECRETS_JSON).expect("secrets");
    let settings = sps_host::settings::runtime_settings(
        dir.path().to_path_buf(),
        support::shared_cache_dir(),
        0,
        &x.base_url,
        &credentials,
    )
    .expect("settings");
    let (memory, backends) = MemoryBackend::backends();
    let runtime = Runtime::new(settings, backends).expect("runtime");
    let event = readme_event("trapped", "2099-01-01T00:00:00").to_string();
    for _ in 0..2 {
        let err = runtime.schedule_post(&event).await.expect_err("a trap");
        assert_scheduler_trap(&sps_host::runtime::error_summary(&err));
    }
    assert!(memory.events().is_empty() && memory.schedules().is_empty());
    // The same runtime's sender and twitter still work.
    let outcome = runtime
        .send_post(&input("after-trap", "twitter"), FIRST)
        .await
        .expect("call");
    assert_eq!(outcome, Ok(support::sent_record("after-trap", FIRST_ID)));
    assert_eq!(x.received().len(), 1);
}

#[test]
fn sps_serve_answers_500_for_a_scheduler_that_traps_and_keeps_serving() {
    let x = FakeX::start();
    let dir = components(Some("trap"), &[]);
    let data = tempfile::tempdir().expect("tempdir");
    let mut server = serve(
        dir.path(),
        &data.path().join("data"),
        &x,
        &secrets_file(data.path()),
    );
    let event = readme_event("trapped", "2099-01-01T00:00:00");
    for _ in 0..2 {
        let (status, body) = post(&server.base, &event);
        assert_eq!(
            (status, body["status"].as_str(), body["reason"].as_str()),
            (500, Some("error"), Some("component-failed"))
        );
        assert_eq!(body.as_object().map(|o| o.len()), Some(3), "{body}");
        assert_scheduler_trap(body["message"].as_str().expect("message"));
    }
    assert!(server.child.try_wait().expect("try_wait").is_none());
    assert_eq!(
        support::api::health_summary(&server.base).0,
        json!({"status": "ok", "platforms": support::PLATFORMS})
    );
    assert_eq!(get(&server.base, "/events"), json!([]));
    assert_eq!(get(&server.base, "/schedules"), json!([]));

    // The real scheduler put in its place (renamed in, so the reload never reads half a
    // file) is loaded within the reload period and the same process schedules and sends.
    let tmp = dir.path().join("scheduler.tmp");
    std::fs::copy(support::components_dir().join("sps_scheduler.wasm"), &tmp).expect("copy");
    std::fs::rename(&tmp, dir.path().join("sps_scheduler.wasm")).expect("rename");
    let date = support::utc_in(3);
    let deadline = Instant::now() + Duration::from_secs(15);
    let (status, body) = loop {
        let (status, body) = post(&server.base, &readme_event("recovered", &date));
        if status != 500 || Instant::now() > deadline {
            break (status, body);
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        (status, body),
        (
            201,
            json!({"status": "scheduled", "action": "created", "referenceNumber": "recovered",
                "scheduleName": "twitter-recovered", "scheduledDate": date})
        )
    );
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(
        events,
        vec![
            (
                "Post Scheduled".to_string(),
                json!({"referenceNumber": "recovered", "scheduledDate": date})
            ),
            (
                "Social Post Sent".to_string(),
                support::sent_detail("recovered", FIRST_ID)
            ),
        ]
    );
    assert_eq!(x.received().len(), 1);
}
