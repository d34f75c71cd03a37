//! What `sps serve` writes to standard error, read from the real binary through a pipe as
//! a service manager (systemd, docker) reads it: one line per event, no colour codes,
//! RFC 3339 UTC times, JSON on request, a quiet compiler at `RUST_LOG=trace`, and a
//! startup error said once.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/hostile.rs"]
mod hostile;
mod support;

use std::process::{Command, Stdio};

use serde_json::{json, Value};
use sha2::Digest as _;
use support::api::{post, readme_event, secrets_file};
use support::fake_x::FakeX;
use support::serve::{spawn_logged, Lines, Serve};

/// The error of the trapping sender, as every log line and message says it.
const TRAP: &str =
    "the sender component failed: wasm trap: wasm `unreachable` instruction executed";

/// A running `sps serve` and the lines it wrote to standard error so far.
struct Logged {
    _server: Serve,
    lines: Lines,
    /// The components directory it was started with.
    components: std::path::PathBuf,
}

impl Logged {
    /// The lines once one of them contains `needle` (at most 30 s).
    fn until(&self, needle: &str) -> Vec<String> {
        self.lines.until(needle)
    }
}

/// `sps serve` whose sender traps on every delivery (`SPS_RETRY_BACKOFF_SECONDS=1`),
/// standard error piped and collected, with `env` on top; one README event due in 1 s.
fn serve_trapping(env: &[(&str, &str)], cache: Option<&std::path::Path>) -> Logged {
    let components = hostile::components(None, &[]);
    let mut sender = std::fs::read(hostile::hostile_wasm("trapsender")).expect("trapsender");
    // A custom section of its own gives this copy a digest no cache holds, so it is
    // compiled by this process (the compiler's logs are what RUST_LOG=trace must not flood).
    support::append_custom_section(&mut sender, "sps-test", uuid::Uuid::new_v4().as_bytes());
    std::fs::write(components.path().join("sps_sender.wasm"), sender).expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    let mut cmd = support::serve::command(&dir.path().join("data"), &x, &secrets_file(dir.path()));
    cmd.env("SPS_COMPONENTS_DIR", components.path())
        .env("SPS_RETRY_BACKOFF_SECONDS", "1")
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .env_remove("SPS_LOG_FORMAT");
    if let Some(cache) = cache {
        cmd.env("SPS_CACHE_DIR", cache);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let (server, lines) = spawn_logged(cmd);
    let date = support::utc_in(1);
    assert_eq!(post(&server.base, &readme_event("trapped", &date)).0, 201);
    // Keep the temporary directories for the server's life.
    let path = components.path().to_path_buf();
    std::mem::forget((components, dir, x));
    Logged {
        _server: server,
        lines,
        components: path,
    }
}

/// Starts and stops one `sps serve` with the real components, so the shared precompiled
/// cache holds them and later starts take well under a second.
fn warm_shared_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x = FakeX::start();
    drop(support::serve::serve(
        &dir.path().join("data"),
        &x,
        &secrets_file(dir.path()),
    ));
}

/// Whether `s` is an RFC 3339 time in UTC (`...Z`).
fn is_utc_rfc3339(s: &str) -> bool {
    s.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[test]
fn text_logs_to_a_pipe_are_one_line_per_event_with_rfc3339_times_and_no_colour() {
    let logged = serve_trapping(&[], None);
    let lines = logged.until("will be retried");
    // At start, one line per component: which one, its digest, where it came from.
    let scheduler =
        std::fs::read(support::components_dir().join("sps_scheduler.wasm")).expect("scheduler");
    let in_use = format!(
        " INFO sps_host::runtime: component in use file=sps_scheduler.wasm sha256={:x} from={}",
        sha2::Sha256::digest(&scheduler),
        logged.components.join("sps_scheduler.wasm").display()
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(&in_use)).count(),
        1,
        "{lines:#?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(" component in use "))
            .count(),
        support::COMPONENT_FILES.len(),
        "{lines:#?}"
    );
    for line in &lines {
        assert!(!line.contains('\u{1b}'), "a colour code in {line:?}");
        let mut words = line.split_whitespace();
        let (time, level) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        assert!(is_utc_rfc3339(time), "not an event's first line: {line:?}");
        assert!(["INFO", "WARN", "ERROR"].contains(&level), "{line:?}");
    }
    let retry = lines
        .iter()
        .find(|l| l.contains("will be retried"))
        .unwrap_or_else(|| panic!("no retry line in {lines:#?}"));
    let (_, rest) = retry.split_once(" ERROR ").expect("an error line");
    let next = rest
        .split_once(" next=")
        .and_then(|(_, after)| after.split_once(' '))
        .map(|(next, _)| next)
        .unwrap_or_else(|| panic!("no next= in {rest:?}"));
    assert!(is_utc_rfc3339(next), "{next:?}");
    assert_eq!(
        rest,
        format!("sps_host::local::timer::deliver: delivery failed; will be retried schedule=twitter-trapped next={next} error={TRAP}")
    );
}

