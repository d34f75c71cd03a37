//! The real components (`target/wasm-components/.../*.wasm`) in the real host, with the
//! in-memory backends and the fake X API.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::sync::Arc;

use serde_json::{json, Value};
use sps_host::bindings::scheduling::{Rejection, ScheduleAction, ScheduleFailure, Scheduled};
use sps_host::bindings::sending::Delivered;
use sps_host::bindings::sending::{Delivery, FailureReport, RetryLaterHint, SendFailure};
use sps_host::memory::MemoryBackend;
use sps_host::runtime::Runtime;
use sps_host::secrets::XCredentials;
use support::fake_x::{FakeX, Reply, FIRST_ID};

struct Harness {
    runtime: Runtime,
    memory: Arc<MemoryBackend>,
    x: FakeX,
}

fn harness_with(credentials: XCredentials, window: u32) -> Harness {
    let x = FakeX::start();
    let settings = sps_host::settings::runtime_settings(
        support::components_dir(),
        support::shared_cache_dir(),
        window,
        &x.base_url,
        &credentials,
    )
    .expect("settings");
    let (memory, backends) = MemoryBackend::backends();
    let runtime = Runtime::new(settings, backends).expect("runtime");
    Harness { runtime, memory, x }
}

fn runtime_engine(runtime: &Runtime) -> wasmtime::Engine {
    runtime.engine().clone()
}

fn harness() -> Harness {
    harness_with(
        XCredentials::from_json(support::SECRETS_JSON).expect("secrets"),
        8,
    )
}

/// The events published so far as (detail-type, source, detail).
fn events(h: &Harness) -> Vec<(String, String, Value)> {
    h.memory
        .events()
        .into_iter()
        .map(|e| (e.detail_type, e.source, e.detail))
        .collect()
}

fn readme_event(reference: &str, message: &str, date: &str) -> String {
    json!({"detail-type": "Schedule Social Post", "source": "test", "detail": {
        "message": message, "platform": "twitter", "scheduledDate": date, "referenceNumber": reference}}).to_string()
}

fn input(reference: &str, message: &str) -> String {
    json!({"referenceNumber": reference, "message": message, "platform": "twitter", "scheduledDate": "2030-01-02T03:04:00"}).to_string()
}

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

#[tokio::test]
async fn schedules_the_readme_event_and_updates_it_on_the_same_reference() {
    let h = harness();
    let outcome = h
        .runtime
        .schedule_post(&readme_event(
            "testtweet",
            "Hello world!",
            "2034-10-23T08:48:00",
        ))
        .await
        .expect("call");
    assert_eq!(
        outcome,
        Ok(Scheduled {
            reference_number: "testtweet".into(),
            schedule_name: "twitter-testtweet".into(),
            scheduled_date: "2034-10-23T08:48:00".into(),
            action: ScheduleAction::Created,
            campaign: None,
        })
    );
    let outcome = h
        .runtime
        .schedule_post(&readme_event(
            "testtweet",
            "Second text",
            "2034-11-01T10:00:30Z",
        ))
        .await
        .expect("call");
    assert_eq!(
        outcome,
        Ok(Scheduled {
            reference_number: "testtweet".into(),
            schedule_name: "twitter-testtweet".into(),
            scheduled_date: "2034-11-01T10:00:30".into(),
            action: ScheduleAction::Updated,
            campaign: None,
        })
    );

    let schedules = h.memory.schedules();
    assert_eq!(schedules.len(), 1);
    let s = &schedules["twitter-testtweet"];
    assert_eq!(
        (s.name.as_str(), s.at.as_str(), s.flexible_window_minutes),
        ("twitter-testtweet", "2034-11-01T10:00:30", 8)
    );
    assert_eq!(
        serde_json::from_str::<Value>(&s.input).expect("json"),
        json!({"referenceNumber": "testtweet", "message": "Second text", "platform": "twitter", "scheduledDate": "2034-11-01T10:00:30"})
    );
    assert_eq!(
        events(&h),
        vec![
            (
                "Post Scheduled".into(),
                "SocialPostScheduler".into(),
                json!({"referenceNumber": "testtweet", "scheduledDate": "2034-10-23T08:48:00"})
            ),
            (
                "Post Scheduled".into(),
                "SocialPostScheduler".into(),
                json!({"referenceNumber": "testtweet", "scheduledDate": "2034-11-01T10:00:30"})
            ),
        ]
    );
}

