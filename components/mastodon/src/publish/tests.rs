//! `publish` over a fake of the capabilities: the exact requests, what is read from the
//! settings, and that nothing is sent when the call or the settings do not allow it.

use std::collections::{HashMap, VecDeque};

use super::*;

pub(crate) const TOKEN: &str = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0";
const KEY: &str = "4327f138593c72fbdb5fff2b18d4f21e4272884193e209031333ac8a6bd381b1";

/// Settings and scripted answers; records every request.
pub(crate) struct Fake {
    settings: HashMap<String, String>,
    answers: VecDeque<Result<HttpResponse, TransportError>>,
    pub(crate) sent: Vec<HttpRequest>,
}

impl Fake {
    pub(crate) fn new(settings: &[(&str, &str)]) -> Fake {
        Fake {
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            answers: VecDeque::new(),
            sent: Vec::new(),
        }
    }

    pub(crate) fn configured() -> Fake {
        Fake::new(&[
            ("base_url", "https://mastodon.example"),
            ("access_token", TOKEN),
        ])
    }

    pub(crate) fn answer(mut self, status: u16, body: &str) -> Fake {
        self.answers.push_back(Ok(HttpResponse {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }));
        self
    }
}

impl Capabilities for Fake {
    fn setting(&mut self, key: &str) -> Result<Option<String>, String> {
        Ok(self.settings.get(key).cloned())
    }

    fn now_unix_seconds(&mut self) -> u64 {
        unreachable!("publishing on Mastodon reads no clock")
    }

    fn nonce(&mut self) -> String {
        unreachable!("publishing on Mastodon needs no nonce")
    }

    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.push(request.clone());
        self.answers
            .pop_front()
            .unwrap_or_else(|| panic!("unexpected request {request:?}"))
    }
}

fn post(parts: &[&str], account: &str) -> Post {
    Post {
        parts: parts.iter().map(|p| p.to_string()).collect(),
        account: account.to_string(),
        idempotency_key: KEY.to_string(),
    }
}

