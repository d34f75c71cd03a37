//! The mastodon component end to end: `sps serve` (the real binary, the embedded
//! components) with a fake Mastodon instance (tests/support/fake_mastodon.rs). The README
//! event goes out as a public status; a thread as a chain of replies; a reply answered 503
//! after the instance created it is repeated with the same `Idempotency-Key` and gets the
//! original back, so the thread ends complete without a duplicate; the instance's limits
//! are checked at scheduling; accounts post with their own tokens, and one without a token
//! ends in `missing-credentials` naming it; 429 and 401 end as Mastodon's docs say.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::api::{outcomes, post, readme_event};
use support::fake_mastodon::{id, FakeMastodon, Reply, Status, BRAND_TOKEN, TOKEN};
use support::fake_x::FakeX;
use support::serve::{command, spawn, Serve};

/// A running `sps serve` with the fake instance as `SPS_PLATFORM_MASTODON_BASE_URL`.
struct Setup {
    mastodon: FakeMastodon,
    server: Serve,
    _x: FakeX,
    _dir: tempfile::TempDir,
}

/// The secrets file: tokens for the accounts `default` and `brand`, readable by its owner
/// only.
fn secrets(dir: &Path) -> PathBuf {
    let path = dir.join("secrets.json");
    let file = json!({"platforms": {"mastodon": {
        "default": {"access_token": TOKEN},
        "brand": {"access_token": BRAND_TOKEN},
    }}});
    std::fs::write(&path, file.to_string()).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    path
}

/// `sps serve` with a 1 s retry backoff, the fake instance, and `env` on top.
fn serve(env: &[(&str, &str)]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let mastodon = FakeMastodon::start();
    let mut cmd = command(&dir.path().join("data"), &x, &secrets(dir.path()));
    cmd.env("SPS_PLATFORM_MASTODON_BASE_URL", &mastodon.base_url)
        .env("SPS_RETRY_BACKOFF_SECONDS", "1");
    for (name, value) in env {
        cmd.env(name, value);
    }
    Setup {
        server: spawn(cmd),
        mastodon,
        _x: x,
        _dir: dir,
    }
}

/// The README event for Mastodon: `message` (and `thread`), due in 2 s.
fn event(reference: &str, message: &str, thread: &[&str]) -> Value {
    let mut event = readme_event(reference, &support::utc_in(2));
    event["detail"]["platform"] = json!("mastodon");
    event["detail"]["message"] = json!(message);
    if !thread.is_empty() {
        event["detail"]["thread"] = json!(thread);
    }
    event
}

/// (text, in_reply_to_id) of every status the fake created, in order.
fn chain(mastodon: &FakeMastodon) -> Vec<(String, Option<String>)> {
    mastodon
        .created()
        .into_iter()
        .map(|s| (s.text, s.in_reply_to_id))
        .collect()
}

/// The thread one, two, three, each replying to the one before.
fn whole_thread() -> Vec<(String, Option<String>)> {
    vec![
        ("one".to_string(), None),
        ("two".to_string(), Some(id(0))),
        ("three".to_string(), Some(id(1))),
    ]
}

/// The idempotency key the sender gave the post (the same before every `-<part>`), after
/// checking each request's is `<64 hex digits>-<part>` with the parts in `parts`.
fn post_key(mastodon: &FakeMastodon, parts: &[u32]) -> String {
    let keys: Vec<String> = mastodon
        .received()
        .into_iter()
        .map(|r| r.idempotency_key.unwrap_or_default())
        .collect();
    assert_eq!(keys.len(), parts.len(), "{keys:?}");
    let prefix = keys[0].split('-').next().unwrap().to_string();
    assert_eq!(prefix.len(), 64, "{keys:?}");
    assert!(prefix.bytes().all(|b| b.is_ascii_hexdigit()), "{keys:?}");
    let expected: Vec<String> = parts.iter().map(|p| format!("{prefix}-{p}")).collect();
    assert_eq!(keys, expected);
    prefix
}

