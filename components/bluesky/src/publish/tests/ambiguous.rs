//! Ambiguous createRecord answers resolved with getRecord of the pinned record key.

use super::*;

#[test]
fn a_500_for_a_stored_record_is_resolved_by_get_record() {
    let mut caps = with_session(1);
    caps.answer(
        500,
        r#"{"error":"InternalServerError","message":"Internal Server Error"}"#,
    );
    caps.answer(
        200,
        &format!(
            r#"{{"uri":"{}","cid":"bafy0","value":{{"$type":"app.bsky.feed.post","text":"Hello","createdAt":"2026-12-06T06:29:00.000Z"}}}}"#,
            uri(RKEYS[0])
        ),
    );
    assert_eq!(
        publish(&mut caps, &post(&["Hello"], KEY), 0, &[]),
        Ok(part(RKEYS[0], "bafy0"))
    );
    assert_eq!(
        caps.calls()[1],
        (
            "GET".to_string(),
            format!(
                "https://pds.example/xrpc/com.atproto.repo.getRecord?repo=did%3Aplc%3Aalice\
                 &collection=app.bsky.feed.post&rkey={}",
                RKEYS[0]
            )
        )
    );
    assert_eq!(
        caps.sent[1].header("authorization"),
        Some("Bearer access-1-0123456789")
    );
}

#[test]
fn an_exchange_cut_after_sending_is_resolved_by_get_record_too() {
    let mut caps = with_session(1);
    caps.fail(SendPhase::MaybeSent, "connection reset");
    caps.answer(
        200,
        &format!(
            r#"{{"uri":"{}","cid":"bafy0","value":{{"text":"Hello"}}}}"#,
            uri(RKEYS[0])
        ),
    );
    assert_eq!(
        publish(&mut caps, &post(&["Hello"], KEY), 0, &[]),
        Ok(part(RKEYS[0], "bafy0"))
    );
}

#[test]
fn record_not_found_is_transient_and_the_retry_writes_the_same_key() {
    let mut caps = with_session(1);
    caps.answer(503, r#"{"error":"ServiceUnavailable"}"#);
    caps.answer(
        400,
        r#"{"error":"RecordNotFound","message":"Could not locate record"}"#,
    );
    let the_post = post(&["Hello"], KEY);
    assert_eq!(
        publish(&mut caps, &the_post, 0, &[]),
        Err(PublishError::Transient(format!(
            "Bluesky answered HTTP 503: ServiceUnavailable to createRecord; getRecord finds no \
             record {}, so the part was not published and retrying with the same record key is \
             safe",
            RKEYS[0]
        )))
    );
    // A minute later.
    caps.now = NOW + 60;
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert_eq!(
        publish(&mut caps, &the_post, 0, &[]),
        Ok(part(RKEYS[0], "bafy0"))
    );
    let first = body(&caps.sent[0]);
    let retry = body(&caps.sent[2]);
    assert_eq!(first["rkey"], json!(RKEYS[0]));
    assert_eq!(retry["rkey"], json!(RKEYS[0]));
    assert_eq!(
        retry["record"]["createdAt"],
        json!("2026-12-06T06:31:00.000Z")
    );
}

#[test]
fn a_lookup_that_fails_is_unknown_and_another_post_under_the_key_repins_it() {
    let mut caps = with_session(1);
    caps.answer(500, r#"{"error":"InternalServerError"}"#);
    caps.answer(502, "Bad Gateway");
    assert_eq!(
        publish(&mut caps, &post(&["Hello"], KEY), 0, &[]),
        Err(PublishError::UnknownOutcome(
            "Bluesky answered HTTP 500: InternalServerError to createRecord; checking with \
             getRecord failed (HTTP 502); the post may or may not have been published"
                .to_string()
        ))
    );
    caps.answer(500, r#"{"error":"InternalServerError"}"#);
    caps.answer(
        200,
        &format!(
            r#"{{"uri":"{}","cid":"bafyx","value":{{"text":"Not mine"}}}}"#,
            uri(RKEYS[0])
        ),
    );
    assert_eq!(
        publish(&mut caps, &post(&["Hello"], KEY), 0, &[]),
        Err(PublishError::Transient(format!(
            "Bluesky answered HTTP 500: InternalServerError to createRecord; the record key {} \
             holds another post (getRecord), so a new record key was pinned and retrying \
             publishes the part",
            RKEYS[0]
        )))
    );
    let repinned = caps.kv_text(&format!("rkey/{KEY}/0")).unwrap();
    assert_ne!(repinned, RKEYS[0]);
    assert!(tid::is_valid(&repinned));
}
