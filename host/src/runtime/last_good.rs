//! The last good set of swapped components, kept on disk so that a restart after a
//! refused swap starts from what ran before instead of failing ("bad magic number"):
//! after every load that took components from a directory, the files it used are
//! written to the last-good directory (under the data directory's cache, never where
//! swaps are read from), replacing the set before in one rename.

use std::path::Path;

/// Writes `files` (file name, bytes) as the whole content of `dir`: into a fresh sibling
/// directory first, then renamed into place, so a crash leaves the old set or the new one.
///
/// # Errors
/// When the directories cannot be written or renamed.
pub(crate) fn save(dir: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let parent = dir
        .parent()
        .ok_or_else(|| anyhow::anyhow!("{} has no parent directory", dir.display()))?;
    std::fs::create_dir_all(parent)?;
    let unique = uuid::Uuid::new_v4();
    let staged = parent.join(format!(".last-good-{unique}"));
    std::fs::create_dir(&staged)?;
    for (file, bytes) in files {
        std::fs::write(staged.join(file), bytes)?;
    }
    let old = parent.join(format!(".last-good-old-{unique}"));
    let had_old = match std::fs::rename(dir, &old) {
        Ok(()) => true,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => false,
        Err(err) => return Err(err.into()),
    };
    std::fs::rename(&staged, dir)?;
    if had_old {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}

/// Whether `dir` holds a saved set.
pub(crate) fn exists(dir: &Path) -> bool {
    dir.is_dir()
}
