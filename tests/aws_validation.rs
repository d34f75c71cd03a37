//! EventBridge Scheduler refusing a schedule with ValidationException: the scheduling
//! function must end the request in `Social Post Failed` (reason `schedule-rejected`) and
//! answer, not fail the invocation, since every retry would be refused the same way and
//! the event would only reach the dead-letter queue.
//!
//! moto raises ValidationException only for recurring schedules, so the AWS endpoint here
//! is a small stub (axum) speaking the two protocols the function uses: EventBridge
//! Scheduler's REST JSON (`POST /schedules/{Name}`, answered with AWS's 400 error: header
//! `x-amzn-ErrorType: ValidationException`, body `{"Message": ...}`) and EventBridge's
//! JSON 1.1 (`X-Amz-Target: AWSEvents.PutEvents`, answered with one `EventId` an entry),
//! and DynamoDB's JSON 1.0 for the send ledger's note of the schedule name (`{}`).

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

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use sps_host::aws::{AwsSettings, Function};
use sps_host::lambda::LambdaFunction;
use support::aws::{readme_event, DLQ_ARN, ROLE_ARN, SENDER_ARN};
use support::moto;

/// AWS's message for the refused schedule (what the stub answers).
const AWS_MESSAGE: &str = "Invalid Schedule Expression at(2031-01-01T00:00:00).";

/// One request the stub received: (method, path, `X-Amz-Target`, JSON body).
type Seen = (String, String, Option<String>, Value);

#[derive(Clone, Default)]
struct Stub {
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn answer(
    State(stub): State<Stub>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    stub.seen.lock().expect("lock").push((
        method.to_string(),
        uri.path().to_string(),
        target.clone(),
        json.clone(),
    ));
    let reply = |status: StatusCode, kind: &str, error: Option<&str>, body: Value| {
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert("content-type", kind.parse().expect("header"));
        if let Some(error) = error {
            headers.insert("x-amzn-errortype", error.parse().expect("header"));
        }
        response
    };
    match (method.as_str(), uri.path(), target.as_deref()) {
        ("POST", path, None) if path.starts_with("/schedules/") => reply(
            StatusCode::BAD_REQUEST,
            "application/json",
            Some("ValidationException"),
            json!({"Message": AWS_MESSAGE}),
        ),
        // The send ledger notes the schedule name (PutItem) and forgets a cancellation
        // (DeleteItem); DynamoDB answers both with an empty object.
        ("POST", "/", Some(t)) if t.starts_with("DynamoDB_20120810.") => reply(
            StatusCode::OK,
            "application/x-amz-json-1.0",
            None,
            json!({}),
        ),
        ("POST", "/", Some("AWSEvents.PutEvents")) => {
            let count = json["Entries"].as_array().map_or(0, Vec::len);
            let entries: Vec<Value> = (0..count)
                .map(|i| json!({"EventId": format!("stub-{i}")}))
                .collect();
            reply(
                StatusCode::OK,
                "application/x-amz-json-1.1",
                None,
                json!({"FailedEntryCount": 0, "Entries": entries}),
            )
        }
        _ => reply(
            StatusCode::NOT_FOUND,
            "application/json",
            Some("UnknownOperationException"),
            json!({"Message": "not stubbed"}),
        ),
    }
}

/// Starts the stub on a free port; its base URL and what it records.
async fn start_stub() -> (String, Stub) {
    let stub = Stub::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(stub.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (url, stub)
}

#[tokio::test]
async fn a_schedule_refused_with_validation_exception_ends_in_social_post_failed() {
    let (endpoint, stub) = start_stub().await;
    let settings = AwsSettings::from_lookup(|name| {
        let value = match name {
            "SPS_EVENT_BUS" => "outcomes",
            "SPS_SENDER_ARN" => SENDER_ARN,
            "SPS_SCHEDULER_ROLE_ARN" => ROLE_ARN,
            "SPS_DLQ_ARN" => DLQ_ARN,
            "SPS_LEDGER_TABLE" => "ledger",
            _ => return None,
        };
        Some(value.to_string())
    })
    .expect("settings");
    let settings = AwsSettings {
        cache_dir: support::shared_cache_dir(),
        ..settings
    };
    let function = LambdaFunction::build(
        Function::Scheduler,
        &settings,
        &moto::sdk_config_at(&endpoint),
    )
    .await
    .expect("build the scheduling function");

    let event = readme_event("invalid", "Hello world!", "2031-01-01T00:00:00");
    let answer = function.handle(event).await;

    let message = format!(
        "schedule twitter-invalid was refused: CreateSchedule twitter-invalid: {AWS_MESSAGE}"
    );
    assert_eq!(
        answer,
        Ok(
            json!({"status": "rejected", "reason": "schedule-rejected", "message": message,
            "referenceNumber": "invalid"})
        )
    );
    let seen = stub.seen.lock().expect("lock").clone();
    let calls: Vec<(&str, &str, Option<&str>)> = seen
        .iter()
        .map(|(m, p, t, _)| (m.as_str(), p.as_str(), t.as_deref()))
        .collect();
    // The name noted in the ledger, one CreateSchedule (a ValidationException is not
    // retried), then the report.
    assert_eq!(
        calls,
        vec![
            ("POST", "/", Some("DynamoDB_20120810.PutItem")),
            ("POST", "/", Some("DynamoDB_20120810.DeleteItem")),
            ("POST", "/schedules/twitter-invalid", None),
            ("POST", "/", Some("AWSEvents.PutEvents")),
        ]
    );
    let entries = &seen[3].3["Entries"];
    let detail: Value =
        serde_json::from_str(entries[0]["Detail"].as_str().expect("Detail")).expect("json");
    assert_eq!(
        (
            entries.as_array().map(Vec::len),
            &entries[0]["EventBusName"],
            &entries[0]["Source"],
            &entries[0]["DetailType"],
            detail
        ),
        (
            Some(1),
            &json!("outcomes"),
            &json!("SocialPostSender"),
            &json!("Social Post Failed"),
            json!({"referenceNumber": "invalid", "reason": "schedule-rejected",
                "reasonMessage": message, "retryable": false, "stage": "scheduling"})
        )
    );
}
