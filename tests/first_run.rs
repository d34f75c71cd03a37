//! A newcomer's first run: the `sps` binary copied out of the checkout (as
//! `cargo install --locked --path host` would place it) serves the README's example from
//! a directory of its own with the components embedded in it, says which components it
//! embeds (`--version`), shows examples in its help, and takes swapped components from
//! `<data dir>/components`.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::json;
use sha2::{Digest as _, Sha256};
use support::api::{events_until, health_summary, post, readme_event, secrets_file};
use support::fake_x::{FakeX, FIRST_ID};
use support::serve::{listening, Serve};

/// The three components the build embeds, in the order `--version` lists them.
const EMBEDDED: [&str; 6] = support::COMPONENT_FILES;

/// A copy of the `sps` binary in `dir/bin`, outside the checkout.
fn copied_binary(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let copy = bin.join("sps");
    std::fs::copy(env!("CARGO_BIN_EXE_sps"), &copy).expect("copy sps");
    // Another test thread that forks while the copy is open for writing holds that file
    // descriptor until its child execs, and exec of the copy fails with ETXTBSY ("Text
    // file busy") meanwhile: wait until it runs.
    let started = std::time::Instant::now();
    loop {
        match Command::new(&copy).arg("--version").output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(10),
                    "{e}"
                );
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            _ => break,
        }
    }
    copy
}

/// `binary` with an empty environment (so no `SPS_*` of the test's own environment and no
/// cargo variable reach it), run in `cwd`.
fn bare(binary: &Path, cwd: &Path) -> Command {
    let mut cmd = Command::new(binary);
    cmd.env_clear().current_dir(cwd);
    cmd
}

/// `sps serve` of `binary` in `cwd` on a free port, X at `x`, no flexible window, the
/// data in the default `./.sps`.
fn serve_copy(binary: &Path, cwd: &Path, x: &FakeX, secrets: &Path) -> Serve {
    let mut cmd = bare(binary, cwd);
    cmd.arg("serve");
    spawn_serve(cmd, x, secrets)
}

/// As [`serve_copy`], but in a mount namespace of its own (`unshare`, root only, as in
/// CI) where the checkout is an empty tmpfs: the binary cannot read anything of it, the
/// components the build put there included.
fn serve_copy_without_checkout(binary: &Path, cwd: &Path, x: &FakeX, secrets: &Path) -> Serve {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("root");
    let hidden = support::components_dir().join("sps_scheduler.wasm");
    assert!(
        hidden.is_file(),
        "the build's components are at {}",
        hidden.display()
    );
    let mut cmd = Command::new("unshare");
    cmd.env_clear()
        .current_dir(cwd)
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(r#"mount -t tmpfs -o size=1m tmpfs "$1" && test ! -e "$2" && shift 2 && exec "$@""#)
        .arg("sh")
        .arg(checkout)
        .arg(&hidden)
        .arg(binary)
        .arg("serve");
    spawn_serve(cmd, x, secrets)
}

fn spawn_serve(mut cmd: Command, x: &FakeX, secrets: &Path) -> Serve {
    cmd.env("SPS_LISTEN", "127.0.0.1:0")
        .env("SPS_X_API_BASE_URL", &x.base_url)
        .env("SPS_SECRETS_FILE", secrets)
        .env("SPS_FLEXIBLE_WINDOW_MINUTES", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    listening(cmd.spawn().expect("spawn the copied sps"))
}

/// A working directory outside the checkout with the shared precompiled cache copied
/// into `./.sps/cache`, so the debug build does not compile the components again (the
/// cache is named by the components' digests; without it they are compiled and cached).
fn work_dir(dir: &Path) -> PathBuf {
    let work = dir.join("work");
    let cache = work.join(".sps").join("cache");
    std::fs::create_dir_all(&cache).expect("mkdir");
    support::copy_shared_cache(&cache);
    work
}

#[test]
fn a_copied_binary_serves_the_readme_example_with_no_checkout_beside_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = copied_binary(dir.path());
    let work = work_dir(dir.path());
    let x = FakeX::start();
    let server = serve_copy_without_checkout(&binary, &work, &x, &secrets_file(dir.path()));

    // The README's "Try it" event, as it is written there.
    let (status, body) = post(
        &server.base,
        &readme_event("testtweet", "2030-10-23T08:48:00"),
    );
    assert_eq!(status, 201);
    assert_eq!(
        body,
        json!({"status": "scheduled", "action": "created", "referenceNumber": "testtweet", "scheduleName": "twitter-testtweet", "scheduledDate": "2030-10-23T08:48:00"})
    );
    let embedded = |file: &str| (file.to_string(), "embedded".to_string());
    assert_eq!(
        health_summary(&server.base),
        (
            json!({"status": "ok", "platforms": support::PLATFORMS}),
            EMBEDDED.map(embedded).to_vec()
        )
    );
    // One that is due goes out through the embedded sender and twitter components.
    let date = support::utc_in(1);
    let (status, _) = post(&server.base, &readme_event("now", &date));
    assert_eq!(status, 201);
    let events = events_until(&server.base, |e| e.len() >= 3);
    assert_eq!(
        events,
        vec![
            (
                "Post Scheduled".to_string(),
                json!({"referenceNumber": "testtweet", "scheduledDate": "2030-10-23T08:48:00"})
            ),
            (
                "Post Scheduled".to_string(),
                json!({"referenceNumber": "now", "scheduledDate": date})
            ),
            (
                "Social Post Sent".to_string(),
                support::sent_detail("now", FIRST_ID)
            ),
        ]
    );
    assert_eq!(x.received().len(), 1);
    assert!(work.join(".sps").join("sps.sqlite3").is_file());
}

#[test]
fn version_names_the_embedded_components_by_digest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = bare(&copied_binary(dir.path()), dir.path())
        .arg("--version")
        .output()
        .expect("sps --version");
    assert!(output.status.success());
    let mut expected = format!(
        "sps {}\ncomponents embedded in this binary:",
        env!("CARGO_PKG_VERSION")
    );
    // In host/build.rs's order: sorted by package name.
    for file in support::COMPONENT_FILES {
        let bytes = std::fs::read(support::components_dir().join(file)).expect("component");
        expected.push_str(&format!(
            "\n  {file:<20} sha256:{:x}",
            Sha256::digest(&bytes)
        ));
    }
    expected.push('\n');
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
}

