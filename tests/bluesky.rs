//! The bluesky component end to end: `sps serve` (the real binary, the embedded
//! components) with a fake PDS (tests/support/fake_bluesky.rs). A post ends in `Social
//! Post Sent` with its `at://` URI and bsky.app URL; a thread's replies name their root
//! and parent; posts share one session (createSession is tightly rate limited) and an
//! expired access token is refreshed once, and posts due together open one session; a 503
//! after the PDS stored the record ends in that one record (resolved with getRecord), and so
//! does a repeated record key the PDS answers with HTTP 500; a 429 is waited out until its
//! `ratelimit-reset`; a refused app password is `auth-failed`; Bluesky's 300 graphemes are
//! checked at scheduling.

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
use support::fake_bluesky::{
    post_url, FakeBluesky, Reply, APP_PASSWORD, BOB_DID, DID, HANDLE, POSTS,
};
use support::fake_x::FakeX;
use support::serve::{command, spawn, Serve};

const CREATE_RECORD: &str = "com.atproto.repo.createRecord";
const GET_RECORD: &str = "com.atproto.repo.getRecord";

/// A running `sps serve` with the fake PDS as `SPS_BLUESKY_PDS_URL`.
struct Setup {
    bluesky: FakeBluesky,
    server: Serve,
    _x: FakeX,
    _dir: tempfile::TempDir,
}

/// The secrets file: the identifier and `app_password` of the account `default`,
/// readable by its owner only.
fn secrets(dir: &Path, app_password: &str) -> PathBuf {
    let path = dir.join("secrets.json");
    let file = json!({"platforms": {"bluesky": {
        "default": {"identifier": HANDLE, "app_password": app_password},
    }}});
    std::fs::write(&path, file.to_string()).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    path
}

/// `sps serve` with a 1 s retry backoff and the fake PDS.
fn serve() -> Setup {
    serve_with(APP_PASSWORD)
}

/// [`serve`] with the account's app password in the secrets file `app_password`.
fn serve_with(app_password: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let bluesky = FakeBluesky::start();
    let secrets = secrets(dir.path(), app_password);
    let mut cmd = command(&dir.path().join("data"), &x, &secrets);
    cmd.env("SPS_BLUESKY_PDS_URL", &bluesky.base_url)
        .env("SPS_RETRY_BACKOFF_SECONDS", "1");
    Setup {
        server: spawn(cmd),
        bluesky,
        _x: x,
        _dir: dir,
    }
}

/// The README event for Bluesky: `message` (and `thread`), due in 2 s.
fn event(reference: &str, message: &str, thread: &[&str]) -> Value {
    let mut event = readme_event(reference, &support::utc_in(2));
    event["detail"]["platform"] = json!("bluesky");
    event["detail"]["message"] = json!(message);
    if !thread.is_empty() {
        event["detail"]["thread"] = json!(thread);
    }
    event
}

/// The `at://` URI of the post with record key `rkey`.
fn uri(rkey: &str) -> String {
    format!("at://{DID}/{POSTS}/{rkey}")
}

/// `Social Post Sent` for the posts with record keys `rkeys` (the first is the post).
fn sent(reference: &str, rkeys: &[String]) -> (String, Value) {
    let ids: Vec<String> = rkeys.iter().map(|k| uri(k)).collect();
    (
        "Social Post Sent".to_string(),
        json!({
            "referenceNumber": reference,
            "postId": ids[0],
            "postIds": ids,
            "postUrl": post_url(&rkeys[0]),
        }),
    )
}

/// The record keys of every record the fake holds, in order.
fn rkeys(bluesky: &FakeBluesky) -> Vec<String> {
    bluesky.records().into_iter().map(|r| r.rkey).collect()
}

