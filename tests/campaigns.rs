//! Campaigns on `sps serve` (real components, SQLite, the campaigns file): date-less posts
//! book distinct slots in the campaign's time zone, `sps list` shows them, `sps cancel`
//! frees a slot for the next post, `sps campaigns` and `GET /campaigns/NAME` show the
//! bookings, and fifty posts booked at one moment take fifty distinct slots under the gap
//! and the daily cap.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};
use support::api::{get, post, secrets_file};
use support::campaigns::{away_from_a_slot, weekday_slots, EVERY_HOUR, LAUNCH};
use support::cli::{lines, sps};
use support::fake_x::FakeX;
use support::serve::{command, spawn, Serve};

fn serve_with(dir: &Path, campaigns: &str, x: &FakeX) -> Serve {
    serve_with_env(dir, campaigns, x, &[])
}

fn serve_with_env(dir: &Path, campaigns: &str, x: &FakeX, env: &[(&str, &str)]) -> Serve {
    let file = dir.join("campaigns.json");
    std::fs::write(&file, campaigns).unwrap();
    let mut cmd = command(&dir.join("data"), x, &secrets_file(dir));
    cmd.env("SPS_CAMPAIGNS_FILE", &file);
    cmd.envs(env.iter().copied());
    spawn(cmd)
}

fn schedule_in_launch(base: &str, reference: &str) -> Value {
    let (code, out, err) = sps(
        base,
        &[
            "schedule",
            "-p",
            "twitter",
            "-m",
            "Launch day",
            "--campaign",
            "launch",
            "-r",
            reference,
            "--json",
        ],
        None,
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn ten_date_less_posts_book_ten_slots_and_a_cancel_frees_one() {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let server = serve_with(dir.path(), LAUNCH, &x);
    let base = server.base.as_str();
    let now = away_from_a_slot();
    let expected = weekday_slots(now, 11);

    let mut dates = Vec::new();
    for n in 0..10 {
        let answer = schedule_in_launch(base, &format!("p{n}"));
        assert_eq!(answer["campaign"], "launch");
        dates.push(answer["scheduledDate"].as_str().unwrap().to_string());
    }
    assert_eq!(dates, expected[..10]);
    let first = schedule_in_launch(base, "p0");
    assert_eq!(first["action"], "updated");
    assert_eq!(first["scheduledDate"], expected[0].as_str());

    // sps list shows the ten posts at their slots.
    let (code, out, _) = sps(base, &["list", "--json"], None);
    assert_eq!(code, 0);
    let listed: Vec<(String, String, String)> = serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["input"]["referenceNumber"].as_str().unwrap().to_string(),
                s["at"].as_str().unwrap().to_string(),
                s["input"]["campaign"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = (0..10)
        .map(|n| {
            (
                format!("p{n}"),
                format!("{}Z", expected[n]),
                "launch".to_string(),
            )
        })
        .collect();
    assert_eq!(listed, want);

    // Cancelling p3 frees its slot: the next post takes it, not the eleventh slot.
    let (code, out, err) = sps(base, &["cancel", "p3", "-p", "twitter"], None);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "cancelled twitter-p3\n", "")
    );
    let next = schedule_in_launch(base, "p10");
    assert_eq!(next["scheduledDate"], expected[3].as_str());
    assert_ne!(expected[3], expected[10]);

    // The campaign's bookings, through the API and sps campaigns.
    let view = get(base, "/campaigns/launch");
    let booked: Vec<(String, String)> = view["booked"]["twitter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["at"].as_str().unwrap().to_string(),
                b["referenceNumber"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut want: Vec<(String, String)> = (0..10)
        .map(|n| {
            (
                expected[n].clone(),
                if n == 3 {
                    "p10".to_string()
                } else {
                    format!("p{n}")
                },
            )
        })
        .collect();
    want.sort();
    assert_eq!(booked, want);
    assert_eq!(view["plan"]["minGapMinutes"], 120);
    let (code, out, _) = sps(base, &["campaigns"], None);
    assert_eq!(code, 0);
    assert_eq!(
        lines(&out),
        [
            " CAMPAIGN  TIME ZONE      BOOKED",
            " launch    Europe/Berlin  10"
        ]
    );
    let (code, out, _) = sps(base, &["campaigns", "launch"], None);
    assert_eq!(code, 0);
    let rows = lines(&out);
    assert_eq!(rows[0], " PLATFORM  DATE (UTC)           REFERENCE");
    assert_eq!(rows[1], format!(" twitter   {}  p0", expected[0]));
    assert_eq!(rows.len(), 11);
    let (code, out, err) = sps(base, &["campaigns", "nope"], None);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "error: rejected: unknown-campaign: no campaign is named \"nope\"\n"
        )
    );
    let (code, out, _) = sps(base, &["campaigns", "nope", "--json"], None);
    assert_eq!(
        (code, serde_json::from_str::<Value>(&out).unwrap()),
        (
            1,
            json!({"status": "rejected", "reason": "unknown-campaign",
                "message": "no campaign is named \"nope\"", "referenceNumber": null})
        )
    );
}

#[test]
fn a_date_less_post_without_a_campaign_or_in_an_unknown_one_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let server = serve_with(dir.path(), LAUNCH, &x);
    let (status, body) = post(
        &server.base,
        &json!({"message": "Hi", "platform": "twitter", "referenceNumber": "u", "campaign": "nope"}),
    );
    assert_eq!(
        (status, body),
        (
            422,
            json!({"status": "rejected", "reason": "unknown-campaign",
            "message": "no campaign is named \"nope\"", "referenceNumber": "u"})
        )
    );
    let (status, body) = post(
        &server.base,
        &json!({"message": "Hi", "platform": "twitter", "referenceNumber": "d"}),
    );
    assert_eq!(
        (status, body),
        (
            422,
            json!({"status": "rejected", "reason": "missing-field",
            "message": "scheduledDate is required", "referenceNumber": "d"})
        )
    );
}

