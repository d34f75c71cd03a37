//! Builds the components (wasm32-wasip2, release) before the host, so that
//! `cargo run -p sps -- serve` and `cargo test` need no separate step, and tells the
//! host where they are (`SPS_DEFAULT_COMPONENTS_DIR`).
//!
//! The nested cargo uses a target directory of its own, beside the outer one, so the two
//! never wait on each other's lock. Set `SPS_SKIP_COMPONENT_BUILD=1` to skip it (the
//! components directory is then only a default; `SPS_COMPONENTS_DIR` picks another).

use std::env;
use std::path::PathBuf;
use std::process::Command;

const COMPONENTS: [&str; 3] = ["sps-scheduler", "sps-sender", "sps-twitter"];
const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest_dir.parent().map(PathBuf::from).unwrap_or_default();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    // OUT_DIR is <target>[/<triple>]/<profile>/build/<pkg>/out.
    let target_dir = out_dir
        .ancestors()
        .nth(4)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let components_target = target_dir.join("wasm-components");
    let components_dir = components_target.join(TARGET).join("release");
    println!(
        "cargo:rustc-env=SPS_DEFAULT_COMPONENTS_DIR={}",
        components_dir.display()
    );
    println!("cargo:rerun-if-env-changed=SPS_SKIP_COMPONENT_BUILD");
    for path in ["components", "wit", "Cargo.lock", "Cargo.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }
    if env::var_os("SPS_SKIP_COMPONENT_BUILD").is_some_and(|v| v == "1") {
        return;
    }

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--release", "--target", TARGET, "--target-dir"])
        .arg(&components_target);
    for package in COMPONENTS {
        cmd.args(["-p", package]);
    }
    // Settings of the outer build that must not leak into the components' build.
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
    match cmd.status() {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!(
            "building the components failed ({status}); is the wasm32-wasip2 target installed? (rustup target add wasm32-wasip2)"
        )),
        Err(err) => fail(&format!("cannot run cargo to build the components: {err}")),
    }
}

fn fail(message: &str) -> ! {
    println!("cargo:warning={message}");
    eprintln!("error: {message}");
    std::process::exit(1);
}
