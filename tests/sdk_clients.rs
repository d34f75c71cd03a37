//! The real AWS clients against `sps serve`: boto3 and the AWS CLI (PyPI `boto3`,
//! `awscli`, in `target/test-venv`) call PutEvents with `--endpoint-url` and dummy
//! credentials, exactly as a user's producer code does, and the posts are scheduled.
//! With `SPS_API_TOKEN` set they must sign with the access key `sps` and the token.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::process::Command;

use serde_json::{json, Value};
use support::api::{events_until, get, secrets_file};
use support::fake_x::FakeX;
use support::sdk::{boto3_put_events, venv_bin};
use support::serve::{command, spawn, Serve};

fn entry(reference: &str, date: &str) -> Value {
    let detail = json!({"message": "Hello world!", "platform": "twitter",
        "scheduledDate": date, "referenceNumber": reference});
    json!({"Source": "test", "DetailType": "Schedule Social Post", "Detail": detail.to_string()})
}

fn serve_with(dir: &std::path::Path, x: &FakeX, token: Option<&str>) -> Serve {
    let mut cmd = command(&dir.join("data"), x, &secrets_file(dir));
    if let Some(token) = token {
        cmd.env("SPS_API_TOKEN", token);
    }
    spawn(cmd)
}

fn event_id(entry: &Value) -> &str {
    let id = entry["EventId"].as_str().expect("an EventId");
    assert_eq!(
        uuid::Uuid::parse_str(id)
            .map(|u| u.to_string())
            .ok()
            .as_deref(),
        Some(id)
    );
    id
}

fn schedule_names(base: &str) -> Vec<String> {
    let mut names: Vec<String> = get(base, "/schedules")
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn boto3_schedules_the_readme_event_and_gets_each_entry_answered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve_with(dir.path(), &x, None);
    let answer = boto3_put_events(
        &server.base,
        "dummy",
        "dummy",
        &json!([entry("boto3", "2030-10-23T08:48:00")]),
    );
    assert_eq!(answer["FailedEntryCount"], 0);
    assert_eq!(answer["Entries"].as_array().map(Vec::len), Some(1));
    event_id(&answer["Entries"][0]);
    assert_eq!(schedule_names(&server.base), vec!["twitter-boto3"]);

    // Ten entries, the fourth with a Detail that is not JSON: one failed entry, in place.
    let mut entries: Vec<Value> = (0..10)
        .map(|i| entry(&format!("batch{i}"), "2030-10-23T08:48:00"))
        .collect();
    entries[3]["Detail"] = json!("{not json");
    let answer = boto3_put_events(&server.base, "dummy", "dummy", &Value::Array(entries));
    assert_eq!(answer["FailedEntryCount"], 1);
    let answered = answer["Entries"].as_array().unwrap();
    assert_eq!(answered.len(), 10);
    assert_eq!(
        answered[3],
        json!({"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."})
    );
    for (i, e) in answered.iter().enumerate().filter(|(i, _)| *i != 3) {
        assert_eq!(e.as_object().unwrap().len(), 1, "entry {i}: {e}");
        event_id(e);
    }
    let names = schedule_names(&server.base);
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(!names.contains(&"twitter-batch3".to_string()));

    // Eleven entries: refused whole, as AWS refuses them.
    let eleven: Vec<Value> = (0..11)
        .map(|i| entry(&format!("e{i}"), "2030-10-23T08:48:00"))
        .collect();
    assert_eq!(
        boto3_put_events(&server.base, "dummy", "dummy", &Value::Array(eleven)),
        json!({"Error": {"Code": "ValidationException",
            "Message": "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10"},
            "status": 400})
    );
    assert_eq!(schedule_names(&server.base).len(), 10);
}

