//! The Spin app against the real Spin: `spin build` once, then `spin up` (Spin 4.0.2 and
//! its cron trigger plugin) in a directory of each test's own, with the fake X API.
//!
//! ```sh
//! cargo test -p sps --test spin
//! ```
//!
//! Spin comes from `SPS_TEST_SPIN`, `spin` on PATH, or the offline copy in
//! `../shared/tools/spin`. Without any, the tests fail under CI (`CI` set) with how to
//! install it, and are reported as ignored otherwise. A custom harness (libtest-mimic),
//! because libtest cannot report a test as skipped.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "spin/campaigns.rs"]
mod campaigns;
#[path = "spin/composition.rs"]
mod composition;
mod support;

use std::path::Path;
use std::time::Duration;

use libtest_mimic::{Arguments, Trial};
use serde_json::{json, Value};
use support::api::{events_until, get, post, readme_event};
use support::fake_bluesky::{self, FakeBluesky};
use support::fake_x::{self, FakeX, FIRST_ID};
use support::spin::{app_dir, spin_binary, SpinUp, INSTALL_HINT};

/// The Spin variables that point the app at `x` with the credentials it accepts, and
/// turn the flexible window off.
fn variables(x: &FakeX) -> Vec<(&'static str, String)> {
    vec![
        ("flexible_window_minutes", "0".to_string()),
        ("x_api_base_url", x.base_url.clone()),
        ("x_api_key", fake_x::CONSUMER_KEY.to_string()),
        ("x_api_key_secret", fake_x::CONSUMER_SECRET.to_string()),
        ("x_access_token", fake_x::ACCESS_TOKEN.to_string()),
        (
            "x_access_token_secret",
            fake_x::ACCESS_TOKEN_SECRET.to_string(),
        ),
        ("x_bearer_token", "test-bearer".to_string()),
    ]
}

fn start(dir: &Path, vars: &[(&'static str, String)]) -> SpinUp {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    SpinUp::start(dir, &vars)
}

fn sent(reference: &str, post_id: u64) -> (String, Value) {
    (
        "Social Post Sent".to_string(),
        support::sent_detail(reference, post_id),
    )
}

fn scheduled(reference: &str, date: &str) -> (String, Value) {
    (
        "Post Scheduled".to_string(),
        json!({"referenceNumber": reference, "scheduledDate": date}),
    )
}

fn the_readme_event_is_sent_once_and_no_secret_is_logged() {
    let dir = app_dir();
    let x = FakeX::start();
    let spin = start(dir.path(), &variables(&x));
    let date = support::utc_in(2);
    let (status, body) = post(&spin.base, &readme_event("testtweet", &date));
    assert_eq!(
        (status, body),
        (
            201,
            json!({"status": "scheduled", "action": "created", "referenceNumber": "testtweet",
            "scheduleName": "twitter-testtweet", "scheduledDate": date})
        )
    );
    let events = events_until(&spin.base, |e| e.len() >= 2);
    assert_eq!(
        events,
        vec![scheduled("testtweet", &date), sent("testtweet", FIRST_ID)]
    );
    assert_eq!(support::api::schedules_once_empty(&spin.base), json!([]));
    let received = x.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].signature_valid);
    assert_eq!(received[0].text.as_deref(), Some("Hello world!"));
    // The fixed-size body is framed by its length, not chunked: {"text":"Hello world!"}.
    assert_eq!(received[0].framing(), (Some("23"), None));
    spin.stop();
    let mut logs = String::new();
    for entry in std::fs::read_dir(dir.path().join(".spin/logs")).expect("logs") {
        logs.push_str(&std::fs::read_to_string(entry.expect("entry").path()).expect("read"));
    }
    assert!(logs.contains("schedule twitter-testtweet: post sent as 1850000000000000001"));
    for (name, value) in variables(&x) {
        if name != "flexible_window_minutes" && name != "x_api_base_url" {
            assert!(!logs.contains(&value), "{name} appears in .spin/logs");
        }
    }
}