#[test]
fn json_logs_are_one_object_per_line() {
    let logged = serve_trapping(&[("SPS_LOG_FORMAT", "json")], None);
    let lines = logged.until("will be retried");
    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    for event in &events {
        assert!(
            is_utc_rfc3339(event["timestamp"].as_str().unwrap_or("")),
            "{event}"
        );
        assert!(event["fields"]["message"].is_string(), "{event}");
    }
    let retry = events
        .iter()
        .find(|e| e["fields"]["message"] == "delivery failed; will be retried")
        .unwrap_or_else(|| panic!("no retry event in {lines:#?}"));
    let next = retry["fields"]["next"].as_str().unwrap_or("").to_string();
    assert!(is_utc_rfc3339(&next), "{retry}");
    assert_eq!(
        (&retry["level"], &retry["target"], &retry["fields"]),
        (
            &json!("ERROR"),
            &json!("sps_host::local::timer::deliver"),
            &json!({"message": "delivery failed; will be retried", "schedule": "twitter-trapped", "next": next, "error": TRAP})
        )
    );
}

#[test]
fn rust_log_trace_keeps_the_component_compiler_at_warn() {
    warm_shared_cache();
    let cache = tempfile::tempdir().expect("cache");
    // The shared cache holds the real components; the trapping sender is compiled.
    support::copy_shared_cache(cache.path());
    let logged = serve_trapping(&[("RUST_LOG", "trace")], Some(cache.path()));
    let lines = logged.until("will be retried");
    let compiled = lines
        .iter()
        .find(|l| l.contains("components loaded"))
        .unwrap_or_else(|| panic!("no load line in {lines:#?}"));
    // Every real component from the cache; the trapping sender compiled.
    let cached = format!(" cached={} compiled=1", support::COMPONENT_FILES.len() - 1);
    assert!(compiled.ends_with(&cached), "{compiled}");
    let noisy: Vec<&String> = lines
        .iter()
        .filter(|l| {
            let mut words = l.split_whitespace().skip(1);
            let level = words.next().unwrap_or("");
            let target = words.next().unwrap_or("");
            ["TRACE", "DEBUG", "INFO"].contains(&level)
                && sps_host::logging::QUIET
                    .iter()
                    .any(|q| target.starts_with(q))
        })
        .collect();
    assert_eq!(noisy, Vec::<&String>::new());
    // The trace level itself is on: the host's own debug line of the trap is there.
    assert!(
        lines.iter().any(|l| l
            .contains(" DEBUG sps_host::local::timer::deliver: sender component failure in full")),
        "{lines:#?}"
    );
}

#[test]
fn a_startup_error_is_said_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing");
    let run = |format: &str| {
        support::serve::run_to_end(&[
            ("SPS_COMPONENTS_DIR", missing.as_os_str()),
            ("SPS_LOG_FORMAT", format.as_ref()),
            ("RUST_LOG", "info".as_ref()),
        ])
    };
    let (code, stderr) = run("text");
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr.matches("which is not a directory").count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().last(),
        Some(
            format!(
                "error: SPS_COMPONENTS_DIR is {}, which is not a directory",
                missing.display()
            )
            .as_str()
        )
    );
    let (code, stderr) = run("json");
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr.matches("which is not a directory").count(),
        1,
        "{stderr}"
    );
    let event: Value = serde_json::from_str(stderr.lines().last().unwrap_or("")).expect("json");
    assert_eq!(
        (&event["level"], &event["fields"]),
        (
            &json!("ERROR"),
            &json!({"message": "sps stopped", "error": format!("SPS_COMPONENTS_DIR is {}, which is not a directory", missing.display())})
        )
    );
    assert_eq!(
        support::serve::run_to_end(&[("SPS_LOG_FORMAT", "xml".as_ref())]),
        (
            Some(2),
            "error: SPS_LOG_FORMAT is \"xml\"; expected text or json\n".to_string()
        )
    );
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    warm_shared_cache();
    let dir = tempfile::tempdir().expect("tempdir");
    // `script` (util-linux) runs `sps serve` on a terminal for 3 s; its output is what
    // the process wrote there.
    let on_terminal = |no_color: &str| {
        let output = Command::new("script")
            .args([
                "-qec",
                &format!("timeout -s INT 3 {} serve", env!("CARGO_BIN_EXE_sps")),
                "/dev/null",
            ])
            .env("SPS_LISTEN", "127.0.0.1:0")
            .env("SPS_DATA_DIR", dir.path())
            .env("SPS_CACHE_DIR", support::shared_cache_dir())
            .env("NO_COLOR", no_color)
            .env_remove("RUST_LOG")
            .env_remove("SPS_LOG_FORMAT")
            .stdin(Stdio::null())
            .output()
            .expect("script");
        let out = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(out.contains("sps serve ready"), "{out}");
        out
    };
    assert!(on_terminal("").contains("\u{1b}[32m INFO\u{1b}[0m"));
    assert!(!on_terminal("1").contains('\u{1b}'));
}