#[tokio::test]
async fn rejects_bad_requests_with_a_reason_code_and_a_failed_event() {
    let h = harness();
    let long = "a".repeat(281);
    let cases = [
        (readme_event("r1", &long, "2034-01-01T00:00:00"), "message-too-long", "message is 281 weighted characters; X allows at most 280"),
        (json!({"detail-type": "Schedule Social Post", "detail": {"message": "hi", "platform": "Twitter", "scheduledDate": "2034-01-01T00:00:00", "referenceNumber": "r2"}}).to_string(),
            "unsupported-platform", &format!("platform \"Twitter\" is not supported; {}", support::SUPPORTED)),
        (readme_event("r3", "hi", "2034-01-01"), "invalid-scheduled-date", ""),
        (readme_event("r4", "hi", "2023-10-23T08:48:00"), "scheduled-date-in-past", ""),
    ];
    for (event, code, message) in cases {
        let outcome = h.runtime.schedule_post(&event).await.expect("call");
        let Err(ScheduleFailure::Rejected(Rejection {
            code: got,
            message: got_message,
            reference_number: Some(reference),
        })) = outcome
        else {
            panic!("{event}: {outcome:?}");
        };
        assert_eq!(got, code, "{event}");
        if !message.is_empty() {
            assert_eq!(got_message, message);
        }
        let last = h.memory.events().pop().expect("an event");
        assert_eq!(
            (last.detail_type.as_str(), last.source.as_str()),
            ("Social Post Failed", "SocialPostSender")
        );
        assert_eq!(
            last.detail,
            json!({"referenceNumber": reference, "reason": code, "reasonMessage": got_message, "retryable": false, "stage": "scheduling"})
        );
    }
    assert!(h.memory.schedules().is_empty());
}

#[tokio::test]
async fn rejects_malformed_events_without_an_event() {
    let h = harness();
    for (event, code) in [
        ("not json", "invalid-json"),
        ("[1,2]", "invalid-event"),
        (
            r#"{"detail-type":"Schedule Social Post","detail":"x"}"#,
            "invalid-event",
        ),
    ] {
        let outcome = h.runtime.schedule_post(event).await.expect("call");
        assert!(
            matches!(&outcome, Err(ScheduleFailure::Rejected(Rejection { code: c, reference_number: None, .. })) if c == code),
            "{event}: {outcome:?}"
        );
    }
    assert!(h.memory.events().is_empty());
}

#[tokio::test]
async fn sends_a_post_signed_for_x_and_reports_the_exact_id() {
    let h = harness();
    let outcome = h
        .runtime
        .send_post(&input("testtweet", "Hello world!"), FIRST)
        .await
        .expect("call");
    assert_eq!(outcome, Ok(support::sent_record("testtweet", FIRST_ID)));
    let received = h.x.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].signature_valid, "{:?}", received[0]);
    assert_eq!(received[0].text.as_deref(), Some("Hello world!"));
    // The fixed-size body is framed by its length, not chunked: {"text":"Hello world!"}.
    assert_eq!(received[0].framing(), (Some("23"), None));
    assert_eq!(
        events(&h),
        vec![(
            "Social Post Sent".into(),
            "SocialPostSender".into(),
            support::sent_detail("testtweet", FIRST_ID)
        )]
    );

    // A second delivery of the same schedule (at least once) posts nothing new.
    let again = h
        .runtime
        .send_post(
            &input("testtweet", "Hello world!"),
            Delivery {
                attempt: 2,
                final_attempt: false,
                due_at: None,
            },
        )
        .await
        .expect("call");
    assert_eq!(again, Ok(support::sent_record("testtweet", FIRST_ID)));
    assert_eq!(h.x.received().len(), 1);
    assert_eq!(h.memory.events().len(), 2);
}

