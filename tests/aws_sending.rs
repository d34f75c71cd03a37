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

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde_json::{json, Value};
use sps_host::aws::events::EventBridgeEvents;
use sps_host::aws::ledger::{delivery_key, DynamoLedger};
use sps_host::aws::secrets::SecretsManagerSource;
use sps_host::aws::Function;
use sps_host::bindings::events::EventError;
use sps_host::bindings::ledger::{Entry, InFlightClaim, LedgerError};
use sps_host::caps::ledger::LedgerBackend;
use sps_host::lambda::{HandlerError, LambdaFunction};
use sps_host::runtime::PlatformSettingsSource;
use support::aws::{
    assert_one_post, aws, bus_to_queue, item, number, outcome_event, receive_events, secret,
    settings, table, unique, EVENTS_WITHIN,
};
use support::fake_mastodon::{self, FakeMastodon};
use support::fake_x::{FakeX, FIRST_ID};
use support::ledger::part;

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
        support::sent_detail(&reference, FIRST_ID),
    );
    assert_eq!(events, vec![sent.clone(), sent]);
}

/// A platform other than X: its accounts in the secret `<prefix>mastodon`, its instance from
/// `SPS_MASTODON_INSTANCE_URL`; an account the secret does not hold is named in
/// `missing-credentials`.
#[tokio::test]
async fn sending_handler_posts_to_mastodon_with_the_platforms_secret() {
    let aws = aws();
    let mastodon = FakeMastodon::start();
    let bus = unique("bus");
    let queue = bus_to_queue(&aws, &bus).await;
    let prefix = format!("{}/platforms/", unique("stack"));
    aws.secrets
        .create_secret()
        .name(format!("{prefix}mastodon"))
        .secret_string(json!({"default": {"access_token": fake_mastodon::TOKEN}}).to_string())
        .send()
        .await
        .expect("create secret");
    let mut s = settings(&bus, "social", None);
    s.ledger_table = Some(table(&aws).await);
    s.secret_id = Some(secret(&aws, support::SECRETS_JSON).await);
    s.platform_secret_prefix = Some(prefix);
    s.platform_env = vec![(
        "SPS_MASTODON_INSTANCE_URL".to_string(),
        mastodon.base_url.clone(),
    )];
    let function = LambdaFunction::build(Function::Sender, &s, &aws.sdk)
        .await
        .expect("build the sending function");
    let reference = unique("post");
    let input = json!({"referenceNumber": reference, "message": "Hello world!", "platform": "mastodon", "scheduledDate": "2099-10-23T08:48:00"});
    let id = fake_mastodon::id(0);
    assert_eq!(
        function.handle(input).await,
        Ok(json!({"status": "sent", "referenceNumber": reference, "postId": id, "attempt": 1}))
    );
    let created = mastodon.created();
    assert_eq!(created.len(), 1);
    assert_eq!(
        (created[0].user.as_str(), created[0].text.as_str()),
        ("alice", "Hello world!")
    );
    let other = unique("post");
    let brand = json!({"referenceNumber": other, "message": "Hi", "platform": "mastodon", "account": "brand", "scheduledDate": "2099-10-23T08:48:00"});
    let message =
        "Mastodon credentials are missing for the account \"brand\": set its access_token";
    assert_eq!(
        function.handle(brand).await,
        Ok(
            json!({"status": "failed", "referenceNumber": other, "reason": "missing-credentials",
                  "message": message, "retryable": false, "attempt": 1})
        )
    );
    let mut events: Vec<Value> = receive_events(&aws, &queue, 2, EVENTS_WITHIN).await;
    // An SQS queue keeps no order: by detail-type.
    events.sort_by_key(|e| e["detail-type"].as_str().unwrap_or_default().to_string());
    let url = mastodon.status_url("alice", &id);
    assert_eq!(
        events,
        vec![
            outcome_event(
                "Social Post Failed",
                "SocialPostSender",
                json!({"referenceNumber": other, "reason": "missing-credentials",
                       "reasonMessage": message, "retryable": false, "stage": "sending"}),
            ),
            outcome_event(
                "Social Post Sent",
                "SocialPostSender",
                json!({"referenceNumber": reference, "postId": id, "postIds": [id], "postUrl": url}),
            ),
        ]
    );
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
        None,
        Duration::from_millis(700),
        "http://127.0.0.1:9",
        std::collections::HashMap::new(),
    )
    .expect("source");
    // The secret's credentials are the account default's; the base URL is every account's.
    let key = |settings: &sps_host::runtime::PlatformSettings| {
        settings.config_for("default").get("x_api_key").cloned()
    };
    let settings = source.settings("twitter").await.expect("settings");
    assert_eq!(key(&settings).as_deref(), Some("first"));
    // Another account has no credentials on AWS yet: only the shared base URL.
    assert_eq!(
        settings.config_for("brand"),
        std::collections::HashMap::from([(
            "x_api_base_url".to_string(),
            "http://127.0.0.1:9".to_string()
        )])
    );
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

