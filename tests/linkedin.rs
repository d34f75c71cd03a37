//! The linkedin component end to end: `sps serve` (the real binary, the embedded
//! components) with a fake LinkedIn Posts API (tests/support/fake_linkedin.rs). A post full
//! of little's reserved characters goes out escaped and is shown exactly as written; a
//! thread is refused at scheduling; an account without credentials ends in
//! `missing-credentials` naming it; LinkedIn's refusals end in their reason codes.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::api::{events_until, post};
use support::fake_linkedin::{urn, FakeLinkedIn, Reply, ACCESS_TOKEN, AUTHOR};
use support::fake_x::FakeX;
use support::serve::{command, spawn, Serve};

/// A message with every character little reserves, a URL, a mention-like and a
/// hashtag-like text, a backslash path, a newline and an emoji.
const RESERVED_MESSAGE: &str = "Launch (v2.0) [beta] {draft} <b>1 < 2 > 0</b> #news @team *bold* _it_ ~x~ a|b \\\\server\\share\nhttps://example.com/a_(b)?q=1#frag 😀";

/// The secrets file: the tests' X keys, and LinkedIn's account `default`.
fn secrets(dir: &Path) -> PathBuf {
    let path = dir.join("secrets.json");
    let mut keys: Value = serde_json::from_str(support::SECRETS_JSON).unwrap();
    keys["platforms"] =
        json!({"linkedin": {"default": {"access_token": ACCESS_TOKEN, "author": AUTHOR}}});
    std::fs::write(&path, keys.to_string()).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    path
}

/// `sps serve` with LinkedIn at `linkedin` and a 1 s retry backoff.
fn serve(dir: &Path, x: &FakeX, linkedin: &FakeLinkedIn) -> Serve {
    let mut cmd = command(&dir.join("data"), x, &secrets(dir));
    cmd.env("SPS_PLATFORM_LINKEDIN_BASE_URL", &linkedin.base_url)
        .env("SPS_RETRY_BACKOFF_SECONDS", "1");
    spawn(cmd)
}

/// The README's event for LinkedIn with `message`, due in 2 s.
fn event(reference: &str, message: &str) -> Value {
    json!({"detail-type": "Schedule Social Post", "source": "test", "detail": {
        "message": message, "platform": "linkedin",
        "scheduledDate": support::utc_in(2), "referenceNumber": reference}})
}

/// The outcome events (all but `Post Scheduled`) once there are `count`, by reference.
fn outcomes(base: &str, count: usize) -> Vec<(String, Value)> {
    let mut events = support::api::outcomes(base, count);
    events.sort_by_key(|(_, d)| d["referenceNumber"].to_string());
    events
}

fn sent(reference: &str, urn: &str) -> (String, Value) {
    (
        "Social Post Sent".to_string(),
        json!({
            "referenceNumber": reference,
            "postId": urn,
            "postIds": [urn],
            "postUrl": format!("https://www.linkedin.com/feed/update/{urn}/"),
        }),
    )
}

fn failed(reference: &str, reason: &str, message: &str, retryable: bool) -> (String, Value) {
    (
        "Social Post Failed".to_string(),
        json!({
            "referenceNumber": reference,
            "reason": reason,
            "reasonMessage": message,
            "retryable": retryable,
            "stage": "sending",
        }),
    )
}

