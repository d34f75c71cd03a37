//! `publish` over the fake capabilities: the exact requests, the session kept in the
//! key-value store, renewals, ambiguous answers resolved with `getRecord`, threads.

use serde_json::{json, Value};
use sps_platform::SendPhase;

use super::*;
use crate::fake::{Fake, NOW};

const KEY: &str = "4327f138593c72fbdb5fff2b18d4f21e4272884193e209031333ac8a6bd381b1";
const OTHER_KEY: &str = "9a1c7c4f0e4b1f3c2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4";
const PASSWORD: &str = "abcd-efgh-ijkl-mnop";
/// The record keys of parts 0, 1 and 2 of KEY first attempted at NOW (tid/tests.rs).
const RKEYS: [&str; 3] = ["3n3y6ylvg7etj", "3n3y6ylvh6mzk", "3n3y6ylvi5u5r"];

fn configured() -> Fake {
    Fake::new(&[
        ("base_url", "https://pds.example/"),
        ("identifier", " alice.test "),
        ("app_password", PASSWORD),
    ])
}

/// Session `n` of alice as the PDS answers it.
fn session_answer(n: u32) -> String {
    format!(
        r#"{{"accessJwt":"access-{n}-0123456789","refreshJwt":"refresh-{n}-0123456789","handle":"alice.test","did":"did:plc:alice","active":true}}"#
    )
}

/// Session `n` as the component stores it.
fn stored(n: u32) -> String {
    format!(
        r#"{{"accessJwt":"access-{n}-0123456789","refreshJwt":"refresh-{n}-0123456789","did":"did:plc:alice","handle":"alice.test"}}"#
    )
}

fn uri(rkey: &str) -> String {
    format!("at://did:plc:alice/app.bsky.feed.post/{rkey}")
}

fn created(rkey: &str, cid: &str) -> String {
    format!(
        r#"{{"uri":"{}","cid":"{cid}","validationStatus":"valid"}}"#,
        uri(rkey)
    )
}

fn part(rkey: &str, cid: &str) -> PublishedPart {
    PublishedPart {
        id: uri(rkey),
        url: Some(format!("https://bsky.app/profile/alice.test/post/{rkey}")),
        reply_ref: Some(cid.to_string()),
    }
}

fn post(parts: &[&str], key: &str) -> Post {
    Post {
        parts: parts.iter().map(|p| p.to_string()).collect(),
        account: "default".to_string(),
        idempotency_key: key.to_string(),
    }
}

fn with_session(n: u32) -> Fake {
    let mut caps = configured();
    caps.kv
        .insert("session".to_string(), stored(n).into_bytes());
    caps
}

fn call(method: &str, nsid: &str) -> (String, String) {
    (
        method.to_string(),
        format!("https://pds.example/xrpc/{nsid}"),
    )
}

const CREATE_SESSION: &str = "com.atproto.server.createSession";
const REFRESH_SESSION: &str = "com.atproto.server.refreshSession";
const CREATE_RECORD: &str = "com.atproto.repo.createRecord";

fn body(request: &HttpRequest) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

