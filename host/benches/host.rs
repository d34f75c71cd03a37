//! Benchmarks (criterion; `cargo bench -p sps`):
//! - `schedule_event`: one "Schedule Social Post" event through the host and the real
//!   scheduler and twitter components, with the in-memory backends (target: median
//!   <= 100 us on a 2-core machine).
//! - `runtime_ready_from_cache`: engine, linker and the three components loaded from
//!   the precompiled cache (what a process does before it is ready).
//! - `process_start_to_ready`: `sps serve` spawned until it prints that it listens
//!   (target: <= 30 ms).

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use sps_host::memory::MemoryBackend;
use sps_host::runtime::Runtime;
use sps_host::secrets::XCredentials;

fn settings(cache: &std::path::Path) -> sps_host::runtime::RuntimeSettings {
    sps_host::settings::runtime_settings(
        PathBuf::from(sps_host::settings::DEFAULT_COMPONENTS_DIR),
        cache.to_path_buf(),
        8,
        "http://127.0.0.1:9",
        &XCredentials::default(),
    )
    .unwrap_or_else(|e| panic!("settings: {e:#}"))
}

fn schedule_event(c: &mut Criterion) {
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (memory, backends) = MemoryBackend::backends();
    let runtime =
        Runtime::new(settings(cache.path()), backends).unwrap_or_else(|e| panic!("{e:#}"));
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let n = AtomicU64::new(0);
    c.bench_function("schedule_event", |b| {
        b.to_async(&tokio).iter(|| {
            let i = n.fetch_add(1, Ordering::Relaxed);
            let event = format!(r#"{{"detail-type":"Schedule Social Post","source":"bench","detail":{{"message":"Hello world!","platform":"twitter","scheduledDate":"2034-10-23T08:48:00","referenceNumber":"bench-{i}"}}}}"#);
            let runtime = runtime.clone();
            async move {
                let outcome = runtime.schedule_post(&event).await;
                assert!(matches!(outcome, Ok(Ok(_))), "{outcome:?}");
            }
        });
    });
    memory.clear_events();
}

fn runtime_ready_from_cache(c: &mut Criterion) {
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // Fill the cache once.
    drop(Runtime::new(
        settings(cache.path()),
        MemoryBackend::backends().1,
    ));
    c.bench_function("runtime_ready_from_cache", |b| {
        b.iter(|| {
            Runtime::new(settings(cache.path()), MemoryBackend::backends().1)
                .unwrap_or_else(|e| panic!("{e:#}"))
        });
    });
}

fn process_start_to_ready(c: &mut Criterion) {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let start = || {
        let t0 = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_sps"))
            .arg("serve")
            .env("SPS_LISTEN", "127.0.0.1:0")
            .env("SPS_DATA_DIR", data.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn: {e}"));
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let elapsed = t0.elapsed();
        assert!(line.starts_with("sps serve listening on "), "{line:?}");
        let _ = child.kill();
        let _ = child.wait();
        elapsed
    };
    start(); // fills the precompiled cache
    let mut group = c.benchmark_group("process");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("process_start_to_ready", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| start()).sum());
    });
    group.finish();
}

criterion_group!(
    benches,
    schedule_event,
    runtime_ready_from_cache,
    process_start_to_ready
);
criterion_main!(benches);
