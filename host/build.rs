//! Builds the components (wasm32-wasip2, release) before the host, so that
//! `cargo run -p sps -- serve` and `cargo test` need no separate step, tells the host
//! where they are (`SPS_DEFAULT_COMPONENTS_DIR`), and embeds them in the binary
//! (`$OUT_DIR/embedded_components.rs`, read by `runtime::loader::EMBEDDED`) so that a
//! Lambda package is the one `bootstrap` file.
//!
//! With the feature `precompiled`, each embedded component is also precompiled here for
//! the build's target architecture (`TARGET`, e.g. `aarch64-unknown-linux-gnu` under
//! `cargo lambda build --arm64`) with the host's own engine configuration
//! (`src/runtime/engine_config.rs`), so a cold start deserializes instead of compiling.
//!
//! The nested cargo uses a target directory of its own, beside the outer one, so the two
//! never wait on each other's lock. Set `SPS_SKIP_COMPONENT_BUILD=1` to skip it (the
//! components directory is then only a default; `SPS_COMPONENTS_DIR` picks another).

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest as _, Sha256};

#[cfg(feature = "precompiled")]
#[path = "src/runtime/engine_config.rs"]
mod engine_config;

/// The components built and embedded: the package of every workspace member under
/// `components/` whose `Cargo.toml` has `[package.metadata.sps] embed = true` (the
/// scheduler, the sender and every platform component), sorted by package name. A new
/// platform is a folder under `components/` with that table and its line in the
/// workspace's `members`.
fn components(root: &Path) -> Vec<String> {
    let workspace = root.join("Cargo.toml");
    let members: Vec<String> = match std::fs::read_to_string(&workspace)
        .map_err(|e| e.to_string())
        .and_then(|text| text.parse::<toml::Table>().map_err(|e| e.to_string()))
    {
        Ok(table) => table
            .get("workspace")
            .and_then(|w| w.get("members"))
            .and_then(toml::Value::as_array)
            .map(|members| {
                members
                    .iter()
                    .filter_map(toml::Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        Err(err) => fail(&format!("cannot read {}: {err}", workspace.display())),
    };
    let mut packages = Vec::new();
    for member in members.iter().filter(|m| m.starts_with("components/")) {
        let manifest = root.join(member).join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let value: toml::Table = match text.parse() {
            Ok(value) => value,
            Err(err) => fail(&format!("cannot parse {}: {err}", manifest.display())),
        };
        let package = value.get("package");
        let embed = package
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("sps"))
            .and_then(|s| s.get("embed"))
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        let name = package
            .and_then(|p| p.get("name"))
            .and_then(toml::Value::as_str);
        if let (true, Some(name)) = (embed, name) {
            packages.push(name.to_string());
        }
    }
    packages.sort();
    packages
}

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
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join("src/runtime/engine_config.rs").display()
    );
    let components = components(&root);
    if env::var_os("SPS_SKIP_COMPONENT_BUILD").is_none_or(|v| v != "1") {
        build_components(&root, &components_target, &components);
    }
    embed(&components_dir, &out_dir, &components);
}

/// Adds the `wasm32-wasip2` target to the toolchain when rustup manages it and lacks it.
/// `rust-toolchain.toml` lists the target, but rustup installs listed targets only with
/// the toolchain: a machine that already had this toolchain (a CI image, a second
/// project) has it without the target, and the README's Quick start would stop at the
/// first build. Without rustup, or when it fails, the components' build below says what
/// to do.
fn ensure_target() {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let Ok(installed) = installed else {
        return;
    };
    if !installed.status.success()
        || String::from_utf8_lossy(&installed.stdout)
            .lines()
            .any(|line| line.trim() == TARGET)
    {
        return;
    }
    println!("cargo:warning=adding the {TARGET} target (rustup target add {TARGET})");
    let _ = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status();
}