#[test]
fn a_post_is_sent_with_its_at_uri_and_bsky_app_url() {
    let setup = serve();
    let text = "Caf\u{e9} \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} with @bob.test: https://example.com/x. #rust";
    assert_eq!(post(&setup.server.base, &event("sky", text, &[])).0, 201);
    let events = outcomes(&setup.server.base, 1);
    let keys = rkeys(&setup.bluesky);
    assert_eq!(keys.len(), 1, "{events:?}");
    assert_eq!(events, vec![sent("sky", &keys)]);
    let record = &setup.bluesky.records()[0];
    assert_eq!(record.text(), text);
    assert_eq!(record.value["$type"], json!(POSTS));
    assert_eq!(record.value.get("reply"), None);
    // Byte offsets: "Café " 6, the family 18 bytes + " with " 6 puts "@bob.test" at 30.
    assert_eq!(
        record.value["facets"],
        json!([
            {"index": {"byteStart": 30, "byteEnd": 39},
             "features": [{"$type": "app.bsky.richtext.facet#mention", "did": BOB_DID}]},
            {"index": {"byteStart": 41, "byteEnd": 62},
             "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x"}]},
            {"index": {"byteStart": 64, "byteEnd": 69},
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "rust"}]},
        ]),
        "the calls the fake PDS received: {:?}",
        setup.bluesky.received()
    );
    assert_eq!(setup.bluesky.create_sessions(), 1);
    let creates = setup.bluesky.calls(CREATE_RECORD);
    assert_eq!(creates.len(), 1);
    assert_eq!(creates[0].answered, 200);
    assert!(creates[0].token.is_some());
}

#[test]
fn a_thread_is_a_chain_of_replies_to_its_root() {
    let setup = serve();
    let (status, _) = post(
        &setup.server.base,
        &event("thread", "one", &["two", "three"]),
    );
    assert_eq!(status, 201);
    let events = outcomes(&setup.server.base, 1);
    let keys = rkeys(&setup.bluesky);
    assert_eq!(keys.len(), 3, "{events:?}");
    assert_eq!(events, vec![sent("thread", &keys)]);
    let records = setup.bluesky.records();
    let texts: Vec<&str> = records.iter().map(|r| r.text()).collect();
    assert_eq!(texts, ["one", "two", "three"]);
    let replies: Vec<Option<(String, String)>> = records.iter().map(|r| r.reply_uris()).collect();
    assert_eq!(
        replies,
        vec![
            None,
            Some((uri(&keys[0]), uri(&keys[0]))),
            Some((uri(&keys[0]), uri(&keys[1]))),
        ]
    );
    // The cids too (the fake refuses a reply whose strong refs it does not hold).
    assert_eq!(
        records[2].value["reply"]["parent"]["cid"],
        json!(records[1].cid)
    );
    assert_eq!(setup.bluesky.create_sessions(), 1);
}

#[test]
fn two_posts_use_one_session_and_an_expired_token_is_refreshed_once() {
    let setup = serve();
    assert_eq!(
        post(&setup.server.base, &event("first", "First", &[])).0,
        201
    );
    assert_eq!(outcomes(&setup.server.base, 1)[0].0, "Social Post Sent");
    assert_eq!(
        post(&setup.server.base, &event("second", "Second", &[])).0,
        201
    );
    let events = outcomes(&setup.server.base, 2);
    assert_eq!(events[1].0, "Social Post Sent", "{events:?}");
    assert_eq!(setup.bluesky.create_sessions(), 1);
    assert_eq!(setup.bluesky.refresh_sessions(), 0);

    setup.bluesky.expire_access_tokens();
    assert_eq!(
        post(&setup.server.base, &event("third", "Third", &[])).0,
        201
    );
    let events = outcomes(&setup.server.base, 3);
    let keys = rkeys(&setup.bluesky);
    assert_eq!(keys.len(), 3, "{events:?}");
    assert_eq!(events[2], sent("third", &keys[2..]));
    assert_eq!(setup.bluesky.create_sessions(), 1);
    assert_eq!(setup.bluesky.refresh_sessions(), 1);
    assert_eq!(
        setup.bluesky.answered(CREATE_RECORD),
        vec![200, 200, 400, 200]
    );
}

/// Six posts due in the same second for an account without a session: one delivery opens
/// it (the others find its lock, send nothing and are retried), so createSession is
/// called once, and all six are sent.
#[test]
fn posts_due_together_open_one_session() {
    let setup = serve();
    let date = support::utc_in(2);
    for n in 0..6 {
        let mut event = event(&format!("together{n}"), &format!("Post {n}"), &[]);
        event["detail"]["scheduledDate"] = json!(date);
        assert_eq!(post(&setup.server.base, &event).0, 201);
    }
    let events = outcomes(&setup.server.base, 6);
    let kinds: Vec<&str> = events.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["Social Post Sent"; 6], "{events:?}");
    assert_eq!(setup.bluesky.create_sessions(), 1);
    assert_eq!(setup.bluesky.records().len(), 6);
}

