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

/// A schedule group, a bus and the scheduling function's settings with a new table that
/// holds the plan `launch`, written as the README's one put-item does (the campaign's JSON
/// as the attribute `plan`).
async fn launch_campaign(aws: &support::aws::Aws) -> (String, String, sps_host::aws::AwsSettings) {
    let group_name = unique("campaigns");
    group(aws, &group_name).await;
    let bus = unique("bus");
    bus_to_queue(aws, &bus).await;
    let settings = scheduler_settings(aws, &bus, &group_name, None).await;
    let plan: Value = serde_json::from_str(LAUNCH).unwrap();
    aws.dynamodb
        .put_item()
        .table_name(settings.ledger_table.clone().unwrap())
        .item("key", AttributeValue::S("campaign#launch".into()))
        .item(
            "plan",
            AttributeValue::S(plan["campaigns"]["launch"].to_string()),
        )
        .send()
        .await
        .unwrap();
    (group_name, bus, settings)
}

#[tokio::test]
async fn date_less_posts_book_slots_with_conditional_writes_and_a_cancel_frees_one() {
    let aws = aws();
    let (_, _, settings) = launch_campaign(&aws).await;
    let table = settings.ledger_table.clone().unwrap();
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

#[tokio::test]
async fn the_metrics_reading_is_a_schedule_the_sending_function_turns_into_a_score() {
    let aws = aws();
    let x = support::fake_x::FakeX::start();
    let (group_name, bus, settings) = launch_campaign(&aws).await;
    let table = settings.ledger_table.clone().unwrap();
    let scheduler = LambdaFunction::build(Function::Scheduler, &settings, &aws.sdk)
        .await
        .unwrap();
    // Tuesday 2030-10-22 10:15 Berlin (08:15Z) falls in the 09:30 slot: bucket Tue 09:00.
    let mut event = launch_event("m1");
    event["detail"]["scheduledDate"] = json!("2030-10-22T08:15:00Z");
    let answer = scheduler.handle(event).await.unwrap();
    assert_eq!(answer["scheduledDate"], "2030-10-22T08:15:00");
    let name = sps_contract::metrics::reading_name("twitter-m1");
    let reading = aws
        .scheduler
        .get_schedule()
        .group_name(&group_name)
        .name(&name)
        .send()
        .await
        .unwrap();
    // 08:15 + the window of 8 minutes + 24 hours.
    assert_eq!(
        reading.schedule_expression(),
        Some("at(2030-10-23T08:23:00)")
    );
    let input: Value = serde_json::from_str(
        reading
            .target()
            .map(|t| t.input().unwrap_or(""))
            .unwrap_or(""),
    )
    .unwrap();
    assert_eq!(
        (&input["kind"], &input["campaign"], &input["bucket"]),
        (&json!("metrics"), &json!("launch"), &json!(33))
    );

    let mut sending = support::aws::settings(&bus, &group_name, None);
    sending.ledger_table = Some(table.clone());
    sending.secret_id = Some(support::aws::secret(&aws, support::SECRETS_JSON).await);
    sending.x_api_base_url = x.base_url.clone();
    let sender = LambdaFunction::build(Function::Sender, &sending, &aws.sdk)
        .await
        .unwrap();
    // Before the post is sent, the reading ends without a score.
    assert_eq!(
        sender.handle(input.clone()).await,
        Ok(
            json!({"status": "measured", "referenceNumber": "m1", "attempt": 1,
            "outcome": "the post was not sent (failed, cancelled or never delivered); nothing recorded"})
        )
    );
    let post = aws
        .scheduler
        .get_schedule()
        .group_name(&group_name)
        .name("twitter-m1")
        .send()
        .await
        .unwrap();
    let post_input: Value =
        serde_json::from_str(post.target().map(|t| t.input().unwrap_or("")).unwrap_or("")).unwrap();
    assert_eq!(sender.handle(post_input).await.unwrap()["status"], "sent");
    x.set_metrics(
        &support::fake_x::FIRST_ID.to_string(),
        json!({"retweet_count": 1, "reply_count": 0, "like_count": 3, "quote_count": 1,
            "bookmark_count": 0, "impression_count": 50}),
    );
    // The same reading delivered again (the second delivery) now finds the post.
    assert_eq!(
        sender.handle(input).await,
        Ok(
            json!({"status": "measured", "referenceNumber": "m1", "attempt": 2,
            "outcome": "recorded score 0.1400 for Tue 09:00 in campaign launch on twitter"})
        )
    );
    use sps_host::caps::campaigns::CampaignBackend as _;
    let campaigns = sps_host::aws::campaigns::DynamoCampaigns::new(aws.dynamodb.clone(), &table);
    let scores: Vec<(String, u8, f64)> = campaigns
        .scores("launch", "twitter")
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.reference, s.bucket, s.score))
        .collect();
    assert_eq!(scores, [("m1".to_string(), 33, 0.14)]);
}
