//! Tests of the X API mapping. Error bodies are modelled on X's real answers (docs.x.com
//! "Response codes and errors" problem types, and bodies X returns for these cases).

use std::collections::{HashMap, VecDeque};

use super::*;

const X_NONCE: &str = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
const X_TIMESTAMP: u64 = 1318622958;
const HELLO: &str = "Hello Ladies + Gentlemen, a signed OAuth request!";

/// The X docs credentials of /work/shared/cases/oauth1.json (marked invalid by X).
fn x_docs() -> Credentials {
    Credentials {
        consumer_key: "xvz1evFS4wEEPTGEFPHBog".to_string(),
        consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".to_string(),
        token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".to_string(),
        token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".to_string(),
    }
}

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

/// A one-part post of the account `default`.
fn single(text: &str) -> Post {
    thread(&[text], "default")
}

/// A post of `parts` from `account`.
fn thread(parts: &[&str], account: &str) -> Post {
    Post {
        parts: parts.iter().map(|p| p.to_string()).collect(),
        account: account.to_string(),
        idempotency_key: "k".to_string(),
    }
}

/// What `publish` returns for X's post `id`.
fn published(id: &str) -> PublishedPart {
    PublishedPart {
        id: id.to_string(),
        url: Some(format!("https://x.com/i/web/status/{id}")),
        reply_ref: None,
    }
}

const DUPLICATE_403: &str = r#"{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}"#;
const FORBIDDEN_403: &str = r#"{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}"#;
const CLIENT_FORBIDDEN_403: &str = r#"{"client_id":"12345678","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}"#;
const UNAUTHORIZED_401: &str =
    r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#;
const INVALID_400: &str = r#"{"errors":[{"parameters":{"text":[""]},"message":"text must be at least 1 character"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"#;
const USAGE_CAPPED_429: &str = r#"{"account_id":1234567890,"product_name":"standard-basic","title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}"#;
const TOO_MANY_429: &str = r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#;
const CREATED_201: &str = r#"{"data":{"edit_history_tweet_ids":["1445880548472328192"],"id":"1445880548472328192","text":"Hello world!"}}"#;

// ---- request building ----------------------------------------------------------------

#[test]
fn create_post_request_is_signed_without_the_body() {
    let request = create_post_request(
        DEFAULT_BASE_URL,
        HELLO,
        None,
        &x_docs(),
        X_TIMESTAMP,
        X_NONCE,
    );
    let expected = HttpRequest {
        method: "POST".to_string(),
        url: "https://api.x.com/2/tweets".to_string(),
        headers: vec![
            (
                "authorization".to_string(),
                // /work/shared/cases/oauth1.json "create post with a JSON body": signature
                // lr+tV/DKclEvXKVjG6tgaSSLV0k=
                "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", oauth_signature=\"lr%2BtV%2FDKclEvXKVjG6tgaSSLV0k%3D\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\"".to_string(),
            ),
            ("content-type".to_string(), "application/json".to_string()),
            // The body below is 60 bytes.
            ("content-length".to_string(), "60".to_string()),
            ("accept".to_string(), "application/json".to_string()),
            ("user-agent".to_string(), "sps-twitter/0.1.0".to_string()),
        ],
        body: br#"{"text":"Hello Ladies + Gentlemen, a signed OAuth request!"}"#.to_vec(),
    };
    assert_eq!(request, Ok(expected));
}

#[test]
fn historic_host_is_signed_for_that_host() {
    let request = create_post_request(
        "https://api.twitter.com",
        HELLO,
        None,
        &x_docs(),
        X_TIMESTAMP,
        X_NONCE,
    );
    let auth = request
        .as_ref()
        .ok()
        .and_then(|r| r.header("Authorization"));
    // oauth1.json "create post, historic host": KW/bTR/89oblzvjn7CwP2L8j5qQ=
    assert!(
        auth.is_some_and(|a| a.contains("oauth_signature=\"KW%2FbTR%2F89oblzvjn7CwP2L8j5qQ%3D\"")),
        "{auth:?}"
    );
}

