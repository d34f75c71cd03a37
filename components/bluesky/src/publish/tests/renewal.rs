//! Sessions kept in the key-value store and renewed when the PDS refuses the access token.

use super::*;

#[test]
fn an_expired_token_is_refreshed_and_the_record_sent_again() {
    let mut caps = with_session(1);
    caps.answer(
        400,
        r#"{"error":"ExpiredToken","message":"Token has expired"}"#,
    );
    caps.answer(200, &session_answer(2));
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert_eq!(
        publish(&mut caps, &post(&["Hello"], KEY), 0, &[]),
        Ok(part(RKEYS[0], "bafy0"))
    );
    assert_eq!(
        caps.calls(),
        vec![
            call("POST", CREATE_RECORD),
            call("POST", REFRESH_SESSION),
            call("POST", CREATE_RECORD)
        ]
    );
    assert_eq!(
        caps.sent[1].header("authorization"),
        Some("Bearer refresh-1-0123456789")
    );
    assert!(caps.sent[1].body.is_empty());
    assert_eq!(
        caps.sent[2].header("authorization"),
        Some("Bearer access-2-0123456789")
    );
    assert_eq!(caps.sent[0].body, caps.sent[2].body);
    assert_eq!(caps.kv_text("session"), Some(stored(2)));
}

#[test]
fn a_refused_refresh_token_opens_a_new_session() {
    let mut caps = with_session(1);
    caps.answer(
        401,
        r#"{"error":"AuthenticationRequired","message":"Invalid token"}"#,
    );
    caps.answer(
        400,
        r#"{"error":"ExpiredToken","message":"Token has expired"}"#,
    );
    caps.answer(200, &session_answer(3));
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert!(publish(&mut caps, &post(&["Hello"], KEY), 0, &[]).is_ok());
    assert_eq!(
        caps.calls(),
        vec![
            call("POST", CREATE_RECORD),
            call("POST", REFRESH_SESSION),
            call("POST", CREATE_SESSION),
            call("POST", CREATE_RECORD)
        ]
    );
    assert_eq!(caps.kv_text("session"), Some(stored(3)));
}

#[test]
fn a_session_another_delivery_renewed_is_used_without_refreshing() {
    let mut caps = with_session(1);
    // While the first createRecord is answered, another delivery stores session 2.
    caps.kv_after_send
        .insert(1, ("session".to_string(), stored(2).into_bytes()));
    caps.answer(
        400,
        r#"{"error":"ExpiredToken","message":"Token has expired"}"#,
    );
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert!(publish(&mut caps, &post(&["Hello"], KEY), 0, &[]).is_ok());
    assert_eq!(
        caps.calls(),
        vec![call("POST", CREATE_RECORD), call("POST", CREATE_RECORD)]
    );
    assert_eq!(
        caps.sent[1].header("authorization"),
        Some("Bearer access-2-0123456789")
    );
}

