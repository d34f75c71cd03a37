//! `sps serve` as a child process for the end-to-end tests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::fake_x::FakeX;

/// A running `sps serve`; killed (SIGKILL) when dropped.
pub struct Serve {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sps serve` on a free port with no flexible window, the data in `data_dir`, X at `x`.
pub fn command(data_dir: &Path, x: &FakeX, secrets: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sps"));
    cmd.arg("serve")
        .env("SPS_LISTEN", "127.0.0.1:0")
        .env("SPS_DATA_DIR", data_dir)
        .env("SPS_X_API_BASE_URL", &x.base_url)
        .env("SPS_SECRETS_FILE", secrets)
        .env("SPS_FLEXIBLE_WINDOW_MINUTES", "0")
        .env("SPS_CACHE_DIR", super::shared_cache_dir())
        .env_remove("SPS_COMPONENTS_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    cmd
}

/// Starts [`command`] and waits until it listens.
pub fn serve(data_dir: &Path, x: &FakeX, secrets: &Path) -> Serve {
    spawn(command(data_dir, x, secrets))
}

/// Starts `cmd` (an `sps serve` command) and waits until it listens.
pub fn spawn(mut cmd: Command) -> Serve {
    listening(cmd.spawn().expect("spawn sps"))
}

/// Waits until the started `sps serve` says it listens (its first line on stdout).
pub fn listening(mut child: Child) -> Serve {
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read");
    let base = line
        .trim()
        .strip_prefix("sps serve listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Serve { child, base }
}

/// The lines a child wrote to standard error so far, collected by a thread.
#[derive(Clone, Default)]
pub struct Lines(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Lines {
    /// Collects `child`'s piped standard error.
    pub fn collect(child: &mut Child) -> Self {
        let lines = Self::default();
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = lines.0.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("lines").push(line);
            }
        });
        lines
    }

    /// Every line so far.
    pub fn all(&self) -> Vec<String> {
        self.0.lock().expect("lines").clone()
    }

    /// The lines once one of them contains `needle` (at most 30 s).
    pub fn until(&self, needle: &str) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let lines = self.all();
            if lines.iter().any(|l| l.contains(needle)) || std::time::Instant::now() > deadline {
                return lines;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

/// Starts `cmd` (an `sps serve` command) with standard error piped and collected, and
/// waits until it listens.
pub fn spawn_logged(mut cmd: Command) -> (Serve, Lines) {
    let mut child = cmd.stderr(Stdio::piped()).spawn().expect("spawn sps");
    let lines = Lines::collect(&mut child);
    (listening(child), lines)
}

/// `sps serve` run to its end (a start that is refused) on a fresh data directory
/// unless `env` names one, with `RUST_LOG=off` unless `env` sets it, no `SPS_API_TOKEN`
/// or `SPS_COMPONENTS_DIR` of the test's environment, then `env`: its exit code and
/// standard error.
pub fn run_to_end(env: &[(&str, &std::ffi::OsStr)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sps"));
    cmd.arg("serve")
        .env("SPS_LISTEN", "127.0.0.1:0")
        .env("SPS_DATA_DIR", dir.path())
        .env_remove("SPS_API_TOKEN")
        .env_remove("SPS_COMPONENTS_DIR")
        .env("RUST_LOG", "off");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let output = cmd.output().expect("sps serve");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
