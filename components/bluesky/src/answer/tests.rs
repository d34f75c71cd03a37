//! Answers of the PDS as the docs and the reference PDS give them.

use super::*;

fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    })
}

fn failed(phase: SendPhase) -> Result<HttpResponse, TransportError> {
    Err(TransportError {
        phase,
        detail: "connection reset".to_string(),
    })
}

const URI: &str = "at://did:plc:abc/app.bsky.feed.post/3n3y6yldjiptj";

#[test]
fn create_record_answers() {
    let created_ref = StrongRef {
        uri: URI.to_string(),
        cid: "bafyreib2".to_string(),
    };
    assert_eq!(
        created(
            &response(
                200,
                &[],
                &format!(r#"{{"uri":"{URI}","cid":"bafyreib2","commit":{{}}}}"#)
            ),
            0
        ),
        Created::Published(created_ref)
    );
    let ambiguous = |why: &str| Created::Ambiguous(why.to_string());
    assert_eq!(
        created(&response(200, &[], r#"{"uri":"","cid":"x"}"#), 0),
        ambiguous("Bluesky answered HTTP 200 to createRecord without the record's uri and cid")
    );
    assert_eq!(
        created(
            &response(
                500,
                &[],
                r#"{"error":"InternalServerError","message":"Internal Server Error"}"#
            ),
            0
        ),
        ambiguous(
            "Bluesky answered HTTP 500: InternalServerError: Internal Server Error to createRecord"
        )
    );
    assert_eq!(
        created(&response(400, &[], r#"{"error":"RecordAlreadyExists"}"#), 0),
        ambiguous("Bluesky answered HTTP 400: RecordAlreadyExists to createRecord")
    );
    assert_eq!(
        created(&failed(SendPhase::MaybeSent), 0),
        ambiguous("the createRecord request failed after it may have been sent (connection reset)")
    );
    assert_eq!(
        created(&failed(SendPhase::NotSent), 0),
        Created::Failed(PublishError::Transient(
            "could not reach the Bluesky PDS (createRecord): connection reset".to_string()
        ))
    );
    assert_eq!(
        created(
            &response(
                400,
                &[],
                r#"{"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"}"#
            ),
            0
        ),
        Created::Failed(PublishError::Invalid(
            "Bluesky rejected the post: HTTP 400: InvalidRequest: Invalid app.bsky.feed.post \
             record: Record/text must not be longer than 300 graphemes"
                .to_string()
        ))
    );
    assert_eq!(
        created(
            &response(
                400,
                &[],
                r#"{"error":"ExpiredToken","message":"Token has expired"}"#
            ),
            0
        ),
        Created::Failed(PublishError::Auth(
            "Bluesky rejected the session even after renewing it: HTTP 400: ExpiredToken: Token \
             has expired"
                .to_string()
        ))
    );
    assert_eq!(
        created(&response(403, &[], r#"{"error":"AccountTakedown"}"#), 0),
        Created::Failed(PublishError::Forbidden(
            "Bluesky refused the post: HTTP 403: AccountTakedown".to_string()
        ))
    );
}

#[test]
fn a_rate_limit_names_its_reset() {
    let limited = response(
        429,
        &[
            ("RateLimit-Limit", "5000"),
            ("RateLimit-Reset", "1796542200"),
        ],
        r#"{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}"#,
    );
    assert_eq!(
        created(&limited, 0),
        Created::Failed(PublishError::RateLimited {
            retry_at: Some(1_796_542_200),
            message: "Bluesky rate limit reached (createRecord): HTTP 429: RateLimitExceeded: \
                      Rate Limit Exceeded; retry at or after 2026-12-06T07:30:00Z"
                .to_string(),
        })
    );
    let after = response(429, &[("Retry-After", "60")], "");
    assert_eq!(reset_at(after.as_ref().unwrap(), 1000), Some(1060));
    let neither = response(429, &[], "");
    assert_eq!(reset_at(neither.as_ref().unwrap(), 1000), None);
}

#[test]
fn refused_tokens_are_401_or_expired_or_invalid() {
    let refused =
        |status: u16, body: &str| token_refused(response(status, &[], body).as_ref().unwrap());
    assert!(refused(
        400,
        r#"{"error":"ExpiredToken","message":"Token has expired"}"#
    ));
    assert!(refused(400, r#"{"error":"InvalidToken"}"#));
    assert!(refused(401, r#"{"error":"AuthenticationRequired"}"#));
    assert!(!refused(400, r#"{"error":"InvalidRequest"}"#));
    assert!(!refused(500, r#"{"error":"ExpiredToken"}"#));
}

#[test]
fn sessions_open_or_are_refused() {
    let body = r#"{"accessJwt":"a.b.c","refreshJwt":"d.e.f","handle":"alice.test","did":"did:plc:abc","active":true}"#;
    match session_answer(&response(200, &[], body), 0, "createSession") {
        SessionAnswer::Opened(s) => {
            assert_eq!(
                (s.did.as_str(), s.handle.as_str()),
                ("did:plc:abc", "alice.test")
            );
            assert_eq!(
                (s.access_jwt.as_str(), s.refresh_jwt.as_str()),
                ("a.b.c", "d.e.f")
            );
        }
        other => panic!("{other:?}"),
    }
    match session_answer(
        &response(
            401,
            &[],
            r#"{"error":"AuthenticationRequired","message":"Invalid identifier or password"}"#,
        ),
        0,
        "createSession",
    ) {
        SessionAnswer::Refused(d) => {
            assert_eq!(
                d,
                "HTTP 401: AuthenticationRequired: Invalid identifier or password"
            )
        }
        other => panic!("{other:?}"),
    }
    match session_answer(
        &response(200, &[], r#"{"accessJwt":"a"}"#),
        0,
        "createSession",
    ) {
        SessionAnswer::Failed(e) => assert_eq!(
            e,
            PublishError::Transient(
                "Bluesky answered HTTP 200 to createSession without accessJwt, refreshJwt and did"
                    .to_string()
            )
        ),
        other => panic!("{other:?}"),
    }
    match session_answer(&failed(SendPhase::MaybeSent), 0, "refreshSession") {
        SessionAnswer::Failed(e) => assert_eq!(
            e,
            PublishError::Transient(
                "could not reach the Bluesky PDS (refreshSession): connection reset".to_string()
            )
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn get_record_answers() {
    let found = format!(
        r#"{{"uri":"{URI}","cid":"bafyreib2","value":{{"$type":"app.bsky.feed.post","text":"Hi","createdAt":"2026-12-06T06:30:00.000Z","reply":{{"root":{{"uri":"at://r","cid":"c"}},"parent":{{"uri":"at://p","cid":"c"}}}}}}}}"#
    );
    assert_eq!(
        looked_up(&response(200, &[], &found)),
        Lookup::Found {
            record: StrongRef {
                uri: URI.to_string(),
                cid: "bafyreib2".to_string()
            },
            text: Some("Hi".to_string()),
            parent: Some("at://p".to_string()),
        }
    );
    assert_eq!(
        looked_up(&response(
            400,
            &[],
            r#"{"error":"RecordNotFound","message":"Could not locate record: at://did:plc:abc/app.bsky.feed.post/3n3y6yldjiptj"}"#
        )),
        Lookup::NotFound
    );
    assert_eq!(
        looked_up(&response(502, &[], "Bad Gateway")),
        Lookup::Unknown("HTTP 502".to_string())
    );
    assert_eq!(
        looked_up(&failed(SendPhase::NotSent)),
        Lookup::Unknown("the request failed: connection reset".to_string())
    );
}

#[test]
fn resolve_handle_gives_a_did_nothing_or_an_error_to_retry() {
    let did = |outcome| resolved_did(&outcome, "bob.test", 1_000);
    assert_eq!(
        did(response(200, &[], r#"{"did":"did:plc:bob"}"#)),
        Ok(Some("did:plc:bob".to_string()))
    );
    assert_eq!(
        did(response(
            400,
            &[],
            r#"{"error":"InvalidRequest","message":"Unable to resolve handle"}"#
        )),
        Ok(None)
    );
    assert_eq!(did(response(200, &[], r#"{"did":"bob"}"#)), Ok(None));
    assert_eq!(
        did(failed(SendPhase::NotSent)),
        Err(PublishError::Transient(
            "could not reach the Bluesky PDS (resolving @bob.test): connection reset".to_string()
        ))
    );
    assert_eq!(
        did(response(503, &[], r#"{"error":"Unavailable"}"#)),
        Err(PublishError::Transient(
            "Bluesky PDS could not answer (resolving @bob.test): HTTP 503: Unavailable".to_string()
        ))
    );
    assert!(matches!(
        did(response(429, &[], "{}")),
        Err(PublishError::RateLimited { .. })
    ));
}

#[test]
fn long_error_texts_are_shortened() {
    let long = "x".repeat(400);
    let d = describe(
        response(
            400,
            &[],
            &format!(r#"{{"error":"InvalidRequest","message":"{long}"}}"#),
        )
        .as_ref()
        .unwrap(),
    );
    assert_eq!(d, format!("HTTP 400: InvalidRequest: {}…", "x".repeat(300)));
}