/// Builds the packages `components` into `components_target`.
fn build_components(root: &Path, components_target: &Path, components: &[String]) {
    ensure_target();
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--release", "--target", TARGET, "--target-dir"])
        .arg(components_target);
    for package in components {
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

/// Writes `$OUT_DIR/embedded_components.rs`: one `EmbeddedComponent` per component
/// found in `components_dir` (none when the build was skipped and they are absent), each
/// with the SHA-256 of its bytes, and `VERSION_TEXT` (what `sps --version` prints after
/// the name: the version and those digests).
fn embed(components_dir: &Path, out_dir: &Path, components: &[String]) {
    let mut entries = String::new();
    let mut digests = String::new();
    for package in components {
        let file = format!("{}.wasm", package.replace('-', "_"));
        let path = components_dir.join(&file);
        if !path.is_file() {
            println!(
                "cargo:warning={} is missing: the binary embeds no components",
                path.display()
            );
            entries.clear();
            digests.clear();
            break;
        }
        let sha256 = match std::fs::read(&path) {
            Ok(bytes) => format!("{:x}", Sha256::digest(&bytes)),
            Err(err) => fail(&format!("cannot read {}: {err}", path.display())),
        };
        let _ = write!(digests, "\n  {file:<20} sha256:{sha256}");
        let precompiled = match precompile(&path, out_dir, &file) {
            Some(code) => format!("Some(include_bytes!({:?}))", code.display().to_string()),
            None => "None".to_string(),
        };
        let _ = writeln!(
            entries,
            "    EmbeddedComponent {{ file: {file:?}, sha256: {sha256:?}, wasm: include_bytes!({:?}), precompiled: {precompiled} }},",
            path.display().to_string()
        );
    }
    if digests.is_empty() {
        digests.push_str(" (none: built with SPS_SKIP_COMPONENT_BUILD=1)");
    }
    let version = format!(
        "{}\ncomponents embedded in this binary:{digests}",
        env::var("CARGO_PKG_VERSION").unwrap_or_default()
    );
    let code = format!(
        "/// The components embedded by build.rs.\npub const EMBEDDED: &[EmbeddedComponent] = &[\n{entries}];\n\n/// The version and the embedded components' digests (`sps --version`).\npub const VERSION_TEXT: &str = {version:?};\n"
    );
    if let Err(err) = std::fs::write(out_dir.join("embedded_components.rs"), code) {
        fail(&format!("cannot write embedded_components.rs: {err}"));
    }
}

/// Without the feature `precompiled`: nothing.
#[cfg(not(feature = "precompiled"))]
fn precompile(_wasm: &Path, _out_dir: &Path, _file: &str) -> Option<PathBuf> {
    None
}

/// Precompiles `wasm` for `TARGET` with the host's engine configuration into
/// `$OUT_DIR/<file>.cwasm` (wasmtime `Engine::precompile_component`).
#[cfg(feature = "precompiled")]
fn precompile(wasm: &Path, out_dir: &Path, file: &str) -> Option<PathBuf> {
    let target = env::var("TARGET").unwrap_or_default();
    let mut config = engine_config::engine_config();
    if let Err(err) = config.target(&target) {
        fail(&format!("wasmtime cannot compile for {target}: {err}"));
    }
    let engine = match wasmtime::Engine::new(&config) {
        Ok(engine) => engine,
        Err(err) => fail(&format!("cannot configure wasmtime for {target}: {err}")),
    };
    let bytes = match std::fs::read(wasm) {
        Ok(bytes) => bytes,
        Err(err) => fail(&format!("cannot read {}: {err}", wasm.display())),
    };
    let code = match engine.precompile_component(&bytes) {
        Ok(code) => code,
        Err(err) => fail(&format!("cannot precompile {}: {err:#}", wasm.display())),
    };
    let out = out_dir.join(format!("{file}.{target}.cwasm"));
    if let Err(err) = std::fs::write(&out, code) {
        fail(&format!("cannot write {}: {err}", out.display()));
    }
    Some(out)
}

fn fail(message: &str) -> ! {
    println!("cargo:warning={message}");
    eprintln!("error: {message}");
    std::process::exit(1);
}