#[test]
fn the_readme_event_is_sent_as_a_public_status() {
    let setup = serve(&[]);
    let (status, _) = post(&setup.server.base, &event("toot", "Hello world!", &[]));
    assert_eq!(status, 201);
    assert_eq!(
        outcomes(&setup.server.base, 1),
        vec![(
            "Social Post Sent".to_string(),
            json!({
                "referenceNumber": "toot",
                "postId": id(0),
                "postIds": [id(0)],
                "postUrl": setup.mastodon.status_url("alice", &id(0)),
            })
        )]
    );
    let received = setup.mastodon.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].token.as_deref(), Some(TOKEN));
    assert_eq!(
        received[0].content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(
        received[0].body,
        Some(json!({"status": "Hello world!", "visibility": "public"}))
    );
    post_key(&setup.mastodon, &[0]);
    assert_eq!(
        setup.mastodon.created(),
        vec![Status {
            id: id(0),
            user: "alice".to_string(),
            text: "Hello world!".to_string(),
            in_reply_to_id: None,
            visibility: "public".to_string(),
        }]
    );
}

#[test]
fn a_thread_is_a_chain_of_replies() {
    let setup = serve(&[]);
    let (status, _) = post(
        &setup.server.base,
        &event("thread", "one", &["two", "three"]),
    );
    assert_eq!(status, 201);
    assert_eq!(
        outcomes(&setup.server.base, 1),
        vec![(
            "Social Post Sent".to_string(),
            json!({
                "referenceNumber": "thread",
                "postId": id(0),
                "postIds": [id(0), id(1), id(2)],
                "postUrl": setup.mastodon.status_url("alice", &id(0)),
            })
        )]
    );
    assert_eq!(chain(&setup.mastodon), whole_thread());
    post_key(&setup.mastodon, &[0, 1, 2]);
    let bodies: Vec<Option<Value>> = setup
        .mastodon
        .received()
        .into_iter()
        .map(|r| r.body)
        .collect();
    assert_eq!(
        bodies,
        vec![
            Some(json!({"status": "one", "visibility": "public"})),
            Some(json!({"status": "two", "in_reply_to_id": id(0), "visibility": "public"})),
            Some(json!({"status": "three", "in_reply_to_id": id(1), "visibility": "public"})),
        ]
    );
}

#[test]
fn a_reply_answered_503_after_it_was_created_is_repeated_and_not_duplicated() {
    let setup = serve(&[]);
    setup
        .mastodon
        .script([Reply::Created, Reply::unavailable_after_creating()]);
    let (status, _) = post(
        &setup.server.base,
        &event("doubt", "one", &["two", "three"]),
    );
    assert_eq!(status, 201);
    let events = outcomes(&setup.server.base, 1);
    assert_eq!(
        events,
        vec![(
            "Social Post Sent".to_string(),
            json!({
                "referenceNumber": "doubt",
                "postId": id(0),
                "postIds": [id(0), id(1), id(2)],
                "postUrl": setup.mastodon.status_url("alice", &id(0)),
            })
        )]
    );
    // The reply in doubt was sent twice with one key; the second answer gave back the
    // status the first created. Exactly three statuses, each replying to the one before.
    post_key(&setup.mastodon, &[0, 1, 1, 2]);
    let answers: Vec<(u16, Option<String>)> = setup
        .mastodon
        .received()
        .into_iter()
        .map(|r| (r.answered, r.id))
        .collect();
    assert_eq!(
        answers,
        vec![
            (200, Some(id(0))),
            (503, Some(id(1))),
            (200, Some(id(1))),
            (200, Some(id(2))),
        ]
    );
    assert_eq!(chain(&setup.mastodon), whole_thread());
    // Nothing more comes: one outcome, no further request.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(outcomes(&setup.server.base, 1).len(), 1);
    assert_eq!(setup.mastodon.received().len(), 4);
}

