//! `publish` end to end over a fake of the capabilities: the signed request, the base
//! URL, replies, accounts and the answers it reports.

use super::*;

// ---- publish with a fake of the capabilities ------------------------------------------

pub(super) struct FakeWorld {
    settings: HashMap<String, Result<Option<String>, String>>,
    now: u64,
    nonce: String,
    answers: VecDeque<Result<HttpResponse, TransportError>>,
    pub(super) sent: Vec<HttpRequest>,
}

impl FakeWorld {
    pub(super) fn with_credentials() -> FakeWorld {
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

    pub(super) fn answer(mut self, answer: Result<HttpResponse, TransportError>) -> FakeWorld {
        self.answers.push_back(answer);
        self
    }

    pub(super) fn set(mut self, key: &str, value: Result<Option<&str>, &str>) -> FakeWorld {
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
pub(super) fn signature_checks(request: &HttpRequest, creds: &Credentials) -> bool {
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