fn the_same_reference_twice_is_one_schedule_and_a_cancel_deletes_it() {
    let dir = app_dir();
    let x = FakeX::start();
    let spin = start(dir.path(), &variables(&x));
    let mut event = readme_event("twice", "2030-10-23T08:48:00");
    assert_eq!(post(&spin.base, &event).0, 201);
    event["detail"]["message"] = json!("Second version");
    let (status, body) = post(&spin.base, &event);
    assert_eq!((status, body["action"].as_str()), (200, Some("updated")));
    let pending = get(&spin.base, "/schedules");
    assert_eq!(pending.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (
            &pending[0]["name"],
            &pending[0]["input"]["message"],
            &pending[0]["fireAt"]
        ),
        (
            &json!("twitter-twice"),
            &json!("Second version"),
            &json!("2030-10-23T08:48:00Z")
        )
    );
    // `Cancel Social Post` through the same API: the schedule goes, the event comes.
    let cancel = json!({"detail-type": "Cancel Social Post", "source": "test",
        "detail": {"referenceNumber": "twice", "platform": "twitter"}});
    let cancelled =
        json!({"status": "cancelled", "referenceNumber": "twice", "scheduleName": "twitter-twice"});
    assert_eq!(post(&spin.base, &cancel), (200, cancelled.clone()));
    assert_eq!(get(&spin.base, "/schedules"), json!([]));
    assert_eq!(post(&spin.base, &cancel), (200, cancelled));
    let events = get(&spin.base, "/events");
    let kinds: Vec<&str> = events
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["detail-type"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        [
            "Post Scheduled",
            "Post Scheduled",
            "Social Post Cancelled",
            "Social Post Cancelled"
        ]
    );
    assert_eq!(
        events[2]["detail"],
        json!({"referenceNumber": "twice", "platform": "twitter"})
    );
    assert!(x.received().is_empty());
}

fn boto3_puts_events_to_the_spin_app() {
    let dir = app_dir();
    let x = FakeX::start();
    let spin = start(dir.path(), &variables(&x));
    let detail = json!({"message": "From boto3", "platform": "twitter",
        "scheduledDate": "2030-10-23T08:48:00", "referenceNumber": "boto3"});
    let answer = support::sdk::boto3_put_events(
        &spin.base,
        "dummy",
        "dummy",
        &json!([
            {"Source": "test", "DetailType": "Schedule Social Post", "Detail": detail.to_string()},
            {"Source": "test", "DetailType": "Schedule Social Post", "Detail": "{not json"},
        ]),
    );
    assert_eq!(answer["FailedEntryCount"], 1);
    assert_eq!(answer["Entries"][0].as_object().map(|e| e.len()), Some(1));
    assert!(answer["Entries"][0]["EventId"].is_string());
    assert_eq!(
        answer["Entries"][1],
        json!({"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."})
    );
    let pending = get(&spin.base, "/schedules");
    assert_eq!(pending[0]["name"], "twitter-boto3");
    assert_eq!(pending.as_array().map(Vec::len), Some(1));
}

fn bad_inputs_get_the_same_answers_as_from_sps_serve() {
    let dir = app_dir();
    let x = FakeX::start();
    let spin = start(dir.path(), &variables(&x));
    support::bad_inputs::assert_all(&spin.base);
    support::bad_inputs::assert_routes(&spin.base, "POST");
    assert_eq!(
        get(&spin.base, "/health"),
        json!({"status": "ok", "platforms": support::PLATFORMS})
    );
}

fn missing_credentials_end_in_social_post_failed() {
    let dir = app_dir();
    let x = FakeX::start();
    let vars = vec![
        ("flexible_window_minutes", "0".to_string()),
        ("x_api_base_url", x.base_url.clone()),
    ];
    let spin = start(dir.path(), &vars);
    let date = support::utc_in(1);
    assert_eq!(post(&spin.base, &readme_event("nocreds", &date)).0, 201);
    let events = events_until(&spin.base, |e| e.len() >= 2);
    assert_eq!(events[1].0, "Social Post Failed");
    assert_eq!(
        events[1].1,
        json!({"referenceNumber": "nocreds", "reason": "missing-credentials", "retryable": false, "stage": "sending",
            "reasonMessage": "X credentials are missing: set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret"})
    );
    assert!(x.received().is_empty());
}

