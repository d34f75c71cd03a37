//! Where `validate`'s limits come from: settings, the cache, the instance, defaults.

use std::collections::HashMap;

use sps_platform::{HttpResponse, TransportError};

use super::*;

const INSTANCE: &str = r#"{"domain":"mastodon.example","configuration":{"statuses":{"max_characters":5000,"max_media_attachments":4,"characters_reserved_per_url":30}}}"#;

/// Settings, a key-value store, a clock and one scripted answer per request.
struct Fake {
    settings: HashMap<String, String>,
    store: HashMap<String, Vec<u8>>,
    now: u64,
    answers: Vec<Result<HttpResponse, TransportError>>,
    sent: Vec<HttpRequest>,
}

impl Fake {
    fn new(settings: &[(&str, &str)]) -> Fake {
        Fake {
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            store: HashMap::new(),
            now: 1_800_000_000,
            answers: Vec::new(),
            sent: Vec::new(),
        }
    }

    fn answer(mut self, status: u16, body: &str) -> Fake {
        self.answers.push(Ok(HttpResponse {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }));
        self
    }

    fn urls(&self) -> Vec<&str> {
        self.sent.iter().map(|r| r.url.as_str()).collect()
    }
}

impl Capabilities for Fake {
    fn setting(&mut self, key: &str) -> Result<Option<String>, String> {
        Ok(self.settings.get(key).cloned())
    }
    fn now_unix_seconds(&mut self) -> u64 {
        self.now
    }
    fn nonce(&mut self) -> String {
        unreachable!("reading limits needs no nonce")
    }
    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.push(request.clone());
        assert!(!self.answers.is_empty(), "unexpected request {request:?}");
        self.answers.remove(0)
    }
    fn kv_get(&mut self, key: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.store.get(key).cloned())
    }
    fn kv_set(&mut self, key: &str, value: &[u8]) -> Result<(), String> {
        self.store.insert(key.to_string(), value.to_vec());
        Ok(())
    }
}

fn limits_of(max_characters: u64, characters_reserved_per_url: u64) -> Limits {
    Limits {
        max_characters,
        characters_reserved_per_url,
    }
}

const BASE: (&str, &str) = ("base_url", "https://mastodon.example/");

#[test]
fn the_instance_is_read_once_and_its_limits_cached_for_a_day() {
    let mut fake = Fake::new(&[BASE])
        .answer(200, INSTANCE)
        .answer(200, INSTANCE);
    assert_eq!(limits(&mut fake), Ok(limits_of(5000, 30)));
    assert_eq!(fake.urls(), ["https://mastodon.example/api/v2/instance"]);
    assert_eq!(fake.sent[0].method, "GET");
    assert_eq!(
        String::from_utf8_lossy(&fake.store[CACHE_KEY]),
        r#"{"base_url":"https://mastodon.example","max_characters":5000,"characters_reserved_per_url":30,"fetched_at":1800000000}"#
    );
    fake.now += CACHE_SECONDS - 1;
    assert_eq!(limits(&mut fake), Ok(limits_of(5000, 30)));
    assert_eq!(fake.sent.len(), 1, "cached: no second request");
    fake.now += 1;
    assert_eq!(limits(&mut fake), Ok(limits_of(5000, 30)));
    assert_eq!(
        fake.sent.len(),
        2,
        "a day later the instance is asked again"
    );
}

#[test]
fn stale_limits_serve_while_the_instance_is_down_and_defaults_without_any() {
    let mut fake = Fake::new(&[BASE]).answer(503, "unavailable");
    assert_eq!(limits(&mut fake), Ok(limits_of(500, 23)));
    assert!(fake.store.is_empty());
    fake.store.insert(
        CACHE_KEY.to_string(),
        br#"{"base_url":"https://mastodon.example","max_characters":800,"characters_reserved_per_url":23,"fetched_at":1}"#.to_vec(),
    );
    fake = fake.answer(
        200,
        r#"{"configuration":{"statuses":{"max_characters":0,"characters_reserved_per_url":23}}}"#,
    );
    assert_eq!(
        limits(&mut fake),
        Ok(limits_of(800, 23)),
        "0 is refused, the stale 800 kept"
    );
    assert_eq!(fake.sent.len(), 2);
}

#[test]
fn settings_win_and_without_an_instance_url_nothing_is_asked() {
    let mut fake = Fake::new(&[BASE, ("max_characters", "1000")]);
    assert_eq!(limits(&mut fake), Ok(limits_of(1000, 23)));
    let mut fake = Fake::new(&[]);
    assert_eq!(limits(&mut fake), Ok(limits_of(500, 23)));
    assert!(fake.sent.is_empty());
}

#[test]
fn limits_of_another_instance_are_not_used() {
    let mut fake = Fake::new(&[("base_url", "https://new.example")]).answer(200, INSTANCE);
    fake.store.insert(
        CACHE_KEY.to_string(),
        br#"{"base_url":"https://mastodon.example","max_characters":100,"characters_reserved_per_url":23,"fetched_at":1800000000}"#.to_vec(),
    );
    assert_eq!(limits(&mut fake), Ok(limits_of(5000, 30)));
    assert_eq!(fake.urls(), ["https://new.example/api/v2/instance"]);
}
