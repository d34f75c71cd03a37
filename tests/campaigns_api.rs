//! Campaign plans through the local API of `sps serve`: `PUT /campaigns/NAME` saves a plan
//! (checked as a post would check it) that the next post books in, over the campaigns
//! file's plan of the same name; `DELETE` forgets it.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};
use support::api::{get, post, put_or_delete, secrets_file};
use support::fake_x::FakeX;
use support::serve::{command, spawn};

/// Every Wednesday at 07:00 UTC.
const WEDNESDAYS: &str = r#"{"timeZone": "UTC", "slots": [{"days": ["wed"], "times": ["07:00"]}]}"#;

#[test]
fn a_plan_put_through_the_api_takes_posts_and_can_be_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    // The file has `weekly` on Mondays; the API's plan of that name wins.
    let file = dir.path().join("campaigns.json");
    std::fs::write(
        &file,
        r#"{"campaigns": {"weekly": {"timeZone": "UTC", "slots": [{"days": ["mon"], "times": ["07:00"]}]}}}"#,
    )
    .unwrap();
    let mut cmd = command(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    cmd.env("SPS_CAMPAIGNS_FILE", &file);
    let server = spawn(cmd);
    let base = server.base.as_str();

    assert_eq!(
        put_or_delete(base, "/campaigns/weekly", Some(WEDNESDAYS.as_bytes())),
        (201, json!({"status": "saved", "name": "weekly"}))
    );
    assert_eq!(
        put_or_delete(base, "/campaigns/weekly", Some(WEDNESDAYS.as_bytes())),
        (200, json!({"status": "saved", "name": "weekly"}))
    );
    let (status, answer) = post(
        base,
        &json!({"message": "Midweek", "platform": "twitter", "referenceNumber": "w1",
            "campaign": "weekly"}),
    );
    assert_eq!(status, 201, "{answer}");
    let date = chrono::NaiveDateTime::parse_from_str(
        answer["scheduledDate"].as_str().unwrap(),
        "%Y-%m-%dT%H:%M:%S",
    )
    .unwrap();
    assert_eq!(
        (
            chrono::Datelike::weekday(&date),
            date.format("%H:%M").to_string()
        ),
        (chrono::Weekday::Wed, "07:00".to_string())
    );
    assert_eq!(
        get(base, "/campaigns/weekly")["plan"],
        serde_json::from_str::<Value>(WEDNESDAYS).unwrap()
    );

    // A plan a post could not use is refused with the reason.
    assert_eq!(
        put_or_delete(
            base,
            "/campaigns/weekly",
            Some(br#"{"timeZone": "UTC", "slots": [{"days": ["someday"], "times": ["07:00"]}]}"#)
        ),
        (
            400,
            json!({"status": "rejected", "reason": "invalid-campaign", "referenceNumber": null,
                "message": "campaign \"weekly\": day \"someday\" is not one of mon ... sun"})
        )
    );

    // Deleted, the file's plan of that name is back; a second delete finds none.
    assert_eq!(
        put_or_delete(base, "/campaigns/weekly", None),
        (200, json!({"status": "deleted", "name": "weekly"}))
    );
    assert_eq!(
        get(base, "/campaigns/weekly")["plan"]["slots"][0]["days"],
        json!(["mon"])
    );
    assert_eq!(
        put_or_delete(base, "/campaigns/weekly", None),
        (
            409,
            json!({"status": "rejected", "reason": "campaign-in-file", "referenceNumber": null,
                "message": "campaign \"weekly\" is a plan of the campaigns file (SPS_CAMPAIGNS_FILE), not one saved through the API: edit the file to change or remove it"})
        )
    );
    assert_eq!(
        put_or_delete(base, "/campaigns/nothing", None),
        (
            404,
            json!({"status": "rejected", "reason": "unknown-campaign", "referenceNumber": null,
                "message": "no campaign is named \"nothing\""})
        )
    );
}
