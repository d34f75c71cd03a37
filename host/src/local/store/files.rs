//! The data directory and the database files: created owner-only.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// Creates `data_dir` and its missing parents, the data directory itself with mode 0700
/// (owner only); an existing directory is left as it is.
///
/// # Errors
/// When it cannot be created.
pub(crate) fn create_data_dir(data_dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    if data_dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = data_dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    }
    match std::fs::DirBuilder::new().mode(0o700).create(data_dir) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && data_dir.is_dir() => Ok(()),
        other => other
            .with_context(|| format!("cannot create the data directory {}", data_dir.display())),
    }
}

/// Makes `data_dir` ([`create_data_dir`]) and keeps the database files `path`,
/// `path-wal` and `path-shm` readable by their owner only (0600): besides the posts they
/// hold the platform components' key-value state, a Bluesky session's tokens among it, as
/// sensitive as the secrets file. SQLite creates the WAL and shared-memory files with the
/// database file's mode.
///
/// # Errors
/// When the directory cannot be created or a file's mode cannot be set.
pub(super) fn owner_only(data_dir: &Path, path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    create_data_dir(data_dir)?;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create the database {}", path.display()))?;
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("cannot make {} owner-only", file.display()))?;
        }
    }
    Ok(())
}