#[test]
fn message_is_json_encoded() {
    let text = "Line 1\n\"quoted\" \\ tab\t caf\u{e9} \u{1f44b} </script>";
    let request = create_post_request(DEFAULT_BASE_URL, text, None, &x_docs(), 1, "n");
    let body = request.map(|r| r.body).unwrap_or_default();
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    assert_eq!(parsed, serde_json::json!({ "text": text }));
}

#[test]
fn content_length_counts_the_bytes_of_the_body() {
    // {"text":"caf\u{e9} \u{1f44b}"}: 17 characters, 21 bytes of UTF-8 (é 2, 👋 4).
    let request = create_post_request(
        DEFAULT_BASE_URL,
        "caf\u{e9} \u{1f44b}",
        None,
        &x_docs(),
        1,
        "n",
    );
    let framing = request.map(|r| (r.header("content-length").map(str::to_string), r.body.len()));
    assert_eq!(framing, Ok((Some("21".to_string()), 21)));
}

#[test]
fn reply_request_names_the_parent_and_is_signed_the_same() {
    let reply = create_post_request(
        DEFAULT_BASE_URL,
        HELLO,
        Some("1445880548472328192"),
        &x_docs(),
        X_TIMESTAMP,
        X_NONCE,
    );
    let alone = create_post_request(
        DEFAULT_BASE_URL,
        HELLO,
        None,
        &x_docs(),
        X_TIMESTAMP,
        X_NONCE,
    );
    let body = br#"{"text":"Hello Ladies + Gentlemen, a signed OAuth request!","reply":{"in_reply_to_tweet_id":"1445880548472328192"}}"#;
    assert_eq!(body.len(), 115);
    assert_eq!(reply.as_ref().map(|r| r.body.as_slice()), Ok(&body[..]));
    assert_eq!(
        reply.as_ref().ok().and_then(|r| r.header("content-length")),
        Some("115")
    );
    // The JSON body is not signed: the reply's Authorization is the new post's.
    assert_eq!(
        reply.as_ref().ok().and_then(|r| r.header("authorization")),
        alone.as_ref().ok().and_then(|r| r.header("authorization"))
    );
    assert_eq!(
        reply.map(|r| (r.method, r.url)),
        Ok(("POST".to_string(), "https://api.x.com/2/tweets".to_string()))
    );
}

#[test]
fn post_url_is_the_handle_free_permalink() {
    assert_eq!(
        post_url("1445880548472328192"),
        Some("https://x.com/i/web/status/1445880548472328192".to_string())
    );
    assert_eq!(
        post_url("0042"),
        Some("https://x.com/i/web/status/0042".to_string())
    );
    for id in ["", "12a", "../1", "1 2", "\u{661}"] {
        assert_eq!(post_url(id), None, "{id:?}");
    }
}

// ---- validation -----------------------------------------------------------------------

#[test]
fn validate_accepts_every_part_within_the_rules() {
    assert_eq!(validate(&single("Hello world!")), Ok(()));
    let parts: Vec<String> = (1..=26).map(|i| format!("part {i}")).collect();
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    assert_eq!(validate(&thread(&refs, "work")), Ok(()));
    let at_limit = "a".repeat(280);
    assert_eq!(
        validate(&thread(&["one", &at_limit, "three"], "default")),
        Ok(())
    );
}

#[test]
fn validate_names_the_first_part_at_fault() {
    let too_long = "a".repeat(281);
    assert_eq!(
        validate(&thread(&["one", "two", &too_long], "default")),
        Err(PostError {
            code: "message-too-long".to_string(),
            message: "message is 281 weighted characters; X allows at most 280".to_string(),
            part: Some(2),
        })
    );
    // Parts are checked in order: the earlier fault is reported.
    assert_eq!(
        validate(&thread(&["one", "\u{fffe}", &too_long], "default")),
        Err(PostError {
            code: "invalid-characters".to_string(),
            message: "message contains U+FFFE, which X does not allow (U+FFFE, U+FEFF and U+FFFF are invalid)".to_string(),
            part: Some(1),
        })
    );
    assert_eq!(
        validate(&thread(&["", "two"], "default")),
        Err(PostError {
            code: "empty-message".to_string(),
            message: "message is empty; X needs at least 1 weighted character".to_string(),
            part: Some(0),
        })
    );
}