#[test]
fn a_503_after_the_record_was_stored_ends_in_that_one_record() {
    let setup = serve();
    setup.bluesky.script([Reply::unavailable_after_storing()]);
    assert_eq!(
        post(&setup.server.base, &event("doubt", "In doubt", &[])).0,
        201
    );
    let events = outcomes(&setup.server.base, 1);
    let keys = rkeys(&setup.bluesky);
    assert_eq!(keys.len(), 1, "{events:?}");
    assert_eq!(events, vec![sent("doubt", &keys)]);
    // The 503 was resolved by reading the record back under the same key.
    assert_eq!(setup.bluesky.answered(CREATE_RECORD), [503]);
    let reads = setup.bluesky.calls(GET_RECORD);
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].answered, 200);
    assert_eq!(reads[0].body.as_ref().unwrap()["rkey"], json!(keys[0]));
    // Nothing more comes: one outcome, one record.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(outcomes(&setup.server.base, 1).len(), 1);
    assert_eq!(setup.bluesky.records().len(), 1);
}

/// A record key that exists already is answered HTTP 500, as the reference PDS does: a
/// repeated createRecord after an outcome nobody could check (getRecord answered 503 too)
/// is resolved by getRecord, and the post ends in its one record.
#[test]
fn a_repeated_record_key_answered_500_is_read_back_and_not_doubled() {
    let setup = serve();
    setup.bluesky.script([Reply::unavailable_after_storing()]);
    setup.bluesky.script_get_record([Reply::unavailable()]);
    assert_eq!(
        post(&setup.server.base, &event("again", "Twice asked", &[])).0,
        201
    );
    let events = outcomes(&setup.server.base, 1);
    let keys = rkeys(&setup.bluesky);
    assert_eq!(keys.len(), 1, "{events:?}");
    assert_eq!(events, vec![sent("again", &keys)]);
    assert_eq!(setup.bluesky.answered(CREATE_RECORD), [503, 500]);
    assert_eq!(setup.bluesky.answered(GET_RECORD), [503, 200]);
    let creates = setup.bluesky.calls(CREATE_RECORD);
    assert_eq!(creates[1].body.as_ref().unwrap()["rkey"], json!(keys[0]));
}

