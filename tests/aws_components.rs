//! The components of the AWS host: those embedded in the binary (precompiled with the
//! `precompiled` feature), and those of an S3 prefix on a moto server over HTTP
//! (tests/support/moto.rs), checked before they replace the running ones.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The AWS host exists only with the feature `aws`; refuse to build rather than skip.
#[cfg(not(feature = "aws"))]
compile_error!("the AWS tests need the feature aws: cargo test --workspace --features sps/aws (the README's test command)");

mod support;

use std::time::Duration;

use sps_host::aws::components::{Refresh, S3Components, S3Prefix};
use sps_host::memory::MemoryBackend;
use sps_host::runtime::{ComponentsSource, Runtime};
use sps_host::secrets::XCredentials;
use support::aws::{aws, components_bucket, put_component, readme_event};

/// A runtime on the components embedded in the binary, with the in-memory backends.
async fn embedded_runtime() -> (Runtime, std::sync::Arc<MemoryBackend>) {
    let mut settings = sps_host::settings::runtime_settings(
        support::components_dir(),
        support::shared_cache_dir(),
        8,
        "http://127.0.0.1:9",
        &XCredentials::default(),
    )
    .expect("settings");
    settings.components = ComponentsSource::Embedded;
    let (memory, backends) = MemoryBackend::backends();
    let runtime = tokio::task::spawn_blocking(move || Runtime::new(settings, backends))
        .await
        .expect("join")
        .expect("runtime on the embedded components");
    (runtime, memory)
}

#[tokio::test]
async fn components_from_s3_are_checked_and_a_bad_one_is_kept_out() {
    let aws = aws();
    let bucket = components_bucket(&aws, &[]).await;
    let (runtime, memory) = embedded_runtime().await;
    assert_eq!(
        runtime.load_report().source,
        "the components embedded in the binary"
    );
    let location: S3Prefix = format!("s3://{bucket}/live").parse().expect("uri");
    let s3 = S3Components::new(aws.s3.clone(), location, Duration::ZERO);

    assert_eq!(s3.refresh(&runtime).await, Refresh::Empty);
    let read = |file: &str| std::fs::read(support::components_dir().join(file)).expect("component");
    put_component(&aws, &bucket, "sps_twitter.wasm", read("sps_twitter.wasm")).await;
    put_component(&aws, &bucket, "notes.txt", b"not a component".to_vec()).await;
    let Refresh::Loaded(report) = s3.refresh(&runtime).await else {
        panic!("the twitter component from S3 must load");
    };
    assert!(
        report
            .source
            .starts_with("the components embedded in the binary with those of ")
            && report.source.ends_with(" over them"),
        "{}",
        report.source
    );
    assert_eq!(
        report.precompiled + report.cached + report.compiled,
        support::COMPONENT_FILES.len()
    );
    assert_eq!(s3.refresh(&runtime).await, Refresh::Unchanged);

    // The sender's bytes are not a platform component: refused, the last good ones stay.
    put_component(&aws, &bucket, "sps_twitter.wasm", read("sps_sender.wasm")).await;
    let Refresh::Kept(why) = s3.refresh(&runtime).await else {
        panic!("a component of the wrong world must not load");
    };
    assert!(
        why.starts_with("component ") && why.ends_with("/sps_twitter.wasm is not allowed: it imports sps:social/platforms@0.3.0, which its world does not grant"),
        "{why}"
    );
    put_component(
        &aws,
        &bucket,
        "sps_scheduler.wasm",
        b"\0asm garbage".to_vec(),
    )
    .await;
    let Refresh::Kept(why) = s3.refresh(&runtime).await else {
        panic!("garbage must not load");
    };
    assert!(
        why.starts_with("cannot compile component ") && why.contains("/sps_scheduler.wasm"),
        "{why}"
    );
    assert_eq!(runtime.platform_names(), support::PLATFORMS);
    let outcome = runtime
        .schedule_post(&readme_event("s3", "Still here", "2034-10-23T08:48:00").to_string())
        .await
        .expect("call");
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(memory.schedules().len(), 1);
}

#[tokio::test]
async fn the_embedded_components_load_and_are_precompiled_with_the_feature() {
    let (runtime, _memory) = embedded_runtime().await;
    let report = runtime.load_report();
    assert_eq!(report.source, "the components embedded in the binary");
    if cfg!(feature = "precompiled") {
        // build.rs precompiled them for this target: nothing is compiled at start.
        assert_eq!(
            (report.precompiled, report.cached, report.compiled),
            (support::COMPONENT_FILES.len(), 0, 0)
        );
    } else {
        assert_eq!(
            (report.precompiled, report.cached + report.compiled),
            (0, support::COMPONENT_FILES.len())
        );
    }
    assert_eq!(runtime.platform_names(), support::PLATFORMS);
}
