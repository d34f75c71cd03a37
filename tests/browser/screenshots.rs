//! The README's screenshots of the page (`docs/page-*.png`): a week with pending posts, a
//! sent one and a failed one, and a draft with a thread. Written only when
//! `SPS_SCREENSHOTS` is set (`SPS_SCREENSHOTS=1 cargo test -p sps --test browser
//! screenshots`), so ordinary runs leave the committed files alone; every run checks that
//! each view can be captured.

use chrono::{Datelike as _, Utc};
use fantoccini::Locator;
use serde_json::json;

use crate::support::api::{outcomes, post};
use crate::support::browser::{Browser, ZONE};

/// Books four posts over next week (Monday 09:30 to Friday 08:15 in the browser's zone),
/// one sent now and one that fails (an account without credentials), and waits for both
/// outcomes.
pub fn book_a_week(base: &str) {
    let zone: chrono_tz::Tz = ZONE.parse().unwrap();
    let today = Utc::now().with_timezone(&zone).date_naive();
    let monday = today + chrono::Days::new(7 - u64::from(today.weekday().num_days_from_monday()));
    let at = |days: u64, time: &str| {
        let local = (monday + chrono::Days::new(days))
            .and_time(chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap());
        local.and_local_timezone(zone).unwrap().with_timezone(&Utc)
    };
    let now = Utc::now();
    let posts = [
        (
            "launch-teaser",
            "Something new is coming on Thursday. Stay tuned!",
            at(0, "09:30"),
            None,
        ),
        (
            "launch-day",
            "It is here: https://example.com/launch #launch",
            at(3, "17:45"),
            None,
        ),
        (
            "launch-faq",
            "Your questions about the launch, answered",
            at(1, "12:00"),
            None,
        ),
        (
            "launch-recap",
            "Thank you for a wonderful launch week",
            at(4, "08:15"),
            None,
        ),
        ("hello-now", "Hello from sps serve", now, None),
        (
            "brand-hello",
            "A post for an account without keys",
            now,
            Some("brand"),
        ),
    ];
    for (reference, message, at, account) in posts {
        let mut detail = json!({"message": message, "platform": "twitter",
            "referenceNumber": reference,
            "scheduledDate": at.format("%Y-%m-%dT%H:%M:%S").to_string()});
        if let Some(account) = account {
            detail["account"] = json!(account);
        }
        let event =
            json!({"detail-type": "Schedule Social Post", "source": "test", "detail": detail});
        assert_eq!(post(base, &event).0, 201, "{reference}");
    }
    let ended = outcomes(base, 2);
    let mut types: Vec<&str> = ended.iter().map(|(t, _)| t.as_str()).collect();
    types.sort_unstable();
    assert_eq!(types, ["Social Post Failed", "Social Post Sent"]);
}

/// Writes a draft with a reply, then captures the compose, calendar and outcomes views;
/// with `SPS_SCREENSHOTS` set, into `docs/page-<view>.png`.
pub async fn take(browser: &Browser) {
    let area = browser.wait_for_css("#part-0").await;
    area.send_keys("Our launch post, with a link: https://example.com/launch")
        .await
        .unwrap();
    browser.click("#add-part").await;
    browser
        .wait_for_css("#part-1")
        .await
        .send_keys("And a reply with the details.")
        .await
        .unwrap();
    browser.wait_for_text("#counter-0", "53 / 280").await;
    browser.wait_for_text("#counter-1", "29 / 280").await;
    browser
        .wait_for_css("#events li.event[data-type='Social Post Sent']")
        .await;
    browser.click("#next-week").await;
    browser
        .wait_for_css("#week li.post[data-reference=launch-recap]")
        .await;
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let write = std::env::var_os("SPS_SCREENSHOTS").is_some();
    for view in ["compose", "calendar", "outcomes"] {
        // A capture holds what is in the viewport: the view is scrolled to its top first.
        browser
            .run(
                "document.getElementById(arguments[0]).scrollIntoView()",
                vec![json!(view)],
            )
            .await;
        let png = browser
            .client
            .find(Locator::Id(view))
            .await
            .unwrap()
            .screenshot()
            .await
            .unwrap();
        assert_eq!(png.get(..8), Some(&b"\x89PNG\r\n\x1a\n"[..]), "{view}");
        if write {
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::write(docs.join(format!("page-{view}.png")), &png).unwrap();
        }
    }
}