/// Every hour of every day, at least two hours apart, at most five a day.
const HOURLY: &str = r#"{"campaigns": {"busy": {"timeZone": "America/New_York",
    "slots": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
      "times": ["00:00", "01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00",
                "08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00",
                "16:00", "17:00", "18:00", "19:00", "20:00", "21:00", "22:00", "23:00"]}],
    "minGapMinutes": 120, "maxPerDay": 5}}}"#;

fn busy_event(reference: &str) -> Value {
    json!({"detail-type": "Schedule Social Post", "source": "test", "detail": {
        "message": "Busy", "platform": "twitter", "referenceNumber": reference, "campaign": "busy"}})
}

#[test]
fn fifty_posts_booked_at_one_moment_take_fifty_distinct_slots() {
    let x = FakeX::start();
    let dir = tempfile::tempdir().unwrap();
    let concurrent = serve_with(dir.path(), HOURLY, &x);
    let sequential_dir = tempfile::tempdir().unwrap();
    let sequential = serve_with(sequential_dir.path(), HOURLY, &x);

    // No hourly slot passes between the two runs.
    while Utc::now().timestamp() % 3600 > 3600 - 60 {
        std::thread::sleep(std::time::Duration::from_secs(5));
    }
    let base = concurrent.base.clone();
    let threads: Vec<_> = (0..50)
        .map(|n| {
            let base = base.clone();
            std::thread::spawn(move || post(&base, &busy_event(&format!("c{n}"))))
        })
        .collect();
    let mut dates: Vec<String> = threads
        .into_iter()
        .map(|t| {
            let (status, body) = t.join().unwrap();
            assert_eq!(status, 201, "{body}");
            body["scheduledDate"].as_str().unwrap().to_string()
        })
        .collect();
    dates.sort();
    let mut one_by_one: Vec<String> = (0..50)
        .map(|n| {
            let (status, body) = post(&sequential.base, &busy_event(&format!("s{n}")));
            assert_eq!(status, 201, "{body}");
            body["scheduledDate"].as_str().unwrap().to_string()
        })
        .collect();
    one_by_one.sort();
    // The same fifty slots as one at a time.
    assert_eq!(dates, one_by_one);
    let instants: Vec<DateTime<Utc>> = dates
        .iter()
        .map(|d| {
            chrono::NaiveDateTime::parse_from_str(d, "%Y-%m-%dT%H:%M:%S")
                .unwrap()
                .and_utc()
        })
        .collect();
    let mut distinct = instants.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 50);
    assert!(
        instants
            .windows(2)
            .all(|w| w[1] - w[0] >= TimeDelta::minutes(120)),
        "{dates:?}"
    );
    let new_york: Tz = "America/New_York".parse().unwrap();
    let mut per_day: BTreeMap<chrono::NaiveDate, usize> = BTreeMap::new();
    for at in &instants {
        *per_day
            .entry(at.with_timezone(&new_york).date_naive())
            .or_default() += 1;
    }
    assert_eq!(per_day.values().max(), Some(&5), "{per_day:?}");
    let view = get(&concurrent.base, "/campaigns/busy");
    assert_eq!(view["booked"]["twitter"].as_array().map(Vec::len), Some(50));
}

#[test]
fn a_sent_post_of_a_campaign_has_its_engagement_read_and_recorded() {
    use chrono::{Datelike as _, Timelike as _};
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let server = serve_with_env(
        dir.path(),
        EVERY_HOUR,
        &x,
        &[("SPS_METRICS_DELAY_SECONDS", "1")],
    );
    let id = support::fake_x::FIRST_ID.to_string();
    x.set_metrics(
        &id,
        json!({"retweet_count": 2, "reply_count": 1, "like_count": 10, "quote_count": 0,
            "bookmark_count": 0, "impression_count": 200}),
    );
    let date = support::utc_in(2);
    let (status, body) = post(
        &server.base,
        &json!({"message": "Measured", "platform": "twitter", "referenceNumber": "measured",
            "campaign": "hourly", "scheduledDate": date}),
    );
    assert_eq!(status, 201, "{body}");
    // The reading waits beside the post; sps list shows the post only.
    let pending = get(&server.base, "/schedules");
    assert_eq!(pending.as_array().map(Vec::len), Some(2));
    let (code, out, _) = sps(&server.base, &["list", "--json"], None);
    assert_eq!(code, 0);
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["name"], "twitter-measured");

    // The score lands under the hour of the post's slot: (10 + 2 x 2 + 1) / 200.
    let at = chrono::NaiveDateTime::parse_from_str(&date, "%Y-%m-%dT%H:%M:%S").unwrap();
    let hour_of_week = at.weekday().num_days_from_monday() * 24 + at.hour();
    let view = support::campaigns::view_once_scored(
        &server.base,
        "hourly",
        "twitter",
        std::time::Duration::from_secs(30),
    );
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    assert_eq!(
        view["scores"],
        json!({"twitter": [{"hourOfWeek": hour_of_week,
            "bucket": format!("{} {:02}:00", days[at.weekday().num_days_from_monday() as usize], at.hour()),
            "posts": 1, "meanScore": 0.075}]})
    );
    assert_eq!(x.metrics_read(), 1);
    assert_eq!(x.created().len(), 1);
    assert_eq!(support::api::schedules_once_empty(&server.base), json!([]));
}