#[test]
fn a_post_full_of_reserved_characters_is_shown_exactly_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let (x, linkedin) = (FakeX::start(), FakeLinkedIn::start());
    let server = serve(dir.path(), &x, &linkedin);
    let (status, answer) = post(&server.base, &event("li-reserved", RESERVED_MESSAGE));
    assert_eq!(status, 201, "{answer}");

    assert_eq!(
        outcomes(&server.base, 1),
        vec![sent("li-reserved", &urn(0))]
    );
    let received = linkedin.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let request = &received[0];
    assert_eq!(request.status, 201);
    assert_eq!(request.little_error, None, "{:?}", request.commentary);
    assert_eq!(request.text.as_deref(), Some(RESERVED_MESSAGE));
    assert_eq!(
        request.commentary.as_deref(),
        Some(
            "Launch \\(v2.0\\) \\[beta\\] \\{draft\\} \\<b\\>1 \\< 2 \\> 0\\</b\\> \\#news \\@team \\*bold\\* \\_it\\_ \\~x\\~ a\\|b \\\\\\\\server\\\\share\nhttps://example.com/a\\_\\(b\\)?q=1\\#frag 😀"
        )
    );
    assert_eq!(
        (
            request.authorization.as_deref(),
            request.linkedin_version.as_deref(),
            request.restli_protocol_version.as_deref(),
            request.content_type.as_deref(),
        ),
        (
            Some("Bearer test-linkedin-access-token"),
            Some("202605"),
            Some("2.0.0"),
            Some("application/json"),
        )
    );
    assert_eq!(
        request.body.as_ref().map(|b| {
            let mut b = b.clone();
            b["commentary"] = json!("<checked above>");
            b
        }),
        Some(json!({
            "author": AUTHOR,
            "commentary": "<checked above>",
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false,
        }))
    );
    assert_eq!(linkedin.created().len(), 1);
    assert_eq!(linkedin.created()[0].text, RESERVED_MESSAGE);
    assert!(x.received().is_empty(), "nothing went to X");
}

#[test]
fn a_thread_for_linkedin_is_rejected_at_scheduling() {
    let dir = tempfile::tempdir().unwrap();
    let (x, linkedin) = (FakeX::start(), FakeLinkedIn::start());
    let server = serve(dir.path(), &x, &linkedin);
    let mut thread = event("li-thread", "one");
    thread["detail"]["thread"] = json!(["two", "three"]);
    let message = "LinkedIn has no threads: send the message and the thread's 2 replies as \
                   separate posts, each in an event without \"thread\"";
    assert_eq!(
        post(&server.base, &thread),
        (
            422,
            json!({"status": "rejected", "reason": "thread-not-supported", "message": message,
                   "referenceNumber": "li-thread"})
        )
    );
    let events = events_until(&server.base, |e| !e.is_empty());
    assert_eq!(
        events,
        vec![(
            "Social Post Failed".to_string(),
            json!({"referenceNumber": "li-thread", "reason": "thread-not-supported",
                   "reasonMessage": message, "retryable": false, "stage": "scheduling"})
        )]
    );
    assert_eq!(
        support::api::get(&server.base, "/schedules"),
        json!([]),
        "nothing scheduled"
    );
    assert!(linkedin.received().is_empty());
}

#[test]
fn an_account_without_credentials_ends_in_missing_credentials_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let (x, linkedin) = (FakeX::start(), FakeLinkedIn::start());
    let server = serve(dir.path(), &x, &linkedin);
    let mut nobody = event("li-nobody", "Hello world!");
    nobody["detail"]["account"] = json!("nobody");
    assert_eq!(post(&server.base, &nobody).0, 201);
    assert_eq!(
        outcomes(&server.base, 1),
        vec![failed(
            "li-nobody",
            "missing-credentials",
            "LinkedIn credentials are missing for the account \"nobody\": set its access_token \
             and author",
            false
        )]
    );
    assert!(linkedin.received().is_empty(), "nothing was sent");
}