/// Every delivery answered 503 after the status was made: the post ends in
/// `unknown-outcome`. Sent again by the user with a new date (the old one is past), it
/// carries the same Idempotency-Key (the date is not part of it), so the instance gives
/// back the one status instead of a second.
#[test]
fn a_post_sent_again_with_a_new_date_after_unknown_outcome_is_not_doubled() {
    let setup = serve(&[]);
    setup
        .mastodon
        .script((0..5).map(|_| Reply::unavailable_after_creating()));
    assert_eq!(
        post(&setup.server.base, &event("sticky", "once", &[])).0,
        201
    );
    let events = outcomes(&setup.server.base, 1);
    assert_eq!(
        (events[0].0.as_str(), &events[0].1["reason"]),
        ("Social Post Failed", &json!("unknown-outcome")),
        "{events:?}"
    );
    let mut again = event("sticky", "once", &[]);
    again["detail"]["scheduledDate"] = json!(support::utc_in(2));
    assert_eq!(post(&setup.server.base, &again).0, 201);
    let events = outcomes(&setup.server.base, 2);
    assert_eq!(
        events[1],
        (
            "Social Post Sent".to_string(),
            json!({"referenceNumber": "sticky", "postId": id(0), "postIds": [id(0)],
                   "postUrl": setup.mastodon.status_url("alice", &id(0))})
        )
    );
    post_key(&setup.mastodon, &[0, 0, 0, 0, 0, 0]);
    assert_eq!(setup.mastodon.created().len(), 1);
}

#[test]
fn a_message_over_the_instances_limit_is_rejected_at_scheduling() {
    let setup = serve(&[]);
    let later = support::utc_in(3600);
    let rejected = |reference: &str, message: &str| {
        json!({"status": "rejected", "reason": "message-too-long", "message": message,
               "referenceNumber": reference})
    };
    let mut long = readme_event("long", &later);
    long["detail"]["platform"] = json!("mastodon");
    long["detail"]["message"] = json!("a".repeat(501));
    assert_eq!(
        post(&setup.server.base, &long),
        (
            422,
            rejected(
                "long",
                "message is 501 characters; this Mastodon instance allows at most 500"
            )
        )
    );
    let mut reply = long.clone();
    reply["detail"]["referenceNumber"] = json!("long-reply");
    reply["detail"]["message"] = json!("fine");
    reply["detail"]["thread"] = json!(["fine too", "👍🏽".repeat(501)]);
    assert_eq!(
        post(&setup.server.base, &reply),
        (
            422,
            rejected(
                "long-reply",
                "thread[1]: message is 501 characters; this Mastodon instance allows at most \
                 500"
            )
        )
    );
    // By Mastodon's count, not by characters: 476 + " " + a URL of 600 counting 23 is 500.
    let mut counted = long.clone();
    counted["detail"]["referenceNumber"] = json!("counted");
    counted["detail"]["message"] = json!(format!(
        "{} https://example.com/{}",
        "a".repeat(476),
        "p".repeat(580)
    ));
    assert_eq!(post(&setup.server.base, &counted).0, 201);
    let failed = outcomes(&setup.server.base, 2);
    assert_eq!(
        failed[0],
        (
            "Social Post Failed".to_string(),
            json!({"referenceNumber": "long", "reason": "message-too-long",
                   "reasonMessage": "message is 501 characters; this Mastodon instance allows at most 500",
                   "retryable": false, "stage": "scheduling"})
        )
    );
    assert!(setup.mastodon.received().is_empty());
}

#[test]
fn the_instances_limits_come_from_the_settings() {
    let setup = serve(&[
        ("SPS_PLATFORM_MASTODON_MAX_CHARACTERS", "30"),
        ("SPS_PLATFORM_MASTODON_CHARACTERS_RESERVED_PER_URL", "10"),
    ]);
    let later = support::utc_in(3600);
    let answer = |reference: &str, message: &str| {
        let mut event = readme_event(reference, &later);
        event["detail"]["platform"] = json!("mastodon");
        event["detail"]["message"] = json!(message);
        let (status, body) = post(&setup.server.base, &event);
        (status, body["message"].clone())
    };
    // "See " 4 + 10 for the URL.
    assert_eq!(
        answer(
            "short",
            "See https://example.com/a/very/long/path/to/an/article/about/it"
        )
        .0,
        201
    );
    assert_eq!(
        answer("letters", &"a".repeat(31)),
        (
            422,
            json!("message is 31 characters; this Mastodon instance allows at most 30")
        )
    );
    // 20 + " " + 10 for the URL (44 with Mastodon's default 23).
    assert_eq!(
        answer("url", &format!("{} https://example.com/x", "a".repeat(20))),
        (
            422,
            json!("message is 31 characters; this Mastodon instance allows at most 30")
        )
    );
}

