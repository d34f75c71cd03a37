//! X's answers mapped to a post id or a `publish-error`, and transport failures mapped by
//! whether the request may have been sent (the parent module's helpers and X's bodies).

use super::*;

// ---- answers ------------------------------------------------------------------------

#[test]
fn created_returns_the_id_string_as_is() {
    assert_eq!(
        map_response(&response(201, &[], CREATED_201)),
        Ok("1445880548472328192".to_string())
    );
    assert_eq!(
        map_response(&response(200, &[], r#"{"data":{"id":"0042"}}"#)),
        Ok("0042".to_string())
    );
}

#[test]
fn created_without_a_trustworthy_id_is_unknown_outcome() {
    let unknown = |status: u16| {
        Err(PublishError::UnknownOutcome(format!(
            "X answered HTTP {status} without a post id (data.id as a string); the post may or may not have been published"
        )))
    };
    for body in [
        r#"{"data":{"id":1445880548472328192}}"#,
        r#"{"data":{"id":""}}"#,
        r#"{"data":{"text":"hi"}}"#,
        r#"{"data":null}"#,
        r#"{"errors":[{"message":"oops"}]}"#,
        "not json",
        "",
    ] {
        assert_eq!(
            map_response(&response(201, &[], body)),
            unknown(201),
            "{body:?}"
        );
    }
    assert_eq!(map_response(&response(200, &[], "[]")), unknown(200));
}

#[test]
fn bad_request_is_invalid() {
    assert_eq!(
        map_response(&response(400, &[], INVALID_400)),
        Err(PublishError::Invalid(
            "X rejected the post: HTTP 400 Invalid Request: One or more parameters to your request was invalid. (text must be at least 1 character)".to_string()
        ))
    );
    assert_eq!(
        map_response(&response(400, &[], "<html>bad</html>")),
        Err(PublishError::Invalid(
            "X rejected the post: HTTP 400".to_string()
        ))
    );
}

#[test]
fn unauthorized_is_auth() {
    assert_eq!(
        map_response(&response(401, &[], UNAUTHORIZED_401)),
        Err(PublishError::Auth(
            "X rejected the credentials: HTTP 401 Unauthorized".to_string()
        ))
    );
}

#[test]
fn forbidden_duplicate_or_not() {
    assert_eq!(
        map_response(&response(403, &[], DUPLICATE_403)),
        Err(PublishError::DuplicateContent(
            "X refused the post as a duplicate: HTTP 403 Forbidden: You are not allowed to create a Tweet with duplicate content.".to_string()
        ))
    );
    assert_eq!(
        map_response(&response(403, &[], FORBIDDEN_403)),
        Err(PublishError::Forbidden(
            "X refused the post: HTTP 403 Forbidden: You are not permitted to perform this action."
                .to_string()
        ))
    );
    let client = map_response(&response(403, &[], CLIENT_FORBIDDEN_403));
    assert!(
        matches!(&client, Err(PublishError::Forbidden(m)) if m.starts_with("X refused the post: HTTP 403 Client Forbidden: When authenticating requests")),
        "{client:?}"
    );
    // v1.1-style body: {"errors":[{"code":187,"message":"Status is a duplicate."}]}
    assert_eq!(
        map_response(&response(
            403,
            &[],
            r#"{"errors":[{"code":187,"message":"Status is a duplicate."}]}"#
        )),
        Err(PublishError::DuplicateContent(
            "X refused the post as a duplicate: HTTP 403 (Status is a duplicate.)".to_string()
        ))
    );
}

#[test]
fn reply_to_a_deleted_or_hidden_parent_is_forbidden() {
    // X's answer to a reply whose parent is deleted or not visible (v1.1 code 385).
    let body = r#"{"detail":"You attempted to reply to a Tweet that is deleted or not visible to you.","type":"about:blank","title":"Forbidden","status":403}"#;
    assert_eq!(
        map_response(&response(403, &[], body)),
        Err(PublishError::Forbidden(
            "X refused the post: HTTP 403 Forbidden: You attempted to reply to a Tweet that is deleted or not visible to you.".to_string()
        ))
    );
}

#[test]
fn usage_cap_waits_for_the_24_hour_reset() {
    let headers = [
        ("x-rate-limit-reset", "1700000900"),
        ("x-app-limit-24hour-reset", "1700050000"),
        ("x-user-limit-24hour-reset", "1700040000"),
    ];
    let message =
        "X usage cap reached: HTTP 429 UsageCapExceeded: Usage cap exceeded: Monthly product cap";
    assert_eq!(
        map_response(&response(429, &headers, USAGE_CAPPED_429)),
        Err(PublishError::UsageCapped {
            retry_at: Some(1700040000),
            message: format!("{message}; retry at or after 2023-11-15T09:20:00Z"),
        })
    );
    assert_eq!(
        map_response(&response(429, &headers[..2], USAGE_CAPPED_429)),
        Err(PublishError::UsageCapped {
            retry_at: Some(1700050000),
            message: format!("{message}; retry at or after 2023-11-15T12:06:40Z"),
        })
    );
    assert_eq!(
        map_response(&response(429, &headers[..1], USAGE_CAPPED_429)),
        Err(PublishError::UsageCapped {
            retry_at: Some(1700000900),
            message: format!("{message}; retry at or after 2023-11-14T22:28:20Z"),
        })
    );
    assert_eq!(
        map_response(&response(429, &[], USAGE_CAPPED_429)),
        Err(PublishError::UsageCapped {
            retry_at: None,
            message: message.to_string(),
        })
    );
}

#[test]
fn rate_limit_uses_the_reset_header() {
    let message = "X rate limit reached: HTTP 429 Too Many Requests";
    let headers = [
        ("x-rate-limit-limit", "100"),
        ("x-rate-limit-remaining", "0"),
        ("X-Rate-Limit-Reset", "1700000900"),
        ("x-user-limit-24hour-limit", "17"),
        ("x-user-limit-24hour-remaining", "5"),
        ("x-user-limit-24hour-reset", "1700040000"),
    ];
    assert_eq!(
        map_response(&response(429, &headers, TOO_MANY_429)),
        Err(PublishError::RateLimited {
            retry_at: Some(1700000900),
            message: format!("{message}; retry at or after 2023-11-14T22:28:20Z"),
        })
    );
    assert_eq!(
        map_response(&response(
            429,
            &[("x-rate-limit-reset", "soon")],
            TOO_MANY_429
        )),
        Err(PublishError::RateLimited {
            retry_at: None,
            message: message.to_string(),
        })
    );
    assert_eq!(
        map_response(&response(429, &[], "Too Many Requests")),
        Err(PublishError::RateLimited {
            retry_at: None,
            message: "X rate limit reached: HTTP 429".to_string(),
        })
    );
}

#[test]
fn rate_limit_waits_for_an_exhausted_24_hour_window() {
    let headers = [
        ("x-rate-limit-remaining", "99"),
        ("x-rate-limit-reset", "1700000900"),
        ("x-user-limit-24hour-remaining", "0"),
        ("x-user-limit-24hour-reset", "1700040000"),
        ("x-app-limit-24hour-remaining", "0"),
        ("x-app-limit-24hour-reset", "1700030000"),
    ];
    assert_eq!(
        map_response(&response(429, &headers, TOO_MANY_429)),
        Err(PublishError::RateLimited {
            retry_at: Some(1700040000),
            message: "X rate limit reached: HTTP 429 Too Many Requests; retry at or after 2023-11-15T09:20:00Z".to_string(),
        })
    );
}

#[test]
fn server_errors_are_unknown_outcome() {
    assert_eq!(
        map_response(&response(
            503,
            &[],
            r#"{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}"#
        )),
        Err(PublishError::UnknownOutcome(
            "X failed: HTTP 503 Service Unavailable; the post may or may not have been published"
                .to_string()
        ))
    );
    assert_eq!(
        map_response(&response(500, &[], "")),
        Err(PublishError::UnknownOutcome(
            "X failed: HTTP 500; the post may or may not have been published".to_string()
        ))
    );
    assert_eq!(
        map_response(&response(202, &[], "")),
        Err(PublishError::UnknownOutcome(
            "X answered an unexpected HTTP 202; the post may or may not have been published"
                .to_string()
        ))
    );
}

#[test]
fn other_statuses_are_invalid() {
    assert_eq!(
        map_response(&response(404, &[], r#"{"title":"Not Found Error","detail":"Could not find the requested route.","type":"https://api.twitter.com/2/problems/resource-not-found"}"#)),
        Err(PublishError::Invalid(
            "X answered an unexpected HTTP 404 Not Found Error: Could not find the requested route.".to_string()
        ))
    );
    for status in [301, 302, 405, 409, 413, 422] {
        assert_eq!(
            map_response(&response(status, &[], "")),
            Err(PublishError::Invalid(format!(
                "X answered an unexpected HTTP {status}"
            )))
        );
    }
}

#[test]
fn long_problem_texts_are_shortened() {
    let detail = "d".repeat(1000);
    let body = serde_json::json!({ "title": "Forbidden", "detail": detail }).to_string();
    let expected = format!(
        "X refused the post: HTTP 403 Forbidden: {}…",
        "d".repeat(300)
    );
    assert_eq!(
        map_response(&response(403, &[], &body)),
        Err(PublishError::Forbidden(expected))
    );
}

// ---- transport ----------------------------------------------------------------------

#[test]
fn transport_errors_before_and_after_sending() {
    assert_eq!(
        map_transport_error(&TransportError {
            phase: SendPhase::NotSent,
            detail: "ConnectionRefused".to_string()
        }),
        PublishError::Transient("could not reach X: ConnectionRefused".to_string())
    );
    assert_eq!(
        map_transport_error(&TransportError {
            phase: SendPhase::MaybeSent,
            detail: "HttpResponseTimeout".to_string()
        }),
        PublishError::UnknownOutcome(
            "the request to X failed after it may have been sent (HttpResponseTimeout); the post may or may not have been published".to_string()
        )
    );
}
