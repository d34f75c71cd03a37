//! Campaigns on AWS: the plan is the DynamoDB item the README's `aws dynamodb put-item`
//! writes, bookings are conditional writes in the same table, all against a moto server
//! over HTTP with the real scheduler component in the scheduling function's handler.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(not(feature = "aws"))]
compile_error!("the AWS tests need the feature aws: cargo test --workspace --features sps/aws (the README's test command)");

mod support;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Value};
use sps_host::aws::Function;
use sps_host::lambda::LambdaFunction;
use support::aws::{aws, bus_to_queue, group, scheduler_settings, unique};
use support::campaigns::{away_from_a_slot, weekday_slots, LAUNCH};

fn launch_event(reference: &str) -> Value {
    json!({"version": "0", "id": "e", "detail-type": "Schedule Social Post", "source": "test",
        "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "us-east-1",
        "resources": [], "detail": {"message": "Launch day", "platform": "twitter",
        "referenceNumber": reference, "campaign": "launch"}})
}

#[tokio::test]
async fn date_less_posts_book_slots_with_conditional_writes_and_a_cancel_frees_one() {
    let aws = aws();
    let group_name = unique("campaigns");
    group(&aws, &group_name).await;
    let bus = unique("bus");
    bus_to_queue(&aws, &bus).await;
    let settings = scheduler_settings(&aws, &bus, &group_name, None).await;
    let table = settings.ledger_table.clone().unwrap();
    // The plan: the README's one put-item, the campaign's JSON as the attribute `plan`.
    let plan: Value = serde_json::from_str(LAUNCH).unwrap();
    aws.dynamodb
        .put_item()
        .table_name(&table)
        .item("key", AttributeValue::S("campaign#launch".into()))
        .item(
            "plan",
            AttributeValue::S(plan["campaigns"]["launch"].to_string()),
        )
        .send()
        .await
        .unwrap();
    let function = LambdaFunction::build(Function::Scheduler, &settings, &aws.sdk)
        .await
        .expect("build the scheduling function");

    let now = away_from_a_slot();
    let expected = weekday_slots(now, 3);
    for (reference, date) in [("a", &expected[0]), ("b", &expected[1])] {
        let answer = function.handle(launch_event(reference)).await.unwrap();
        assert_eq!(answer["scheduledDate"], date.as_str(), "{answer}");
        assert_eq!(answer["campaign"], "launch");
    }
    let booked = aws
        .dynamodb
        .get_item()
        .table_name(&table)
        .key("key", AttributeValue::S("bookings#launch#twitter".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(booked["version"], AttributeValue::N("2".into()));
    let list: Value = serde_json::from_str(booked["booked"].as_s().unwrap()).unwrap();
    assert_eq!(
        list,
        json!([{"reference": "a", "at": expected[0]}, {"reference": "b", "at": expected[1]}])
    );

    let cancel = json!({"detail-type": "Cancel Social Post", "source": "test",
        "detail": {"referenceNumber": "a", "platform": "twitter"}});
    assert_eq!(
        function.handle(cancel).await.unwrap()["status"],
        "cancelled"
    );
    let answer = function.handle(launch_event("c")).await.unwrap();
    assert_eq!(answer["scheduledDate"], expected[0].as_str());

    let mut unknown = launch_event("u");
    unknown["detail"]["campaign"] = json!("nope");
    assert_eq!(
        function.handle(unknown).await.unwrap(),
        json!({"status": "rejected", "reason": "unknown-campaign",
            "message": "no campaign is named \"nope\"", "referenceNumber": "u"})
    );
}

#[tokio::test]
async fn scores_are_one_map_entry_per_post_in_dynamodb() {
    use sps_host::bindings::campaigns::Score;
    use sps_host::caps::campaigns::CampaignBackend as _;
    let aws = aws();
    let table = support::aws::table(&aws).await;
    let campaigns = sps_host::aws::campaigns::DynamoCampaigns::new(aws.dynamodb.clone(), &table);
    assert_eq!(campaigns.scores("launch", "twitter").await.unwrap(), []);
    for (reference, bucket, score) in [("a", 36, 0.5), ("a", 36, 0.25), ("b", 9, 1.0)] {
        let score = Score {
            reference: reference.to_string(),
            bucket,
            score,
        };
        campaigns
            .record_score("launch", "twitter", &score)
            .await
            .unwrap();
    }
    let mut scores: Vec<(String, u8, f64)> = campaigns
        .scores("launch", "twitter")
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.reference, s.bucket, s.score))
        .collect();
    scores.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        scores,
        [("a".to_string(), 36, 0.25), ("b".to_string(), 9, 1.0)]
    );
    assert_eq!(campaigns.scores("launch", "mastodon").await.unwrap(), []);
}
