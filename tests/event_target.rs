//! Outcome events out of `sps serve`: to an event target (`SPS_EVENT_TARGET_URL`) at
//! least once, in order, with retries, across restarts and into the dead-letter queue;
//! and as server-sent events on `GET /events?follow=1`.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::BufReader;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use support::api::{events_until, get, post, readme_event, secrets_file};
use support::fake_x::FakeX;
use support::receiver::Receiver;
use support::serve::{command, spawn, Serve};

fn serve_to(data: &Path, x: &FakeX, target: &str, max_age: &str) -> Serve {
    let secrets = secrets_file(data.parent().unwrap());
    let mut cmd = command(data, x, &secrets);
    cmd.env("SPS_EVENT_TARGET_URL", target)
        .env("SPS_EVENT_TARGET_BACKOFF_SECONDS", "1")
        .env("SPS_EVENT_TARGET_MAX_AGE_SECONDS", max_age);
    spawn(cmd)
}

/// The ids of the events in `GET /events`, in order.
fn logged_ids(base: &str) -> Vec<Value> {
    get(base, "/events")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].clone())
        .collect()
}

fn ids(envelopes: &[Value]) -> Vec<Value> {
    envelopes.iter().map(|e| e["id"].clone()).collect()
}

#[test]
fn every_event_reaches_the_target_once_in_order_after_retries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let target = Receiver::start(&[500, 500]);
    let server = serve_to(&dir.path().join("data"), &x, &target.url, "3600");
    let (status, _) = post(&server.base, &readme_event("target", &support::utc_in(1)));
    assert_eq!(status, 201);
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(events.len(), 2);
    let delivered = target.delivered(2);
    // What the target took is the log itself, envelope for envelope, in order.
    assert_eq!(
        Value::Array(delivered.clone()),
        get(&server.base, "/events")
    );
    assert_eq!(
        delivered
            .iter()
            .map(|e| e["detail-type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        vec!["Post Scheduled", "Social Post Sent"]
    );
    let received = target.received();
    let statuses: Vec<u16> = received.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![500, 500, 200, 200]);
    // The first event was the one retried: the second waited behind it.
    assert_eq!(ids(&[received[0].body.clone()]), ids(&delivered[..1]));
    assert!(received
        .iter()
        .all(|r| r.content_type == "application/json"));
}

#[test]
fn a_target_down_across_a_restart_still_gets_every_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let x = FakeX::start();
    // A port with nothing listening on it yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/in");
    let logged = {
        let server = serve_to(&data, &x, &url, "3600");
        for reference in ["down1", "down2", "down3"] {
            let (status, _) = post(
                &server.base,
                &readme_event(reference, "2030-10-23T08:48:00"),
            );
            assert_eq!(status, 201);
        }
        std::thread::sleep(Duration::from_millis(1500));
        logged_ids(&server.base)
    };
    assert_eq!(logged.len(), 3);
    let target = Receiver::on(
        std::net::TcpListener::bind(("127.0.0.1", port)).unwrap(),
        &[],
    );
    let server = serve_to(&data, &x, &url, "3600");
    assert_eq!(ids(&target.delivered(3)), logged);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(target.received().len(), 3);
    drop(server);
}