fn a_schedule_pending_across_a_restart_fires_once() {
    let dir = app_dir();
    let x = FakeX::start();
    let vars = variables(&x);
    let date = support::utc_in(3);
    let spin = start(dir.path(), &vars);
    assert_eq!(post(&spin.base, &readme_event("survivor", &date)).0, 201);
    spin.stop();
    std::thread::sleep(Duration::from_secs(4));
    assert!(x.received().is_empty());
    let spin = start(dir.path(), &vars);
    let events = events_until(&spin.base, |e| e.len() >= 2);
    assert_eq!(
        events,
        vec![scheduled("survivor", &date), sent("survivor", FIRST_ID)]
    );
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(x.received().len(), 1);
    assert_eq!(get(&spin.base, "/events").as_array().map(Vec::len), Some(2));
}

/// X answers after 6 s: past the twitter component's 4 s first-byte timeout, the delivery
/// ends in `unknown-outcome` under Spin too (reported once, not retried), and X got one
/// request.
fn a_slow_x_answer_is_an_unknown_outcome() {
    let dir = app_dir();
    let x = FakeX::start();
    x.delay(Duration::from_secs(6));
    let spin = start(dir.path(), &variables(&x));
    let date = support::utc_in(1);
    assert_eq!(post(&spin.base, &readme_event("slow", &date)).0, 201);
    let events = events_until(&spin.base, |e| e.len() >= 2);
    assert_eq!(events[1].0, "Social Post Failed");
    assert_eq!(
        events[1].1,
        json!({"referenceNumber": "slow", "reason": "unknown-outcome", "retryable": false, "stage": "sending",
            "reasonMessage": "the request to X failed after it may have been sent (ErrorCode::ConnectionReadTimeout); the post may or may not have been published"})
    );
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(x.received().len(), 1);
    assert_eq!(get(&spin.base, "/events").as_array().map(Vec::len), Some(2));
}

/// Two Bluesky posts under Spin share one session: the component keeps it in Spin's
/// key-value store, under its own prefix (`sps_spin_keyvalue`), as under `sps serve`.
fn bluesky_posts_share_one_session_kept_in_spins_key_value_store() {
    let dir = app_dir();
    let x = FakeX::start();
    let bluesky = FakeBluesky::start();
    let mut vars = variables(&x);
    vars.push(("bluesky_base_url", bluesky.base_url.clone()));
    vars.push(("bluesky_identifier", fake_bluesky::HANDLE.to_string()));
    vars.push((
        "bluesky_app_password",
        fake_bluesky::APP_PASSWORD.to_string(),
    ));
    let spin = start(dir.path(), &vars);
    for (n, (reference, message)) in [("sky1", "First"), ("sky2", "Second")].iter().enumerate() {
        let mut event = readme_event(reference, &support::utc_in(1));
        event["detail"]["platform"] = json!("bluesky");
        event["detail"]["message"] = json!(message);
        assert_eq!(post(&spin.base, &event).0, 201);
        events_until(&spin.base, |e| e.len() >= 2 * (n + 1));
    }
    let records = bluesky.records();
    let texts: Vec<&str> = records.iter().map(|r| r.text()).collect();
    assert_eq!(texts, ["First", "Second"]);
    let events = get(&spin.base, "/events");
    let sent: Vec<(Value, Value)> = events
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["detail-type"] == "Social Post Sent")
        .map(|e| {
            (
                e["detail"]["postId"].clone(),
                e["detail"]["postUrl"].clone(),
            )
        })
        .collect();
    let expected: Vec<(Value, Value)> = records
        .iter()
        .map(|r| {
            let uri = format!(
                "at://{}/{}/{}",
                fake_bluesky::DID,
                fake_bluesky::POSTS,
                r.rkey
            );
            (json!(uri), json!(fake_bluesky::post_url(&r.rkey)))
        })
        .collect();
    assert_eq!(sent, expected);
    assert_eq!(bluesky.create_sessions(), 1);
}