#[test]
fn when_the_swap_fails_the_session_stored_first_is_used() {
    let mut caps = with_session(1);
    // While refreshSession is answered, another delivery stores its refreshed session 3.
    caps.kv_after_send
        .insert(2, ("session".to_string(), stored(3).into_bytes()));
    caps.answer(400, r#"{"error":"ExpiredToken"}"#);
    caps.answer(200, &session_answer(2));
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert!(publish(&mut caps, &post(&["Hello"], KEY), 0, &[]).is_ok());
    assert_eq!(
        caps.sent[2].header("authorization"),
        Some("Bearer access-3-0123456789")
    );
    assert_eq!(caps.kv_text("session"), Some(stored(3)));
}

#[test]
fn a_stored_session_of_another_account_is_replaced() {
    let mut caps = configured();
    let bob = r#"{"accessJwt":"access-bob-0123456789","refreshJwt":"refresh-bob-0123456789","did":"did:plc:bob","handle":"bob.test"}"#;
    caps.kv
        .insert("session".to_string(), bob.as_bytes().to_vec());
    caps.answer(200, &session_answer(1));
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert!(publish(&mut caps, &post(&["Hello"], KEY), 0, &[]).is_ok());
    assert_eq!(
        caps.calls(),
        vec![call("POST", CREATE_SESSION), call("POST", CREATE_RECORD)]
    );
    assert_eq!(caps.kv_text("session"), Some(stored(1)));
}

#[test]
fn a_handle_that_does_not_verify_gives_a_url_by_did() {
    let mut caps = configured();
    let invalid = r#"{"accessJwt":"access-1-0123456789","refreshJwt":"refresh-1-0123456789","did":"did:plc:alice","handle":"handle.invalid"}"#;
    caps.kv
        .insert("session".to_string(), invalid.as_bytes().to_vec());
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    let published = publish(&mut caps, &post(&["Hello"], KEY), 0, &[]).unwrap();
    assert_eq!(
        published.url.as_deref(),
        Some("https://bsky.app/profile/did:plc:alice/post/3n3y6ylvg7etj")
    );
}

#[test]
fn a_refresh_token_another_delivery_used_first_gives_way_to_its_session() {
    let mut caps = with_session(1);
    caps.answer(
        400,
        r#"{"error":"ExpiredToken","message":"Token has expired"}"#,
    );
    caps.answer(
        400,
        r#"{"error":"ExpiredToken","message":"Token has been revoked"}"#,
    );
    // Meanwhile the other delivery stored the session its refresh gave.
    caps.kv_after_send
        .insert(2, ("session".to_string(), stored(2).into_bytes()));
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert_eq!(
        publish(&mut caps, &post(&["Hello"], KEY), 0, &[]),
        Ok(part(RKEYS[0], "bafy0"))
    );
    assert_eq!(
        caps.calls(),
        vec![
            call("POST", CREATE_RECORD),
            call("POST", REFRESH_SESSION),
            call("POST", CREATE_RECORD)
        ]
    );
    assert_eq!(
        caps.sent[2].header("authorization"),
        Some("Bearer access-2-0123456789")
    );
    assert_eq!(caps.kv_text("session"), Some(stored(2)));
    assert_eq!(caps.kv_text("session-lock"), Some("0".to_string()));
}

#[test]
fn while_another_delivery_opens_the_session_nothing_is_asked_of_the_pds() {
    let mut caps = configured();
    caps.kv.insert(
        "session-lock".to_string(),
        (NOW - 19).to_string().into_bytes(),
    );
    assert_eq!(
        publish(&mut caps, &post(&["Hello"], KEY), 0, &[]),
        Err(PublishError::Transient(
            "another delivery of the Bluesky account \"default\" is opening its session; this \
             one uses it when retried (nothing was sent)"
                .to_string()
        ))
    );
    assert!(caps.sent.is_empty());
    // A lock 20 s old is a crashed holder's: taken over, released after the session.
    caps.kv.insert(
        "session-lock".to_string(),
        (NOW - 20).to_string().into_bytes(),
    );
    caps.answer(200, &session_answer(1));
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert!(publish(&mut caps, &post(&["Hello"], KEY), 0, &[]).is_ok());
    assert_eq!(
        caps.calls(),
        vec![call("POST", CREATE_SESSION), call("POST", CREATE_RECORD)]
    );
    assert_eq!(caps.kv_text("session-lock"), Some("0".to_string()));
}

#[test]
fn a_session_stored_while_this_delivery_waited_for_the_lock_is_used() {
    let mut caps = configured();
    // No session when first read; another delivery stores one just as this one locks.
    caps.kv_after_swap.insert(
        "session-lock".to_string(),
        ("session".to_string(), stored(1).into_bytes()),
    );
    caps.answer(200, &created(RKEYS[0], "bafy0"));
    assert!(publish(&mut caps, &post(&["Hello"], KEY), 0, &[]).is_ok());
    assert_eq!(caps.calls(), vec![call("POST", CREATE_RECORD)]);
    assert_eq!(caps.kv_text("session"), Some(stored(1)));
    assert_eq!(caps.kv_text("session-lock"), Some("0".to_string()));
}