/// A 429 with `ratelimit-reset` (Unix seconds, docs.bsky.app "Rate Limits") is waited out:
/// the next createRecord comes at or after the reset, and the post is sent.
#[test]
fn a_rate_limited_record_is_sent_after_the_reset() {
    let setup = serve();
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 4;
    let limited = json!({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"});
    let header = ("ratelimit-reset", reset.to_string());
    setup
        .bluesky
        .script([Reply::Status(429, vec![header], limited)]);
    assert_eq!(
        post(&setup.server.base, &event("limited", "Wait for it", &[])).0,
        201
    );
    let events = outcomes(&setup.server.base, 1);
    let keys = rkeys(&setup.bluesky);
    assert_eq!(events, vec![sent("limited", &keys)]);
    let creates = setup.bluesky.calls(CREATE_RECORD);
    assert_eq!(setup.bluesky.answered(CREATE_RECORD), [429, 200]);
    let second = creates[1].at.duration_since(std::time::UNIX_EPOCH).unwrap();
    assert!(
        second.as_secs() >= reset,
        "retried at {second:?}, reset {reset}"
    );
}

/// An app password the PDS refuses ends in `auth-failed` at once, naming the account and
/// not the password; nothing is published.
#[test]
fn a_refused_app_password_ends_in_auth_failed() {
    let setup = serve_with("wrong-pass-word-0000");
    assert_eq!(
        post(&setup.server.base, &event("refused", "Not me", &[])).0,
        201
    );
    let failed = json!({
        "referenceNumber": "refused",
        "stage": "sending",
        "reason": "auth-failed",
        "reasonMessage": "Bluesky rejected the identifier or app password of the account \
            \"default\": HTTP 401: AuthenticationRequired: Invalid identifier or password",
        "retryable": false,
    });
    let events = outcomes(&setup.server.base, 1);
    assert_eq!(events, vec![("Social Post Failed".to_string(), failed)]);
    assert!(setup.bluesky.records().is_empty());
    assert_eq!(setup.bluesky.calls(CREATE_RECORD).len(), 0);
}

#[test]
fn a_message_over_300_graphemes_is_rejected_at_scheduling() {
    let setup = serve();
    let later = support::utc_in(3600);
    let scheduled = |reference: &str, message: &str, thread: &[&str]| {
        let mut event = readme_event(reference, &later);
        event["detail"]["platform"] = json!("bluesky");
        event["detail"]["message"] = json!(message);
        if !thread.is_empty() {
            event["detail"]["thread"] = json!(thread);
        }
        post(&setup.server.base, &event)
    };
    let rejected = |reference: &str, message: &str| {
        (
            422,
            json!({"status": "rejected", "reason": "message-too-long", "message": message,
                   "referenceNumber": reference}),
        )
    };
    assert_eq!(
        scheduled("long", &"a".repeat(301), &[]),
        rejected(
            "long",
            "message is 301 characters; Bluesky allows at most 300"
        )
    );
    // By grapheme clusters: 300 accented letters written as e + U+0301 are 600 code points.
    assert_eq!(scheduled("accents", &"e\u{301}".repeat(300), &[]).0, 201);
    let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}";
    assert_eq!(
        scheduled("bytes", "fine", &[&family.repeat(121)]),
        rejected(
            "bytes",
            "thread[0]: message is 3025 bytes in UTF-8; Bluesky allows at most 3000"
        )
    );
    let failed = outcomes(&setup.server.base, 2);
    assert_eq!(
        failed[0],
        (
            "Social Post Failed".to_string(),
            json!({"referenceNumber": "long", "reason": "message-too-long",
                   "reasonMessage": "message is 301 characters; Bluesky allows at most 300",
                   "retryable": false, "stage": "scheduling"})
        )
    );
    assert!(setup.bluesky.received().is_empty());
}

/// A call to the fake: `method` `nsid` with a bearer `token`, a JSON body for a POST or
/// a query for a GET; the status and JSON answer.
fn call(
    fake: &FakeBluesky,
    nsid: &str,
    token: Option<&str>,
    body: Option<&Value>,
    query: &str,
) -> (u16, Value) {
    let url = format!("{}/xrpc/{nsid}{query}", fake.base_url);
    let response = match body {
        Some(body) => {
            let mut request = ureq::post(&url)
                .config()
                .http_status_as_error(false)
                .build();
            if let Some(token) = token {
                request = request.header("Authorization", &format!("Bearer {token}"));
            }
            request.send_json(body).unwrap()
        }
        None => ureq::get(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .unwrap(),
    };
    let status = response.status().as_u16();
    (
        status,
        response.into_body().read_json().unwrap_or(Value::Null),
    )
}

/// A TID of now (atproto.com/specs/tid) with clock identifier `clock`.
fn tid_now(clock: u64) -> String {
    let micros = chrono::Utc::now().timestamp_micros() as u64;
    let value = (micros << 10) | (clock & 1023);
    let alphabet = b"234567abcdefghijklmnopqrstuvwxyz";
    (0..13)
        .rev()
        .map(|d| alphabet[((value >> (5 * d)) & 31) as usize] as char)
        .collect()
}

#[test]
fn the_fake_pds_checks_what_the_docs_require() {
    let fake = FakeBluesky::start();
    let login = |password: &str| {
        call(
            &fake,
            "com.atproto.server.createSession",
            None,
            Some(&json!({"identifier": HANDLE, "password": password})),
            "",
        )
    };
    assert_eq!(login("wrong").0, 401);
    let (status, session) = login(APP_PASSWORD);
    assert_eq!(
        (status, &session["did"], &session["handle"]),
        (200, &json!(DID), &json!(HANDLE))
    );
    let access = session["accessJwt"].as_str().unwrap().to_string();
    let rkey = tid_now(1);
    let input = |rkey: &str, record: Value| json!({"repo": DID, "collection": POSTS, "rkey": rkey, "record": record});
    let good = json!({"$type": POSTS, "text": "Héllo #x", "createdAt": "2026-12-06T06:30:00.000Z",
                      "facets": [{"index": {"byteStart": 7, "byteEnd": 9},
                                  "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "x"}]}]});
    let create =
        |token: Option<&str>, body: &Value| call(&fake, CREATE_RECORD, token, Some(body), "");
    assert_eq!(create(None, &input(&rkey, good.clone())).0, 401);
    let refused = |body: Value| create(Some(&access), &body);
    let mut other_repo = input(&rkey, good.clone());
    other_repo["repo"] = json!("did:plc:someoneelse");
    assert_eq!(refused(other_repo).0, 400);
    assert_eq!(
        refused(input("3jzfcijpj2z2a", good.clone())).0,
        400,
        "a TID of 2023"
    );
    assert_eq!(refused(input("not-a-tid", good.clone())).0, 400);
    let mut no_millis_zone = good.clone();
    no_millis_zone["createdAt"] = json!("2026-12-06 06:30:00");
    assert_eq!(refused(input(&rkey, no_millis_zone)).0, 400);
    let mut split_char = good.clone();
    split_char["facets"][0]["index"]["byteStart"] = json!(2); // inside "é"
    assert_eq!(refused(input(&rkey, split_char)).0, 400);
    let mut orphan = good.clone();
    orphan["reply"] =
        json!({"root": {"uri": "at://x", "cid": "y"}, "parent": {"uri": "at://x", "cid": "y"}});
    assert_eq!(refused(input(&rkey, orphan)).0, 400);
    let (status, first) = create(Some(&access), &input(&rkey, good.clone()));
    assert_eq!((status, &first["uri"]), (200, &json!(uri(&rkey))));
    // The same record key again: HTTP 500, as the reference PDS answers.
    assert_eq!(create(Some(&access), &input(&rkey, good.clone())).0, 500);
    let found = call(
        &fake,
        GET_RECORD,
        None,
        None,
        &format!("?repo={DID}&collection={POSTS}&rkey={rkey}"),
    );
    assert_eq!(
        (found.0, &found.1["cid"], &found.1["value"]["text"]),
        (200, &first["cid"], &json!("Héllo #x"))
    );
    let missing = call(
        &fake,
        GET_RECORD,
        None,
        None,
        &format!("?repo={DID}&collection={POSTS}&rkey={}", tid_now(2)),
    );
    assert_eq!(
        (missing.0, &missing.1["error"]),
        (400, &json!("RecordNotFound"))
    );
    let bob = call(
        &fake,
        "com.atproto.identity.resolveHandle",
        None,
        None,
        "?handle=bob.test",
    );
    assert_eq!(bob, (200, json!({"did": BOB_DID})));
    assert_eq!(
        call(
            &fake,
            "com.atproto.identity.resolveHandle",
            None,
            None,
            "?handle=nobody.test"
        )
        .0,
        400
    );
    // An expired access token, then a refresh that rotates the refresh token.
    fake.expire_access_tokens();
    let (status, expired) = create(Some(&access), &input(&tid_now(3), good.clone()));
    assert_eq!((status, &expired["error"]), (400, &json!("ExpiredToken")));
    let refresh = session["refreshJwt"].as_str().unwrap();
    let renew = |token: &str| {
        let url = format!("{}/xrpc/com.atproto.server.refreshSession", fake.base_url);
        let response = ureq::post(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .header("Authorization", &format!("Bearer {token}"))
            .send_empty()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.into_body().read_json::<Value>().unwrap())
    };
    let (status, renewed) = renew(refresh);
    assert_eq!(status, 200);
    assert_eq!(renew(refresh).0, 400, "a refresh token is used once");
    let fresh = renewed["accessJwt"].as_str().unwrap();
    assert_eq!(create(Some(fresh), &input(&tid_now(3), good)).0, 200);
    assert_eq!((fake.create_sessions(), fake.refresh_sessions()), (1, 1));
    assert_eq!(fake.records().len(), 2);
}
