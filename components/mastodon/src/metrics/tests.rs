//! `metrics` over the fake capabilities of the publish tests: the exact request and what
//! each answer becomes.

use super::*;
use crate::publish::tests::{Fake, TOKEN};

const STATUS_200: &str = r#"{"id":"103704874086360371","created_at":"2026-12-05T09:30:00.000Z","replies_count":3,"reblogs_count":4,"favourites_count":20,"url":"https://mastodon.example/@sps/103704874086360371","content":"<p>Hello</p>"}"#;

#[test]
fn metrics_reads_the_status_counts() {
    let mut fake = Fake::configured().answer(200, STATUS_200);
    assert_eq!(
        metrics(&mut fake, "default", "103704874086360371"),
        Ok(Engagement {
            likes: 20,
            reposts: 4,
            replies: 3,
            impressions: None,
        })
    );
    assert_eq!(
        fake.sent,
        [HttpRequest {
            method: "GET".to_string(),
            url: "https://mastodon.example/api/v1/statuses/103704874086360371".to_string(),
            headers: vec![
                ("authorization".to_string(), format!("Bearer {TOKEN}")),
                ("accept".to_string(), "application/json".to_string()),
            ],
            body: Vec::new(),
        }]
    );
}

#[test]
fn metrics_errors_say_whether_a_later_reading_may_succeed() {
    let mut fake = Fake::configured().answer(404, r#"{"error":"Record not found"}"#);
    assert_eq!(
        metrics(&mut fake, "default", "1"),
        Err(PublishError::Invalid(
            "the Mastodon instance has no status 1: HTTP 404: Record not found".to_string()
        ))
    );
    let mut fake = Fake::configured().answer(502, "");
    assert_eq!(
        metrics(&mut fake, "default", "1"),
        Err(PublishError::Transient(
            "the Mastodon instance could not show status 1: HTTP 502".to_string()
        ))
    );
    let mut fake = Fake::configured();
    assert_eq!(
        metrics(&mut fake, "default", "../admin"),
        Err(PublishError::Invalid(
            "\"../admin\" is not a Mastodon status id".to_string()
        ))
    );
    let mut fake = Fake::new(&[("base_url", "https://mastodon.example")]);
    assert_eq!(
        metrics(&mut fake, "work", "1"),
        Err(PublishError::MissingCredentials(
            "Mastodon credentials are missing for the account \"work\": set its access_token"
                .to_string()
        ))
    );
    assert!(fake.sent.is_empty());
}
