//! An event target for the tests: an HTTP endpoint on 127.0.0.1 that answers each POST
//! with the next status of a script (then 200, or what [`Receiver::then_answer`] set)
//! and records what it got.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// The status it was answered with.
    pub status: u16,
    /// Its `Content-Type`.
    pub content_type: String,
    /// Its body, as JSON.
    pub body: Value,
}

struct Inner {
    script: VecDeque<u16>,
    /// The status once the script is over.
    then: u16,
    received: Vec<Received>,
}

/// A running receiver; `url` is where to POST.
pub struct Receiver {
    /// `http://127.0.0.1:PORT/in`.
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    _thread: std::thread::JoinHandle<()>,
}

impl Receiver {
    /// Starts on a free port, answering with `script` first.
    pub fn start(script: &[u16]) -> Self {
        Self::on(
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind"),
            script,
        )
    }

    /// Starts on `listener`, answering with `script` first.
    pub fn on(listener: std::net::TcpListener, script: &[u16]) -> Self {
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}/in", listener.local_addr().expect("addr"));
        let inner = Arc::new(Mutex::new(Inner {
            script: script.iter().copied().collect(),
            then: 200,
            received: Vec::new(),
        }));
        let app = Router::new()
            .route("/in", post(take))
            .with_state(inner.clone());
        let thread = super::fake_x::serve_on_thread(listener, app);
        Self {
            url,
            inner,
            _thread: thread,
        }
    }

    /// Answers `status` once the script is over (200 until this is called).
    pub fn then_answer(&self, status: u16) {
        self.inner.lock().expect("lock").then = status;
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().expect("lock").received.clone()
    }

    /// The bodies answered 200, once there are `n` of them or 30 s passed.
    pub fn delivered(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let delivered: Vec<Value> = self
                .received()
                .into_iter()
                .filter(|r| r.status == 200)
                .map(|r| r.body)
                .collect();
            if delivered.len() >= n || Instant::now() > deadline {
                return delivered;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

async fn take(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut inner = inner.lock().expect("lock");
    let status = inner.script.pop_front().unwrap_or(inner.then);
    inner.received.push(Received {
        status,
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    StatusCode::from_u16(status).expect("status")
}
