//! Threads, accounts and platforms end to end: `sps serve` with the real components and
//! the fake X (and, once, the fakes of all four platforms). A thread goes out as a chain of
//! replies; a thread whose reply is refused for a while continues after the last published
//! part; one whose reply may or may not exist ends in `thread-incomplete` without a
//! duplicate; two accounts of X post with their own tokens; one campaign goes to X,
//! LinkedIn, Mastodon and Bluesky from four events.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use serde_json::{json, Value};
use support::api::{outcomes, post, readme_event, secrets_file};
use support::fake_bluesky::{self, FakeBluesky};
use support::fake_linkedin::{self, FakeLinkedIn};
use support::fake_mastodon::{self, FakeMastodon};
use support::fake_x::{FakeX, Reply, ACCESS_TOKEN, FIRST_ID, SECOND_ACCESS_TOKEN};
use support::serve::{command, spawn, Serve};

/// `sps serve` with a 1 s retry backoff.
fn serve_fast_retries(dir: &std::path::Path, x: &FakeX, secrets: &std::path::Path) -> Serve {
    let mut cmd = command(&dir.join("data"), x, secrets);
    cmd.env("SPS_RETRY_BACKOFF_SECONDS", "1");
    spawn(cmd)
}

/// The README's event with a two-reply thread, due in 2 s.
fn thread_event(reference: &str) -> Value {
    let mut event = readme_event(reference, &support::utc_in(2));
    event["detail"]["message"] = json!("one");
    event["detail"]["thread"] = json!(["two", "three"]);
    event
}

fn id(n: u64) -> String {
    (FIRST_ID + n).to_string()
}

/// (text, reply_to) of every post the fake X created, in order.
fn chain(x: &FakeX) -> Vec<(String, Option<String>)> {
    x.created()
        .into_iter()
        .map(|p| (p.text, p.reply_to))
        .collect()
}

/// [`chain`] of the whole thread: each reply to the one before.
fn whole_thread() -> Vec<(String, Option<String>)> {
    vec![
        ("one".to_string(), None),
        ("two".to_string(), Some(id(0))),
        ("three".to_string(), Some(id(1))),
    ]
}

#[test]
fn a_thread_is_a_chain_of_replies_and_one_sent_event_with_every_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve_fast_retries(dir.path(), &x, &secrets_file(dir.path()));
    let (status, _) = post(&server.base, &thread_event("thread"));
    assert_eq!(status, 201);
    assert_eq!(
        outcomes(&server.base, 1),
        vec![(
            "Social Post Sent".to_string(),
            json!({
                "referenceNumber": "thread",
                "postId": id(0),
                "postIds": [id(0), id(1), id(2)],
                "postUrl": format!("https://x.com/i/web/status/{}", id(0)),
            })
        )]
    );
    assert_eq!(chain(&x), whole_thread());
    assert!(x.received().iter().all(|r| r.signature_valid));
}

#[test]
fn a_rate_limited_reply_is_retried_and_no_part_is_posted_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve_fast_retries(dir.path(), &x, &secrets_file(dir.path()));
    let reset = u64::try_from(chrono::Utc::now().timestamp()).unwrap() + 1;
    x.script([Reply::Created, Reply::rate_limited(reset)]);
    let (status, _) = post(&server.base, &thread_event("limited"));
    assert_eq!(status, 201);
    let events = outcomes(&server.base, 1);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "Social Post Sent");
    assert_eq!(events[0].1["postIds"], json!([id(0), id(1), id(2)]));
    // Four requests: the message, the refused reply, the reply again, the last reply.
    assert_eq!(x.received().len(), 4);
    assert_eq!(chain(&x), whole_thread());
}