#[test]
fn the_first_post_opens_a_session_and_creates_the_record() {
    let mut caps = configured();
    caps.answer(200, &session_answer(1));
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    let published = publish(&mut caps, &post(&["Hello world!"], KEY), 0, &[]);
    assert_eq!(published, Ok(part(RKEYS[0], "bafy0")));
    assert_eq!(
        caps.calls(),
        vec![call("POST", CREATE_SESSION), call("POST", CREATE_RECORD)]
    );
    let expected = format!(
        r#"{{"repo":"did:plc:alice","collection":"app.bsky.feed.post","rkey":"{}","record":{{"$type":"app.bsky.feed.post","text":"Hello world!","createdAt":"2026-12-06T06:30:00.000Z"}}}}"#,
        RKEYS[0]
    );
    let request = &caps.sent[1];
    assert_eq!(String::from_utf8(request.body.clone()).unwrap(), expected);
    assert_eq!(
        request.headers,
        [
            ("authorization", "Bearer access-1-0123456789"),
            ("content-type", "application/json"),
            ("content-length", &expected.len().to_string()),
            ("accept", "application/json"),
            ("user-agent", "sps-bluesky/0.1.0"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    assert_eq!(
        body(&caps.sent[0]),
        json!({"identifier": "alice.test", "password": PASSWORD})
    );
    assert_eq!(caps.kv_text("session"), Some(stored(1)));
    assert_eq!(
        caps.kv_text(&format!("rkey/{KEY}/0")).as_deref(),
        Some(RKEYS[0])
    );
    // The session is stored before the lock is released, so the next holder of the lock
    // reads it instead of opening a second one.
    let session_writes: Vec<&str> = caps
        .kv_writes
        .iter()
        .map(String::as_str)
        .filter(|key| key.starts_with("session"))
        .collect();
    assert_eq!(session_writes, ["session-lock", "session", "session-lock"]);
}

#[test]
fn two_posts_share_one_session() {
    let mut caps = configured();
    caps.answer(200, &session_answer(1));
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert!(publish(&mut caps, &post(&["one"], KEY), 0, &[]).is_ok());
    let second = tid::first_attempt_tid(NOW, OTHER_KEY, 0);
    caps.answer(200, &created(&second, "bafyother"));
    assert_eq!(
        publish(&mut caps, &post(&["two"], OTHER_KEY), 0, &[]),
        Ok(part(&second, "bafyother"))
    );
    assert_eq!(
        caps.calls(),
        vec![
            call("POST", CREATE_SESSION),
            call("POST", CREATE_RECORD),
            call("POST", CREATE_RECORD)
        ]
    );
    assert_eq!(
        caps.sent[2].header("authorization"),
        Some("Bearer access-1-0123456789")
    );
}

#[test]
fn a_threads_replies_name_their_root_and_parent() {
    let mut caps = configured();
    caps.answer(200, &session_answer(1));
    let the_post = post(&["one", "two", "three"], KEY);
    let mut earlier: Vec<PublishedPart> = Vec::new();
    for (index, rkey) in RKEYS.iter().enumerate() {
        caps.answer(200, &created(rkey, &format!("bafy{index}")));
        let published = publish(&mut caps, &the_post, index as u32, &earlier).unwrap();
        assert_eq!(published, part(rkey, &format!("bafy{index}")));
        earlier.push(published);
    }
    let records: Vec<Value> = caps.sent[1..]
        .iter()
        .map(|r| body(r)["record"].clone())
        .collect();
    assert_eq!(records[0].get("reply"), None);
    let strong = |i: usize| json!({"uri": uri(RKEYS[i]), "cid": format!("bafy{i}")});
    assert_eq!(
        records[1]["reply"],
        json!({"root": strong(0), "parent": strong(0)})
    );
    assert_eq!(
        records[2]["reply"],
        json!({"root": strong(0), "parent": strong(1)})
    );
    assert_eq!(records[2]["text"], json!("three"));
    // One session for the whole thread.
    assert_eq!(caps.calls()[0], call("POST", CREATE_SESSION));
    assert_eq!(caps.sent.len(), 4);
}

#[test]
fn a_reply_without_the_parents_cid_sends_nothing() {
    let mut caps = with_session(1);
    let mut parent = part(RKEYS[0], "bafy0");
    parent.reply_ref = None;
    assert_eq!(
        publish(&mut caps, &post(&["one", "two"], KEY), 1, &[parent]),
        Err(PublishError::Invalid(
            "part 1 replies to part 0 as its root, whose cid (reply_ref) is empty".to_string()
        ))
    );
    assert!(caps.sent.is_empty());
}

#[test]
fn facets_are_sent_with_resolved_mentions_only() {
    let mut caps = with_session(1);
    caps.answer(200, r#"{"did":"did:plc:bob"}"#);
    caps.answer(
        400,
        r#"{"error":"InvalidRequest","message":"Unable to resolve handle"}"#,
    );
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    let text = "Caf\u{e9} @bob.test @nobody.test https://example.com/x. #rust";
    assert!(publish(&mut caps, &post(&[text], KEY), 0, &[]).is_ok());
    assert_eq!(
        caps.calls()[..2],
        [
            (
                "GET".to_string(),
                "https://pds.example/xrpc/com.atproto.identity.resolveHandle?handle=bob.test"
                    .to_string()
            ),
            (
                "GET".to_string(),
                "https://pds.example/xrpc/com.atproto.identity.resolveHandle?handle=nobody.test"
                    .to_string()
            ),
        ]
    );
    assert_eq!(
        body(&caps.sent[2])["record"]["facets"],
        json!([
            {"index": {"byteStart": 6, "byteEnd": 15},
             "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bob"}]},
            {"index": {"byteStart": 29, "byteEnd": 50},
             "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x"}]},
            {"index": {"byteStart": 52, "byteEnd": 57},
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "rust"}]},
        ])
    );
}

#[test]
fn a_mention_the_pds_could_not_resolve_now_is_retried_not_dropped() {
    let mut caps = with_session(1);
    caps.answer(503, r#"{"error":"Unavailable"}"#);
    assert_eq!(
        publish(&mut caps, &post(&["hi @bob.test"], KEY), 0, &[]),
        Err(PublishError::Transient(
            "Bluesky PDS could not answer (resolving @bob.test): HTTP 503: Unavailable".to_string()
        ))
    );
    assert_eq!(
        caps.calls(),
        [call(
            "GET",
            "com.atproto.identity.resolveHandle?handle=bob.test"
        )]
    );
}

#[test]
fn missing_settings_are_missing_credentials_and_nothing_is_sent_or_pinned() {
    let mut caps = Fake::new(&[("identifier", "alice.test"), ("app_password", PASSWORD)]);
    assert_eq!(
        publish(&mut caps, &post(&["x"], KEY), 0, &[]),
        Err(PublishError::MissingCredentials(
            "the Bluesky PDS is not configured: set the setting base_url to its URL (sps \
             serve: SPS_BLUESKY_PDS_URL)"
                .to_string()
        ))
    );
    for (settings, missing) in [
        (
            vec![("base_url", "https://pds.example")],
            "identifier and app_password",
        ),
        (
            vec![
                ("base_url", "https://pds.example"),
                ("identifier", "alice.test"),
                ("app_password", " "),
            ],
            "app_password",
        ),
        (
            vec![
                ("base_url", "https://pds.example"),
                ("app_password", PASSWORD),
            ],
            "identifier",
        ),
    ] {
        let mut caps = Fake::new(&settings);
        assert_eq!(
            publish(&mut caps, &post(&["x"], KEY), 0, &[]),
            Err(PublishError::MissingCredentials(format!(
                "Bluesky credentials are missing for the account \"default\": set its {missing}"
            )))
        );
        assert!(caps.sent.is_empty());
        assert!(caps.kv.is_empty());
    }
}

mod ambiguous;
mod failures;
mod renewal;
