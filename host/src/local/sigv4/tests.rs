//! The SigV4 check, against requests signed by aws-sigv4 as an SDK signs them.

use super::*;
use aws_sigv4::http_request::SigningInstructions;
use axum::http::HeaderValue;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const BODY: &[u8] = br#"{"Entries":[]}"#;

/// 2026-12-01T10:00:00Z.
fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_119_200)
}

/// The headers of a PutEvents request signed with `key_id`/`secret` for `service` at
/// `time`, as botocore sends them.
fn signed(key_id: &str, secret: &str, service: &str, time: SystemTime) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("127.0.0.1:8080"));
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    headers.insert(
        "x-amz-target",
        HeaderValue::from_static("AWSEvents.PutEvents"),
    );
    let identity = aws_credential_types::Credentials::new(key_id, secret, None, None, "t").into();
    let params = SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap();
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
        .collect();
    let request = SignableRequest::new(
        "POST",
        "http://127.0.0.1:8080/",
        pairs.into_iter(),
        SignableBody::Bytes(BODY),
    )
    .unwrap();
    let (instructions, _): (SigningInstructions, _) =
        sign(request, &params.into()).unwrap().into_parts();
    let mut request = http::Request::new(());
    *request.headers_mut() = headers;
    instructions.apply_to_request_http1x(&mut request);
    // A user agent is sent and not signed, as the SDKs do.
    request
        .headers_mut()
        .insert("user-agent", HeaderValue::from_static("Boto3/1.40"));
    request.headers().clone()
}

fn check(headers: &HeaderMap, body: &[u8]) -> Result<(), Answer> {
    verify("/", headers, body, SECRET, at())
}

fn error(kind: &str, message: &str) -> Result<(), Answer> {
    Err(aws_error(400, kind, message))
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

#[test]
fn a_request_signed_with_the_token_passes() {
    let headers = signed("sps", SECRET, "events", at());
    assert_eq!(
        headers["authorization"]
            .to_str()
            .unwrap()
            .split(", ")
            .nth(1),
        Some("SignedHeaders=content-type;host;x-amz-date;x-amz-target")
    );
    assert_eq!(check(&headers, BODY), Ok(()));
    // Four minutes of clock skew either way are accepted.
    let skewed = at() + Duration::from_secs(240);
    assert_eq!(verify("/", &headers, BODY, SECRET, skewed), Ok(()));
}

#[test]
fn another_secret_or_body_or_header_does_not_pass() {
    let wrong = signed("sps", "another-secret-of-some-length", "events", at());
    assert_eq!(
        check(&wrong, BODY),
        error("InvalidSignatureException", MISMATCH)
    );
    let headers = signed("sps", SECRET, "events", at());
    assert_eq!(
        check(&headers, br#"{"Entries":[1]}"#),
        error("InvalidSignatureException", MISMATCH)
    );
    let mut changed = headers.clone();
    changed.insert(
        "x-amz-target",
        HeaderValue::from_static("AWSEvents.ListRules"),
    );
    assert_eq!(
        check(&changed, BODY),
        error("InvalidSignatureException", MISMATCH)
    );
}

#[test]
fn other_keys_services_and_times_are_refused_as_aws_refuses_them() {
    assert_eq!(
        check(&signed("AKIAEXAMPLE", SECRET, "events", at()), BODY),
        error(
            "UnrecognizedClientException",
            "The security token included in the request is invalid."
        )
    );
    assert_eq!(
        check(&signed("sps", SECRET, "sqs", at()), BODY),
        error(
            "InvalidSignatureException",
            "Credential should be scoped to correct service: 'events'."
        )
    );
    let old = at() - Duration::from_secs(301);
    assert_eq!(
        check(&signed("sps", SECRET, "events", old), BODY),
        error(
            "InvalidSignatureException",
            "Signature expired: 20261201T095459Z is more than 5 minutes from the server's time 20261201T100000Z"
        )
    );
}

#[test]
fn missing_or_malformed_authorization_is_refused() {
    assert_eq!(
        check(&HeaderMap::new(), BODY),
        error(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token"
        )
    );
    let with = |value: &'static str| {
        let mut headers = signed("sps", SECRET, "events", at());
        headers.insert("authorization", HeaderValue::from_static(value));
        check(&headers, BODY)
    };
    assert_eq!(
        with("Bearer abc"),
        error(
            "UnrecognizedClientException",
            "The bearer token is not the API token (SPS_API_TOKEN)."
        )
    );
    assert_eq!(
        with("Basic abc"),
        error(
            "IncompleteSignatureException",
            "Authorization must be AWS4-HMAC-SHA256 (Signature Version 4)"
        )
    );
    assert_eq!(
        with("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"),
        error(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential' parameter."
        )
    );
    assert_eq!(
        with("AWS4-HMAC-SHA256 Credential=sps/20261201/us-east-1/events, SignedHeaders=host, Signature=00"),
        error(
            "IncompleteSignatureException",
            "Credential must be <access key>/<YYYYMMDD>/<region>/<service>/aws4_request"
        )
    );
}
