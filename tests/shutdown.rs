//! `sps serve` stopping and starting: one process per data directory, and SIGTERM lets the
//! delivery in flight finish and record its outcome before the process exits 0.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use support::api::{events_until, post, readme_event, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};
use support::serve::{command, serve};

/// A second `sps serve` on the same data directory refuses to start and names the first.
#[test]
fn a_second_instance_on_one_data_directory_refuses_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let secrets = secrets_file(dir.path());
    let x = FakeX::start();
    let first = serve(&data, &x, &secrets);
    let second = command(&data, &x, &secrets)
        .stderr(Stdio::piped())
        .output()
        .expect("run the second sps serve");
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    let want = format!(
        "error: the data directory {} is in use by another sps serve (process {}): stop it, or set SPS_DATA_DIR to another directory",
        data.display(),
        first.child.id()
    );
    assert!(stderr.lines().any(|l| l == want), "{stderr}");
    assert!(second.stdout.is_empty());
}

/// SIGTERM two seconds into a slow X call: the call finishes, `Social Post Sent` is
/// recorded, the process exits 0, and after a restart nothing is sent again.
#[test]
fn sigterm_lets_the_delivery_in_flight_finish() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let secrets = secrets_file(dir.path());
    let x = FakeX::start();
    x.delay(Duration::from_secs(3));
    let mut server = serve(&data, &x, &secrets);
    let date = support::utc_in(1);
    assert_eq!(post(&server.base, &readme_event("drained", &date)).0, 201);
    let deadline = Instant::now() + Duration::from_secs(20);
    while x.received().is_empty() {
        assert!(Instant::now() < deadline, "X was never called");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(2));
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
    let stopped = Instant::now();
    let status = server.child.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
    assert!(
        stopped.elapsed() < Duration::from_secs(8),
        "{:?}",
        stopped.elapsed()
    );
    x.delay(Duration::ZERO);
    let server = serve(&data, &x, &secrets);
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(
        events,
        vec![
            (
                "Post Scheduled".to_string(),
                json!({"referenceNumber": "drained", "scheduledDate": date})
            ),
            (
                "Social Post Sent".to_string(),
                support::sent_detail("drained", FIRST_ID)
            ),
        ]
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(x.received().len(), 1);
}