#[test]
fn validate_without_parts_is_empty_message_for_the_whole_post() {
    assert_eq!(
        validate(&thread(&[], "default")),
        Err(PostError {
            code: "empty-message".to_string(),
            message: "the post has no parts; X needs at least the message".to_string(),
            part: None,
        })
    );
}

#[test]
fn create_post_url_from_settings() {
    let ok = [
        ("https://api.x.com", "https://api.x.com/2/tweets"),
        ("https://api.x.com/", "https://api.x.com/2/tweets"),
        (" http://127.0.0.1:8080 ", "http://127.0.0.1:8080/2/tweets"),
        (
            "http://localhost:9000/fake-x/",
            "http://localhost:9000/fake-x/2/tweets",
        ),
    ];
    for (base, url) in ok {
        assert_eq!(create_post_url(base), Ok(url.to_string()), "{base:?}");
    }
    let bad = [
        (
            "api.x.com",
            "invalid setting x_api_base_url: invalid URL: relative URL without a base",
        ),
        (
            "ftp://api.x.com",
            "invalid setting x_api_base_url: invalid URL: scheme \"ftp\" is not http or https",
        ),
        (
            "https://api.x.com?x=1",
            "invalid setting x_api_base_url: \"https://api.x.com?x=1\" has a query or fragment",
        ),
        (
            "https://user:pw@api.x.com",
            "invalid setting x_api_base_url: user information is not allowed in the URL",
        ),
    ];
    for (base, message) in bad {
        assert_eq!(
            create_post_url(base),
            Err(PublishError::Transient(message.to_string())),
            "{base:?}"
        );
    }
}

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

// ---- nonce --------------------------------------------------------------------------

#[test]
fn nonce_is_32_alphanumerics_without_bias() {
    let mut counter = 0u8;
    let nonce = nonce_from_random(|buf| {
        for b in buf.iter_mut() {
            *b = counter;
            counter = counter.wrapping_add(1);
        }
    });
    assert_eq!(nonce, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef");
    // bytes >= 248 are skipped: 248..=255 are dropped, then 8, 9, ... give I, J, ...
    let mut first = true;
    let nonce = nonce_from_random(|buf| {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = if first && i < 8 {
                248 + i as u8
            } else {
                (i % 62) as u8
            };
        }
        first = false;
    });
    assert_eq!(nonce.len(), 32);
    assert_eq!(&nonce[..2], "IJ");
    assert!(nonce.chars().all(|c| c.is_ascii_alphanumeric()));
    // a source that only yields rejected bytes at first still ends
    let mut calls = 0;
    let nonce = nonce_from_random(|buf| {
        calls += 1;
        buf.fill(if calls < 3 { 255 } else { 61 });
    });
    assert_eq!(nonce, "9".repeat(32));
}

// ---- publish with a fake of the capabilities ------------------------------------------

struct FakeWorld {
    settings: HashMap<String, Result<Option<String>, String>>,
    now: u64,
    nonce: String,
    answers: VecDeque<Result<HttpResponse, TransportError>>,
    sent: Vec<HttpRequest>,
}

impl FakeWorld {
    fn with_credentials() -> FakeWorld {
        let creds = x_docs();
        let mut settings = HashMap::new();
        for (k, v) in [
            (SETTING_API_KEY, creds.consumer_key),
            (SETTING_API_KEY_SECRET, creds.consumer_secret),
            (SETTING_ACCESS_TOKEN, creds.token),
            (SETTING_ACCESS_TOKEN_SECRET, creds.token_secret),
        ] {
            settings.insert(k.to_string(), Ok(Some(v)));
        }
        FakeWorld {
            settings,
            now: X_TIMESTAMP,
            nonce: X_NONCE.to_string(),
            answers: VecDeque::new(),
            sent: Vec::new(),
        }
    }