#[test]
fn every_help_has_an_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = copied_binary(dir.path());
    let help = |args: &[&str]| {
        let output = bare(&binary, dir.path())
            .args(args)
            .output()
            .expect("sps help");
        assert!(output.status.success(), "{args:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let top = help(&["--help"]);
    assert!(
        top.ends_with("Examples:\n  sps serve                        # API on http://127.0.0.1:8080, data in ./.sps\n  sps serve --help                 # every setting of the local runtime\n  sps schedule -p twitter -m 'Hello world!' -d 2030-10-23T08:48:00\n  sps list                         # the pending posts of the running sps serve\n  sps cancel testtweet -p twitter\n  sps events --follow              # outcome events as they happen\n  sps --version                    # the version and the embedded components' digests\n"),
        "{top}"
    );
    let serve = help(&["serve", "--help"]);
    assert!(
        serve.contains("  curl -s localhost:8080/events -d '{\n    \"detail-type\": \"Schedule Social Post\", \"source\": \"test\",\n"),
        "{serve}"
    );
    assert!(
        serve.contains("[env: SPS_COMPONENTS_DIR=]"),
        "the components directory is documented: {serve}"
    );
    let lambda = help(&["lambda", "--help"]);
    assert!(
        lambda.contains("Examples:\n  cargo lambda build --release"),
        "{lambda}"
    );
}

#[test]
fn a_components_dir_that_does_not_exist_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-dir");
    let output = bare(&copied_binary(dir.path()), dir.path())
        .arg("serve")
        .env("SPS_LISTEN", "127.0.0.1:0")
        .env("SPS_COMPONENTS_DIR", &missing)
        .env("RUST_LOG", "off")
        .output()
        .expect("sps serve");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "error: SPS_COMPONENTS_DIR is {}, which is not a directory\n",
            missing.display()
        )
    );
}

#[test]
fn a_platform_dropped_into_the_data_dirs_components_is_loaded_beside_the_embedded_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = copied_binary(dir.path());
    let work = work_dir(dir.path());
    let swapped = work.join(".sps").join("components");
    std::fs::create_dir_all(&swapped).expect("mkdir");
    std::fs::copy(
        support::components_dir().join("sps_twitter.wasm"),
        swapped.join("sps_copy.wasm"),
    )
    .expect("copy");
    let x = FakeX::start();
    let server = serve_copy(&binary, &work, &x, &secrets_file(dir.path()));
    let embedded = |file: &str| (file.to_string(), "embedded".to_string());
    assert_eq!(
        health_summary(&server.base),
        (
            json!({"status": "ok", "platforms": ["bluesky", "copy", "linkedin", "mastodon", "twitter"]}),
            vec![
                embedded("sps_bluesky.wasm"),
                // The data directory is the default ./.sps, relative to the working directory.
                (
                    "sps_copy.wasm".to_string(),
                    "./.sps/components/sps_copy.wasm".to_string()
                ),
                embedded("sps_linkedin.wasm"),
                embedded("sps_mastodon.wasm"),
                embedded("sps_scheduler.wasm"),
                embedded("sps_sender.wasm"),
                embedded("sps_twitter.wasm"),
            ]
        )
    );
}