#[test]
fn a_reply_in_doubt_ends_the_thread_incomplete_without_a_duplicate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = serve_fast_retries(dir.path(), &x, &secrets_file(dir.path()));
    x.script([Reply::Created, Reply::unavailable()]);
    let (status, _) = post(&server.base, &thread_event("doubt"));
    assert_eq!(status, 201);
    let events = outcomes(&server.base, 1);
    assert_eq!(events.len(), 1, "{events:?}");
    let (detail_type, detail) = &events[0];
    assert_eq!(detail_type, "Social Post Failed");
    assert_eq!(
        (
            &detail["reason"],
            &detail["retryable"],
            &detail["postIds"],
            &detail["failedPart"]
        ),
        (
            &json!("thread-incomplete"),
            &json!(false),
            &json!([id(0)]),
            &json!(1)
        )
    );
    let message = detail["reasonMessage"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(
            "published 1 of the thread\'s 3 parts; the thread stopped at part 1 \
             (unknown-outcome: "
        ),
        "{message}"
    );
    // Nothing after the reply in doubt: the message and that one reply were sent, once.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(x.received().len(), 2);
    assert_eq!(chain(&x), vec![("one".to_string(), None)]);
}

#[test]
fn two_accounts_post_with_their_own_access_tokens_and_another_account_replaces_a_post() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let secrets = secrets_file(dir.path());
    let mut keys: Value =
        serde_json::from_str(&std::fs::read_to_string(&secrets).unwrap()).unwrap();
    keys["platforms"] = json!({"twitter": {"brand": {
        "xApiKey": "test-consumer-key",
        "xApiKeySecret": "test-consumer-secret",
        "xAccessToken": SECOND_ACCESS_TOKEN,
        "xAccessTokenSecret": "brand-access-token-secret",
    }}});
    std::fs::write(&secrets, keys.to_string()).unwrap();
    let server = serve_fast_retries(dir.path(), &x, &secrets);

    let mut brand = readme_event("brand", &support::utc_in(2));
    brand["detail"]["account"] = json!("brand");
    let mut nobody = readme_event("nobody", &support::utc_in(2));
    nobody["detail"]["account"] = json!("nobody");
    for event in [&readme_event("own", &support::utc_in(2)), &brand, &nobody] {
        assert_eq!(post(&server.base, event).0, 201);
    }
    // The account is not part of a post's name: the same reference with another account
    // replaces the schedule, and the post goes out as that account only.
    let mut switched = readme_event("switch", &support::utc_in(3600));
    switched["detail"]["account"] = json!("brand");
    switched["detail"]["message"] = json!("Switched");
    let created = post(&server.base, &switched);
    assert_eq!((created.0, &created.1["action"]), (201, &json!("created")));
    switched["detail"]["account"] = json!("default");
    switched["detail"]["scheduledDate"] = json!(support::utc_in(2));
    let updated = post(&server.base, &switched);
    assert_eq!((updated.0, &updated.1["action"]), (200, &json!("updated")));
    let mut events = outcomes(&server.base, 4);
    events.sort_by(|a, b| {
        a.1["referenceNumber"]
            .to_string()
            .cmp(&b.1["referenceNumber"].to_string())
    });
    assert_eq!(events[0].0, "Social Post Sent", "{events:?}");
    assert_eq!(events[0].1["referenceNumber"], "brand");
    assert_eq!(
        events[1],
        (
            "Social Post Failed".to_string(),
            json!({
                "referenceNumber": "nobody",
                "reason": "missing-credentials",
                "reasonMessage": "X credentials are missing for the account \"nobody\": set \
                                  xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret",
                "retryable": false,
                "stage": "sending",
            })
        )
    );
    assert_eq!(events[2].0, "Social Post Sent", "{events:?}");
    assert_eq!(events[2].1["referenceNumber"], "own");
    assert_eq!(events[3].0, "Social Post Sent", "{events:?}");
    assert_eq!(events[3].1["referenceNumber"], "switch");
    let mut tokens: Vec<(String, String)> = x
        .received()
        .iter()
        .map(|r| {
            assert!(r.signature_valid);
            (
                r.text.clone().unwrap_or_default(),
                r.oauth.get("oauth_token").cloned().unwrap_or_default(),
            )
        })
        .collect();
    tokens.sort();
    // Both posts say "Hello world!"; one was signed with each account's token. The
    // switched post was signed with the default account's token only.
    let mut expected = vec![
        ("Hello world!".to_string(), ACCESS_TOKEN.to_string()),
        ("Hello world!".to_string(), SECOND_ACCESS_TOKEN.to_string()),
        ("Switched".to_string(), ACCESS_TOKEN.to_string()),
    ];
    expected.sort();
    assert_eq!(tokens, expected);
}