fn failed(
    reference: &str,
    code: &str,
    message: &str,
    retryable: bool,
) -> Result<Delivered, SendFailure> {
    Err(SendFailure::Failed(FailureReport {
        reference_number: Some(reference.into()),
        code: code.into(),
        message: message.into(),
        retryable,
    }))
}

#[tokio::test]
async fn reports_a_duplicate_post() {
    let h = harness();
    h.x.script([Reply::duplicate()]);
    let outcome = h
        .runtime
        .send_post(&input("dup", "Same again"), FIRST)
        .await
        .expect("call");
    let Err(SendFailure::Failed(report)) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (report.code.as_str(), report.retryable),
        ("duplicate-content", false)
    );
    assert_eq!(
        events(&h)[0].2,
        json!({"referenceNumber": "dup", "reason": "duplicate-content", "reasonMessage": report.message, "retryable": false, "stage": "sending"})
    );
}

#[tokio::test]
async fn retries_a_rate_limit_at_the_reset_time_then_reports_it() {
    let h = harness();
    h.x.script([
        Reply::rate_limited(4_000_000_000),
        Reply::rate_limited(4_000_000_000),
    ]);
    let outcome = h
        .runtime
        .send_post(&input("rl", "Busy"), FIRST)
        .await
        .expect("call");
    let Err(SendFailure::RetryLater(RetryLaterHint { retry_at, code, .. })) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (*retry_at, code.as_str()),
        (Some(4_000_000_000), "rate-limited")
    );
    assert!(h.memory.events().is_empty());
    let outcome = h
        .runtime
        .send_post(&input("rl", "Busy"), FINAL)
        .await
        .expect("call");
    let Err(SendFailure::Failed(report)) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (report.code.as_str(), report.retryable),
        ("rate-limited", true)
    );
    assert_eq!(h.memory.events().len(), 1);
}

/// A 5xx may hide a published post and X has no idempotency key: reported at once as
/// `unknown-outcome`, never retried blindly; a redelivery within the grace period waits for
/// the claim's outcome instead of posting again.
#[tokio::test]
async fn treats_a_5xx_as_an_unknown_outcome_and_never_posts_again() {
    let h = harness();
    h.x.script([Reply::unavailable()]);
    let outcome = h
        .runtime
        .send_post(&input("u", "Maybe"), FIRST)
        .await
        .expect("call");
    let message =
        "X failed: HTTP 503 Service Unavailable; the post may or may not have been published";
    assert_eq!(outcome, failed("u", "unknown-outcome", message, false));
    let redelivery = Delivery {
        attempt: 2,
        final_attempt: false,
        due_at: None,
    };
    let outcome = h
        .runtime
        .send_post(&input("u", "Maybe"), redelivery)
        .await
        .expect("call");
    assert!(
        matches!(&outcome, Err(SendFailure::RetryLater(RetryLaterHint { code, retry_at: Some(_), .. })) if code == "unknown-outcome"),
        "{outcome:?}"
    );
    assert_eq!(h.x.received().len(), 1);
    let events = events(&h);
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].2,
        json!({"referenceNumber": "u", "reason": "unknown-outcome", "reasonMessage": message, "retryable": false, "stage": "sending"})
    );
}

#[tokio::test]
async fn without_credentials_nothing_is_posted() {
    let h = harness_with(XCredentials::default(), 8);
    let outcome = h
        .runtime
        .send_post(&input("nc", "Hello"), FIRST)
        .await
        .expect("call");
    assert_eq!(outcome, failed("nc", "missing-credentials", "X credentials are missing: set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret", false));
    assert!(h.x.received().is_empty());
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_failure() {
    let mut creds = XCredentials::from_json(support::SECRETS_JSON).expect("secrets");
    creds.x_access_token_secret = Some("wrong".into());
    let h = harness_with(creds, 8);
    let outcome = h
        .runtime
        .send_post(&input("wa", "Hello"), FIRST)
        .await
        .expect("call");
    let Err(SendFailure::Failed(report)) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (report.code.as_str(), report.retryable),
        ("auth-failed", false)
    );
    assert_eq!(h.x.received().len(), 1);
    assert!(!h.x.received()[0].signature_valid);
}

