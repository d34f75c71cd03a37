//! Tests of the X API mapping. Error bodies are modelled on X's real answers (docs.x.com
//! "Response codes and errors" problem types, and bodies X returns for these cases).

use std::collections::{HashMap, VecDeque};

use super::*;

mod answers;
mod metrics;
mod publish;

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