/// The string attribute `name` of `item`.
fn text<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

fn attributes(pairs: &[(&str, AttributeValue)]) -> HashMap<String, AttributeValue> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[tokio::test]
async fn the_ledger_keeps_each_part_across_a_release_until_sent() {
    let aws = aws();
    let table = table(&aws).await;
    let ledger = DynamoLedger::new(aws.dynamodb.clone(), &table);
    support::ledger::keeps_each_part_across_a_release_until_sent(&ledger).await;
}

#[tokio::test]
async fn the_dynamodb_ledger_cancels_only_what_no_delivery_holds() {
    let aws = aws();
    let ledger = DynamoLedger::new(aws.dynamodb.clone(), &table(&aws).await);
    // The race of a cancel and a claim rests on DynamoDB's conditional writes, which
    // moto does not serialize under concurrency: it is run on SQLite and memory only.
    support::ledger::cancels_only_what_no_delivery_holds(&ledger).await;
}

#[tokio::test]
async fn platform_state_is_kept_per_scope_in_the_ledger_table() {
    let aws = aws();
    let table = table(&aws).await;
    let kv = sps_host::aws::keyvalue::DynamoKeyValue::new(aws.dynamodb.clone(), &table);
    support::keyvalue::keeps_values_per_scope_and_swaps_only_over_the_expected(&kv).await;
    // The item of a key, as host/src/aws/keyvalue.rs documents it.
    let item = aws
        .dynamodb
        .get_item()
        .table_name(&table)
        .key("key", AttributeValue::S("kv#bluesky/brand#session".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(
        item.get("value"),
        Some(&AttributeValue::B(vec![0u8, 255, 7].into()))
    );
    assert_eq!(item.len(), 2);
}

/// The items behind the scenario above, as the module doc of host/src/aws/ledger.rs
/// gives them.
#[tokio::test]
async fn ledger_items_have_the_documented_shapes() {
    let aws = aws();
    let table = table(&aws).await;
    let ledger = DynamoLedger::new(aws.dynamodb.clone(), &table);
    let p0 = part(
        "1850000000000000001",
        Some("https://x.com/i/web/status/1850000000000000001"),
        None,
    );
    let p1 = part("1850000000000000002", None, Some("bafyreib2rxk3rh6kzwq"));
    assert_eq!(ledger.claim("k1").await, Ok(Entry::Claimed(vec![])));
    let stored = item(&aws, &table, "k1").await;
    assert_eq!(text(&stored, "state"), Some("in-flight"));
    assert_eq!(
        number(&stored, "expiresAt") - number(&stored, "claimedAt"),
        30 * 24 * 3600
    );
    // Released before any part, the item goes, as before parts.
    assert_eq!(ledger.release("k1").await, Ok(()));
    assert_eq!(item(&aws, &table, "k1").await, HashMap::new());

    assert_eq!(ledger.claim("k1").await, Ok(Entry::Claimed(vec![])));
    assert_eq!(ledger.record_part("k1", 0, &p0).await, Ok(()));
    assert_eq!(ledger.record_part("k1", 1, &p1).await, Ok(()));
    // Released with parts, the item stays with them.
    assert_eq!(ledger.release("k1").await, Ok(()));
    let stored = item(&aws, &table, "k1").await;
    let parts_01 = AttributeValue::L(vec![
        AttributeValue::M(attributes(&[
            ("id", AttributeValue::S(p0.id.clone())),
            (
                "url",
                AttributeValue::S("https://x.com/i/web/status/1850000000000000001".into()),
            ),
        ])),
        AttributeValue::M(attributes(&[
            ("id", AttributeValue::S(p1.id.clone())),
            ("replyRef", AttributeValue::S("bafyreib2rxk3rh6kzwq".into())),
        ])),
    ]);
    let expires_at = stored
        .get("expiresAt")
        .cloned()
        .unwrap_or(AttributeValue::Null(true));
    assert_eq!(
        stored,
        attributes(&[
            ("key", AttributeValue::S("k1".into())),
            ("state", AttributeValue::S("released".into())),
            ("expiresAt", expires_at),
            ("parts", parts_01),
        ])
    );
    assert_eq!(ledger.claim("k1").await, Ok(Entry::Claimed(vec![p0, p1])));
    assert_eq!(ledger.record_sent("k1").await, Ok(()));
    let stored = item(&aws, &table, "k1").await;
    // The version before parts reads `postId`.
    assert_eq!(
        (text(&stored, "state"), text(&stored, "postId")),
        (Some("sent"), Some("1850000000000000001"))
    );
    assert_eq!(
        number(&stored, "expiresAt") - number(&stored, "sentAt"),
        30 * 24 * 3600
    );
    assert_eq!(stored.get("claimedAt"), None);
    assert_eq!(
        stored
            .get("parts")
            .and_then(|p| p.as_l().ok())
            .map(Vec::len),
        Some(2)
    );

    assert_eq!(ledger.count_delivery("payload").await, Ok(1));
    assert_eq!(ledger.count_delivery("payload").await, Ok(2));
    assert_eq!(ledger.count_delivery("other").await, Ok(1));
}

#[tokio::test]
async fn the_ledger_refuses_a_part_out_of_order_a_different_part_or_without_a_claim() {
    let aws = aws();
    let table = table(&aws).await;
    let ledger = DynamoLedger::new(aws.dynamodb.clone(), &table);
    let p0 = part("1", None, None);
    let refused = |m: &str| Err(LedgerError::Unavailable(m.to_string()));
    assert_eq!(
        ledger.record_part("k2", 0, &p0).await,
        refused("ledger entry k2 is not claimed (no claim): part 0 cannot be recorded")
    );
    assert_eq!(ledger.claim("k2").await, Ok(Entry::Claimed(vec![])));
    assert_eq!(
        ledger.record_part("k2", 1, &p0).await,
        refused("ledger entry k2 has 0 parts recorded: part 1 cannot be recorded next")
    );
    assert_eq!(ledger.record_part("k2", 0, &p0).await, Ok(()));
    assert_eq!(
        ledger.record_part("k2", 0, &part("2", None, None)).await,
        refused("part 0 of ledger entry k2 is recorded already with the id 1")
    );
    assert_eq!(
        ledger.record_part("k2", 2, &p0).await,
        refused("ledger entry k2 has 1 parts recorded: part 2 cannot be recorded next")
    );
    assert_eq!(ledger.release("k2").await, Ok(()));
    assert_eq!(
        ledger.record_part("k2", 1, &part("2", None, None)).await,
        refused("ledger entry k2 is not claimed (released): part 1 cannot be recorded")
    );
    assert_eq!(ledger.claim("k2").await, Ok(Entry::Claimed(vec![p0])));
}

#[tokio::test]
async fn ledger_items_of_the_version_before_parts_read_as_one_part() {
    let aws = aws();
    let table = table(&aws).await;
    let ledger = DynamoLedger::new(aws.dynamodb.clone(), &table);
    let n = |v: i64| AttributeValue::N(v.to_string());
    let s = |v: &str| AttributeValue::S(v.to_string());
    for old in [
        attributes(&[
            ("key", s("old-sent")),
            ("state", s("sent")),
            ("postId", s("1849999999999999999")),
            ("sentAt", n(1_700_000_000)),
            ("expiresAt", n(1_700_000_000 + 30 * 24 * 3600)),
        ]),
        attributes(&[
            ("key", s("old-in-flight")),
            ("state", s("in-flight")),
            ("claimedAt", n(1_700_000_001)),
            ("expiresAt", n(1_700_000_001 + 30 * 24 * 3600)),
        ]),
    ] {
        aws.dynamodb
            .put_item()
            .table_name(&table)
            .set_item(Some(old))
            .send()
            .await
            .expect("put an old item");
    }
    let sent = vec![part("1849999999999999999", None, None)];
    assert_eq!(
        ledger.claim("old-sent").await,
        Ok(Entry::Sent(sent.clone()))
    );
    assert_eq!(
        ledger.claim("old-in-flight").await,
        Ok(Entry::InFlight(InFlightClaim {
            claimed_at: 1_700_000_001,
            parts: vec![]
        }))
    );
    // Recording it sent again keeps the old post id.
    assert_eq!(ledger.record_sent("old-sent").await, Ok(()));
    assert_eq!(ledger.claim("old-sent").await, Ok(Entry::Sent(sent)));
    // An old claim released goes as before.
    assert_eq!(ledger.release("old-in-flight").await, Ok(()));
    assert_eq!(item(&aws, &table, "old-in-flight").await, HashMap::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_ledger_claims_exactly_one_is_claimed() {
    let aws = aws();
    let table = table(&aws).await;
    let ledgers: [std::sync::Arc<dyn LedgerBackend>; 1] = [std::sync::Arc::new(DynamoLedger::new(
        aws.dynamodb.clone(),
        &table,
    ))];
    // A new key, and a released key with a part.
    let p0 = part("1", None, None);
    support::ledger::released_with(ledgers[0].as_ref(), "c2", &p0).await;
    support::ledger::exactly_one_of_concurrent_claims_is_claimed(&ledgers, "c1", vec![]).await;
    support::ledger::exactly_one_of_concurrent_claims_is_claimed(&ledgers, "c2", vec![p0]).await;
}
