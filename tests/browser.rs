//! The page of `sps serve` in a real browser: headless Chromium through WebDriver
//! (`support::browser`), against a real `sps serve` and the fake X. What a user sees is
//! asserted as text: X's weighted length under the message, a refused over-long post, a
//! post two seconds ahead in the calendar and then sent in the outcomes without a reload,
//! a cancel and an edit from the calendar, `missing-credentials` in words, the login form,
//! a cross-site form refused, and the page at 360 px. `SPS_SCREENSHOTS=1` also writes the
//! README's screenshots to `docs/` (`tests/browser/screenshots.rs`).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them).

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

#[path = "browser/screenshots.rs"]
mod screenshots;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fantoccini::key::Key;
use serde_json::{json, Value};
use support::api::{events_until, get, post, secrets_file};
use support::browser::{Browser, ZONE};
use support::fake_x::{FakeX, FIRST_ID};
use support::serve::{command, spawn, Serve};

/// The fake X and `sps serve` posting to it (with X credentials unless `credentials` is
/// false), its data in the returned directory.
fn started(credentials: bool) -> (FakeX, Serve, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let mut cmd = command(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    if !credentials {
        cmd.env_remove("SPS_SECRETS_FILE");
    }
    (x, spawn(cmd), dir)
}

/// `at` in the browser's zone as the page's date input holds it (`YYYY-MM-DDTHH:MM:SS`).
fn local_input(at: DateTime<Utc>) -> String {
    let zone: Tz = ZONE.parse().unwrap();
    at.with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// `at` as the page writes a full date in `en-US` (`Sun, Dec 6, 2026, 04:20:05 PM`).
fn full_text(at: DateTime<Utc>) -> String {
    let zone: Tz = ZONE.parse().unwrap();
    at.with_timezone(&zone)
        .format("%a, %b %-d, %Y, %I:%M:%S %p")
        .to_string()
}

/// `at` as the page writes a time of day in `en-US` (`04:20:05 PM`).
fn time_text(at: DateTime<Utc>) -> String {
    let zone: Tz = ZONE.parse().unwrap();
    at.with_timezone(&zone).format("%I:%M:%S %p").to_string()
}

/// Sets the page's date input to `value` as a user picking it would (an `input` event).
async fn set_date(browser: &Browser, value: &str) {
    browser
        .run(
            "const d = document.getElementById('date'); d.value = arguments[0]; \
             d.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![json!(value)],
        )
        .await;
}

/// Types `text` into the page's message, replacing what was there.
async fn type_message(browser: &Browser, text: &str) {
    let area = browser.wait_for_css("#part-0").await;
    area.clear().await.unwrap();
    area.send_keys(text).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_counter_shows_xs_weighted_length_and_an_over_long_post_is_refused() {
    let (x, server, _dir) = started(true);
    let browser = Browser::start(1280, 900).await;
    browser.open(&server.base).await;

    // A URL counts 23 and an emoji 2: "Hi " 3 + 23 + " " 1 + 2 = 29. ChromeDriver types
    // only the Basic Multilingual Plane, so the emoji is added as a paste would.
    type_message(
        &browser,
        "Hi https://example.com/a/path/longer/than/twenty-three ",
    )
    .await;
    browser
        .run(
            "const t = document.getElementById('part-0'); t.value += '\u{1F600}'; \
             t.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![],
        )
        .await;
    browser.wait_for_text("#counter-0", "29 / 280").await;
    let counter = browser.wait_for_css("#counter-0").await;
    assert_eq!(
        counter.attr("class").await.unwrap().as_deref(),
        Some("counter")
    );
    assert_eq!(browser.text("#check").await, "");

    type_message(&browser, &"a".repeat(281)).await;
    browser.wait_for_text("#counter-0", "281 / 280").await;
    assert_eq!(
        counter.attr("class").await.unwrap().as_deref(),
        Some("counter over")
    );
    assert_eq!(
        counter.css_value("color").await.unwrap(),
        "rgba(179, 38, 30, 1)"
    );
    let reason = "message is 281 weighted characters; X allows at most 280 (message-too-long)";
    browser.wait_for_text("#check", reason).await;
    browser.press_enter("#submit").await;
    browser
        .wait_for_text("#answer", &format!("Not scheduled: {reason}"))
        .await;
    // Refused in the page: nothing was scheduled, reported or posted.
    assert_eq!(get(&server.base, "/schedules"), json!([]));
    assert_eq!(get(&server.base, "/events"), json!([]));
    assert_eq!(x.created().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_two_seconds_ahead_shows_in_the_calendar_then_sent_without_a_reload() {
    let (x, server, _dir) = started(true);
    let browser = Browser::start(1280, 900).await;
    browser.open(&server.base).await;

    let reference = browser.wait_for_css("#reference").await;
    reference.send_keys("page-1").await.unwrap();
    type_message(&browser, "Hello from the page").await;
    let at = DateTime::from_timestamp(Utc::now().timestamp() + 3, 0).unwrap();
    set_date(&browser, &local_input(at)).await;
    browser.wait_for_text("#counter-0", "19 / 280").await;
    // The keyboard submits: Enter on the focused button.
    browser.press_enter("#submit").await;
    browser
        .wait_for_text(
            "#answer",
            &format!("Scheduled page-1 for {}.", full_text(at)),
        )
        .await;
    // The page sent its own time zone: the schedule is at that local time, in UTC.
    let item = "#week li.post[data-reference=page-1]";
    browser.wait_for_css(item).await;
    let fields = [".when", ".platform", ".reference", ".words"].map(|f| format!("{item} {f}"));
    assert_eq!(
        browser.texts(&fields.each_ref().map(String::as_str)).await,
        [
            Some(time_text(at)),
            Some("twitter".to_string()),
            Some("page-1".to_string()),
            Some("Hello from the page".to_string())
        ]
    );

    let sent = "#events li.event[data-type='Social Post Sent'][data-reference=page-1]";
    browser.wait_for_css(sent).await;
    assert_eq!(
        browser.text(&format!("{sent} .words")).await,
        format!("Posted as {FIRST_ID}. Open the post")
    );
    let link = browser
        .wait_for_css(&format!("{sent} a.post-url"))
        .await
        .attr("href")
        .await
        .unwrap();
    assert_eq!(
        link.as_deref(),
        Some(format!("https://x.com/i/web/status/{FIRST_ID}").as_str())
    );
    // Sent, it leaves the calendar, still without a reload.
    browser.wait_gone(item).await;
    let events = get(&server.base, "/events");
    assert_eq!(
        events[0]["detail"],
        json!({"referenceNumber": "page-1",
               "scheduledDate": at.format("%Y-%m-%dT%H:%M:%S").to_string()})
    );
    assert_eq!(x.created().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_is_edited_and_cancelled_from_the_calendar() {
    let (_x, server, _dir) = started(true);
    let at = DateTime::from_timestamp(Utc::now().timestamp() + 7200, 0).unwrap();
    let event = |reference: &str, message: &str| {
        json!({"detail-type": "Schedule Social Post", "source": "test", "detail": {
            "message": message, "platform": "twitter", "referenceNumber": reference,
            "scheduledDate": at.format("%Y-%m-%dT%H:%M:%S").to_string()}})
    };
    assert_eq!(
        post(&server.base, &event("page-edit", "First words of it")).0,
        201
    );
    assert_eq!(
        post(&server.base, &event("page-cancel", "Never to be sent")).0,
        201
    );
    let browser = Browser::start(1280, 900).await;
    browser.open(&server.base).await;
    // The list view shows every pending post, whatever its week.
    browser.click("#view-toggle").await;
    assert_eq!(browser.text("#view-toggle").await, "Week view");

    let edit = "#list li.post[data-reference=page-edit]";
    // The list is drawn again as the events arrive, so the button is looked up again
    // until the click lands.
    browser.click(&format!("{edit} button.edit")).await;
    browser
        .wait_for_text(
            "#answer",
            "Editing page-edit on twitter: scheduling it again updates it (on another platform it is a new post).",
        )
        .await;
    let message = browser.wait_for_css("#part-0").await;
    assert_eq!(
        message.prop("value").await.unwrap().as_deref(),
        Some("First words of it")
    );
    type_message(&browser, "Second words of it").await;
    browser.click("#submit").await;
    browser
        .wait_for_text(
            "#answer",
            &format!("Updated page-edit for {}.", full_text(at)),
        )
        .await;
    browser
        .wait_for_text(&format!("{edit} .words"), "Second words of it")
        .await;

    let cancel = "#list li.post[data-reference=page-cancel] button.cancel";
    // Asked once more on the same button; the list may be drawn again meanwhile (the
    // edit's events arrive), so the button is looked up each time.
    browser.press_enter(cancel).await;
    browser.wait_for_text(cancel, "Really cancel?").await;
    browser.press_enter(cancel).await;
    browser
        .wait_for_text("#notice", "Cancelled page-cancel.")
        .await;
    let cancelled =
        "#events li.event[data-type='Social Post Cancelled'][data-reference=page-cancel]";
    browser.wait_for_css(cancelled).await;
    let pending: Vec<Value> = get(&server.base, "/schedules")
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["input"]["referenceNumber"].clone())
        .collect();
    assert_eq!(pending, vec![json!("page-edit")]);
    browser
        .wait_gone("#list li.post[data-reference=page-cancel]")
        .await;

    // The outcomes filter by detail-type and by reference.
    let shown = || async {
        let found = browser
            .run(
                "return Array.from(document.querySelectorAll('#events li.event')).map(e => \
                 e.dataset.type + ' ' + e.dataset.reference)",
                vec![],
            )
            .await;
        serde_json::from_value::<Vec<String>>(found).unwrap()
    };
    browser
        .wait_for_css("#filter-type")
        .await
        .select_by_label("Social Post Cancelled")
        .await
        .unwrap();
    assert_eq!(shown().await, ["Social Post Cancelled page-cancel"]);
    browser
        .wait_for_css("#filter-type")
        .await
        .select_by_label("All")
        .await
        .unwrap();
    browser
        .wait_for_css("#filter-reference")
        .await
        .send_keys("page-edit")
        .await
        .unwrap();
    assert_eq!(
        shown().await,
        ["Post Scheduled page-edit", "Post Scheduled page-edit"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_credentials_the_outcome_says_missing_credentials_in_words() {
    let (x, server, _dir) = started(false);
    let browser = Browser::start(1280, 900).await;
    browser.open(&server.base).await;
    browser
        .wait_for_css("#reference")
        .await
        .send_keys("no-keys")
        .await
        .unwrap();
    type_message(&browser, "Nobody will see this").await;
    let at = DateTime::from_timestamp(Utc::now().timestamp() + 1, 0).unwrap();
    set_date(&browser, &local_input(at)).await;
    browser.click("#submit").await;
    let failed = "#events li.event[data-type='Social Post Failed'][data-reference=no-keys]";
    browser.wait_for_css(failed).await;
    let logged = events_until(&server.base, |e| {
        e.iter().any(|(t, _)| t == "Social Post Failed")
    });
    let detail = &logged
        .iter()
        .find(|(t, _)| t == "Social Post Failed")
        .unwrap()
        .1;
    assert_eq!(detail["reason"], json!("missing-credentials"));
    assert_eq!(
        (
            browser.text(&format!("{failed} .reason-words")).await,
            browser.text(&format!("{failed} .reason")).await,
        ),
        (
            detail["reasonMessage"].as_str().unwrap().to_string(),
            "missing-credentials, while sending".to_string()
        )
    );
    assert_eq!(
        detail["reasonMessage"],
        json!("X credentials are missing: set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret")
    );
    assert_eq!(x.created().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_token_the_page_asks_for_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let mut cmd = command(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    cmd.env("SPS_API_TOKEN", "browser-token-0123456789");
    let server = spawn(cmd);
    let browser = Browser::start(1280, 900).await;
    browser.client.goto(&server.base).await.unwrap();
    let token = browser.wait_for_css("#token").await;
    assert_eq!(browser.client.current_url().await.unwrap().path(), "/login");
    token.send_keys("not-it").await.unwrap();
    token.send_keys(&Key::Enter.to_string()).await.unwrap();
    browser
        .wait_for_text(
            ".problem",
            "That is not the API token this server was started with (SPS_API_TOKEN).",
        )
        .await;
    let token = browser.wait_for_css("#token").await;
    token.send_keys("browser-token-0123456789").await.unwrap();
    token.send_keys(&Key::Enter.to_string()).await.unwrap();
    browser.wait_for_css("body[data-ready=yes]").await;
    let platforms = browser
        .run(
            "return Array.from(document.querySelectorAll('#platform option')).map(o => o.value)",
            vec![],
        )
        .await;
    assert_eq!(platforms, json!(support::PLATFORMS));
    // The cookie is HttpOnly: no script of the page can read it.
    assert_eq!(
        browser.run("return document.cookie", vec![]).await,
        json!("")
    );
    // Once in, the page keeps working: it schedules through the API with the cookie.
    browser
        .wait_for_css("#reference")
        .await
        .send_keys("with-token")
        .await
        .unwrap();
    type_message(&browser, "Behind a token").await;
    set_date(&browser, "2030-10-23T10:48:00").await;
    browser.click("#submit").await;
    browser
        .wait_for_text(
            "#answer",
            "Scheduled with-token for Wed, Oct 23, 2030, 10:48:00 AM.",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_on_another_site_cannot_schedule_through_the_browser() {
    let (x, server, _dir) = started(true);
    // Another origin's page that posts JSON as text/plain to /events as soon as it loads.
    let page = format!(
        r#"<!doctype html><form id="f" method="post" enctype="text/plain" action="{}/events"><input name='{{"detail-type":"Schedule Social Post","source":"evil","detail":{{"message":"forged","platform":"twitter","referenceNumber":"forged","scheduledDate":"2030-01-01T00:00:00","x":"' value='"}}}}'></form><script>document.getElementById("f").submit()</script>"#,
        server.base
    );
    let (listener, evil) = support::fake_x::loopback_listener();
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let page = page.clone();
            async move { axum::response::Html(page) }
        }),
    );
    let _evil = support::fake_x::serve_on_thread(listener, app);
    let browser = Browser::start(1280, 900).await;
    // localhost and 127.0.0.1 are different sites (127.0.0.1 on another port would be
    // the same site, which is refused as well: tests/web.rs).
    browser
        .client
        .goto(&evil.replace("127.0.0.1", "localhost"))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let answer = loop {
        let text = browser.text("body").await;
        if text.contains("cross-site-request") {
            break text;
        }
        assert!(
            started.elapsed() < support::browser::WAIT,
            "page shows {text:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(
        serde_json::from_str::<Value>(&answer).unwrap(),
        json!({"status": "error", "reason": "cross-site-request",
               "message": "a request from another site cannot change anything here (Sec-Fetch-Site is cross-site); use the page this server serves at / or an API client"})
    );
    assert_eq!(get(&server.base, "/events"), json!([]));
    assert_eq!(get(&server.base, "/schedules"), json!([]));
    assert_eq!(x.created().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_is_readable_at_360_pixels_wide() {
    let (_x, server, _dir) = started(true);
    screenshots::book_a_week(&server.base);
    let browser = Browser::start(360, 800).await;
    browser.open(&server.base).await;
    browser.click("#next-week").await;
    browser.wait_for_css("#week li.post").await;
    type_message(&browser, "A draft on a phone https://example.com").await;
    browser.wait_for_text("#counter-0", "42 / 280").await;
    // Nothing is wider than the window: no sideways scrolling.
    let widths = browser
        .run(
            "return [document.documentElement.clientWidth, document.documentElement.scrollWidth]",
            vec![],
        )
        .await;
    assert_eq!(widths, json!([360, 360]));
}

#[tokio::test(flavor = "multi_thread")]
async fn screenshots_of_the_three_views() {
    let (_x, server, _dir) = started(true);
    screenshots::book_a_week(&server.base);
    let browser = Browser::start(1280, 1200).await;
    browser.open(&server.base).await;
    screenshots::take(&browser).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_click_schedules_once_and_the_next_draft_is_a_new_post() {
    let (_x, server, _dir) = started(true);
    let browser = Browser::start(1280, 900).await;
    browser.open(&server.base).await;
    type_message(&browser, "Pressed twice").await;
    set_date(&browser, "2030-10-23T10:48:00").await;
    browser.wait_for_text("#counter-0", "13 / 280").await;
    // Two clicks in one go, as a double click sends them.
    browser
        .run(
            "const b = document.getElementById('submit'); b.click(); b.click();",
            vec![],
        )
        .await;
    let started = std::time::Instant::now();
    while !browser.text("#answer").await.starts_with("Scheduled ") {
        assert!(started.elapsed() < support::browser::WAIT, "no answer");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let pending = get(&server.base, "/schedules");
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    // The draft starts again: the next message is a new post, not an update.
    assert_eq!(
        browser
            .run("return document.getElementById('reference').value", vec![])
            .await,
        json!("")
    );
    type_message(&browser, "Another post").await;
    set_date(&browser, "2030-10-23T11:48:00").await;
    browser.press_enter("#submit").await;
    let started = std::time::Instant::now();
    while get(&server.base, "/schedules").as_array().unwrap().len() < 2 {
        assert!(
            started.elapsed() < support::browser::WAIT,
            "the second post replaced the first"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_url_that_is_not_http_is_not_a_link() {
    let (_x, server, _dir) = started(true);
    let browser = Browser::start(1280, 900).await;
    browser.open(&server.base).await;
    // A platform's answer is not trusted: a `javascript:` URL from an instance is shown
    // without a link; an https one is a link.
    browser
        .run(
            "arrived({id: 'e1', 'detail-type': 'Social Post Sent', time: '2030-01-01T00:00:00Z', \
               detail: {referenceNumber: 'evil', postId: '1', postUrl: 'javascript:alert(1)'}}); \
             arrived({id: 'e2', 'detail-type': 'Social Post Sent', time: '2030-01-01T00:00:00Z', \
               detail: {referenceNumber: 'fine', postId: '2', postUrl: 'https://example.social/@a/2'}});",
            vec![],
        )
        .await;
    let links = browser
        .run(
            "return Array.from(document.querySelectorAll('#events li')).map(e => \
             [e.dataset.reference, e.querySelector('a') ? e.querySelector('a').href : null])",
            vec![],
        )
        .await;
    assert_eq!(
        links,
        json!([["fine", "https://example.social/@a/2"], ["evil", null]])
    );
}