#[tokio::test]
async fn precompiles_each_component_once_into_the_cache() {
    let cache = tempfile::tempdir().expect("tempdir");
    let settings = sps_host::settings::runtime_settings(
        support::components_dir(),
        cache.path().to_path_buf(),
        8,
        "http://127.0.0.1:9",
        &XCredentials::default(),
    )
    .expect("settings");
    let runtime = Runtime::new(settings, MemoryBackend::backends().1).expect("runtime");
    let cached: Vec<_> = std::fs::read_dir(cache.path())
        .expect("cache")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".cwasm"))
        .collect();
    assert_eq!(cached.len(), support::COMPONENT_FILES.len(), "{cached:?}");
    for file in support::COMPONENT_FILES {
        let bytes = std::fs::read(support::components_dir().join(file)).expect("component");
        let key = format!(
            "{}.cwasm",
            sps_host::runtime::loader::cache_key(&runtime_engine(&runtime), &bytes)
        );
        assert!(cached.contains(&key), "{key} not in {cached:?}");
    }
    assert_eq!(runtime.platform_names(), support::PLATFORMS);
}

#[tokio::test]
async fn components_compiled_where_the_cache_cannot_be_written_still_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The cache directory would be inside a regular file: it cannot be created.
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, "").expect("file");
    let settings = sps_host::settings::runtime_settings(
        support::components_dir(),
        file.join("cache"),
        8,
        "http://127.0.0.1:9",
        &XCredentials::default(),
    )
    .expect("settings");
    let runtime = Runtime::new(settings, MemoryBackend::backends().1).expect("runtime");
    let report = runtime.load_report();
    assert_eq!(
        (report.compiled, report.cached),
        (support::COMPONENT_FILES.len(), 0)
    );
    assert_eq!(runtime.platform_names(), support::PLATFORMS);
    // The scheduler runs, and calls the twitter component's validate.
    let outcome = runtime
        .schedule_post(&readme_event("cache-less", "Hello", "2034-10-23T08:48:00"))
        .await
        .expect("call");
    assert_eq!(
        outcome,
        Ok(Scheduled {
            reference_number: "cache-less".into(),
            schedule_name: "twitter-cache-less".into(),
            scheduled_date: "2034-10-23T08:48:00".into(),
            action: ScheduleAction::Created,
            campaign: None,
        })
    );
}

#[tokio::test]
async fn outbound_http_goes_only_to_the_configured_host() {
    let x = FakeX::start();
    let credentials = XCredentials::from_json(support::SECRETS_JSON).expect("secrets");
    let mut settings = sps_host::settings::runtime_settings(
        support::components_dir(),
        support::shared_cache_dir(),
        8,
        &x.base_url,
        &credentials,
    )
    .expect("settings");
    // The twitter component is configured to call the fake X, but may only reach another host.
    if let Some(twitter) = settings.platforms.get_mut("twitter") {
        twitter.outbound = sps_host::caps::http::OutboundPolicy::deny_all()
            .allow_url("http://127.0.0.1:1")
            .expect("url");
    }
    let (memory, backends) = MemoryBackend::backends();
    let runtime = Runtime::new(settings, backends).expect("runtime");
    let outcome = runtime
        .send_post(&input("deny", "Hello"), FINAL)
        .await
        .expect("call");
    let Err(SendFailure::Failed(report)) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (report.code.as_str(), report.retryable),
        ("platform-unavailable", true)
    );
    assert_eq!(
        report.message,
        "could not reach X: ErrorCode::HttpRequestDenied"
    );
    assert!(x.received().is_empty());
    assert_eq!(memory.events().len(), 1);
}
