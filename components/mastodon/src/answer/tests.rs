//! The mapping of the instance's answers. Bodies are Mastodon's (docs.joinmastodon.org
//! "methods/statuses" examples; the `error` texts of Mastodon's `config/locales/en.yml`
//! and Doorkeeper), headers as Mastodon's rate limiter writes them.

use super::*;

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

const STATUS_200: &str = r#"{"id":"113512345678901234","created_at":"2024-11-20T10:00:00.000Z","in_reply_to_id":null,"in_reply_to_account_id":null,"sensitive":false,"spoiler_text":"","visibility":"public","language":"en","uri":"https://mastodon.example/users/alice/statuses/113512345678901234","url":"https://mastodon.example/@alice/113512345678901234","replies_count":0,"reblogs_count":0,"favourites_count":0,"content":"<p>Hello world!</p>","reblog":null,"application":{"name":"sps","website":null},"account":{"id":"1","username":"alice","acct":"alice"},"media_attachments":[],"mentions":[],"tags":[],"emojis":[],"card":null,"poll":null}"#;

#[test]
fn a_status_gives_its_id_and_url_exactly_as_sent() {
    assert_eq!(
        map_response(&response(200, &[], STATUS_200)),
        Ok(PublishedPart {
            id: "113512345678901234".to_string(),
            url: Some("https://mastodon.example/@alice/113512345678901234".to_string()),
            reply_ref: None,
        })
    );
    // `url` is nullable: the part then has none.
    assert_eq!(
        map_response(&response(200, &[], r#"{"id":"7","url":null}"#)),
        Ok(PublishedPart {
            id: "7".to_string(),
            url: None,
            reply_ref: None,
        })
    );
}

#[test]
fn a_success_without_a_string_id_is_an_unknown_outcome() {
    let unknown = Err(PublishError::UnknownOutcome(
        "Mastodon answered HTTP 200 without a status id (id as a string); the status may or \
         may not have been published"
            .to_string(),
    ));
    for body in [
        "",
        "<html>ok</html>",
        "{}",
        r#"{"id":113512345678901234}"#,
        r#"{"id":""}"#,
        r#"[{"id":"1"}]"#,
    ] {
        assert_eq!(map_response(&response(200, &[], body)), unknown, "{body:?}");
    }
}

#[test]
fn client_errors_map_to_their_cases_with_the_instances_error_text() {
    assert_eq!(
        map_response(&response(
            401,
            &[],
            r#"{"error":"The access token is invalid"}"#
        )),
        Err(PublishError::Auth(
            "Mastodon rejected the access token: HTTP 401: The access token is invalid".to_string()
        ))
    );
    assert_eq!(
        map_response(&response(
            403,
            &[],
            r#"{"error":"This action is outside the authorized scopes"}"#
        )),
        Err(PublishError::Forbidden(
            "Mastodon refused the status: HTTP 403: This action is outside the authorized scopes"
                .to_string()
        ))
    );
    assert_eq!(
        map_response(&response(
            422,
            &[],
            r#"{"error":"Validation failed: Text character limit of 500 exceeded"}"#
        )),
        Err(PublishError::Invalid(
            "Mastodon rejected the status: HTTP 422: Validation failed: Text character limit \
             of 500 exceeded"
                .to_string()
        ))
    );
    assert_eq!(
        map_response(&response(
            404,
            &[],
            r#"{"error":"The post you are trying to reply to does not appear to exist."}"#
        )),
        Err(PublishError::Invalid(
            "Mastodon answered an unexpected HTTP 404: The post you are trying to reply to \
             does not appear to exist."
                .to_string()
        ))
    );
    // An OAuth error with a description, and an answer that is not JSON.
    assert_eq!(
        map_response(&response(
            401,
            &[],
            r#"{"error":"invalid_token","error_description":"The access token was revoked"}"#
        )),
        Err(PublishError::Auth(
            "Mastodon rejected the access token: HTTP 401: invalid_token (The access token \
             was revoked)"
                .to_string()
        ))
    );
    assert_eq!(
        map_response(&response(301, &[("location", "https://elsewhere/")], "")),
        Err(PublishError::Invalid(
            "Mastodon answered an unexpected HTTP 301".to_string()
        ))
    );
}

#[test]
fn a_long_error_text_is_shortened() {
    let body = serde_json::json!({ "error": "é".repeat(400) }).to_string();
    let Err(PublishError::Invalid(message)) = map_response(&response(422, &[], &body)) else {
        panic!("not invalid");
    };
    assert_eq!(
        message,
        format!(
            "Mastodon rejected the status: HTTP 422: {}…",
            "é".repeat(300)
        )
    );
}

#[test]
fn too_many_requests_retry_at_the_rate_limit_reset() {
    let headers = [
        ("X-RateLimit-Limit", "300"),
        ("X-RateLimit-Remaining", "0"),
        ("X-RateLimit-Reset", "2030-01-01T00:05:00.000000Z"),
    ];
    assert_eq!(
        map_response(&response(429, &headers, r#"{"error":"Too many requests"}"#)),
        Err(PublishError::RateLimited {
            retry_at: Some(1_893_456_300),
            message: "Mastodon rate limit reached: HTTP 429: Too many requests; retry at or \
                      after 2030-01-01T00:05:00Z"
                .to_string(),
        })
    );
    // No reset header: a retry hint without a time.
    assert_eq!(
        map_response(&response(429, &[], r#"{"error":"Too many requests"}"#)),
        Err(PublishError::RateLimited {
            retry_at: None,
            message: "Mastodon rate limit reached: HTTP 429: Too many requests".to_string(),
        })
    );
}

#[test]
fn the_reset_is_iso_8601_rounded_up_to_the_second() {
    let reset = |value: &str| reset_at(&response(429, &[("x-ratelimit-reset", value)], ""));
    assert_eq!(reset("2030-01-01T00:05:00.000000Z"), Some(1_893_456_300));
    assert_eq!(reset("2030-01-01T00:05:00Z"), Some(1_893_456_300));
    assert_eq!(reset("2030-01-01T00:05:00.250000Z"), Some(1_893_456_301));
    assert_eq!(reset("2030-01-01T01:05:00+01:00"), Some(1_893_456_300));
    assert_eq!(reset("1893456300"), None);
    assert_eq!(reset("1969-12-31T23:59:59Z"), None);
    assert_eq!(reset("soon"), None);
}

#[test]
fn server_errors_leave_the_outcome_unknown() {
    assert_eq!(
        map_response(&response(
            503,
            &[("content-type", "text/html")],
            "<html><body><h1>503 Service Unavailable</h1></body></html>"
        )),
        Err(PublishError::UnknownOutcome(
            "Mastodon failed: HTTP 503; the status may or may not have been published".to_string()
        ))
    );
    assert_eq!(
        map_response(&response(
            500,
            &[],
            r#"{"error":"We're sorry, but something went wrong on our end."}"#
        )),
        Err(PublishError::UnknownOutcome(
            "Mastodon failed: HTTP 500: We're sorry, but something went wrong on our end.; the \
             status may or may not have been published"
                .to_string()
        ))
    );
}

#[test]
fn transport_errors_split_on_whether_the_request_may_have_been_sent() {
    assert_eq!(
        map_transport_error(&TransportError {
            phase: SendPhase::NotSent,
            detail: "connection refused".to_string(),
        }),
        PublishError::Transient(
            "could not reach the Mastodon instance: connection refused".to_string()
        )
    );
    assert_eq!(
        map_transport_error(&TransportError {
            phase: SendPhase::MaybeSent,
            detail: "HTTP-response-timeout".to_string(),
        }),
        PublishError::UnknownOutcome(
            "the request to the Mastodon instance failed after it may have been sent \
             (HTTP-response-timeout); the status may or may not have been published"
                .to_string()
        )
    );
}
