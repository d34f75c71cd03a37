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
/// `{cache_dir}/{cache_key}.cwasm`. A cache file that cannot be used is rebuilt. Code
/// compiled now is written to the cache and used from there, as a restart would: the
/// file is mapped, so its pages are the kernel's to drop, where code compiled into the
/// heap would stay resident (about 60 MB more for the embedded components).
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
    let component = compile_into_cache(engine, bytes, cache_dir, &cached, report);
    release_freed_memory();
    component
}

/// Compiles `bytes` with [`compiling_engine`], writes the code to `cached` and loads it
/// from there (from memory when the file cannot be written).
fn compile_into_cache(
    engine: &Engine,
    bytes: &[u8],
    cache_dir: &Path,
    cached: &Path,
    report: &mut LoadReport,
) -> anyhow::Result<Component> {
    let code =
        compiling_engine(engine).and_then(|compiler| compiler.precompile_component(bytes))?;
    report.compiled += 1;
    let component = match write_cache(&code, cache_dir, cached) {
        // SAFETY: as in `compile_cached`; the file was written just now from this
        // engine's code.
        Ok(()) => unsafe { Component::deserialize_file(engine, cached) },
        Err(err) => {
            tracing::warn!(file = %cached.display(), error = %crate::runtime::error_summary(&err), "cannot cache precompiled component");
            // SAFETY: `code` is this engine's own `precompile_component` output.
            unsafe { Component::deserialize(engine, &code) }
        }
    };
    Ok(component?)
}

/// An engine of `engine`'s configuration for one compilation, dropped after it: an engine
/// keeps Cranelift's contexts (one per compiling thread, tens of MB each) for the next
/// compilation, which `sps serve` never makes. Its code is `engine`'s: the allocation
/// strategy (on demand here, pooled there) is not part of compiled code.
///
/// # Errors
/// When the engine cannot be made (it was made once already with this configuration).
fn compiling_engine(engine: &Engine) -> wasmtime::Result<Engine> {
    let mut config = engine.config().clone();
    config.allocation_strategy(wasmtime::InstanceAllocationStrategy::OnDemand);
    config.parallel_compilation(false);
    Engine::new(&config)
}

/// Gives the heap memory freed since back to the kernel (after a compilation, once its
/// engine and its code are dropped). Compiling a component allocates
/// tens of MB on Cranelift's threads and frees it, and glibc's malloc keeps freed memory
/// in its per-thread arenas: without this (and without using the code from the cache
/// file) the first `sps serve` of a data directory, the one that compiles, stayed at
/// 132 MB resident doing nothing, where a restart that finds the cache starts at 29 MB.
/// (Measured with `VmRSS` of the release `sps serve` once it listens.) `malloc_trim(0)` releases the whole free
/// pages of every arena (glibc manual, malloc_trim(3): "since glibc 2.8 this function
/// frees memory in all arenas and in all chunks with whole free pages"). Other C
/// libraries are left as they are.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer and only walks glibc's own arenas under their
    // locks; it is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Writes the precompiled code atomically (temporary file, then rename).
fn write_cache(code: &[u8], cache_dir: &Path, cached: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(cache_dir)?;
    let tmp = cached.with_extension(format!("{}.tmp", uuid::Uuid::new_v4()));
    std::fs::write(&tmp, code)?;
    std::fs::rename(&tmp, cached)?;
    Ok(())
}
