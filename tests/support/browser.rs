//! A headless Chromium driven through WebDriver, for `tests/browser.rs`: Debian's
//! `chromium` and `chromium-driver` (`.ci/run` installs them), ChromeDriver started on a
//! free port, and a fantoccini client with a fresh profile. The browser runs in the time
//! zone [`ZONE`] and the locale `en-US`, so the page's times are known to the tests.

use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// The browser's time zone (`TZ` of ChromeDriver, which Chromium inherits).
pub const ZONE: &str = "Europe/Berlin";

/// How long a test waits for the page to show something.
pub const WAIT: Duration = Duration::from_secs(30);

/// A ChromeDriver process and a session on it; both end when dropped.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Ends ChromeDriver and every Chromium process it started: they share its process
    /// group, which `kill` ends as a whole (a killed ChromeDriver alone leaves its browsers
    /// running).
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `name` found as `SPS_<NAME>` (an override), at `/usr/bin/<name>`, or on `PATH`.
fn program(name: &str, variable: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(variable) {
        return PathBuf::from(path);
    }
    let candidates = std::iter::once(PathBuf::from("/usr/bin")).chain(
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    for dir in candidates {
        let path = dir.join(name);
        if path.is_file() {
            return path;
        }
    }
    panic!(
        "{name} is not installed: the browser tests need Debian's chromium and chromium-driver \
         (apt-get install chromium chromium-driver, as .ci/run does), or {variable} naming it"
    );
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium session with a viewport of `width` x
    /// `height` CSS pixels (a phone's, emulated, below 500 px wide).
    pub async fn start(width: u32, height: u32) -> Browser {
        let chromium = program("chromium", "SPS_CHROMIUM");
        let chromedriver = program("chromedriver", "SPS_CHROMEDRIVER");
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            // A process group of its own, which Chromium joins ([`Drop`]).
            .process_group(0)
            .env("TZ", ZONE)
            .env("LANG", "en_US.UTF-8")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(&format!("{url}/status")).call().is_err() {
            assert!(started.elapsed() < WAIT, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().expect("profile dir");
        // The flags this machine's notes give for a closed network; root needs no sandbox.
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--lang=en-US".to_string(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut options = json!({"binary": chromium, "args": args});
        // A desktop window is at least about 500 px wide; a phone's viewport is emulated
        // (ChromeDriver's mobileEmulation capability).
        if width < 500 {
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1}});
        }
        let capabilities = json!({"browserName": "chrome", "goog:chromeOptions": options});
        let capabilities = capabilities.as_object().cloned().expect("an object");
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&url)
            .await
            .expect("a WebDriver session");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Opens `url` and waits until the page has started (`body[data-ready]`).
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("goto");
        self.wait_for_css("body[data-ready=yes]").await;
    }

    /// The first element matching `css`, once there is one (at most [`WAIT`]).
    pub async fn wait_for_css(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} within {WAIT:?}: {e}"))
    }

    /// The text of the element `css`, once it is `expected` (at most [`WAIT`]); panics
    /// with the last text seen otherwise.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let started = Instant::now();
        let mut seen = None;
        while started.elapsed() < WAIT {
            seen = self.texts(&[css]).await.pop().flatten();
            if seen.as_deref() == Some(expected) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} shows {seen:?}, not {expected:?}");
    }

    /// The rendered text (`innerText`) of the first element matching each of `css`, read
    /// in one step so a view drawn anew meanwhile cannot mix two drawings; `None` where
    /// nothing matches.
    pub async fn texts(&self, css: &[&str]) -> Vec<Option<String>> {
        let found = self
            .run(
                "return arguments[0].map(c => { const e = document.querySelector(c); \
                 return e ? e.innerText : null; })",
                vec![json!(css)],
            )
            .await;
        serde_json::from_value(found).expect("texts")
    }

    /// The text of the element `css` now.
    pub async fn text(&self, css: &str) -> String {
        self.texts(&[css])
            .await
            .pop()
            .flatten()
            .unwrap_or_else(|| panic!("no {css}"))
    }

    /// Presses Enter on the element `css` (a keyboard user's click), looked up again
    /// while the page is drawing it anew (at most [`WAIT`]).
    pub async fn press_enter(&self, css: &str) {
        self.on_element(css, |element| async move {
            element
                .send_keys(&fantoccini::key::Key::Enter.to_string())
                .await
        })
        .await
    }

    /// Clicks the element `css`, looked up again while the page is drawing it anew (a
    /// list drawn again as events arrive replaces its buttons: "stale element
    /// reference"), at most [`WAIT`].
    pub async fn click(&self, css: &str) {
        self.on_element(css, |element| async move { element.click().await })
            .await
    }

    /// Runs `act` on the element `css`, finding it again after each failure until `act`
    /// succeeds; panics with the last error after [`WAIT`].
    async fn on_element<F, A>(&self, css: &str, act: A)
    where
        A: Fn(fantoccini::elements::Element) -> F,
        F: std::future::Future<Output = Result<(), fantoccini::error::CmdError>>,
    {
        let started = Instant::now();
        loop {
            let done = match self.client.find(Locator::Css(css)).await {
                Ok(element) => act(element).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match done {
                Ok(()) => return,
                Err(e) => assert!(started.elapsed() < WAIT, "cannot act on {css}: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Returns once no element matches `css` (at most [`WAIT`]).
    pub async fn wait_gone(&self, css: &str) {
        let started = Instant::now();
        while self.client.find(Locator::Css(css)).await.is_ok() {
            assert!(
                started.elapsed() < WAIT,
                "{css} is still there after {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs `script` in the page with `args`; its result.
    pub async fn run(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client.execute(script, args).await.expect("script")
    }
}
