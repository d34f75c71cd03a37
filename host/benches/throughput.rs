//! The durable throughput of a running `sps serve`, over loopback HTTP (README, "How
//! fast"):
//!
//! ```text
//! cargo bench -p sps --bench throughput                 # the release sps, full run
//! SPS_BENCH_SECONDS=1 SPS_BENCH_POSTS=50 cargo test -p sps --bench throughput   # short
//! ```
//!
//! It builds nothing itself: it starts the `sps` binary cargo built beside it (the release
//! one under `cargo bench`; `SPS_BENCH_BIN` names another) twice, with its data directory
//! on disk (`SPS_BENCH_DISK_DIR`, default `target/bench-data`) and on tmpfs
//! (`SPS_BENCH_TMPFS_DIR`, default `/dev/shm`), and measures them side by side:
//!
//! 1. schedule events/s and the latency p50/p99 of `POST /events`, with 1 and then 32
//!    connections, each for about `SPS_BENCH_SECONDS` (default 15: with the warm-up and the
//!    fired posts, more than 100,000 events on this project's machine) on each server,
//!    every event a new reference with a far-future date (the same load as `wrk` with a
//!    script of unique references). The load goes to the two servers in turn, in an even
//!    number of rounds of whole seconds, at least 3 s each (15 s: 4 rounds of 4 s;
//!    `throughput/load.rs`), so that both see the machine's slow spells alike; a
//!    server's p99 is its worst round's;
//! 2. fired posts/s, one server after the other: `SPS_BENCH_POSTS` (default 2000) posts
//!    due at the same second, posted to a fake X in this process (it answers `201` at
//!    once; it checks nothing), counted by their `Social Post Sent` events on
//!    `GET /events?follow=1` from the moment they were due;
//! 3. the peak resident set size of `sps serve` (`VmHWM`) until it listened (a new data
//!    directory: the components are compiled), and from then through the loads and the
//!    fired posts (`VmHWM` reset after the start).
//!
//! The load comes from `wrk` when it is installed (`apt-get install wrk`; the figures the
//! README shows), else from this file's own generator (`SPS_BENCH_GENERATOR=rust` forces
//! it): one thread per connection, each with its own keep-alive connection (ureq). Both
//! compete with `sps serve` for the same cores; on this project's 2-core machine the own
//! generator's 32 threads take more of them and show about a third of wrk's events/s.
//! The figures and the issue's targets are printed; nothing is asserted but that every
//! request was answered `201`.

// A bench reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The X credentials `sps serve` is given (the fake checks none of them).
const SECRETS: &str =
    r#"{"xApiKey":"k","xApiKeySecret":"s","xAccessToken":"t","xAccessTokenSecret":"ts"}"#;

/// A setting from the environment, or `default`.
fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A running `sps serve`; killed when dropped.
struct Server {
    child: Child,
    base: String,
    /// The data directory, removed when dropped (after the process is killed).
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `binary` serving from a new data directory under `dir`, posting to `x`.
    fn start(binary: &Path, dir: &Path, x: &str, secrets: &Path) -> Server {
        let data = tempfile::Builder::new()
            .prefix("sps-bench-")
            .tempdir_in(dir)
            .unwrap();
        let mut child = Command::new(binary)
            .arg("serve")
            .env("SPS_LISTEN", "127.0.0.1:0")
            .env("SPS_DATA_DIR", data.path().join("data"))
            .env("SPS_X_API_BASE_URL", x)
            .env("SPS_SECRETS_FILE", secrets)
            .env("SPS_FLEXIBLE_WINDOW_MINUTES", "0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("sps serve listening on ")
            .unwrap_or_else(|| panic!("sps serve did not start: {line:?}"))
            .to_string();
        Server {
            child,
            base,
            _data: data,
        }
    }

    /// Sets the process's `VmHWM` back to its resident set now (`/proc/<pid>/clear_refs`,
    /// value 5: "reset the peak resident set size", proc(5)), so that the peak measured
    /// from here leaves out the start; `false` when the kernel refused.
    fn reset_peak_rss(&self) -> bool {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5").is_ok()
    }

    /// `VmHWM` (peak resident set) of the process, MiB.
    fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    }
}