#[test]
fn the_instances_own_limits_are_read_once_per_account_and_kept() {
    let setup = serve(&[]);
    setup.mastodon.set_limits(600, 23);
    let later = support::utc_in(3600);
    let answer = |reference: &str, account: &str, length: usize| {
        let mut event = readme_event(reference, &later);
        event["detail"]["platform"] = json!("mastodon");
        event["detail"]["account"] = json!(account);
        event["detail"]["message"] = json!("a".repeat(length));
        let (status, body) = post(&setup.server.base, &event);
        (status, body["message"].clone())
    };
    assert_eq!(answer("a", "default", 600).0, 201);
    assert_eq!(
        answer("b", "default", 601),
        (
            422,
            json!("message is 601 characters; this Mastodon instance allows at most 600")
        )
    );
    assert_eq!(setup.mastodon.instance_requests(), 1, "kept in the store");
    // Another account's store is its own: it asks once too.
    assert_eq!(answer("c", "brand", 600).0, 201);
    assert_eq!(answer("d", "brand", 550).0, 201);
    assert_eq!(setup.mastodon.instance_requests(), 2);
}

#[test]
fn accounts_post_with_their_own_tokens_and_one_without_is_named() {
    let setup = serve(&[]);
    let mut brand = event("brand", "From the brand", &[]);
    brand["detail"]["account"] = json!("brand");
    let mut nobody = event("nobody", "From nobody", &[]);
    nobody["detail"]["account"] = json!("nobody");
    for event in [&event("own", "From alice", &[]), &brand, &nobody] {
        assert_eq!(post(&setup.server.base, event).0, 201);
    }
    let mut events = outcomes(&setup.server.base, 3);
    events.sort_by_key(|(_, detail)| detail["referenceNumber"].to_string());
    assert_eq!(events[0].0, "Social Post Sent", "{events:?}");
    assert_eq!(events[0].1["referenceNumber"], "brand");
    let brand_id = events[0].1["postId"].as_str().unwrap().to_string();
    assert_eq!(
        events[0].1["postUrl"],
        json!(setup.mastodon.status_url("brand", &brand_id))
    );
    assert_eq!(
        events[1],
        (
            "Social Post Failed".to_string(),
            json!({
                "referenceNumber": "nobody",
                "reason": "missing-credentials",
                "reasonMessage": "Mastodon credentials are missing for the account \"nobody\": set its access_token",
                "retryable": false,
                "stage": "sending",
            })
        )
    );
    assert_eq!(events[2].0, "Social Post Sent", "{events:?}");
    assert_eq!(events[2].1["referenceNumber"], "own");
    let mut posted: Vec<(String, String)> = setup
        .mastodon
        .created()
        .into_iter()
        .map(|s| (s.text, s.user))
        .collect();
    posted.sort();
    assert_eq!(
        posted,
        vec![
            ("From alice".to_string(), "alice".to_string()),
            ("From the brand".to_string(), "brand".to_string()),
        ]
    );
    let mut tokens: Vec<String> = setup
        .mastodon
        .received()
        .into_iter()
        .map(|r| r.token.unwrap_or_default())
        .collect();
    tokens.sort();
    assert_eq!(tokens, vec![BRAND_TOKEN.to_string(), TOKEN.to_string()]);
}