#[test]
fn another_detail_type_gets_an_event_id_and_a_failure_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve_with(dir.path(), &x, None);
    let detail = json!({"referenceNumber": "other"}).to_string();
    let answer = boto3_put_events(
        &server.base,
        "dummy",
        "dummy",
        &json!([{"Source": "test", "DetailType": "Order Placed", "Detail": detail},
            {"Source": "test", "DetailType": "Schedule Social Post",
             "Detail": r#"{"message":"a","message":"b","referenceNumber":"twice"}"#}]),
    );
    assert_eq!(answer["FailedEntryCount"], 1);
    event_id(&answer["Entries"][0]);
    // A detail holding a key twice: no reference can be read from it, so the entry fails.
    assert_eq!(answer["Entries"][1]["ErrorCode"], "MalformedDetail");
    let message = answer["Entries"][1]["ErrorMessage"].as_str().unwrap();
    assert!(
        message.starts_with(
            "event JSON is ambiguous: the key \"message\" appears twice in one object"
        ),
        "{message}"
    );
    let events = events_until(&server.base, |e| !e.is_empty());
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "Social Post Failed");
    assert_eq!(events[0].1["referenceNumber"], "other");
    assert_eq!(events[0].1["reason"], "unsupported-detail-type");
}

#[test]
fn the_aws_cli_puts_events_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve_with(dir.path(), &x, None);
    let entries = dir.path().join("entries.json");
    std::fs::write(
        &entries,
        json!([entry("cli", "2030-10-23T08:48:00")]).to_string(),
    )
    .unwrap();
    let out = Command::new(venv_bin().join("aws"))
        .args([
            "events",
            "put-events",
            "--endpoint-url",
            &server.base,
            "--output",
            "json",
        ])
        .arg("--entries")
        .arg(format!("file://{}", entries.display()))
        .env("AWS_ACCESS_KEY_ID", "dummy")
        .env("AWS_SECRET_ACCESS_KEY", "dummy")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("run aws");
    assert!(
        out.status.success(),
        "aws failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("aws printed JSON");
    assert_eq!(answer["FailedEntryCount"], 0);
    event_id(&answer["Entries"][0]);
    assert_eq!(schedule_names(&server.base), vec!["twitter-cli"]);
}

#[test]
fn with_a_token_clients_sign_with_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let token = "a-token-of-thirty-two-characters";
    let server = serve_with(dir.path(), &x, Some(token));
    let one = json!([entry("signed", "2030-10-23T08:48:00")]);
    let answer = boto3_put_events(&server.base, "sps", token, &one);
    assert_eq!(answer["FailedEntryCount"], 0, "{answer}");
    event_id(&answer["Entries"][0]);
    assert_eq!(
        boto3_put_events(&server.base, "sps", "not-the-token-but-long-enough", &one),
        json!({"Error": {"Code": "InvalidSignatureException",
            "Message": "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
            "status": 400})
    );
    assert_eq!(
        boto3_put_events(&server.base, "AKIAIOSFODNN7EXAMPLE", token, &one),
        json!({"Error": {"Code": "UnrecognizedClientException",
            "Message": "The security token included in the request is invalid."},
            "status": 400})
    );
    // The listings still take the token as a bearer header only.
    let listing = ureq::get(&format!("{}/schedules", server.base))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .unwrap()
        .into_body()
        .read_json::<Value>()
        .unwrap();
    assert_eq!(listing[0]["name"], "twitter-signed");
}

#[test]
fn the_wire_protocols_errors_have_the_documented_shapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve_with(dir.path(), &x, None);
    let call = |target: Option<&str>, body: &str| {
        let mut request = ureq::post(&format!("{}/", server.base))
            .config()
            .http_status_as_error(false)
            .build()
            .content_type("application/x-amz-json-1.1");
        if let Some(target) = target {
            request = request.header("x-amz-target", target);
        }
        let response = request.send(body).unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(response.headers().contains_key("x-amzn-requestid"));
        let body: Value = response.into_body().read_json().unwrap();
        (status, content_type, body)
    };
    let aws = "application/x-amz-json-1.1".to_string();
    assert_eq!(
        call(Some("AWSEvents.PutEvents"), "{"),
        (
            400,
            aws.clone(),
            json!({"__type": "SerializationException",
            "message": "the request body is not JSON: EOF while parsing an object at line 1 column 1"})
        )
    );
    assert_eq!(
        call(Some("AWSEvents.ListRules"), "{}"),
        (
            400,
            aws.clone(),
            json!({"__type": "UnknownOperationException",
            "message": "the operation AWSEvents.ListRules is not supported here; this endpoint answers AWSEvents.PutEvents only"})
        )
    );
    let big = "x".repeat(256 * 1024);
    let detail = json!({"p": big}).to_string();
    let body = json!({"Entries": [{"Source": "s", "DetailType": "Schedule Social Post", "Detail": detail}]});
    assert_eq!(
        call(Some("AWSEvents.PutEvents"), &body.to_string()),
        (
            400,
            aws,
            json!({"__type": "ValidationException",
            "message": "Total size of the entries in the request is over the limit: 262173 bytes, which must be less than 262144"})
        )
    );
}