/// One campaign, the same reference and text, posted to all four platforms from four
/// events: each platform's fake gets the one post, and each event's `Social Post Sent`
/// carries the id and URL that platform gave.
#[test]
fn one_campaign_goes_to_all_four_platforms_from_four_events() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (x, linkedin) = (FakeX::start(), FakeLinkedIn::start());
    let (mastodon, bluesky) = (FakeMastodon::start(), FakeBluesky::start());
    let secrets = dir.path().join("secrets.json");
    let mut keys: Value = serde_json::from_str(support::SECRETS_JSON).unwrap();
    keys["platforms"] = json!({
        "linkedin": {"default": {"access_token": fake_linkedin::ACCESS_TOKEN, "author": fake_linkedin::AUTHOR}},
        "mastodon": {"default": {"access_token": fake_mastodon::TOKEN}},
        "bluesky": {"default": {"identifier": fake_bluesky::HANDLE, "app_password": fake_bluesky::APP_PASSWORD}},
    });
    std::fs::write(&secrets, keys.to_string()).unwrap();
    std::fs::set_permissions(
        &secrets,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let mut cmd = command(&dir.path().join("data"), &x, &secrets);
    cmd.env("SPS_LINKEDIN_API_BASE_URL", &linkedin.base_url)
        .env("SPS_MASTODON_INSTANCE_URL", &mastodon.base_url)
        .env("SPS_BLUESKY_PDS_URL", &bluesky.base_url);
    let server = spawn(cmd);
    let date = support::utc_in(2);
    for platform in ["twitter", "linkedin", "mastodon", "bluesky"] {
        let mut event = readme_event("launch", &date);
        event["detail"]["platform"] = json!(platform);
        event["detail"]["message"] = json!("Launch day");
        assert_eq!(post(&server.base, &event).0, 201, "{platform}");
    }
    let mut sent: Vec<Value> = outcomes(&server.base, 4)
        .into_iter()
        .map(|(kind, detail)| {
            assert_eq!(kind, "Social Post Sent", "{detail}");
            detail
        })
        .collect();
    sent.sort_by_key(|d| d["postUrl"].to_string());
    let detail = |id: String, url: String| json!({"referenceNumber": "launch", "postId": id, "postIds": [id], "postUrl": url});
    let records = bluesky.records();
    assert_eq!(records.len(), 1);
    let rkey = &records[0].rkey;
    let at_uri = format!("at://{}/{}/{rkey}", fake_bluesky::DID, fake_bluesky::POSTS);
    let (toot, urn) = (fake_mastodon::id(0), fake_linkedin::urn(0));
    let mut expected = vec![
        detail(id(0), format!("https://x.com/i/web/status/{}", id(0))),
        detail(
            urn.clone(),
            format!("https://www.linkedin.com/feed/update/{urn}/"),
        ),
        detail(toot.clone(), mastodon.status_url("alice", &toot)),
        detail(at_uri, fake_bluesky::post_url(rkey)),
    ];
    expected.sort_by_key(|d| d["postUrl"].to_string());
    assert_eq!(sent, expected);
    assert_eq!(chain(&x), [("Launch day".to_string(), None)]);
    let linkedin_texts: Vec<String> = linkedin.created().into_iter().map(|p| p.text).collect();
    assert_eq!(linkedin_texts, ["Launch day"]);
    let mastodon_texts: Vec<String> = mastodon.created().into_iter().map(|s| s.text).collect();
    assert_eq!(mastodon_texts, ["Launch day"]);
    assert_eq!(records[0].text(), "Launch day");
}