#[test]
fn linkedins_refusals_end_in_their_reason_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (x, linkedin) = (FakeX::start(), FakeLinkedIn::start());
    let server = serve(dir.path(), &x, &linkedin);
    linkedin.reply_to_text("token", Reply::unauthorized());
    linkedin.reply_to_text("boom", Reply::server_error());
    linkedin.reply_to_text(
        "again",
        Reply::duplicate("urn:li:share:7141138937766391808"),
    );
    linkedin.reply_to_text("busy", Reply::rate_limited(Some(1)));
    linkedin.reply_to_text("lost", Reply::CreatedWithoutId);
    linkedin.reply_to_text("denied", Reply::forbidden());
    for (reference, text) in [
        ("li-1-token", "token"),
        ("li-2-boom", "boom"),
        ("li-3-again", "again"),
        ("li-4-busy", "busy"),
        ("li-5-lost", "lost"),
        ("li-6-denied", "denied"),
    ] {
        assert_eq!(post(&server.base, &event(reference, text)).0, 201);
    }
    let events = outcomes(&server.base, 6);
    let busy_urn = linkedin
        .created()
        .iter()
        .find(|p| p.text == "busy")
        .map(|p| p.urn.clone())
        .expect("busy was published on the retry");
    assert_eq!(
        events,
        vec![
            failed(
                "li-1-token",
                "auth-failed",
                "LinkedIn rejected the access token: HTTP 401: Invalid access token \
                 (INVALID_ACCESS_TOKEN, serviceErrorCode 65600)",
                false
            ),
            failed(
                "li-2-boom",
                "unknown-outcome",
                "LinkedIn failed: HTTP 500: Internal Server Error; the post may or may not \
                 have been published",
                false
            ),
            failed(
                "li-3-again",
                "duplicate-content",
                "LinkedIn refused the post as a duplicate: HTTP 422: \
                 com.linkedin.content.common.exception.BadRequestResponseException: Content is \
                 a duplicate of urn:li:share:7141138937766391808 (DUPLICATE_POST)",
                false
            ),
            sent("li-4-busy", &busy_urn),
            failed(
                "li-5-lost",
                "unknown-outcome",
                "LinkedIn answered HTTP 201 without the post's URN (x-restli-id); the post may \
                 or may not have been published",
                false
            ),
            failed(
                "li-6-denied",
                "forbidden",
                "LinkedIn refused the post: HTTP 403: Not enough permissions to access: \
                 partnerApiPostsExternal.CREATE.20260501 (ACCESS_DENIED, serviceErrorCode 100)",
                false
            ),
        ]
    );
    // Each post was sent once, but the rate-limited one twice (the retry after 429).
    let mut texts: Vec<String> = linkedin
        .received()
        .iter()
        .map(|r| r.text.clone().unwrap_or_default())
        .collect();
    texts.sort();
    assert_eq!(
        texts,
        ["again", "boom", "busy", "busy", "denied", "lost", "token"]
    );
}

/// LinkedIn's 3,000 characters count the text as shown, before escaping: 3,000 reserved
/// characters (6,000 once escaped) are posted as written, and 3,001 are rejected at
/// scheduling.
#[test]
fn three_thousand_reserved_characters_are_posted_and_one_more_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let (x, linkedin) = (FakeX::start(), FakeLinkedIn::start());
    let server = serve(dir.path(), &x, &linkedin);
    let longest = "(#)".repeat(1000);
    let (status, answer) = post(&server.base, &event("li-longest", &longest));
    assert_eq!(status, 201, "{answer}");
    let too_long = format!("{longest}*");
    let message = "message is 3001 characters (UTF-16 code units, before escaping); LinkedIn \
                   allows at most 3000";
    assert_eq!(
        post(&server.base, &event("li-too-long", &too_long)),
        (
            422,
            json!({"status": "rejected", "reason": "message-too-long", "message": message,
                   "referenceNumber": "li-too-long"})
        )
    );
    let events = outcomes(&server.base, 2);
    assert_eq!(
        events,
        vec![
            sent("li-longest", &urn(0)),
            (
                "Social Post Failed".to_string(),
                json!({"referenceNumber": "li-too-long", "reason": "message-too-long",
                       "reasonMessage": message, "retryable": false, "stage": "scheduling"})
            ),
        ]
    );
    let received = linkedin.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].little_error, None);
    assert_eq!(received[0].commentary.as_deref().map(str::len), Some(6000));
    assert_eq!(linkedin.created()[0].text, longest);
}

