//! The test virtualenv `target/test-venv`: Python tools from PyPI (moto, cargo-lambda,
//! boto3 and the AWS CLI) that the tests run, made once under a file lock shared by every
//! test binary (`.ci/run` makes it beforehand).

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/` of this build (the test binary is `target/<profile>/deps/aws-...`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// The test virtualenv, with `packages` installed (pip names), made or completed under a
/// file lock so that concurrent test binaries do it once.
///
/// # Errors
/// When the virtualenv cannot be made or pip fails (with pip's output).
pub fn venv_with(packages: &[&str], probe: &str) -> Result<PathBuf, String> {
    let venv = target_dir().join("test-venv");
    std::fs::create_dir_all(target_dir()).map_err(|e| format!("cannot make target/: {e}"))?;
    let lock_path = target_dir().join("test-venv.lock");
    let lock = std::fs::File::create(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    let bin = venv.join("bin");
    if !bin.join("python").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    if !bin.join(probe).exists() {
        run(Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--quiet"])
            .args(packages))?;
    }
    drop(lock);
    Ok(venv)
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