/// A `Schedule Social Post` event of `reference` at `date` (UTC `YYYY-MM-DDTHH:MM:SS`).
fn event(reference: &str, date: &str) -> String {
    format!(
        r#"{{"detail-type":"Schedule Social Post","source":"bench","detail":{{"message":"Hello from the benchmark","platform":"twitter","scheduledDate":"{date}","referenceNumber":"{reference}"}}}}"#
    )
}

#[path = "throughput/load.rs"]
mod load;
#[path = "throughput/wrk.rs"]
mod wrk;

use load::{alternate, Load};

/// Schedules `posts` posts due at the same second and returns posts/s from that second
/// until the last `Social Post Sent` event arrived.
fn fired(base: &str, posts: usize) -> f64 {
    // Time enough to schedule them all first (at well over 200 events/s).
    let lead = 3 + u64::try_from(posts / 200).unwrap_or(60);
    let due = chrono::Utc::now() + chrono::Duration::seconds(i64::try_from(lead).unwrap());
    let date = due.format("%Y-%m-%dT%H:%M:%S").to_string();
    let next = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (url, date, next) = (format!("{base}/events"), date.clone(), next.clone());
            std::thread::spawn(move || {
                let agent = ureq::Agent::new_with_defaults();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= posts as u64 {
                        return;
                    }
                    agent
                        .post(&url)
                        .content_type("application/json")
                        .send(event(&format!("fired-{i}"), &date).as_bytes())
                        .expect("schedule a post");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Follow the log from now on: every event written from here is a delivery's outcome.
    let stream = ureq::get(&format!("{base}/events?follow=1"))
        .call()
        .expect("follow the events");
    let mut reader = BufReader::new(stream.into_body().into_reader());
    let due_at = std::time::SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(due.timestamp()).unwrap());
    let mut sent = 0;
    let mut line = String::new();
    while sent < posts {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream ended");
        if line.starts_with("data:") {
            assert!(
                line.contains(r#""detail-type":"Social Post Sent""#),
                "a post was not sent: {line}"
            );
            sent += 1;
        }
    }
    let took = std::time::SystemTime::now()
        .duration_since(due_at)
        .unwrap_or_default();
    posts as f64 / took.as_secs_f64().max(f64::EPSILON)
}

/// A fake X on a thread of its own: `POST /2/tweets` answers `201` with a new id.
fn fake_x() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let next = Arc::new(AtomicU64::new(1_900_000_000_000_000_000));
    let app = axum::Router::new().route(
        "/2/tweets",
        axum::routing::post(move |body: String| {
            let id = next.fetch_add(1, Ordering::Relaxed).to_string();
            async move {
                let text = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["text"].as_str().map(str::to_string))
                    .unwrap_or_default();
                (
                    axum::http::StatusCode::CREATED,
                    axum::Json(serde_json::json!({"data": {"id": id, "text": text}})),
                )
            }
        }),
    );
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    url
}

/// Everything measured on one data directory.
struct Figures {
    one: Load,
    many: Load,
    fired: f64,
    /// Events written: those of the loads (the warm-up's too), the posts scheduled to
    /// fire and their `Social Post Sent`.
    events: u64,
    /// The peak from the start until it listened (the first start of a data directory
    /// compiles the components).
    start_rss_mib: f64,
    /// The peak through the loads and the fired posts (the whole life when the peak could
    /// not be reset).
    peak_rss_mib: f64,
}

/// Starts `binary` on a new data directory under each of `dirs`, and measures them
/// side by side: the loads alternate between them ([`alternate`]), the fired posts come
/// one server after the other.
fn measure(
    binary: &Path,
    dirs: &[&Path],
    x: &str,
    secrets: &Path,
    seconds: f64,
    posts: usize,
) -> Vec<Figures> {
    let mut servers = Vec::new();
    let mut start_rss = Vec::new();
    for dir in dirs {
        std::fs::create_dir_all(dir).unwrap();
        let server = Server::start(binary, dir, x, secrets);
        start_rss.push(server.peak_rss_mib());
        if !server.reset_peak_rss() {
            println!("(cannot reset the peak resident set: the peak RSS includes the start)");
        }
        servers.push(server);
    }
    let bases: Vec<&str> = servers.iter().map(|s| s.base.as_str()).collect();
    let warm = alternate(&bases, 8, seconds.min(1.0), "warm");
    let one = alternate(&bases, 1, seconds, "one");
    let many = alternate(&bases, 32, seconds, "many");
    warm.into_iter()
        .zip(one)
        .zip(many)
        .zip(servers.iter().zip(start_rss))
        .map(|(((warm, one), many), (server, start_rss_mib))| {
            let fired = fired(&server.base, posts);
            let events = warm.requests + one.requests + many.requests + 2 * posts as u64;
            Figures {
                one,
                many,
                fired,
                events,
                start_rss_mib,
                peak_rss_mib: server.peak_rss_mib(),
            }
        })
        .collect()
}

