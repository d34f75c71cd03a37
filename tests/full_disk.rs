//! `sps serve` on a full file system: deliveries wait, backing off, the failure is logged
//! once a minute rather than thousands of times a second, and the post goes out once space
//! returns. The data directory is a 4 MiB tmpfs the test mounts (root only, as in CI).

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::api::{events_until, post, readme_event, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};

/// A tmpfs of `size` mounted at a fresh directory; unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!(
                "mount -t tmpfs failed ({status}): the test needs root"
            ));
        }
        Ok(Self { dir })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_makes_deliveries_wait_quietly_and_they_resume_when_space_returns() {
    let fs = match Tmpfs::mount("4m") {
        Ok(fs) => fs,
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!("\n*** THE FULL-DISK TEST DID NOT RUN: {why}\n");
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let mut cmd = support::serve::command(fs.dir.path(), &x, &secrets_file(dir.path()));
    cmd.stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn sps");
    let failures = Arc::new(AtomicUsize::new(0));
    let lines = Arc::new(AtomicUsize::new(0));
    let stderr = child.stderr.take().expect("stderr");
    {
        let (failures, lines) = (failures.clone(), lines.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.fetch_add(1, Ordering::Relaxed);
                if line.contains("timer: the local store failed") {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    let server = support::serve::listening(child);
    let date = support::utc_in(3);
    assert_eq!(post(&server.base, &readme_event("diskfull", &date)).0, 201);
    // Fill the file system to the last byte.
    let filler = fs.dir.path().join("filler");
    let mut file = std::fs::File::create(&filler).expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    let mut byte = [0u8; 1];
    while file.write_all(&byte[..]).is_ok() {
        byte[0] = 1;
    }
    drop(file);
    let lines_before = lines.load(Ordering::Relaxed);
    std::thread::sleep(Duration::from_secs(8));
    assert!(x.received().is_empty(), "posted with a full disk");
    let logged = lines.load(Ordering::Relaxed) - lines_before;
    assert_eq!(
        failures.load(Ordering::Relaxed),
        1,
        "logged {logged} lines in 8 s"
    );
    assert!(logged < 20, "logged {logged} lines in 8 s");
    std::fs::remove_file(&filler).expect("free the space");
    let freed = Instant::now();
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert!(
        freed.elapsed() < Duration::from_secs(20),
        "{:?}",
        freed.elapsed()
    );
    assert_eq!(events[1].0, "Social Post Sent");
    assert_eq!(events[1].1["postId"], FIRST_ID.to_string());
    assert_eq!(x.received().len(), 1);
}