/// `POST {fake}/rest/posts` with `headers` and `body`: the status and the `x-restli-id`.
fn raw_post(
    linkedin: &FakeLinkedIn,
    headers: &[(&str, &str)],
    body: &Value,
) -> (u16, Option<String>) {
    let mut request = ureq::post(&format!("{}/rest/posts", linkedin.base_url))
        .config()
        .http_status_as_error(false)
        .build();
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send(body.to_string().as_bytes()).expect("POST");
    let id = response
        .headers()
        .get("x-restli-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (response.status().as_u16(), id)
}

/// The fake's checks bite: a request breaking what the docs require is refused, and an
/// unescaped reserved character cuts the text as LinkedIn does (so the end-to-end tests
/// above could fail).
#[test]
fn the_fake_linkedin_refuses_what_the_docs_forbid_and_cuts_unescaped_text() {
    let linkedin = FakeLinkedIn::start();
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    let good = [
        ("Authorization", bearer.as_str()),
        ("LinkedIn-Version", "202605"),
        ("X-Restli-Protocol-Version", "2.0.0"),
        ("Content-Type", "application/json"),
    ];
    let body = |commentary: &str| {
        json!({"author": AUTHOR, "commentary": commentary, "visibility": "PUBLIC",
               "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                "thirdPartyDistributionChannels": []},
               "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": false})
    };
    let without = |name: &str| -> Vec<(&str, &str)> {
        good.iter().filter(|(n, _)| *n != name).copied().collect()
    };
    let with = |name: &'static str, value: &'static str| -> Vec<(&str, &str)> {
        let mut headers = without(name);
        headers.push((name, value));
        headers
    };
    assert_eq!(
        raw_post(&linkedin, &without("Authorization"), &body("a")),
        (401, None)
    );
    assert_eq!(
        raw_post(
            &linkedin,
            &with("Authorization", "Bearer other"),
            &body("a")
        ),
        (401, None)
    );
    assert_eq!(
        raw_post(&linkedin, &without("LinkedIn-Version"), &body("a")),
        (400, None)
    );
    assert_eq!(
        raw_post(&linkedin, &with("LinkedIn-Version", "2026-05"), &body("a")),
        (426, None)
    );
    assert_eq!(
        raw_post(&linkedin, &without("X-Restli-Protocol-Version"), &body("a")),
        (400, None)
    );
    let mut other = body("a");
    other["author"] = json!("urn:li:person:someone-else");
    assert_eq!(raw_post(&linkedin, &good, &other), (403, None));
    for (field, value) in [
        ("visibility", json!("CONNECTIONS")),
        ("lifecycleState", json!("DRAFT")),
        ("distribution", json!({"feedDistribution": "NONE"})),
        ("text", json!("unknown field")),
    ] {
        let mut bad = body("a");
        bad[field] = value;
        assert_eq!(raw_post(&linkedin, &good, &bad), (422, None), "{field}");
    }
    let mut bad = body("a");
    bad.as_object_mut()
        .unwrap()
        .remove("isReshareDisabledByAuthor");
    assert_eq!(raw_post(&linkedin, &good, &bad), (422, None));
    assert!(linkedin.created().is_empty());

    assert_eq!(
        raw_post(&linkedin, &good, &body(r"a \(b\) c \\ d")),
        (201, Some(urn(0)))
    );
    assert_eq!(
        raw_post(&linkedin, &good, &body("Launch (v2) today")),
        (201, Some(urn(1)))
    );
    assert_eq!(
        raw_post(&linkedin, &good, &body(r"a\b")),
        (201, Some(urn(2)))
    );
    let created: Vec<String> = linkedin.created().into_iter().map(|p| p.text).collect();
    assert_eq!(created, [r"a (b) c \ d", "Launch ", "a"]);
    let errors: Vec<Option<String>> = linkedin
        .received()
        .into_iter()
        .filter(|r| r.status == 201)
        .map(|r| r.little_error)
        .collect();
    assert_eq!(
        errors,
        [
            None,
            Some("unescaped '(' at character 7".to_string()),
            Some("backslash before 'b' at character 1".to_string()),
        ]
    );
}
