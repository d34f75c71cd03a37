//! Loading components from a directory: each file is checked against the world it must
//! implement, precompiled once and cached under its content digest, and
//! pre-instantiated against the shared linker.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::Engine;

use super::{Components, Ctx};
use crate::bindings::{PlatformComponentPre, SchedulerPre, SenderPre};

/// File name of the scheduler component in a components directory.
pub const SCHEDULER_FILE: &str = "sps_scheduler.wasm";
/// File name of the sender component in a components directory.
pub const SENDER_FILE: &str = "sps_sender.wasm";
/// Every other `sps_<name>.wasm` in a components directory is the platform `<name>`.
pub const PLATFORM_PREFIX: &str = "sps_";

/// Imports every component may have: what Rust's standard library uses.
const COMMON_IMPORTS: &[&str] = &[
    "wasi:cli/",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:filesystem/",
];
/// Imports of the world `sps:social/scheduler`.
const SCHEDULER_IMPORTS: &[&str] = &[
    "wasi:config/store",
    "sps:social/types",
    "sps:social/platforms",
    "sps:social/schedules",
    "sps:social/events",
];
/// Imports of the world `sps:social/sender`.
const SENDER_IMPORTS: &[&str] = &[
    "sps:social/types",
    "sps:social/platforms",
    "sps:social/events",
    "sps:social/ledger",
];
/// Imports of the world `sps:social/platform-component`, plus outbound HTTP.
const PLATFORM_IMPORTS: &[&str] = &[
    "wasi:config/store",
    "sps:social/types",
    "wasi:http/outgoing-handler",
    "wasi:http/types",
];

/// Loads the scheduler, the sender and every platform component in `dir`, using
/// `cache_dir` for precompiled code.
///
/// # Errors
/// When a required file is missing, fails to compile, imports a capability its world
/// does not grant, or lacks its world's exports; the message names the file.
pub(crate) fn load_dir(
    engine: &Engine,
    linker: &Linker<Ctx>,
    dir: &Path,
    cache_dir: &Path,
) -> anyhow::Result<Components> {
    let scheduler_path = dir.join(SCHEDULER_FILE);
    let sender_path = dir.join(SENDER_FILE);
    let scheduler = load(engine, &scheduler_path, cache_dir, SCHEDULER_IMPORTS)?;
    let scheduler = SchedulerPre::new(linker.instantiate_pre(&scheduler)?)
        .map_err(anyhow::Error::from)
        .with_context(|| {
            format!(
                "{} does not implement the world sps:social/scheduler",
                scheduler_path.display()
            )
        })?;
    let sender = load(engine, &sender_path, cache_dir, SENDER_IMPORTS)?;
    let sender = SenderPre::new(linker.instantiate_pre(&sender)?)
        .map_err(anyhow::Error::from)
        .with_context(|| {
            format!(
                "{} does not implement the world sps:social/sender",
                sender_path.display()
            )
        })?;

    let mut platforms = BTreeMap::new();
    for (name, path) in platform_files(dir)? {
        let component = load(engine, &path, cache_dir, PLATFORM_IMPORTS)?;
        let pre = PlatformComponentPre::new(linker.instantiate_pre(&component)?)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "{} does not implement the world sps:social/platform-component",
                    path.display()
                )
            })?;
        platforms.insert(name, pre);
    }
    if platforms.is_empty() {
        bail!(
            "no platform component (sps_<platform>.wasm) in {}",
            dir.display()
        );
    }
    Ok(Components {
        scheduler,
        sender,
        platforms,
    })
}

/// The platform files of `dir`: `sps_<name>.wasm` other than the scheduler and the
/// sender, where `<name>` is lowercase ASCII letters and digits.
fn platform_files(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the components directory {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        if file == SCHEDULER_FILE || file == SENDER_FILE {
            continue;
        }
        let Some(name) = file
            .strip_prefix(PLATFORM_PREFIX)
            .and_then(|f| f.strip_suffix(".wasm"))
        else {
            continue;
        };
        if !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            found.push((name.to_string(), path));
        }
    }
    found.sort();
    Ok(found)
}

/// What identifies the contents of a components directory: the `.wasm` files' names,
/// sizes and modification times, sorted.
pub type Fingerprint = Vec<(String, u64, Option<std::time::SystemTime>)>;

/// The [`Fingerprint`] of `dir`.
///
/// # Errors
/// When the directory cannot be read.
pub fn fingerprint(dir: &Path) -> anyhow::Result<Fingerprint> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the components directory {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".wasm") {
            let meta = entry.metadata()?;
            files.push((name, meta.len(), meta.modified().ok()));
        }
    }
    files.sort();
    Ok(files)
}

/// Reads, checks and compiles one component, through the precompiled cache.
fn load(
    engine: &Engine,
    path: &Path,
    cache_dir: &Path,
    world_imports: &[&str],
) -> anyhow::Result<Component> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read component {}", path.display()))?;
    let component = compile_cached(engine, &bytes, cache_dir)
        .with_context(|| format!("cannot compile component {}", path.display()))?;
    check_imports(engine, &component, world_imports)
        .with_context(|| format!("component {} is not allowed", path.display()))?;
    Ok(component)
}

/// Fails when the component imports an interface outside [`COMMON_IMPORTS`] and
/// `world_imports` (matched without the `@version`).
fn check_imports(
    engine: &Engine,
    component: &Component,
    world_imports: &[&str],
) -> anyhow::Result<()> {
    let ty = component.component_type();
    for (name, _) in ty.imports(engine) {
        let unversioned = name.split('@').next().unwrap_or(name);
        let allowed = COMMON_IMPORTS.iter().any(|p| unversioned.starts_with(p))
            || world_imports.contains(&unversioned);
        if !allowed {
            bail!("it imports {name}, which its world does not grant");
        }
    }
    Ok(())
}

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
fn compile_cached(engine: &Engine, bytes: &[u8], cache_dir: &Path) -> anyhow::Result<Component> {
    let cached = cache_dir.join(format!("{}.cwasm", cache_key(engine, bytes)));
    if cached.is_file() {
        // SAFETY: the file is named by the digest of the component bytes and of this
        // engine's configuration, and was written by `Component::serialize` of this
        // program into the host's own cache directory (see below); wasmtime checks the
        // engine compatibility header before using it.
        match unsafe { Component::deserialize_file(engine, &cached) } {
            Ok(component) => return Ok(component),
            Err(err) => {
                tracing::warn!(file = %cached.display(), error = %err, "ignoring unusable precompiled component")
            }
        }
    }
    let component = Component::new(engine, bytes)?;
    if let Err(err) = write_cache(&component, cache_dir, &cached) {
        tracing::warn!(file = %cached.display(), error = %format!("{err:#}"), "cannot cache precompiled component");
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
