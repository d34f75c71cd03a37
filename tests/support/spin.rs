//! Running the real Spin app in tests: find (or install) Spin 4.0.2 with its cron trigger
//! plugin, run `spin build` once, and start `spin up` in a directory of the test's own, so
//! parallel tests never share `.spin/`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The repository root (the directory of spin.toml).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ has a parent")
        .to_path_buf()
}

/// How to install Spin, for the failure message under CI.
pub const INSTALL_HINT: &str = "install Spin 4.0.2 and its cron trigger plugin: \
    `../shared/tools/spin/install /usr/local` (offline copy), or from spinframework.dev: \
    `curl -fsSL https://spinframework.dev/downloads/install.sh | bash` and \
    `spin plugins install --url https://github.com/spinframework/spin-trigger-cron/releases/download/canary/trigger-cron.json`; \
    or set SPS_TEST_SPIN to the spin binary";

/// The spin binary: `SPS_TEST_SPIN`, else `spin` on PATH, else the offline copy in
/// `../shared/tools/spin` installed into `target/spin-cli`. `Err` says why none was found.
pub fn spin_binary() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            if let Some(path) = std::env::var_os("SPS_TEST_SPIN") {
                return Ok(PathBuf::from(path));
            }
            if Command::new("spin")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
            {
                return Ok(PathBuf::from("spin"));
            }
            let install = root().join("../shared/tools/spin/install");
            if !install.exists() {
                return Err(format!(
                    "spin is not on PATH and {} does not exist",
                    install.display()
                ));
            }
            let prefix = root().join("target/spin-cli");
            let out = Command::new("bash")
                .arg(&install)
                .arg(&prefix)
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("cannot run {}: {e}", install.display()))?;
            if !out.status.success() {
                return Err(format!("{} failed: {}", install.display(), out.status));
            }
            Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
        .clone()
}

/// Runs `spin build` in the repository once per test process, so the composed apps in
/// `target/spin/` are built from the components the host loads.
pub fn build_app() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let spin = spin_binary().expect("spin");
        let status = Command::new(spin)
            .arg("build")
            .current_dir(root())
            .env_remove("CARGO_TARGET_DIR")
            .status()
            .expect("run spin build");
        assert!(status.success(), "spin build failed: {status}");
        root().join("target/spin")
    })
}

/// A directory laid out like the repository for `spin up`: `spin.toml` and the composed
/// apps under `target/spin/`; `.spin/` is created beside them.
pub fn app_dir() -> tempfile::TempDir {
    let built = build_app();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(root().join("spin.toml"), dir.path().join("spin.toml")).expect("copy spin.toml");
    let apps = dir.path().join("target/spin");
    std::fs::create_dir_all(&apps).expect("mkdir");
    for app in ["sps_http_app.wasm", "sps_cron_app.wasm"] {
        std::fs::copy(built.join(app), apps.join(app)).expect("copy app");
    }
    dir
}

/// A running `spin up`; stopped (SIGINT, then SIGKILL) when dropped.
pub struct SpinUp {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl SpinUp {
    /// Starts `spin up` in `dir` with `variables` (`SPIN_VARIABLE_<NAME>`), waits until
    /// `GET /health` answers 200, at most 120 s.
    pub fn start(dir: &Path, variables: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut cmd = Command::new(spin_binary().expect("spin"));
        cmd.args(["up", "--listen", &format!("127.0.0.1:{port}")])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (name, value) in variables {
            cmd.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
        }
        let mut child = cmd.spawn().expect("spawn spin up");
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("spin up: {line}");
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = ureq::get(&format!("{base}/health")).call() {
                if r.status() == 200 {
                    break;
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("spin up exited early: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "spin up did not answer /health in 120 s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Self { child, base }
    }

    /// Stops it with SIGINT (Spin stops its trigger processes itself) and waits.
    pub fn stop(mut self) {
        self.interrupt();
    }

    fn interrupt(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SpinUp {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.interrupt();
        }
    }
}
