use super::*;

/// 2026-12-06T04:00:00Z.
const NOW: u64 = 1_796_529_600;

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn created_gives_the_urn_from_x_restli_id_exactly() {
    assert_eq!(
        map_response(
            &answer(
                201,
                &[("x-restli-id", "urn:li:share:7012345678901234567")],
                ""
            ),
            NOW
        ),
        Ok("urn:li:share:7012345678901234567".to_string())
    );
    // Header names are case-insensitive.
    assert_eq!(
        map_response(
            &answer(201, &[("X-RestLi-Id", "urn:li:ugcPost:42")], "{}"),
            NOW
        ),
        Ok("urn:li:ugcPost:42".to_string())
    );
}

#[test]
fn created_without_the_urn_is_an_unknown_outcome() {
    let expected = Err(PublishError::UnknownOutcome(
        "LinkedIn answered HTTP 201 without the post's URN (x-restli-id); the post may or may not have been published".to_string(),
    ));
    assert_eq!(map_response(&answer(201, &[], ""), NOW), expected);
    assert_eq!(
        map_response(&answer(201, &[("x-restli-id", "  ")], ""), NOW),
        expected
    );
    assert_eq!(
        map_response(&answer(200, &[("x-restli-id", "urn:li:share:1")], ""), NOW),
        Err(PublishError::UnknownOutcome(
            "LinkedIn answered an unexpected HTTP 200 instead of 201; the post may or may not have been published".to_string()
        ))
    );
}

#[test]
fn unauthorized_is_auth() {
    assert_eq!(
        map_response(
            &answer(
                401,
                &[],
                r#"{"message":"Invalid access token","serviceErrorCode":65600,"status":401}"#
            ),
            NOW
        ),
        Err(PublishError::Auth(
            "LinkedIn rejected the access token: HTTP 401: Invalid access token (serviceErrorCode 65600)".to_string()
        ))
    );
}

#[test]
fn forbidden_is_forbidden() {
    assert_eq!(
        map_response(
            &answer(
                403,
                &[],
                r#"{"message":"Not enough permissions to access: partnerApiPostsExternal.CREATE.20260501","serviceErrorCode":100,"status":403}"#
            ),
            NOW
        ),
        Err(PublishError::Forbidden(
            "LinkedIn refused the post: HTTP 403: Not enough permissions to access: partnerApiPostsExternal.CREATE.20260501 (serviceErrorCode 100)".to_string()
        ))
    );
}

#[test]
fn unprocessable_is_a_duplicate_when_linkedin_says_so_else_invalid() {
    let duplicate = r#"{"errorDetailType":"com.linkedin.common.error.BadRequest","message":"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808","errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},"code":"DUPLICATE_POST"}]},"status":422}"#;
    assert_eq!(
        map_response(&answer(422, &[], duplicate), NOW),
        Err(PublishError::DuplicateContent(
            "LinkedIn refused the post as a duplicate: HTTP 422: com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808 (DUPLICATE_POST)".to_string()
        ))
    );
    let schema = r#"{"message":"ERROR :: /visibility :: field is required but not found and has no default value\n","status":422}"#;
    assert_eq!(
        map_response(&answer(422, &[], schema), NOW),
        Err(PublishError::Invalid(
            "LinkedIn rejected the post: HTTP 422: ERROR :: /visibility :: field is required but not found and has no default value".to_string()
        ))
    );
    assert_eq!(
        map_response(&answer(400, &[], "not json"), NOW),
        Err(PublishError::Invalid(
            "LinkedIn rejected the post: HTTP 400".to_string()
        ))
    );
}

#[test]
fn too_many_requests_is_rate_limited_with_retry_after_when_given() {
    let body = r#"{"message":"Resource level throttle APPLICATION DAY limit for calls to this resource is reached.","status":429}"#;
    assert_eq!(
        map_response(&answer(429, &[("Retry-After", "120")], body), NOW),
        Err(PublishError::RateLimited {
            retry_at: Some(NOW + 120),
            message: "LinkedIn rate limit reached: HTTP 429: Resource level throttle APPLICATION DAY limit for calls to this resource is reached.; retry at or after 2026-12-06T04:02:00Z".to_string(),
        })
    );
    assert_eq!(
        map_response(&answer(429, &[], body), NOW),
        Err(PublishError::RateLimited {
            retry_at: None,
            message: "LinkedIn rate limit reached: HTTP 429: Resource level throttle APPLICATION DAY limit for calls to this resource is reached.; LinkedIn's daily limits reset at midnight UTC".to_string(),
        })
    );
    // An HTTP-date or garbage is not a number of seconds: no retry time.
    let dated = answer(429, &[("retry-after", "Sun, 06 Dec 2026 05:00:00 GMT")], "");
    assert!(matches!(
        map_response(&dated, NOW),
        Err(PublishError::RateLimited { retry_at: None, .. })
    ));
}

#[test]
fn server_errors_are_unknown_outcomes() {
    assert_eq!(
        map_response(
            &answer(500, &[], r#"{"message":"Internal Server Error","status":500}"#),
            NOW
        ),
        Err(PublishError::UnknownOutcome(
            "LinkedIn failed: HTTP 500: Internal Server Error; the post may or may not have been published".to_string()
        ))
    );
    assert_eq!(
        map_response(&answer(504, &[], ""), NOW),
        Err(PublishError::UnknownOutcome(
            "LinkedIn failed: HTTP 504; the post may or may not have been published".to_string()
        ))
    );
}

#[test]
fn other_statuses_are_invalid() {
    assert_eq!(
        map_response(
            &answer(426, &[], r#"{"message":"Requested version 20230101 is not active","status":426,"code":"NONEXISTENT_VERSION"}"#),
            NOW
        ),
        Err(PublishError::Invalid(
            "LinkedIn answered an unexpected HTTP 426: Requested version 20230101 is not active (NONEXISTENT_VERSION)".to_string()
        ))
    );
    assert_eq!(
        map_response(
            &answer(302, &[("location", "https://www.linkedin.com/")], ""),
            NOW
        ),
        Err(PublishError::Invalid(
            "LinkedIn answered an unexpected HTTP 302".to_string()
        ))
    );
}

#[test]
fn long_error_text_is_shortened() {
    let long = "x".repeat(400);
    let body = format!(r#"{{"message":"{long}","status":400}}"#);
    let Err(PublishError::Invalid(message)) = map_response(&answer(400, &[], &body), NOW) else {
        panic!("invalid expected");
    };
    assert_eq!(
        message,
        format!("LinkedIn rejected the post: HTTP 400: {}…", "x".repeat(300))
    );
}

#[test]
fn transport_errors_are_transient_before_sending_and_unknown_after() {
    assert_eq!(
        map_transport_error(&TransportError {
            phase: SendPhase::NotSent,
            detail: "connection refused".to_string(),
        }),
        PublishError::Transient("could not reach LinkedIn: connection refused".to_string())
    );
    assert_eq!(
        map_transport_error(&TransportError {
            phase: SendPhase::MaybeSent,
            detail: "HTTP-response-timeout".to_string(),
        }),
        PublishError::UnknownOutcome(
            "the request to LinkedIn failed after it may have been sent (HTTP-response-timeout); the post may or may not have been published".to_string()
        )
    );
}
