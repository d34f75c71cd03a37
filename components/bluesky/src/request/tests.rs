//! The exact XRPC requests.

use super::*;

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const XRPC: &str = "https://pds.example/xrpc/";

#[test]
fn the_base_url_gives_the_xrpc_base_or_a_reason() {
    assert_eq!(
        xrpc_base("https://bsky.social").as_deref(),
        Ok("https://bsky.social/xrpc/")
    );
    assert_eq!(
        xrpc_base(" http://127.0.0.1:8080/prefix/ ").as_deref(),
        Ok("http://127.0.0.1:8080/prefix/xrpc/")
    );
    for (base, why) in [
        ("bsky.social", "not an http or https URL"),
        ("https:///xrpc", "no host"),
        (
            "https://me:pw@bsky.social",
            "user information is not allowed in the URL",
        ),
        ("https://bsky.social/?x=1", "it has a query or fragment"),
        (
            "https://bsky .social",
            "it holds white space or control characters",
        ),
    ] {
        assert_eq!(
            xrpc_base(base),
            Err(PublishError::Transient(format!(
                "invalid setting base_url: {why}; it must be the PDS's http(s) URL"
            ))),
            "{base}"
        );
    }
}

#[test]
fn create_session_posts_the_identifier_and_app_password() {
    let request = create_session(XRPC, "alice.bsky.social", "abcd-efgh-ijkl-mnop").unwrap();
    let body = br#"{"identifier":"alice.bsky.social","password":"abcd-efgh-ijkl-mnop"}"#;
    assert_eq!(
        request,
        HttpRequest {
            method: "POST".to_string(),
            url: "https://pds.example/xrpc/com.atproto.server.createSession".to_string(),
            headers: headers(&[
                ("content-type", "application/json"),
                ("content-length", "67"),
                ("accept", "application/json"),
                ("user-agent", "sps-bluesky/0.1.0"),
            ]),
            body: body.to_vec(),
        }
    );
    assert_eq!(body.len(), 67);
}

#[test]
fn refresh_session_has_the_refresh_token_and_no_body() {
    assert_eq!(
        refresh_session(XRPC, "refresh.jwt.value").unwrap(),
        HttpRequest {
            method: "POST".to_string(),
            url: "https://pds.example/xrpc/com.atproto.server.refreshSession".to_string(),
            headers: headers(&[
                ("authorization", "Bearer refresh.jwt.value"),
                ("content-length", "0"),
                ("accept", "application/json"),
                ("user-agent", "sps-bluesky/0.1.0"),
            ]),
            body: Vec::new(),
        }
    );
    assert_eq!(
        refresh_session(XRPC, "two words"),
        Err(PublishError::Auth(
            "the Bluesky refresh token is not a bearer token (it must be visible ASCII \
             characters without spaces); nothing was sent"
                .to_string()
        ))
    );
}

#[test]
fn queries_encode_their_parameters() {
    assert_eq!(
        get_record(XRPC, "access.jwt", "did:plc:abc%1", "3n3y6yldjiptj").unwrap(),
        HttpRequest {
            method: "GET".to_string(),
            url: "https://pds.example/xrpc/com.atproto.repo.getRecord?repo=did%3Aplc%3Aabc%251\
                  &collection=app.bsky.feed.post&rkey=3n3y6yldjiptj"
                .to_string(),
            headers: headers(&[
                ("authorization", "Bearer access.jwt"),
                ("accept", "application/json"),
                ("user-agent", "sps-bluesky/0.1.0"),
            ]),
            body: Vec::new(),
        }
    );
    let resolve = resolve_handle(XRPC, "bob.example.com");
    assert_eq!(
        resolve.url,
        "https://pds.example/xrpc/com.atproto.identity.resolveHandle?handle=bob.example.com"
    );
    assert_eq!(resolve.header("authorization"), None);
    assert_eq!(query_value("a b/ü~"), "a%20b%2F%C3%BC~");
}

#[test]
fn the_missing_settings_are_named() {
    assert_eq!(
        missing_credentials_message("default", &["identifier", "app_password"]),
        "Bluesky credentials are missing for the account \"default\": set its identifier and \
         app_password"
    );
}
