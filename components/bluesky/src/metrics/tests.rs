//! `metrics` over the fake capabilities: the session, the exact `getPosts` request and
//! what each answer becomes.

use super::*;
use crate::fake::Fake;

const URI: &str = "at://did:plc:alice/app.bsky.feed.post/3n3y6ylvg7etj";
const STORED: &str = r#"{"accessJwt":"access-1-0123456789","refreshJwt":"refresh-1-0123456789","did":"did:plc:alice","handle":"alice.test"}"#;

fn signed_in() -> Fake {
    let mut caps = Fake::new(&[
        ("base_url", "https://pds.example/"),
        ("identifier", "alice.test"),
        ("app_password", "abcd-efgh-ijkl-mnop"),
    ]);
    caps.kv
        .insert("session".to_string(), STORED.as_bytes().to_vec());
    caps
}

#[test]
fn metrics_reads_the_post_views_counts_with_the_kept_session() {
    let mut caps = signed_in();
    caps.answer(
        200,
        &format!(
            r#"{{"posts":[{{"uri":"{URI}","cid":"bafy0","likeCount":7,"repostCount":2,"replyCount":1,"quoteCount":1,"indexedAt":"2026-12-06T06:30:01.000Z"}}]}}"#
        ),
    );
    assert_eq!(
        metrics(&mut caps, "default", URI),
        Ok(Engagement {
            likes: 7,
            reposts: 3,
            replies: 1,
            impressions: None,
        })
    );
    assert_eq!(
        caps.calls(),
        [(
            "GET".to_string(),
            "https://pds.example/xrpc/app.bsky.feed.getPosts?uris=at%3A%2F%2Fdid%3Aplc%3Aalice%2Fapp.bsky.feed.post%2F3n3y6ylvg7etj".to_string()
        )]
    );
    assert_eq!(
        caps.sent[0].header("authorization"),
        Some("Bearer access-1-0123456789")
    );
}

#[test]
fn metrics_errors_say_whether_a_later_reading_may_succeed() {
    let mut caps = signed_in();
    caps.answer(200, r#"{"posts":[]}"#);
    assert_eq!(
        metrics(&mut caps, "default", URI),
        Err(PublishError::Invalid(format!(
            "Bluesky shows no post {URI} (deleted, or not visible)"
        )))
    );
    let mut caps = signed_in();
    caps.answer(502, "");
    assert_eq!(
        metrics(&mut caps, "default", URI),
        Err(PublishError::Transient(format!(
            "the Bluesky PDS could not show post {URI}: HTTP 502"
        )))
    );
    let mut caps = signed_in();
    assert_eq!(
        metrics(&mut caps, "default", "3n3y6ylvg7etj"),
        Err(PublishError::Invalid(
            "\"3n3y6ylvg7etj\" is not the at:// URI of a Bluesky post".to_string()
        ))
    );
    assert!(caps.sent.is_empty());
}
