//! Swapped components across a refused swap and a restart, through the real binary:
//! `GET /health` reports each component's digest, source and load time and, while a
//! refused file is present, `degraded` with the reason; a restart with the broken file
//! still there starts from the last good set kept under the data directory's cache.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use support::api::{events_until, get, post, readme_event, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};
use support::serve::{command, spawn_logged, Serve};

/// Bytes that are no component.
const BROKEN: &[u8] = b"not a component";
/// Why wasmtime refuses [`BROKEN`], in one line (wasmparser prints the magic numbers as
/// pretty-printed arrays over 12 lines).
const BAD_MAGIC: &str = "failed to parse WebAssembly module: magic header not detected: bad magic number - expected=[ 0x0, 0x61, 0x73, 0x6d, ] actual=[ 0x6e, 0x6f, 0x74, 0x20, ] (at offset 0x0)";

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Puts `bytes` at `path` as an operator would: written beside it, then renamed in.
fn swap_in(path: &Path, bytes: &[u8]) {
    let staged = path.with_extension("staged");
    std::fs::write(&staged, bytes).expect("write");
    std::fs::rename(&staged, path).expect("rename");
}

/// The real twitter component with a custom section of its own: the same behaviour, a
/// digest of its own.
fn marked_twitter() -> Vec<u8> {
    let mut wasm =
        std::fs::read(support::components_dir().join("sps_twitter.wasm")).expect("twitter");
    support::append_custom_section(&mut wasm, "sps-test-swap", &[]);
    wasm
}

/// `sps serve` on `data` (its swaps in `data/components`), checking for changes every
/// second.
fn serve_on(data: &Path, x: &FakeX, secrets: &Path) -> (Serve, support::serve::Lines) {
    let mut cmd = command(data, x, secrets);
    cmd.env("SPS_RELOAD_SECONDS", "1");
    spawn_logged(cmd)
}

/// `GET /health` once `done` holds for it (at most 15 s).
fn health_when(base: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let health = get(base, "/health");
        if done(&health) || Instant::now() > deadline {
            return health;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The (file, sha256, source) of each component `health` lists, and checks that each
/// `loadedAt` is an RFC 3339 UTC time.
fn components(health: &Value) -> Vec<(String, String, String)> {
    health["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            let loaded_at = c["loadedAt"].as_str().unwrap_or_default();
            assert!(
                loaded_at.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(loaded_at).is_ok(),
                "{c}"
            );
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (text("file"), text("sha256"), text("source"))
        })
        .collect()
}

#[test]
fn a_refused_swap_degrades_health_and_a_restart_starts_from_the_last_good_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let swaps = data.join("components");
    std::fs::create_dir_all(&swaps).expect("mkdir");
    let twitter = swaps.join("sps_twitter.wasm");
    let marked = marked_twitter();
    swap_in(&twitter, &marked);
    let real = |file: &str| {
        let bytes = std::fs::read(support::components_dir().join(file)).expect("component");
        (file.to_string(), sha256(&bytes), "embedded".to_string())
    };
    let swapped = (
        "sps_twitter.wasm".to_string(),
        sha256(&marked),
        twitter.display().to_string(),
    );
    let x = FakeX::start();
    let secrets = secrets_file(dir.path());
    let (server, _) = serve_on(&data, &x, &secrets);
    let health = get(&server.base, "/health");
    assert_eq!(
        (&health["status"], &health["lastReloadError"]),
        (&json!("ok"), &Value::Null)
    );
    let good = vec![
        real("sps_bluesky.wasm"),
        real("sps_linkedin.wasm"),
        real("sps_mastodon.wasm"),
        real("sps_scheduler.wasm"),
        real("sps_sender.wasm"),
        swapped.clone(),
    ];
    assert_eq!(components(&health), good);

    // A broken file is refused: degraded, with the reason, the good set still in use.
    swap_in(&twitter, BROKEN);
    let health = health_when(&server.base, |h| h["status"] == "degraded");
    let reason = format!(
        "cannot compile component {}: {BAD_MAGIC}",
        twitter.display()
    );
    assert_eq!(
        (&health["status"], &health["lastReloadError"]["error"]),
        (&json!("degraded"), &json!(reason))
    );
    assert_eq!(components(&health), good);
    let date = support::utc_in(1);
    assert_eq!(post(&server.base, &readme_event("during", &date)).0, 201);
    let events = events_until(&server.base, |e| e.len() >= 2);
    assert_eq!(
        events[1],
        (
            "Social Post Sent".to_string(),
            support::sent_detail("during", FIRST_ID)
        )
    );

    // Killed and started again with the broken file still there: it starts from the
    // last good set and says so.
    drop(server);
    let (server, lines) = serve_on(&data, &x, &secrets);
    let health = get(&server.base, "/health");
    let last_good = data
        .join("cache")
        .join("last-good")
        .join("sps_twitter.wasm");
    assert_eq!(
        (&health["status"], &health["lastReloadError"]["error"]),
        (&json!("degraded"), &json!(reason))
    );
    assert_eq!(
        components(&health),
        vec![
            real("sps_bluesky.wasm"),
            real("sps_linkedin.wasm"),
            real("sps_mastodon.wasm"),
            real("sps_scheduler.wasm"),
            real("sps_sender.wasm"),
            (
                swapped.0.clone(),
                swapped.1.clone(),
                last_good.display().to_string()
            ),
        ]
    );
    let warned = lines.until("starting from the last good set");
    assert!(
        warned.iter().any(|l| l.contains(&format!(
            "the components directory holds a component that cannot be loaded; starting from the last good set, which ran before error={reason} last_good={}",
            data.join("cache").join("last-good").display()
        ))),
        "{warned:#?}"
    );

    // The real component renamed in: loaded, ok again, the reason gone.
    let real_twitter =
        std::fs::read(support::components_dir().join("sps_twitter.wasm")).expect("twitter");
    swap_in(&twitter, &real_twitter);
    let health = health_when(&server.base, |h| h["status"] == "ok");
    assert_eq!(
        (&health["status"], &health["lastReloadError"]),
        (&json!("ok"), &Value::Null)
    );
    assert_eq!(
        components(&health),
        vec![
            real("sps_bluesky.wasm"),
            real("sps_linkedin.wasm"),
            real("sps_mastodon.wasm"),
            real("sps_scheduler.wasm"),
            real("sps_sender.wasm"),
            (
                "sps_twitter.wasm".to_string(),
                sha256(&real_twitter),
                twitter.display().to_string()
            ),
        ]
    );
}

#[test]
fn without_a_last_good_set_a_broken_file_stops_the_first_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let swaps = data.join("components");
    std::fs::create_dir_all(&swaps).expect("mkdir");
    swap_in(&swaps.join("sps_sender.wasm"), BROKEN);
    assert_eq!(
        support::serve::run_to_end(&[("SPS_DATA_DIR", data.as_os_str())]),
        (
            Some(1),
            format!(
                "error: cannot compile component {}: {BAD_MAGIC}\n",
                swaps.join("sps_sender.wasm").display()
            )
        )
    );
}
