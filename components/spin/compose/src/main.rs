//! `sps-spin-compose`: the build step of the Spin app (`spin build` runs it; see
//! spin.toml). It builds the components for wasm32-wasip2 in release, exactly as the
//! host's build does (`host/build.rs`: the scheduler, sender and platform components in
//! one cargo invocation into `target/wasm-components`, so the bytes are the same), builds
//! the Spin glue components, then composes `target/spin/sps_http_app.wasm` and
//! `target/spin/sps_cron_app.wasm` and prints the SHA-256 of every nested component.
//!
//! ```sh
//! cargo run --release -p sps-spin-compose -- \
//!   --scheduler-setting flexible_window_minutes \
//!   --platform twitter=x_api_base_url,x_api_key,x_api_key_secret,x_access_token,x_access_token_secret,x_bearer_token
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context as _};
use clap::Parser;
use sps_spin_compose::{write_apps, Plan, PlatformPlan};

/// Builds and composes the Spin app of Social Post Scheduler.
#[derive(Debug, Parser)]
struct Args {
    /// The workspace root (where Cargo.toml and spin.toml are).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// A setting key the scheduler may read; repeat for each.
    #[arg(long = "scheduler-setting", required = true)]
    scheduler_settings: Vec<String>,
    /// A platform component and the setting keys it may read, `NAME=KEY,KEY,...`; repeat
    /// for each platform, in the order of the chain.
    #[arg(long = "platform", required = true, value_parser = platform)]
    platforms: Vec<PlatformPlan>,
    /// Compose from these components instead of building them (the directory holding
    /// `sps_scheduler.wasm` and the rest).
    #[arg(long)]
    components_dir: Option<PathBuf>,
    /// Where the composed apps go.
    #[arg(long, default_value = "target/spin")]
    out: PathBuf,
}

/// Parses `NAME=KEY,KEY,...`, where a `KEY` may be `KEY=VARIABLE`: the setting `KEY` read
/// from the Spin variable `VARIABLE` (so that two platforms' `access_token` are two
/// variables), or `ACCOUNT:KEY=VARIABLE`: the setting of another account than `default`.
fn platform(text: &str) -> Result<PlatformPlan, String> {
    let (name, keys) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not NAME=KEY,KEY,..."))?;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "platform name {name:?} must be lowercase letters, digits and '-'"
        ));
    }
    let settings: Vec<String> = keys
        .split(',')
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    let is_name = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    for setting in &settings {
        let valid = sps_spin_config::entry(setting)
            .is_some_and(|e| is_name(e.account) && is_name(e.key) && is_name(e.variable));
        if !valid {
            return Err(format!(
                "setting {setting:?} of {name} must be KEY, KEY=VARIABLE or \
                 ACCOUNT:KEY=VARIABLE, each of lowercase letters, digits and '_'"
            ));
        }
    }
    Ok(PlatformPlan {
        name: name.to_string(),
        settings,
    })
}

/// Runs `cargo build --release --target wasm32-wasip2` of `packages` into
/// `target/wasm-components`.
fn build(root: &Path, packages: &[String]) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root).args([
        "build",
        "--release",
        "--target",
        "wasm32-wasip2",
        "--target-dir",
        "target/wasm-components",
    ]);
    for package in packages {
        cmd.args(["-p", package]);
    }
    for var in [
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().context("cannot run cargo")?;
    if !status.success() {
        bail!("cargo build of {} failed ({status})", packages.join(", "));
    }
    Ok(())
}

fn run(args: Args) -> anyhow::Result<()> {
    let components_dir = match args.components_dir {
        Some(dir) => dir,
        None => {
            // The same invocation as host/build.rs, so the bytes are the host's.
            let mut ours = vec!["sps-scheduler".to_string(), "sps-sender".to_string()];
            ours.extend(args.platforms.iter().map(|p| format!("sps-{}", p.name)));
            build(&args.root, &ours)?;
            let glue = [
                "caps",
                "config",
                "platform-link",
                "no-platforms",
                "http",
                "cron",
            ];
            build(&args.root, &glue.map(|g| format!("sps-spin-{g}")))?;
            args.root
                .join("target/wasm-components/wasm32-wasip2/release")
        }
    };
    let plan = Plan {
        components_dir,
        scheduler_settings: args.scheduler_settings,
        platforms: args.platforms,
    };
    let out = args.root.join(&args.out);
    for path in write_apps(&plan, &out)? {
        let bytes = std::fs::read(&path)?;
        println!("{} ({} bytes)", path.display(), bytes.len());
        for digest in sps_spin_compose::nested_component_digests(&bytes)? {
            println!("  nested component sha256 {digest}");
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sps-spin-compose: {err:#}");
            ExitCode::FAILURE
        }
    }
}
