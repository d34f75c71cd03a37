//! The local API as a client sees it, for `sps serve` and `spin up` alike.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub fn post(base: &str, body: &Value) -> (u16, Value) {
    post_bytes(base, &serde_json::to_vec(body).expect("json"))
}

/// `POST /events` with `body` as it is (JSON content type); the status and JSON answer.
pub fn post_bytes(base: &str, body: &[u8]) -> (u16, Value) {
    let response = ureq::post(&format!("{base}/events"))
        .config()
        .http_status_as_error(false)
        .build()
        .content_type("application/json")
        .send(body)
        .expect("POST /events");
    let status = response.status().as_u16();
    (status, response.into_body().read_json().expect("json"))
}

/// `PUT` (`body` as it is) or `DELETE` (`body` `None`) of `path`; the status and JSON answer.
pub fn put_or_delete(base: &str, path: &str, body: Option<&[u8]>) -> (u16, Value) {
    let url = format!("{base}{path}");
    let response = match body {
        Some(body) => ureq::put(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .content_type("application/json")
            .send(body),
        None => ureq::delete(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .call(),
    }
    .expect("PUT or DELETE");
    let status = response.status().as_u16();
    (status, response.into_body().read_json().expect("json"))
}

/// `GET {base}{path}` of a listing that pages: the status, the `Link` header and the JSON
/// answer.
pub fn get_page(base: &str, path: &str) -> (u16, Option<String>, Value) {
    let response = ureq::get(&format!("{base}{path}"))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .expect("GET");
    let status = response.status().as_u16();
    let link = response
        .headers()
        .get("link")
        .map(|v| v.to_str().expect("link").to_string());
    (
        status,
        link,
        response.into_body().read_json().expect("json"),
    )
}

/// What a listing answers to a query it refuses: 400, no `Link`, `invalid-request` with
/// `message`.
pub fn invalid_request(message: &str) -> (u16, Option<String>, Value) {
    (
        400,
        None,
        json!({"status": "rejected", "reason": "invalid-request",
                           "message": message, "referenceNumber": null}),
    )
}

pub fn get(base: &str, path: &str) -> Value {
    ureq::get(&format!("{base}{path}"))
        .call()
        .expect("GET")
        .into_body()
        .read_json()
        .expect("json")
}

/// The outcome events (every one but `Post Scheduled`), once there are `count` of them or
/// 30 s passed, in the order they were emitted.
pub fn outcomes(base: &str, count: usize) -> Vec<(String, Value)> {
    events_until(base, |e| {
        e.iter().filter(|(t, _)| t != "Post Scheduled").count() >= count
    })
    .into_iter()
    .filter(|(t, _)| t != "Post Scheduled")
    .collect()
}

/// The (detail-type, detail) of every emitted event, once `done` holds or 30 s passed.
pub fn events_until(base: &str, done: impl Fn(&[(String, Value)]) -> bool) -> Vec<(String, Value)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let events: Vec<(String, Value)> = get(base, "/events")
            .as_array()
            .expect("array")
            .iter()
            .map(|e| {
                (
                    e["detail-type"].as_str().unwrap_or_default().to_string(),
                    e["detail"].clone(),
                )
            })
            .collect();
        if done(&events) || Instant::now() > deadline {
            return events;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub fn readme_event(reference: &str, date: &str) -> Value {
    json!({"detail-type": "Schedule Social Post", "source": "test", "detail": {
        "message": "Hello world!", "platform": "twitter", "scheduledDate": date, "referenceNumber": reference}})
}

pub fn secrets_file(dir: &Path) -> PathBuf {
    let path = dir.join("secrets.json");
    std::fs::write(&path, super::SECRETS_JSON).expect("write secrets");
    // Readable by its owner only, as the README asks (else sps warns).
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod secrets");
    path
}

/// `GET /schedules` once it is empty, or as it is after 10 s: the outcome event of a
/// delivery is published a moment before its schedule is deleted.
pub fn schedules_once_empty(base: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pending = get(base, "/schedules");
        if pending == json!([]) || Instant::now() > deadline {
            return pending;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `GET /health` as `{"status","platforms"}`, and each component as (file, source).
pub fn health_summary(base: &str) -> (Value, Vec<(String, String)>) {
    let health = get(base, "/health");
    let components = health["components"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c["file"].as_str().unwrap_or_default().to_string(),
                        c["source"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (
        json!({"status": health["status"], "platforms": health["platforms"]}),
        components,
    )
}
