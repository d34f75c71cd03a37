//! The `sps` client commands against a real `sps serve` (real components, SQLite, the fake
//! X): exact tables and JSON on stdout, exact errors on stderr, and the exit codes 0 done,
//! 1 rejected, 2 wrong usage, 3 server unreachable.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::process::{Command, Stdio};

use serde_json::{json, Value};
use support::api::{events_until, get, secrets_file};
use support::cli::{lines, sps};
use support::fake_x::FakeX;
use support::serve::serve;

#[test]
fn schedule_list_cancel_and_events_work_against_sps_serve() {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let base = server.base.as_str();

    let (code, out, err) = sps(
        base,
        &[
            "schedule",
            "-p",
            "twitter",
            "-m",
            "Guten Morgen, Welt",
            "-d",
            "2031-03-30T09:30:00",
            "--time-zone",
            "Europe/Berlin",
            "-r",
            "gm",
        ],
        None,
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        lines(&out),
        [
            " STATUS               REFERENCE  SCHEDULE    DATE (UTC)",
            " scheduled (created)  gm         twitter-gm  2031-03-30T07:30:00",
        ]
    );
    let file = r#"{"message": "From a file", "platform": "twitter", "scheduledDate": "2031-01-01T00:00:00", "referenceNumber": "f"}"#;
    let (code, out, _) = sps(base, &["schedule", "--file", "-", "--json"], Some(file));
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        json!({"status": "scheduled", "action": "created", "referenceNumber": "f", "scheduleName": "twitter-f", "scheduledDate": "2031-01-01T00:00:00"})
    );

    let (code, out, _) = sps(base, &["list"], None);
    assert_eq!(code, 0);
    assert_eq!(
        lines(&out),
        [
            " REFERENCE  PLATFORM  AT                    FIRES AT              MESSAGE",
            " f          twitter   2031-01-01T00:00:00Z  2031-01-01T00:00:00Z  From a file",
            " gm         twitter   2031-03-30T07:30:00Z  2031-03-30T07:30:00Z  Guten Morgen, Welt",
        ]
    );

    let (code, out, err) = sps(base, &["cancel", "gm", "--platform", "twitter"], None);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "cancelled twitter-gm\n", "")
    );
    let (code, out, err) = sps(base, &["cancel", "gm", "-p", "twitter"], None);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "cancelled twitter-gm\n", "")
    );
    let (code, out, err) = sps(base, &["cancel", "nobody", "-p", "twitter"], None);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (1, "", "error: rejected: schedule-not-found: no pending post \"nobody\" on twitter: it was never scheduled, or its schedule is gone (deleted, or its delivery failed and was reported)\n")
    );

    let (code, out, _) = sps(base, &["list", "--json"], None);
    assert_eq!(code, 0);
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.as_array().map(|a| a.len()), Some(1));
    assert_eq!(listed[0]["name"], "twitter-f");

    events_until(base, |e| e.len() >= 5);
    let (code, out, _) = sps(base, &["events", "--reference", "gm"], None);
    assert_eq!(code, 0);
    let rows: Vec<Vec<String>> = lines(&out)
        .iter()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    assert_eq!(rows[0], ["TIME", "REFERENCE", "WHAT", "DETAIL-TYPE"]);
    let what: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        what,
        [
            ("for 2031-03-30T07:30:00", "Post Scheduled"),
            ("on twitter", "Social Post Cancelled"),
            ("on twitter", "Social Post Cancelled"),
        ]
    );
    assert!(x.received().is_empty());
}

#[test]
fn a_rejected_post_exits_1_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let long = "a".repeat(281);
    let (code, out, err) = sps(
        &server.base,
        &[
            "schedule",
            "-p",
            "twitter",
            "-m",
            &long,
            "-d",
            "2031-01-01T00:00:00",
            "-r",
            "long",
        ],
        None,
    );
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (1, "", "error: rejected: message-too-long: message is 281 weighted characters; X allows at most 280\n")
    );
}

#[test]
fn a_server_that_is_not_there_exits_3_and_wrong_usage_exits_2() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let (code, out, err) = sps(&base, &["list"], None);
    assert_eq!((code, out.as_str()), (3, ""));
    assert!(
        err.starts_with(&format!("error: cannot reach sps serve at {base}: ")),
        "{err}"
    );
    assert!(
        err.ends_with("(is it running? --server or SPS_SERVER names another)\n"),
        "{err}"
    );
    let (code, _, err) = sps(&base, &["schedule", "-m", "no platform, no date"], None);
    assert_eq!(code, 2);
    assert!(err.contains("--platform <PLATFORM>"), "{err}");
    let (code, _, err) = sps(
        &base,
        &["schedule", "--file", "/nonexistent/event.json"],
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: cannot read /nonexistent/event.json: "),
        "{err}"
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in ["schedule", "list", "cancel", "events"] {
        let (code, out, _) = sps("http://127.0.0.1:9", &[command, "--help"], None);
        assert_eq!(code, 0, "{command}");
        assert!(
            out.contains(&format!("Examples:\n  sps {command}")),
            "{command}: {out}"
        );
        assert!(out.contains("--server <SERVER>"), "{command}");
        assert!(out.contains("--json"), "{command}");
    }
}

#[test]
fn a_file_is_sent_as_it_is_and_only_a_schedule_event_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    let base = server.base.as_str();
    // A key twice reaches the server, which refuses it; --json prints its answer too.
    let twice = r#"{"message":"Hi","platform":"twitter","scheduledDate":"2031-01-01T00:00:00","message":"dup"}"#;
    let (code, out, err) = sps(base, &["schedule", "--file", "-", "--json"], Some(twice));
    assert_eq!(code, 1);
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["reason"], "invalid-json");
    assert!(err.starts_with("error: rejected: invalid-json: "), "{err}");
    let put_events =
        r#"{"Entries":[{"Source":"x","DetailType":"Schedule Social Post","Detail":"{}"}]}"#;
    let (code, out, err) = sps(base, &["schedule", "--file", "-"], Some(put_events));
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (2, "", "error: - holds a PutEvents request (Entries); sps schedule sends one Schedule Social Post event (or its detail)\n")
    );
    let cancel = r#"{"detail-type":"Cancel Social Post","detail":{"referenceNumber":"r","platform":"twitter"}}"#;
    let (code, _, err) = sps(base, &["schedule", "--file", "-"], Some(cancel));
    assert_eq!(
        (code, err.as_str()),
        (2, "error: - holds a Cancel Social Post event (use sps cancel); sps schedule sends one Schedule Social Post event (or its detail)\n")
    );
    assert_eq!(get(base, "/schedules"), json!([]));
}

#[test]
fn a_server_that_is_no_url_is_wrong_usage_and_a_closed_pipe_ends_quietly() {
    let (code, out, err) = sps("127.0.0.1:8080", &["list"], None);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (2, "", "error: --server (or SPS_SERVER) must be an http:// or https:// URL such as http://127.0.0.1:8080, not \"127.0.0.1:8080\"\n")
    );
    let dir = tempfile::tempdir().unwrap();
    let x = FakeX::start();
    let server = serve(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    for n in 0..3 {
        let reference = format!("p{n}");
        sps(
            &server.base,
            &[
                "schedule",
                "-p",
                "twitter",
                "-m",
                "m",
                "-d",
                "2031-01-01T00:00:00",
                "-r",
                &reference,
            ],
            None,
        );
    }
    // `sps events | head -1`: the reader closes the pipe after one line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_sps"))
        .args(["events", "--json"])
        .env("SPS_SERVER", &server.base)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned()
        ),
        (Some(0), String::new())
    );
}
