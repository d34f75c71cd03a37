//! The hostile components of tests/hostile/ (test-only crates: `loop`, `alloc`, `http`,
//! `bigid`, and the trapping scheduler `trap`), built for wasm32-wasip2 once per test
//! process, and what the host says when it stops them. Shared by tests/hostile.rs
//! (`sps serve` and the runtime) and tests/aws_hostile.rs (the Lambda handlers); a test
//! crate includes it with `#[path = "support/hostile.rs"] mod hostile;` beside
//! `mod support;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The cause of the trap when the `alloc` component's `publish` grows its memory past
/// the host's default limit: 64 MiB and one 64 KiB page, the first growth past
/// `Limits::memory_bytes`.
pub const ALLOC_CAUSE: &str = "forcing trap when growing memory to 67174400 bytes";

/// The cause of the trap of the hostile scheduler (`trap`) in `schedule-post`.
pub const SCHEDULER_TRAP_CAUSE: &str = "wasm trap: wasm `unreachable` instruction executed";

/// Where the hostile components are built, once per test process: `cargo build` of
/// the workspace tests/hostile into `<target>/hostile-components`.
pub fn hostile_dir() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        // components_dir() is <target>/wasm-components/wasm32-wasip2/release.
        let target = crate::support::components_dir()
            .ancestors()
            .nth(3)
            .expect("target dir")
            .join("hostile-components");
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/hostile/Cargo.toml");
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip2",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target);
        // As in host/build.rs: settings of the outer build must not leak into this one.
        for var in [
            "CARGO_ENCODED_RUSTFLAGS",
            "RUSTFLAGS",
            "RUSTC_WORKSPACE_WRAPPER",
            "CARGO_BUILD_TARGET",
            "CARGO_TARGET_DIR",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_LLVM_COV",
            "LLVM_PROFILE_FILE",
        ] {
            cmd.env_remove(var);
        }
        let status = cmd.status().expect("run cargo");
        assert!(status.success(), "building tests/hostile failed: {status}");
        target.join("wasm32-wasip2").join("release")
    })
}

/// The built hostile crate `sps-hostile-<name>` (`loop`, `alloc`, `http`, `bigid`,
/// `trap`, `trapsender`).
pub fn hostile_wasm(name: &str) -> PathBuf {
    hostile_dir().join(format!("sps_hostile_{name}.wasm"))
}

/// A components directory: the real sender and twitter, the real scheduler or
/// `scheduler` (a hostile crate's name), and each `(platform, crate)` as
/// `sps_<platform>.wasm`.
pub fn components(scheduler: Option<&str>, platforms: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = crate::support::components_dir();
    let mut files = vec![
        (
            scheduler.map_or_else(|| real.join("sps_scheduler.wasm"), hostile_wasm),
            "sps_scheduler.wasm".to_string(),
        ),
        (real.join("sps_sender.wasm"), "sps_sender.wasm".to_string()),
        (
            real.join("sps_twitter.wasm"),
            "sps_twitter.wasm".to_string(),
        ),
    ];
    for (platform, name) in platforms {
        files.push((hostile_wasm(name), format!("sps_{platform}.wasm")));
    }
    for (from, to) in files {
        std::fs::copy(&from, dir.path().join(to))
            .unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
    dir
}