#[test]
fn what_the_target_does_not_take_goes_to_the_dead_letter_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    // 400 is not retried, nor is a redirect (302, not followed); 503 is, until the
    // maximum event age (2 s) is reached.
    let target = Receiver::start(&[400, 302]);
    target.then_answer(503);
    let server = serve_to(&dir.path().join("data"), &x, &target.url, "2");
    for reference in ["refused", "redirected", "aged"] {
        post(
            &server.base,
            &readme_event(reference, "2030-10-23T08:48:00"),
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let letters = loop {
        let letters = get(&server.base, "/dead-letters");
        if letters.as_array().unwrap().len() >= 3 || std::time::Instant::now() > deadline {
            break letters;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let logged = get(&server.base, "/events");
    let origin = target.url.trim_end_matches("/in");
    let mut letters = letters.as_array().unwrap().clone();
    assert_eq!(letters.len(), 3, "{letters:?}");
    assert_eq!(letters[1]["input"], logged[1]);
    assert_eq!(
        letters[1]["error"],
        "the event target answered HTTP 302, which is not retried"
    );
    letters.remove(1);
    assert_eq!(letters[0]["scheduleName"], Value::Null);
    assert_eq!(letters[0]["target"], origin);
    assert_eq!(letters[0]["input"], logged[0]);
    assert_eq!(letters[0]["attempts"], 1);
    assert_eq!(
        letters[0]["error"],
        "the event target answered HTTP 400, which is not retried"
    );
    assert_eq!(letters[1]["input"], logged[2]);
    let attempts = letters[1]["attempts"].as_u64().unwrap();
    assert!((2..=3).contains(&attempts), "{attempts}");
    // The last attempt is made when the age reaches 2 s; none is made after it.
    std::thread::sleep(Duration::from_millis(1500));
    let tries = target
        .received()
        .iter()
        .filter(|r| r.body["id"] == logged[2]["id"])
        .count();
    assert_eq!(u64::try_from(tries).unwrap(), attempts);
    assert_eq!(
        letters[1]["error"],
        format!("not delivered within the maximum event age of 2 s ({attempts} attempts); the last: the event target answered HTTP 503")
    );

    // Retried by hand, the event is queued again and the target (now answering 200) takes it.
    target.then_answer(200);
    let id = letters[0]["id"].as_i64().unwrap();
    let response = ureq::post(&format!("{}/dead-letters/{id}/retry", server.base))
        .send_empty()
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(
        response.into_body().read_json::<Value>().unwrap(),
        json!({"status": "due", "eventId": logged[0]["id"]})
    );
    assert_eq!(target.delivered(1), vec![logged[0].clone()]);
    assert_eq!(
        get(&server.base, "/dead-letters").as_array().unwrap().len(),
        2
    );
}

fn get_events(base: &str, query: &str) -> (u16, Option<String>, Value) {
    support::api::get_page(base, &format!("/events{query}"))
}

/// Reads server-sent events from `reader` until `n` messages came: `(id, data)`.
fn messages(reader: &mut impl std::io::BufRead, n: usize) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let (mut id, mut data) = (String::new(), String::new());
    while out.len() < n {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream ended");
        let line = line.trim_end_matches('\n');
        if let Some(v) = line.strip_prefix("id: ") {
            id = v.to_string();
        } else if let Some(v) = line.strip_prefix("data: ") {
            data.push_str(v);
        } else if line.is_empty() && !data.is_empty() {
            out.push((
                std::mem::take(&mut id),
                serde_json::from_str(&data).unwrap(),
            ));
            data.clear();
        }
    }
    out
}

fn follow(base: &str, query: &str, last_event_id: Option<&str>) -> impl std::io::BufRead {
    let mut request = ureq::get(&format!("{base}/events?follow=1{query}"));
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    let response = request.call().unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    BufReader::new(response.into_body().into_reader())
}

#[test]
fn the_log_streams_as_server_sent_events_without_gaps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = support::serve::serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    for reference in ["sse1", "sse2"] {
        post(
            &server.base,
            &readme_event(reference, "2030-10-23T08:48:00"),
        );
    }
    let logged = get(&server.base, "/events");
    let mut from_start = follow(&server.base, "&after=0", None);
    assert_eq!(
        messages(&mut from_start, 2),
        vec![
            ("1".to_string(), logged[0].clone()),
            ("2".to_string(), logged[1].clone())
        ]
    );
    // Without a cursor the stream starts with the next event; a reconnecting client's
    // Last-Event-ID resumes after it.
    let mut from_now = follow(&server.base, "", None);
    let mut resumed = follow(&server.base, "", Some("1"));
    post(&server.base, &readme_event("sse3", "2030-10-23T08:48:00"));
    let third = get(&server.base, "/events")[2].clone();
    assert_eq!(
        messages(&mut from_start, 1),
        vec![("3".to_string(), third.clone())]
    );
    assert_eq!(
        messages(&mut from_now, 1),
        vec![("3".to_string(), third.clone())]
    );
    assert_eq!(
        messages(&mut resumed, 2),
        vec![
            ("2".to_string(), logged[1].clone()),
            ("3".to_string(), third.clone())
        ]
    );
    // `last=<n>` starts with the newest n events (the page's outcomes).
    let mut newest = follow(&server.base, "&last=2", None);
    assert_eq!(
        messages(&mut newest, 2),
        vec![
            ("2".to_string(), logged[1].clone()),
            ("3".to_string(), third)
        ]
    );
    for last in ["0", "1001", "x"] {
        let (status, _, body) = get_events(&server.base, &format!("?follow=1&last={last}"));
        assert_eq!(
            (status, body["message"].clone()),
            (
                400,
                json!(format!(
                    "last must be a whole number from 1 to 1000, not {last:?}"
                ))
            )
        );
    }

    let bad = |query: &str| {
        let (status, _, body) = get_events(&server.base, &format!("?{query}"));
        (status, body["message"].clone())
    };
    for (after, text) in [("-1", "-1"), ("%2B3", "+3"), ("%203", " 3"), ("1.5", "1.5")] {
        assert_eq!(
            bad(&format!("follow=1&after={after}")),
            (
                400,
                json!(format!(
                    "after must be the id of an event in the stream (a whole number), not {text:?}"
                ))
            ),
            "{after}"
        );
    }
    assert_eq!(
        bad("follow=1&after=x"),
        (
            400,
            json!("after must be the id of an event in the stream (a whole number), not \"x\"")
        )
    );
    assert_eq!(
        bad("follow=yes"),
        (400, json!("follow must be 1 or true, not \"yes\""))
    );
}

#[test]
fn the_log_pages_with_the_same_cursor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let server = support::serve::serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    for reference in ["page1", "page2", "page3"] {
        post(
            &server.base,
            &readme_event(reference, "2030-10-23T08:48:00"),
        );
    }
    let all = get(&server.base, "/events");
    assert_eq!(all.as_array().map(Vec::len), Some(3));
    let page = |query: &str| get_events(&server.base, query);
    assert_eq!(page(""), (200, None, all.clone()));
    let next = "</events?after=2&limit=2>; rel=\"next\"".to_string();
    assert_eq!(page("?limit=2"), (200, Some(next), json!([all[0], all[1]])));
    assert_eq!(page("?after=2&limit=2"), (200, None, json!([all[2]])));
    assert_eq!(page("?after=1"), (200, None, json!([all[1], all[2]])));
    assert_eq!(page("?after=3"), (200, None, json!([])));
    let refused = |query: &str, message: &str| {
        assert_eq!(
            page(query),
            support::api::invalid_request(message),
            "{query}"
        );
    };
    refused(
        "?limit=0",
        "limit must be a whole number from 1 to 1000, not \"0\"",
    );
    refused(
        "?limit=1001",
        "limit must be a whole number from 1 to 1000, not \"1001\"",
    );
    refused(
        "?after=-1",
        "after must be the id of an event in the stream (a whole number), not \"-1\"",
    );
}
