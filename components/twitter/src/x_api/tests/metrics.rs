//! `metrics`: the signed `GET /2/tweets/{id}?tweet.fields=public_metrics` and how X's
//! answers map to engagement or an error.

use super::publish::{signature_checks, FakeWorld};
use super::*;
use crate::x_api::metrics::{map_metrics_response, metrics};
use sps_platform::Engagement;

const METRICS_200: &str = r#"{"data":{"id":"1445880548472328192","text":"Hello world!","edit_history_tweet_ids":["1445880548472328192"],"public_metrics":{"retweet_count":10,"reply_count":5,"like_count":100,"quote_count":2,"bookmark_count":3,"impression_count":1500}}}"#;
const DELETED_200: &str = r#"{"errors":[{"value":"1445880548472328192","detail":"Could not find tweet with id: [1445880548472328192].","title":"Not Found Error","resource_type":"tweet","parameter":"id","resource_id":"1445880548472328192","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#;

#[test]
fn metrics_reads_public_metrics_with_a_signed_get() {
    let mut world = FakeWorld::with_credentials().answer(Ok(response(200, &[], METRICS_200)));
    assert_eq!(
        metrics(&mut world, "default", "1445880548472328192"),
        Ok(Engagement {
            likes: 100,
            reposts: 12,
            replies: 5,
            impressions: Some(1500),
        })
    );
    let sent = &world.sent[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.url,
        "https://api.x.com/2/tweets/1445880548472328192?tweet.fields=public_metrics"
    );
    assert!(sent.body.is_empty());
    // The query is part of the signature base string (RFC 5849 section 3.4.1.3).
    assert!(signature_checks(sent, &x_docs()));
}

#[test]
fn metrics_without_impressions_or_credentials() {
    let body = r#"{"data":{"id":"7","public_metrics":{"retweet_count":1,"reply_count":0,"like_count":4,"quote_count":0}}}"#;
    assert_eq!(
        map_metrics_response("7", &response(200, &[], body)),
        Ok(Engagement {
            likes: 4,
            reposts: 1,
            replies: 0,
            impressions: None,
        })
    );
    let mut world = FakeWorld::with_credentials().set(SETTING_ACCESS_TOKEN, Ok(None));
    assert_eq!(
        metrics(&mut world, "work", "7"),
        Err(PublishError::MissingCredentials(
            "X credentials are missing for the account \"work\": set xApiKey, xApiKeySecret, xAccessToken and xAccessTokenSecret".to_string()
        ))
    );
    assert!(world.sent.is_empty());
}

#[test]
fn metrics_errors_say_whether_a_later_reading_may_succeed() {
    let answer = |status, headers: &[(&str, &str)], body| {
        map_metrics_response("7", &response(status, headers, body))
    };
    assert_eq!(
        answer(200, &[], DELETED_200),
        Err(PublishError::Invalid(
            "X has no post 7 (deleted or not visible): HTTP 200 (Could not find tweet with id: \
             [1445880548472328192].)"
                .to_string()
        ))
    );
    assert_eq!(
        answer(429, &[("x-rate-limit-reset", "1700000000")], TOO_MANY_429),
        Err(PublishError::RateLimited {
            retry_at: Some(1_700_000_000),
            message: "X rate limit reached: HTTP 429 Too Many Requests; \
                      retry at or after 2023-11-14T22:13:20Z"
                .to_string()
        })
    );
    assert_eq!(
        answer(401, &[], UNAUTHORIZED_401),
        Err(PublishError::Auth(
            "X rejected the credentials: HTTP 401 Unauthorized".to_string()
        ))
    );
    assert_eq!(
        answer(503, &[], ""),
        Err(PublishError::Transient(
            "X could not show post 7: HTTP 503".to_string()
        ))
    );
    let mut world = FakeWorld::with_credentials();
    assert_eq!(
        metrics(&mut world, "default", "12ab"),
        Err(PublishError::Invalid(
            "\"12ab\" is not an X post id (decimal digits)".to_string()
        ))
    );
    assert!(world.sent.is_empty());
    assert_eq!(
        metrics(&mut world, "default", "7"),
        Err(PublishError::Transient(
            "could not reach X: no answer scripted".to_string()
        ))
    );
}
