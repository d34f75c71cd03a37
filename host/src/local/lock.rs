//! The lock on a data directory: one `sps serve` at a time may use it. Two processes on
//! one database would both deliver every due schedule. The lock is an advisory file lock
//! (`flock`, through the standard library's `File::try_lock`) on `{data_dir}/sps.lock`,
//! which holds the owner's process id; the kernel drops it when the process ends, kill -9
//! included, so a crash never leaves the directory locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::Path;

use anyhow::Context as _;

/// Held for as long as the process serves from the directory.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock on `data_dir` (created if needed) and writes this process's id in it.
    ///
    /// # Errors
    /// `the data directory D is in use by another sps serve (process N): stop it, or set
    /// SPS_DATA_DIR to another directory` when another process holds it; an I/O error
    /// otherwise.
    pub fn acquire(data_dir: &Path) -> anyhow::Result<Self> {
        super::store::create_data_dir(data_dir)?;
        let path = data_dir.join("sps.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut owner = String::new();
                let _ = file.read_to_string(&mut owner);
                let owner = owner.trim();
                let who = if owner.is_empty() {
                    "another process".to_string()
                } else {
                    format!("process {owner}")
                };
                anyhow::bail!(
                    "the data directory {} is in use by another sps serve ({who}): stop it, or set SPS_DATA_DIR to another directory",
                    data_dir.display()
                );
            }
            Err(TryLockError::Error(err)) => {
                return Err(err).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
        file.set_len(0)?;
        file.rewind()?;
        writeln!(file, "{}", std::process::id())?;
        file.sync_all()?;
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_directory_is_refused_and_names_the_owner() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let held = DataDirLock::acquire(dir.path())?;
        let err = DataDirLock::acquire(dir.path())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err,
            Some(format!(
                "the data directory {} is in use by another sps serve (process {}): stop it, or set SPS_DATA_DIR to another directory",
                dir.path().display(),
                std::process::id()
            ))
        );
        drop(held);
        assert!(DataDirLock::acquire(dir.path()).is_ok());
        Ok(())
    }
}
