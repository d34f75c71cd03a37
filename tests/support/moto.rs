//! A moto server (the AWS service mock, `pip install "moto[server]"`) for the tests of
//! the AWS host, started once per test binary on first use, and helpers to reach it with
//! the real AWS SDK clients.
//!
//! `SPS_TEST_MOTO_ENDPOINT` (for example `http://127.0.0.1:5000`) names a running server;
//! without it a virtualenv `target/test-venv` is made once (under a file lock shared by
//! every test binary) with moto installed, and `moto_server -H 127.0.0.1 -p <free port>`
//! is started. It runs under a small Python guard that stops it when this process exits
//! (its standard input, a pipe from this process, closes). Failing to get moto fails the
//! test with a message saying why.

use std::io::Read as _;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The region every client uses.
pub const REGION: &str = "us-east-1";

struct Server {
    endpoint: String,
    _guard: Option<Mutex<Child>>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// The base URL of the moto server (`http://127.0.0.1:PORT`), starting it on first use.
///
/// # Panics
/// When moto cannot be installed or started (the message says why).
pub fn endpoint() -> String {
    match SERVER.get_or_init(start) {
        Ok(server) => server.endpoint.clone(),
        Err(why) => panic!("cannot get a moto server: {why}"),
    }
}

pub use super::venv::{target_dir, venv_with};

/// A free TCP port on 127.0.0.1 (free when this returns).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// Starts `program args` under a Python guard that terminates it when this process's
/// end of the guard's standard input closes (this process exited), with its output in
/// `log`.
pub fn spawn_guarded(
    python: &Path,
    program: &Path,
    args: &[&str],
    log: &Path,
) -> Result<Child, String> {
    const GUARD: &str = "import subprocess, sys\n\
p = subprocess.Popen(sys.argv[1:], stdout=sys.stdout, stderr=sys.stderr)\n\
try:\n    sys.stdin.read()\nfinally:\n    p.terminate()\n    p.wait()\n";
    let log_file =
        std::fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let err_file = log_file
        .try_clone()
        .map_err(|e| format!("cannot clone the log handle: {e}"))?;
    Command::new(python)
        .arg("-c")
        .arg(GUARD)
        .arg(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(log_file)
        .stderr(err_file)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))
}

/// Waits until `url` answers HTTP (any status), at most `within`.
pub fn wait_for_http(
    url: &str,
    within: Duration,
    child: &mut Child,
    log: &Path,
) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        let answered = ureq::get(url)
            .config()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .call()
            .is_ok();
        if answered {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut text = String::new();
            let _ = std::fs::File::open(log).and_then(|mut f| f.read_to_string(&mut text));
            return Err(format!("it exited ({status}): {text}"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{url} did not answer within {} s",
                within.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn start() -> Result<Server, String> {
    if let Ok(endpoint) = std::env::var("SPS_TEST_MOTO_ENDPOINT") {
        if !endpoint.is_empty() {
            return Ok(Server {
                endpoint: endpoint.trim_end_matches('/').to_string(),
                _guard: None,
            });
        }
    }
    let venv = venv_with(&["moto[server]"], "moto_server")?;
    let port = free_port().to_string();
    let log = target_dir().join(format!("moto-{port}.log"));
    let mut child = spawn_guarded(
        &venv.join("bin/python"),
        &venv.join("bin/moto_server"),
        &["-H", "127.0.0.1", "-p", &port],
        &log,
    )?;
    let endpoint = format!("http://127.0.0.1:{port}");
    wait_for_http(
        &format!("{endpoint}/moto-api/"),
        Duration::from_secs(60),
        &mut child,
        &log,
    )
    .map_err(|e| format!("moto_server on port {port}: {e}"))?;
    Ok(Server {
        endpoint,
        _guard: Some(Mutex::new(child)),
    })
}

/// The AWS SDK configuration for moto: its endpoint, region [`REGION`] and dummy static
/// credentials.
pub fn sdk_config() -> aws_config::SdkConfig {
    sdk_config_at(&endpoint())
}

/// The AWS SDK configuration for any AWS-compatible endpoint (moto, or a test's own stub):
/// `endpoint` (`http://127.0.0.1:PORT`), region [`REGION`] and dummy static credentials.
pub fn sdk_config_at(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new("testing", "testing", None, None, "moto"),
            ),
        )
        .build()
}

/// The environment that points an `sps` process at moto the standard way
/// (`AWS_ENDPOINT_URL`, region, dummy credentials).
pub fn process_env() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint()),
        ("AWS_REGION", REGION.to_string()),
        ("AWS_DEFAULT_REGION", REGION.to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
    ]
}
