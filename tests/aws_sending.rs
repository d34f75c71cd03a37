//! The sending function's handler (`LambdaFunction::handle`, in-process) and the AWS
//! adapters it rests on against a moto server over HTTP (tests/support/moto.rs), with
//! the real SDK clients pointed at moto, the real components embedded in the binary and
//! the fake X API: a post with the secret's credentials and the deliveries counted, an
//! unreadable secret, a rotated secret, PutEvents with a bad entry, and the DynamoDB
//! ledger.

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

use std::time::Duration;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde_json::{json, Value};
use sps_host::aws::events::EventBridgeEvents;
use sps_host::aws::ledger::{delivery_key, DynamoLedger};
use sps_host::aws::secrets::SecretsManagerSource;
use sps_host::aws::Function;
use sps_host::bindings::events::EventError;
use sps_host::bindings::ledger::Entry;
use sps_host::caps::ledger::LedgerBackend;
use sps_host::lambda::{HandlerError, LambdaFunction};
use sps_host::runtime::PlatformSettingsSource;
use support::aws::{
    assert_one_post, aws, bus_to_queue, item, number, outcome_event, receive_events, secret,
    settings, table, unique, EVENTS_WITHIN,
};
use support::fake_x::{FakeX, FIRST_ID};

#[tokio::test]
async fn sending_handler_posts_with_the_secret_and_counts_deliveries() {
    let aws = aws();
    let x = FakeX::start();
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let mut s = settings(&bus, "social", None);
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

    let events: Vec<Value> = receive_events(&aws, &queue, 2, EVENTS_WITHIN).await;
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
    let mut s = settings(&bus, "social", None);
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
    let events: Vec<Value> = receive_events(&aws, &queue, 1, EVENTS_WITHIN).await;
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
    let delivered: Vec<Value> = receive_events(&aws, &queue, 2, EVENTS_WITHIN).await;
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
