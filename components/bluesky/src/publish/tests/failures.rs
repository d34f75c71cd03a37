//! Failures: no key-value store, refused credentials, rate limits, no connection.

use super::*;

#[test]
fn without_a_key_value_store_for_the_session_each_call_opens_one() {
    let mut caps = configured();
    caps.break_kv("session");
    for (n, key) in [(1, KEY), (2, OTHER_KEY)] {
        caps.answer(200, &session_answer(n));
        let rkey = tid::first_attempt_tid(NOW, key, 0);
        caps.answer(200, &created(&rkey, "bafy"));
        assert_eq!(
            publish(&mut caps, &post(&["x"], key), 0, &[]),
            Ok(part(&rkey, "bafy"))
        );
    }
    assert_eq!(
        caps.calls(),
        vec![
            call("POST", CREATE_SESSION),
            call("POST", CREATE_RECORD),
            call("POST", CREATE_SESSION),
            call("POST", CREATE_RECORD)
        ]
    );
    // Without a store for the record keys nothing is sent at all.
    let mut caps = configured();
    caps.break_kv("rkey/");
    assert_eq!(
        publish(&mut caps, &post(&["x"], KEY), 0, &[]),
        Err(PublishError::Transient(
            "could not pin the record key of part 0 in the key-value store (key-value store: \
             disk gone); nothing was sent"
                .to_string()
        ))
    );
    assert!(caps.sent.is_empty());
}

#[test]
fn refused_credentials_are_auth_and_no_secret_shows() {
    let mut caps = configured();
    // A proxy that echoes what it was sent.
    caps.answer(
        401,
        &format!(r#"{{"error":"AuthenticationRequired","message":"Invalid identifier or password {PASSWORD}"}}"#),
    );
    assert_eq!(
        publish(&mut caps, &post(&["x"], KEY), 0, &[]),
        Err(PublishError::Auth(
            "Bluesky rejected the identifier or app password of the account \"default\": HTTP \
             401: AuthenticationRequired: Invalid identifier or password <redacted>"
                .to_string()
        ))
    );
    let mut caps = with_session(1);
    caps.answer(
        401,
        r#"{"error":"AuthenticationRequired","message":"Bearer access-1-0123456789"}"#,
    );
    caps.answer(200, &session_answer(2));
    caps.answer(
        401,
        r#"{"error":"AuthenticationRequired","message":"Bearer access-2-0123456789"}"#,
    );
    assert_eq!(
        publish(&mut caps, &post(&["x"], KEY), 0, &[]),
        Err(PublishError::Auth(
            "Bluesky rejected the session even after renewing it: HTTP 401: \
             AuthenticationRequired: Bearer <redacted>"
                .to_string()
        ))
    );
}

#[test]
fn a_rate_limited_create_session_says_when() {
    let mut caps = configured();
    caps.answer_with(
        429,
        &[("ratelimit-limit", "30"), ("ratelimit-reset", "1796538900")],
        r#"{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}"#,
    );
    assert_eq!(
        publish(&mut caps, &post(&["x"], KEY), 0, &[]),
        Err(PublishError::RateLimited {
            retry_at: Some(1_796_538_900),
            message: "Bluesky rate limit reached (createSession): HTTP 429: RateLimitExceeded: \
                      Rate Limit Exceeded; retry at or after 2026-12-06T06:35:00Z"
                .to_string(),
        })
    );
    assert!(caps.kv_text("session").is_none());
}

#[test]
fn a_connection_refused_is_transient() {
    let mut caps = with_session(1);
    caps.fail(SendPhase::NotSent, "connection refused");
    assert_eq!(
        publish(&mut caps, &post(&["x"], KEY), 0, &[]),
        Err(PublishError::Transient(
            "could not reach the Bluesky PDS (createRecord): connection refused".to_string()
        ))
    );
}