/// A second X account under Spin: its variables `x_brand_*`, its scope entries
/// `brand:<key>=<variable>` (the app key and base URL shared by naming the same variables)
/// in an app composed here. Each post is signed with its own account's token, and an
/// account without entries ends in `missing-credentials` naming it.
fn a_second_account_posts_with_its_own_variables() {
    let dir = app_dir();
    let manifest = std::fs::read_to_string(dir.path().join("spin.toml")).expect("spin.toml");
    let brand = ["x_brand_access_token", "x_brand_access_token_secret"];
    let declared: String = brand
        .iter()
        .map(|v| format!("{v} = {{ default = \"\", secret = true }}\n"))
        .collect();
    let passed: String = brand
        .iter()
        .map(|v| format!("{v} = \"{{{{ {v} }}}}\"\n"))
        .collect();
    let manifest = manifest
        .replacen("[variables]\n", &format!("[variables]\n{declared}"), 1)
        .replace(
            "[component.sps-cron.variables]\n",
            &format!("[component.sps-cron.variables]\n{passed}"),
        );
    std::fs::write(dir.path().join("spin.toml"), manifest).expect("write spin.toml");
    let mut settings: Vec<String> = [
        "x_api_base_url",
        "x_api_key",
        "x_api_key_secret",
        "x_access_token",
        "x_access_token_secret",
        "brand:x_api_base_url=x_api_base_url",
        "brand:x_api_key=x_api_key",
        "brand:x_api_key_secret=x_api_key_secret",
    ]
    .map(String::from)
    .to_vec();
    settings.push("brand:x_access_token=x_brand_access_token".into());
    settings.push("brand:x_access_token_secret=x_brand_access_token_secret".into());
    let plan = sps_spin_compose::Plan {
        components_dir: support::components_dir(),
        scheduler_settings: vec!["flexible_window_minutes".into()],
        platforms: vec![sps_spin_compose::PlatformPlan {
            name: "twitter".into(),
            settings,
        }],
    };
    sps_spin_compose::write_apps(&plan, &dir.path().join("target/spin")).expect("compose");
    let x = FakeX::start();
    let mut vars = variables(&x);
    vars.push((
        "x_brand_access_token",
        fake_x::SECOND_ACCESS_TOKEN.to_string(),
    ));
    vars.push((
        "x_brand_access_token_secret",
        fake_x::SECOND_ACCESS_TOKEN_SECRET.to_string(),
    ));
    let spin = start(dir.path(), &vars);
    let date = support::utc_in(1);
    for (reference, account) in [("own", "default"), ("brand", "brand"), ("nobody", "nobody")] {
        let mut event = readme_event(reference, &date);
        event["detail"]["account"] = json!(account);
        assert_eq!(post(&spin.base, &event).0, 201, "{reference}");
    }
    let events = events_until(&spin.base, |e| e.len() >= 6);
    let failed: Vec<&Value> = events
        .iter()
        .filter(|(kind, _)| kind == "Social Post Failed")
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(
        failed,
        [
            &json!({"referenceNumber": "nobody", "reason": "missing-credentials", "retryable": false,
            "stage": "sending", "reasonMessage": "X credentials are missing for the account \"nobody\": \
            set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret"})
        ]
    );
    let mut tokens: Vec<String> = x
        .received()
        .iter()
        .map(|r| {
            assert!(r.signature_valid);
            r.oauth.get("oauth_token").cloned().unwrap_or_default()
        })
        .collect();
    tokens.sort();
    assert_eq!(tokens, [fake_x::SECOND_ACCESS_TOKEN, fake_x::ACCESS_TOKEN]);
}