fn main() {
    let binary = std::env::var_os("SPS_BENCH_BIN")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_sps")), PathBuf::from);
    let seconds: f64 = knob("SPS_BENCH_SECONDS", 15.0);
    let posts: usize = knob("SPS_BENCH_POSTS", 2000);
    let disk = PathBuf::from(knob(
        "SPS_BENCH_DISK_DIR",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench-data").to_string(),
    ));
    let tmpfs = PathBuf::from(knob("SPS_BENCH_TMPFS_DIR", "/dev/shm".to_string()));
    let work = tempfile::tempdir().unwrap();
    let secrets = work.path().join("secrets.json");
    std::fs::write(&secrets, SECRETS).unwrap();
    std::fs::set_permissions(
        &secrets,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let x = fake_x();
    let wrk = std::env::var("SPS_BENCH_GENERATOR").as_deref() != Ok("rust")
        && Command::new("wrk").arg("--version").output().is_ok();
    println!(
        "sps serve throughput: {} ({seconds} s per load, {posts} fired posts; load from {})",
        binary.display(),
        if wrk {
            "wrk"
        } else {
            "the bench's own generator"
        }
    );
    let mut figures = measure(&binary, &[&disk, &tmpfs], &x, &secrets, seconds, posts);
    let (on_tmpfs, on_disk) = (figures.pop().unwrap(), figures.pop().unwrap());
    let row = |name: &str, f: &dyn Fn(&Figures) -> String| {
        println!("{name:<26} {:>30} {:>30}", f(&on_disk), f(&on_tmpfs));
    };
    row("", &|_| String::new());
    println!(
        "{:<26} {:>30} {:>30}",
        "",
        format!("disk ({})", disk.display()),
        format!("tmpfs ({})", tmpfs.display())
    );
    let load_text = |l: &Load| {
        format!(
            "{:.0}/s p50 {:.2} ms p99 {:.2} ms",
            l.events_per_second, l.p50_ms, l.p99_ms
        )
    };
    row("events, 1 connection", &|f| load_text(&f.one));
    row("events, 32 connections", &|f| load_text(&f.many));
    row("fired posts", &|f| format!("{:.0} posts/s", f.fired));
    row("events written", &|f| f.events.to_string());
    row("peak RSS at start", &|f| {
        format!("{:.1} MiB", f.start_rss_mib)
    });
    row("peak RSS through events", &|f| {
        format!("{:.1} MiB", f.peak_rss_mib)
    });
    let ratio = on_disk.many.events_per_second / on_tmpfs.many.events_per_second;
    println!("disk/tmpfs, 32 connections: {ratio:.2}");
    let target = |name: &str, met: bool| {
        println!("target {name}: {}", if met { "met" } else { "NOT met" });
    };
    target(
        ">= 5000 events/s at 32 connections on disk",
        on_disk.many.events_per_second >= 5000.0,
    );
    target(
        "p99 <= 20 ms at 32 connections on disk",
        on_disk.many.p99_ms <= 20.0,
    );
    target("disk >= 0.8 of tmpfs at 32 connections", ratio >= 0.8);
    target(
        "p50 <= 2 ms at 1 connection on disk",
        on_disk.one.p50_ms <= 2.0,
    );
    target(">= 1000 fired posts/s on disk", on_disk.fired >= 1000.0);
    let rss_events = on_disk.events.min(on_tmpfs.events);
    if rss_events >= 100_000 {
        target(
            "peak RSS < 100 MB through 100,000 events",
            on_disk.peak_rss_mib.max(on_tmpfs.peak_rss_mib) < 100.0 * 1e6 / 1048576.0,
        );
    } else {
        println!(
            "target peak RSS < 100 MB through 100,000 events: not measured ({rss_events} events)"
        );
    }
}
