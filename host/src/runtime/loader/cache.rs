//! The precompiled-component cache: `{cache_dir}/{cache_key}.cwasm`, named by the digest
//! of the component bytes and of the engine's configuration, so a restart deserializes
//! instead of compiling.

use std::hash::{Hash, Hasher};
use std::path::Path;

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

use super::LoadReport;

/// The content digest that names a component's precompiled file: SHA-256 of the
/// component bytes and of the engine's compatibility hash, lowercase hex.
pub fn cache_key(engine: &Engine, bytes: &[u8]) -> String {
    let mut engine_hash = std::hash::DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut engine_hash);
    let mut digest = Sha256::new();
    digest.update(bytes);
    digest.update(engine_hash.finish().to_le_bytes());
    digest.update(env!("CARGO_PKG_VERSION").as_bytes());
    data_encoding::HEXLOWER.encode(&digest.finalize())
}

/// Compiles `bytes`, or loads the code precompiled earlier from
/// `{cache_dir}/{cache_key}.cwasm`. A cache file that cannot be used is rebuilt.
pub(super) fn compile_cached(
    engine: &Engine,
    bytes: &[u8],
    cache_dir: &Path,
    report: &mut LoadReport,
) -> anyhow::Result<Component> {
    let cached = cache_dir.join(format!("{}.cwasm", cache_key(engine, bytes)));
    if cached.is_file() {
        // SAFETY: the file is named by the digest of the component bytes and of this
        // engine's configuration, and was written by `Component::serialize` of this
        // program into the host's own cache directory (see below); wasmtime checks the
        // engine compatibility header before using it.
        match unsafe { Component::deserialize_file(engine, &cached) } {
            Ok(component) => {
                report.cached += 1;
                return Ok(component);
            }
            Err(err) => {
                tracing::warn!(file = %cached.display(), error = %err, "ignoring unusable precompiled component")
            }
        }
    }
    let component = Component::new(engine, bytes)?;
    report.compiled += 1;
    if let Err(err) = write_cache(&component, cache_dir, &cached) {
        tracing::warn!(file = %cached.display(), error = %crate::runtime::error_summary(&err), "cannot cache precompiled component");
    }
    Ok(component)
}

/// Writes the precompiled code atomically (temporary file, then rename).
fn write_cache(component: &Component, cache_dir: &Path, cached: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(cache_dir)?;
    let tmp = cached.with_extension(format!("{}.tmp", uuid::Uuid::new_v4()));
    std::fs::write(&tmp, component.serialize()?)?;
    std::fs::rename(&tmp, cached)?;
    Ok(())
}
