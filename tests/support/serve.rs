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