/// The composer refuses one of our components that imports more than its world grants
/// (every import it leaves unplugged would go to Spin: its variables hold every
/// credential): here the twitter component put in the scheduler's place.
fn the_composer_refuses_a_component_beyond_its_world() {
    let built = support::spin::build_app();
    let dir = tempfile::tempdir().expect("tempdir");
    let components = support::components_dir();
    for entry in std::fs::read_dir(&components).expect("components") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "wasm") {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    std::fs::copy(
        components.join("sps_twitter.wasm"),
        dir.path().join("sps_scheduler.wasm"),
    )
    .expect("copy");
    let plan = sps_spin_compose::Plan {
        components_dir: dir.path().to_path_buf(),
        scheduler_settings: vec!["flexible_window_minutes".into()],
        platforms: vec![sps_spin_compose::PlatformPlan {
            name: "twitter".into(),
            settings: vec!["x_api_key".into()],
        }],
    };
    let err = sps_spin_compose::compose_http(&plan)
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err,
        Some(format!(
            "{} imports wasi:http/types@0.2.12, which its world does not grant; it is not composed",
            dir.path().join("sps_scheduler.wasm").display()
        ))
    );
    assert!(built.join("sps_http_app.wasm").exists());
}

fn main() {
    let args = Arguments::from_args();
    let tests: [(&str, fn()); 14] = [
        (
            "the_readme_event_is_sent_once_and_no_secret_is_logged",
            the_readme_event_is_sent_once_and_no_secret_is_logged,
        ),
        (
            "the_same_reference_twice_is_one_schedule_and_a_cancel_deletes_it",
            the_same_reference_twice_is_one_schedule_and_a_cancel_deletes_it,
        ),
        (
            "boto3_puts_events_to_the_spin_app",
            boto3_puts_events_to_the_spin_app,
        ),
        (
            "bad_inputs_get_the_same_answers_as_from_sps_serve",
            bad_inputs_get_the_same_answers_as_from_sps_serve,
        ),
        (
            "missing_credentials_end_in_social_post_failed",
            missing_credentials_end_in_social_post_failed,
        ),
        (
            "a_schedule_pending_across_a_restart_fires_once",
            a_schedule_pending_across_a_restart_fires_once,
        ),
        (
            "the_apps_nest_the_hosts_component_bytes",
            composition::the_apps_nest_the_hosts_component_bytes,
        ),
        (
            "only_the_platform_component_imports_outgoing_http",
            composition::only_the_platform_component_imports_outgoing_http,
        ),
        (
            "the_composer_refuses_a_component_beyond_its_world",
            the_composer_refuses_a_component_beyond_its_world,
        ),
        (
            "a_slow_x_answer_is_an_unknown_outcome",
            a_slow_x_answer_is_an_unknown_outcome,
        ),
        (
            "bluesky_posts_share_one_session_kept_in_spins_key_value_store",
            bluesky_posts_share_one_session_kept_in_spins_key_value_store,
        ),
        (
            "a_second_account_posts_with_its_own_variables",
            a_second_account_posts_with_its_own_variables,
        ),
        (
            "date_less_posts_book_slots_from_the_campaigns_variable",
            campaigns::date_less_posts_book_slots_from_the_campaigns_variable,
        ),
        (
            "a_sent_posts_engagement_is_recorded_under_spin",
            campaigns::a_sent_posts_engagement_is_recorded_under_spin,
        ),
    ];
    let missing = spin_binary().err();
    if let Some(why) = &missing {
        if std::env::var_os("CI").is_some() {
            eprintln!("the Spin tests cannot run: {why}; {INSTALL_HINT}");
            std::process::exit(1);
        }
        eprintln!("\n*** THE SPIN TESTS DID NOT RUN: {why}.\n*** To run them, {INSTALL_HINT}.\n");
    }
    let trials = tests
        .into_iter()
        .map(|(name, test)| {
            // libtest-mimic reports a panicking test as failed.
            Trial::test(name, move || {
                test();
                Ok(())
            })
            .with_ignored_flag(missing.is_some())
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