#[test]
fn a_rate_limit_is_waited_out_and_a_revoked_token_is_auth_failed() {
    let setup = serve(&[]);
    let reset = chrono::Utc::now().timestamp() + 2;
    setup.mastodon.script([
        Reply::rate_limited(reset),
        Reply::Created,
        Reply::unauthorized(),
    ]);
    assert_eq!(
        post(&setup.server.base, &event("limited", "Patience", &[])).0,
        201
    );
    let events = outcomes(&setup.server.base, 1);
    assert_eq!(events[0].0, "Social Post Sent", "{events:?}");
    assert_eq!(events[0].1["postIds"], json!([id(0)]));
    // Two requests with the one key: the first refused until the reset, the second after.
    post_key(&setup.mastodon, &[0, 0]);
    let answered: Vec<u16> = setup
        .mastodon
        .received()
        .iter()
        .map(|r| r.answered)
        .collect();
    assert_eq!(answered, vec![429, 200]);
    let second = setup.mastodon.received()[1].at;
    let second = chrono::DateTime::<chrono::Utc>::from(second).timestamp();
    assert!(second >= reset, "retried at {second}, reset {reset}");

    assert_eq!(
        post(&setup.server.base, &event("revoked", "Locked out", &[])).0,
        201
    );
    let events = outcomes(&setup.server.base, 2);
    assert_eq!(
        events[1],
        (
            "Social Post Failed".to_string(),
            json!({
                "referenceNumber": "revoked",
                "reason": "auth-failed",
                "reasonMessage": "Mastodon rejected the access token: HTTP 401: The access token is invalid",
                "retryable": false,
                "stage": "sending",
            })
        )
    );
    assert_eq!(setup.mastodon.created().len(), 1);
}

/// `POST /api/v1/statuses` to the fake with `token` and `key`, `body`: status and answer.
fn call(fake: &FakeMastodon, token: Option<&str>, key: &str, body: &Value) -> (u16, Value) {
    let mut request = ureq::post(&format!("{}/api/v1/statuses", fake.base_url))
        .config()
        .http_status_as_error(false)
        .build()
        .header("Idempotency-Key", key);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let response = request.send_json(body).unwrap();
    let status = response.status().as_u16();
    (status, response.into_body().read_json().unwrap())
}

#[test]
fn the_fake_instance_checks_tokens_bodies_replies_and_idempotency_keys() {
    let fake = FakeMastodon::start();
    let hello = json!({"status": "Hello", "visibility": "public"});
    let invalid_token = json!({"error": "The access token is invalid"});
    assert_eq!(
        call(&fake, None, "k1", &hello),
        (401, invalid_token.clone())
    );
    assert_eq!(
        call(&fake, Some("nope"), "k1", &hello),
        (401, invalid_token)
    );
    assert_eq!(
        call(&fake, Some(TOKEN), "k1", &json!({"visibility": "public"})),
        (
            422,
            json!({"error": "Validation failed: Text can't be blank"})
        )
    );
    let (status, first) = call(&fake, Some(TOKEN), "k1", &hello);
    assert_eq!(
        (status, &first["id"], &first["url"]),
        (200, &json!(id(0)), &json!(fake.status_url("alice", &id(0))))
    );
    // The same key again: the same status, nothing new.
    assert_eq!(call(&fake, Some(TOKEN), "k1", &hello), (200, first.clone()));
    // Keys are per account.
    assert_eq!(
        call(&fake, Some(BRAND_TOKEN), "k1", &hello).1["id"],
        json!(id(1))
    );
    assert_eq!(
        call(
            &fake,
            Some(TOKEN),
            "k2",
            &json!({"status": "Re", "in_reply_to_id": "42"})
        ),
        (
            404,
            json!({"error": "The post you are trying to reply to does not appear to exist."})
        )
    );
    // Created, then 503; the key then gives the status back.
    fake.script([Reply::unavailable_after_creating()]);
    let reply = json!({"status": "Re", "in_reply_to_id": id(0), "visibility": "public"});
    assert_eq!(call(&fake, Some(TOKEN), "k3", &reply).0, 503);
    let (status, again) = call(&fake, Some(TOKEN), "k3", &reply);
    assert_eq!(
        (status, &again["id"], &again["in_reply_to_id"]),
        (200, &json!(id(2)), &json!(id(0)))
    );
    assert_eq!(fake.created().len(), 3);
}