    fn answer(mut self, answer: Result<HttpResponse, TransportError>) -> FakeWorld {
        self.answers.push_back(answer);
        self
    }

    fn set(mut self, key: &str, value: Result<Option<&str>, &str>) -> FakeWorld {
        self.settings.insert(
            key.to_string(),
            value.map(|v| v.map(str::to_string)).map_err(str::to_string),
        );
        self
    }
}

impl Capabilities for FakeWorld {
    fn setting(&mut self, key: &str) -> Result<Option<String>, String> {
        self.settings.get(key).cloned().unwrap_or(Ok(None))
    }
    fn now_unix_seconds(&mut self) -> u64 {
        self.now
    }
    fn nonce(&mut self) -> String {
        self.nonce.clone()
    }
    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.push(request.clone());
        self.answers.pop_front().unwrap_or(Err(TransportError {
            phase: SendPhase::NotSent,
            detail: "no answer scripted".to_string(),
        }))
    }
}

/// Check an Authorization header independently of `authorization_header`: parse its
/// fields, recompute the signature from them with the secrets, compare.
fn signature_checks(request: &HttpRequest, creds: &Credentials) -> bool {
    let Some(header) = request.header("authorization") else {
        return false;
    };
    let Some(fields) = header.strip_prefix("OAuth ") else {
        return false;
    };
    let decode = |v: &str| {
        percent_encoding::percent_decode_str(v.trim_matches('"'))
            .decode_utf8_lossy()
            .to_string()
    };
    let mut params = Vec::new();
    let mut signature = None;
    for field in fields.split(", ") {
        let Some((k, v)) = field.split_once('=') else {
            return false;
        };
        if k == "oauth_signature" {
            signature = Some(decode(v));
        } else {
            params.push((k.to_string(), decode(v)));
        }
    }
    let expected = oauth::signature(&request.method, &request.url, &[], &params, creds);
    signature.is_some() && expected.ok() == signature
}