fn status(id: &str) -> String {
    format!(r#"{{"id":"{id}","url":"https://mastodon.example/@alice/{id}","visibility":"public"}}"#)
}

fn part(id: &str) -> PublishedPart {
    PublishedPart {
        id: id.to_string(),
        url: Some(format!("https://mastodon.example/@alice/{id}")),
        reply_ref: None,
    }
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_first_part_is_a_new_public_status_with_its_idempotency_key() {
    let mut caps = Fake::configured().answer(200, &status("113000000000000001"));
    let published = publish(&mut caps, &post(&["Hello world!"], "default"), 0, &[]);
    assert_eq!(published, Ok(part("113000000000000001")));
    let body = br#"{"status":"Hello world!","visibility":"public"}"#;
    assert_eq!(
        caps.sent,
        vec![HttpRequest {
            method: "POST".to_string(),
            url: "https://mastodon.example/api/v1/statuses".to_string(),
            headers: headers(&[
                ("authorization", &format!("Bearer {TOKEN}")),
                ("idempotency-key", &format!("{KEY}-0")),
                ("content-type", "application/json"),
                ("content-length", "47"),
                ("accept", "application/json"),
                ("user-agent", "sps-mastodon/0.1.0"),
            ]),
            body: body.to_vec(),
        }]
    );
    assert_eq!(body.len(), 47);
}

#[test]
fn a_reply_names_its_parent_and_the_key_names_its_part() {
    let mut caps = Fake::new(&[
        ("base_url", "https://social.example/prefix/"),
        ("access_token", TOKEN),
    ])
    .answer(200, &status("113000000000000003"));
    let earlier = [part("113000000000000001"), part("113000000000000002")];
    let published = publish(
        &mut caps,
        &post(&["one", "two", "three \"quoted\" ✓"], "brand"),
        2,
        &earlier,
    );
    assert_eq!(published, Ok(part("113000000000000003")));
    let body = "{\"status\":\"three \\\"quoted\\\" ✓\",\"in_reply_to_id\":\"113000000000000002\",\"visibility\":\"public\"}";
    assert_eq!(
        caps.sent,
        vec![HttpRequest {
            method: "POST".to_string(),
            url: "https://social.example/prefix/api/v1/statuses".to_string(),
            headers: headers(&[
                ("authorization", &format!("Bearer {TOKEN}")),
                ("idempotency-key", &format!("{KEY}-2")),
                ("content-type", "application/json"),
                ("content-length", "93"),
                ("accept", "application/json"),
                ("user-agent", "sps-mastodon/0.1.0"),
            ]),
            body: body.as_bytes().to_vec(),
        }]
    );
    assert_eq!(body.len(), 93);
}

#[test]
fn a_repeated_part_sends_the_same_request_again() {
    // The instance answers 503 after creating the status, then gives it back for the key.
    let mut caps = Fake::configured()
        .answer(503, r#"{"error":"Service Unavailable"}"#)
        .answer(200, &status("113000000000000001"));
    let the_post = post(&["Hello world!"], "default");
    assert_eq!(
        publish(&mut caps, &the_post, 0, &[]),
        Err(PublishError::UnknownOutcome(
            "Mastodon failed: HTTP 503: Service Unavailable; the status may or may not have \
             been published"
                .to_string()
        ))
    );
    assert_eq!(
        publish(&mut caps, &the_post, 0, &[]),
        Ok(part("113000000000000001"))
    );
    assert_eq!(caps.sent.len(), 2);
    assert_eq!(caps.sent.first(), caps.sent.get(1));
}

#[test]
fn missing_settings_are_missing_credentials_and_nothing_is_sent() {
    let mut caps = Fake::new(&[("access_token", TOKEN)]);
    assert_eq!(
        publish(&mut caps, &post(&["x"], "default"), 0, &[]),
        Err(PublishError::MissingCredentials(
            "the Mastodon instance is not configured: set the setting base_url to its URL \
             (sps serve: SPS_MASTODON_INSTANCE_URL)"
                .to_string()
        ))
    );
    for (account, settings) in [
        ("default", vec![("base_url", "https://mastodon.example")]),
        (
            "brand",
            vec![
                ("base_url", "https://mastodon.example"),
                ("access_token", "  "),
            ],
        ),
    ] {
        let mut caps = Fake::new(&settings);
        assert_eq!(
            publish(&mut caps, &post(&["x"], account), 0, &[]),
            Err(PublishError::MissingCredentials(format!(
                "Mastodon credentials are missing for the account \"{account}\": set its \
                 access_token"
            )))
        );
        assert!(caps.sent.is_empty());
    }
}

#[test]
fn a_call_that_does_not_fit_the_post_sends_nothing() {
    let cases: [(u32, Vec<PublishedPart>, &str); 4] = [
        (2, vec![], "part 2 is out of range: the post has 2 parts"),
        (
            1,
            vec![],
            "part 1 needs 1 earlier published part (one for each part before it), but got 0",
        ),
        (
            0,
            vec![part("1")],
            "part 0 needs 0 earlier published parts (one for each part before it), but got 1",
        ),
        (
            1,
            vec![part("")],
            "part 1 replies to part 0, whose status id is empty",
        ),
    ];
    for (index, earlier, message) in cases {
        let mut caps = Fake::configured();
        assert_eq!(
            publish(&mut caps, &post(&["a", "b"], "default"), index, &earlier),
            Err(PublishError::Invalid(message.to_string()))
        );
        assert!(caps.sent.is_empty());
    }
}

#[test]
fn an_unusable_idempotency_key_or_token_or_base_url_sends_nothing() {
    let mut caps = Fake::configured();
    let mut no_key = post(&["a"], "default");
    no_key.idempotency_key = String::new();
    assert_eq!(
        publish(&mut caps, &no_key, 0, &[]),
        Err(PublishError::Invalid(
            "the post's idempotency key is empty or not 1 to 200 visible ASCII characters; \
             Mastodon's Idempotency-Key needs one, so nothing was sent"
                .to_string()
        ))
    );
    let mut caps = Fake::new(&[
        ("base_url", "https://mastodon.example"),
        ("access_token", "two words"),
    ]);
    assert_eq!(
        publish(&mut caps, &post(&["a"], "default"), 0, &[]),
        Err(PublishError::Auth(
            "the setting access_token is not a bearer token (it must be visible ASCII \
             characters without spaces); nothing was sent"
                .to_string()
        ))
    );
    for (base_url, why) in [
        ("mastodon.example", "not an http or https URL"),
        ("https:///api", "no host"),
        (
            "https://user:pw@mastodon.example",
            "user information is not allowed in the URL",
        ),
        (
            "https://mastodon.example/?x=1",
            "it has a query or fragment",
        ),
    ] {
        let mut caps = Fake::new(&[("base_url", base_url), ("access_token", TOKEN)]);
        assert_eq!(
            publish(&mut caps, &post(&["a"], "default"), 0, &[]),
            Err(PublishError::Transient(format!(
                "invalid setting base_url: {why}; it must be the instance's http(s) URL"
            ))),
            "{base_url}"
        );
        assert!(caps.sent.is_empty());
    }
}

#[test]
fn transport_failures_and_answers_are_mapped_and_the_token_never_shows() {
    let mut caps = Fake::configured();
    caps.answers.push_back(Err(TransportError {
        phase: sps_platform::SendPhase::NotSent,
        detail: "connection refused".to_string(),
    }));
    assert_eq!(
        publish(&mut caps, &post(&["a"], "default"), 0, &[]),
        Err(PublishError::Transient(
            "could not reach the Mastodon instance: connection refused".to_string()
        ))
    );
    // A proxy that echoes the Authorization header.
    let mut caps =
        Fake::configured().answer(401, &format!(r#"{{"error":"bad header: Bearer {TOKEN}"}}"#));
    assert_eq!(
        publish(&mut caps, &post(&["a"], "default"), 0, &[]),
        Err(PublishError::Auth(
            "Mastodon rejected the access token: HTTP 401: bad header: Bearer <redacted>"
                .to_string()
        ))
    );
}