#[test]
fn publish_posts_once_and_returns_the_id() {
    let mut world = FakeWorld::with_credentials().answer(Ok(response(201, &[], CREATED_201)));
    assert_eq!(
        publish(&mut world, &single("Hello world!"), 0, &[]),
        Ok(published("1445880548472328192"))
    );
    assert_eq!(world.sent.len(), 1);
    let sent = &world.sent[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.url, "https://api.x.com/2/tweets");
    assert_eq!(sent.body, br#"{"text":"Hello world!"}"#.to_vec());
    assert!(signature_checks(sent, &x_docs()));
    assert!(sent
        .header("authorization")
        .is_some_and(|h| h.contains("oauth_timestamp=\"1318622958\"")
            && h.contains(&format!("oauth_nonce=\"{X_NONCE}\""))));
}

#[test]
fn publish_uses_the_configured_base_url() {
    let mut world = FakeWorld::with_credentials()
        .set(SETTING_BASE_URL, Ok(Some("http://127.0.0.1:8089/")))
        .answer(Ok(response(201, &[], CREATED_201)));
    assert_eq!(
        publish(&mut world, &single("hi"), 0, &[]),
        Ok(published("1445880548472328192"))
    );
    assert_eq!(world.sent[0].url, "http://127.0.0.1:8089/2/tweets");
    assert!(signature_checks(&world.sent[0], &x_docs()));
}

#[test]
fn blank_base_url_means_the_default() {
    let mut world = FakeWorld::with_credentials()
        .set(SETTING_BASE_URL, Ok(Some("  ")))
        .answer(Ok(response(201, &[], CREATED_201)));
    assert_eq!(
        publish(&mut world, &single("hi"), 0, &[]),
        Ok(published("1445880548472328192"))
    );
    assert_eq!(world.sent[0].url, "https://api.x.com/2/tweets");
}

#[test]
fn missing_credentials_send_nothing() {
    for key in [
        SETTING_API_KEY,
        SETTING_API_KEY_SECRET,
        SETTING_ACCESS_TOKEN,
        SETTING_ACCESS_TOKEN_SECRET,
    ] {
        for value in [None, Some(""), Some(" \n")] {
            let mut world = FakeWorld::with_credentials().set(key, Ok(value));
            assert_eq!(
                publish(&mut world, &single("hi"), 0, &[]),
                Err(PublishError::MissingCredentials(
                    "X credentials are missing: set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret".to_string()
                )),
                "{key} = {value:?}"
            );
            assert!(world.sent.is_empty());
        }
    }
}

#[test]
fn unreadable_settings_are_transient() {
    let mut world =
        FakeWorld::with_credentials().set(SETTING_ACCESS_TOKEN, Err("upstream: vault sealed"));
    assert_eq!(
        publish(&mut world, &single("hi"), 0, &[]),
        Err(PublishError::Transient(
            "could not read setting x_access_token: upstream: vault sealed".to_string()
        ))
    );
    assert!(world.sent.is_empty());
    let mut world = FakeWorld::with_credentials().set(SETTING_BASE_URL, Ok(Some("not a url")));
    assert_eq!(
        publish(&mut world, &single("hi"), 0, &[]),
        Err(PublishError::Transient(
            "invalid setting x_api_base_url: invalid URL: relative URL without a base".to_string()
        ))
    );
    assert!(world.sent.is_empty());
}

#[test]
fn publish_maps_answers_and_failures() {
    let mut world = FakeWorld::with_credentials().answer(Ok(response(403, &[], DUPLICATE_403)));
    assert!(matches!(
        publish(&mut world, &single("hi"), 0, &[]),
        Err(PublishError::DuplicateContent(_))
    ));
    let mut world = FakeWorld::with_credentials().answer(Err(TransportError {
        phase: SendPhase::NotSent,
        detail: "DnsError".to_string(),
    }));
    assert_eq!(
        publish(&mut world, &single("hi"), 0, &[]),
        Err(PublishError::Transient(
            "could not reach X: DnsError".to_string()
        ))
    );
    let mut world = FakeWorld::with_credentials().answer(Err(TransportError {
        phase: SendPhase::MaybeSent,
        detail: "ConnectionTerminated".to_string(),
    }));
    assert!(matches!(
        publish(&mut world, &single("hi"), 0, &[]),
        Err(PublishError::UnknownOutcome(_))
    ));
    assert_eq!(world.sent.len(), 1, "never retried inside publish");
}

#[test]
fn credentials_never_appear_in_messages() {
    let creds = x_docs();
    let echo = serde_json::json!({
        "title": "Unauthorized",
        "detail": format!("bad token {} with secret {} / {}", creds.token, creds.token_secret, creds.consumer_secret),
    })
    .to_string();
    let mut world = FakeWorld::with_credentials().answer(Ok(response(401, &[], &echo)));
    let outcome = publish(&mut world, &single("hi"), 0, &[]);
    assert_eq!(
        outcome,
        Err(PublishError::Auth(
            "X rejected the credentials: HTTP 401 Unauthorized: bad token <redacted> with secret <redacted> / <redacted>".to_string()
        ))
    );
}

#[test]
fn publish_a_reply_to_its_parent() {
    let mut world = FakeWorld::with_credentials().answer(Ok(response(
        201,
        &[],
        r#"{"data":{"id":"1445880548472328194","text":"three","edit_history_tweet_ids":["1445880548472328194"]}}"#,
    )));
    let post = thread(&["one", "two", "three"], "default");
    let earlier = [
        published("1445880548472328192"),
        published("1445880548472328193"),
    ];
    assert_eq!(
        publish(&mut world, &post, 2, &earlier),
        Ok(PublishedPart {
            id: "1445880548472328194".to_string(),
            url: Some("https://x.com/i/web/status/1445880548472328194".to_string()),
            reply_ref: None,
        })
    );
    assert_eq!(world.sent.len(), 1);
    assert_eq!(
        String::from_utf8_lossy(&world.sent[0].body),
        r#"{"text":"three","reply":{"in_reply_to_tweet_id":"1445880548472328193"}}"#
    );
    assert_eq!(world.sent[0].url, "https://api.x.com/2/tweets");
    assert!(signature_checks(&world.sent[0], &x_docs()));
}

#[test]
fn an_id_that_is_not_digits_gets_no_url() {
    let mut world =
        FakeWorld::with_credentials().answer(Ok(response(201, &[], r#"{"data":{"id":"abc/1"}}"#)));
    assert_eq!(
        publish(&mut world, &single("hi"), 0, &[]),
        Ok(PublishedPart {
            id: "abc/1".to_string(),
            url: None,
            reply_ref: None,
        })
    );
}

#[test]
fn a_part_that_does_not_fit_the_post_sends_nothing() {
    let post = thread(&["one", "two", "three"], "default");
    let two = [published("1"), published("2")];
    let cases: Vec<(Post, u32, Vec<PublishedPart>, &str)> = vec![
        (
            post.clone(),
            3,
            two.to_vec(),
            "part 3 is out of range: the post has 3 parts",
        ),
        (
            single("hi"),
            1,
            vec![published("1")],
            "part 1 is out of range: the post has 1 part",
        ),
        (
            thread(&[], "default"),
            0,
            vec![],
            "part 0 is out of range: the post has 0 parts",
        ),
        (
            post.clone(),
            u32::MAX,
            two.to_vec(),
            "part 4294967295 is out of range: the post has 3 parts",
        ),
        (
            post.clone(),
            2,
            two[..1].to_vec(),
            "part 2 needs 2 earlier published parts (one for each part before it), but got 1",
        ),
        (
            post.clone(),
            1,
            two.to_vec(),
            "part 1 needs 1 earlier published part (one for each part before it), but got 2",
        ),
        (
            post.clone(),
            0,
            two[..1].to_vec(),
            "part 0 needs 0 earlier published parts (one for each part before it), but got 1",
        ),
        (
            post.clone(),
            2,
            vec![published("1"), PublishedPart::default()],
            "part 2 replies to part 1, whose post id is empty",
        ),
    ];
    for (post, part, earlier, message) in cases {
        // Answered 201 if anything were sent.
        let mut world = FakeWorld::with_credentials().answer(Ok(response(201, &[], CREATED_201)));
        assert_eq!(
            publish(&mut world, &post, part, &earlier),
            Err(PublishError::Invalid(message.to_string())),
            "part {part} of {:?}",
            post.parts
        );
        assert!(world.sent.is_empty());
    }
}

#[test]
fn missing_credentials_name_the_account() {
    let creds = x_docs();
    for (account, message) in [
        (
            "default",
            "X credentials are missing: set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret",
        ),
        (
            "work",
            "X credentials are missing for the account \"work\": set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret",
        ),
        (
            "",
            "X credentials are missing for the account \"\": set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret",
        ),
        (
            "a\"b\n",
            "X credentials are missing for the account \"a\\\"b\\n\": set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret",
        ),
    ] {
        let mut world = FakeWorld::with_credentials().set(SETTING_ACCESS_TOKEN_SECRET, Ok(None));
        let outcome = publish(&mut world, &thread(&["one", "two"], account), 0, &[]);
        assert_eq!(
            outcome,
            Err(PublishError::MissingCredentials(message.to_string())),
            "{account:?}"
        );
        assert!(world.sent.is_empty());
        // The settings that are present are named, never their values.
        let text = outcome.err().map(|e| e.message().to_string()).unwrap_or_default();
        for value in [&creds.consumer_key, &creds.consumer_secret, &creds.token] {
            assert!(!text.contains(value.as_str()), "{text}");
        }
    }
    assert_eq!(
        missing_credentials_message("default"),
        MISSING_CREDENTIALS_MESSAGE
    );
}
