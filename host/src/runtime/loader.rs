//! Loading components from a directory or from the binary itself: each component is
//! checked against the world it must implement, precompiled once (at build time for the
//! embedded ones with the feature `precompiled`, else on first load and cached under its
//! content digest), and pre-instantiated against the shared linker.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::Engine;

mod cache;

use super::{Components, Ctx};
use crate::bindings::{PlatformComponentPre, SchedulerPre, SenderPre};
pub use cache::cache_key;
use cache::compile_cached;

/// File name of the scheduler component in a components directory.
pub const SCHEDULER_FILE: &str = "sps_scheduler.wasm";
/// File name of the sender component in a components directory.
pub const SENDER_FILE: &str = "sps_sender.wasm";
/// Every other `sps_<name>.wasm` in a components directory is the platform `<name>`.
pub const PLATFORM_PREFIX: &str = "sps_";

use sps_contract::worlds::{PLATFORM_IMPORTS, SCHEDULER_IMPORTS, SENDER_IMPORTS};

/// Where the components come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentsSource {
    /// A directory holding `sps_scheduler.wasm`, `sps_sender.wasm` and
    /// `sps_<platform>.wasm` (compiled through the precompiled cache).
    Dir(PathBuf),
    /// The components built into this binary ([`EMBEDDED`]): precompiled `.cwasm`
    /// for the build's target when built with the feature `precompiled`, else `.wasm`
    /// compiled through the precompiled cache.
    Embedded,
    /// The embedded components, each replaced by the file of the same name in this
    /// directory, plus the directory's other platforms (swapped components). A directory
    /// that does not exist replaces nothing.
    EmbeddedWith(PathBuf),
}

impl From<PathBuf> for ComponentsSource {
    /// [`ComponentsSource::Dir`].
    fn from(dir: PathBuf) -> Self {
        ComponentsSource::Dir(dir)
    }
}

impl std::fmt::Display for ComponentsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ComponentsSource::Dir(dir) => write!(f, "{}", dir.display()),
            ComponentsSource::Embedded => f.write_str("the components embedded in the binary"),
            ComponentsSource::EmbeddedWith(dir) => write!(
                f,
                "the components embedded in the binary with those of {} over them",
                dir.display()
            ),
        }
    }
}

/// One component built into the binary by `build.rs`.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedComponent {
    /// Its file name in a components directory (`sps_scheduler.wasm`, ...).
    pub file: &'static str,
    /// SHA-256 of [`Self::wasm`], lowercase hex (64 characters).
    pub sha256: &'static str,
    /// The component bytes.
    pub wasm: &'static [u8],
    /// The same component precompiled by `build.rs` with [`super::engine_config`] for
    /// the build's target (`Engine::precompile_component`), when built with the feature
    /// `precompiled`.
    pub precompiled: Option<&'static [u8]>,
}

mod embedded {
    use super::EmbeddedComponent;
    include!(concat!(env!("OUT_DIR"), "/embedded_components.rs"));
}

/// The components `build.rs` embedded: the three it built (empty when the build skipped
/// them with `SPS_SKIP_COMPONENT_BUILD=1` and none were there).
pub const EMBEDDED: &[EmbeddedComponent] = embedded::EMBEDDED;

/// What `sps --version` prints after the program's name: the version, then one line per
/// embedded component with its file name and `sha256:<hex>` digest.
pub const VERSION_TEXT: &str = embedded::VERSION_TEXT;

/// How the components of one load were obtained.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Where they came from ([`ComponentsSource`]'s `Display`).
    pub source: String,
    /// Components used as precompiled code embedded in the binary (no compilation).
    pub precompiled: usize,
    /// Components read from the precompiled cache directory (no compilation).
    pub cached: usize,
    /// Components compiled by this process (then written to the cache directory).
    pub compiled: usize,
    /// Each component in use, in file-name order.
    pub components: Vec<LoadedComponent>,
}

/// One component in use: what `GET /health` and the start log say of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedComponent {
    /// Its file name (`sps_scheduler.wasm`, ...).
    pub file: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// `embedded`, or the path of the file it was read from.
    pub source: String,
}

/// What [`load`] gives: the components, how they were obtained, and the bytes of those
/// read from a directory (file name, bytes), for keeping the last good set.
pub(crate) struct Loaded {
    pub(crate) components: Components,
    pub(crate) report: LoadReport,
    pub(crate) from_dir: Vec<(String, Vec<u8>)>,
}

/// One component to load: its file name, where it came from (for messages) and bytes.
struct ComponentFile {
    file: String,
    origin: String,
    wasm: std::borrow::Cow<'static, [u8]>,
    precompiled: Option<&'static [u8]>,
    /// SHA-256 of `wasm` when known without hashing (the embedded ones).
    sha256: Option<&'static str>,
}

/// Loads the scheduler, the sender and every platform component of `source`, using
/// `cache_dir` for precompiled code.
///
/// # Errors
/// When a required file is missing, fails to compile, imports a capability its world
/// does not grant, or lacks its world's exports; the message names the file.
pub(crate) fn load(
    engine: &Engine,
    linker: &Linker<Ctx>,
    source: &ComponentsSource,
    cache_dir: &Path,
) -> anyhow::Result<Loaded> {
    let files = match source {
        ComponentsSource::Dir(dir) => dir_files(dir)?,
        ComponentsSource::Embedded => embedded_files(),
        ComponentsSource::EmbeddedWith(dir) => {
            let mut files = embedded_files();
            let overrides = if dir.exists() {
                dir_files(dir)?
            } else {
                Vec::new()
            };
            for file in overrides {
                files.retain(|f| f.file != file.file);
                files.push(file);
            }
            files.sort_by(|a, b| a.file.cmp(&b.file));
            files
        }
    };
    let mut report = LoadReport {
        source: source.to_string(),
        components: files.iter().map(loaded_component).collect(),
        ..LoadReport::default()
    };
    let find = |name: &str| {
        files
            .iter()
            .find(|f| f.file == name)
            .ok_or_else(|| anyhow::anyhow!("{name} is missing from {source}"))
    };
    let scheduler_file = find(SCHEDULER_FILE)?;
    let scheduler = load_one(
        engine,
        scheduler_file,
        cache_dir,
        SCHEDULER_IMPORTS,
        &mut report,
    )?;
    let scheduler = SchedulerPre::new(linker.instantiate_pre(&scheduler)?)
        .map_err(anyhow::Error::from)
        .with_context(|| {
            format!(
                "{} does not implement the world sps:social/scheduler",
                scheduler_file.origin
            )
        })?;
    let sender_file = find(SENDER_FILE)?;
    let sender = load_one(engine, sender_file, cache_dir, SENDER_IMPORTS, &mut report)?;
    let sender = SenderPre::new(linker.instantiate_pre(&sender)?)
        .map_err(anyhow::Error::from)
        .with_context(|| {
            format!(
                "{} does not implement the world sps:social/sender",
                sender_file.origin
            )
        })?;

    let mut platforms = BTreeMap::new();
    for file in &files {
        let Some(name) = platform_name(&file.file) else {
            continue;
        };
        let component = load_one(engine, file, cache_dir, PLATFORM_IMPORTS, &mut report)?;
        let pre = PlatformComponentPre::new(linker.instantiate_pre(&component)?)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "{} does not implement the world sps:social/platform-component",
                    file.origin
                )
            })?;
        platforms.insert(name.to_string(), pre);
    }
    if platforms.is_empty() {
        bail!("no platform component (sps_<platform>.wasm) in {source}");
    }
    let from_dir = files
        .iter()
        .filter(|f| f.sha256.is_none())
        .map(|f| (f.file.clone(), f.wasm.to_vec()))
        .collect();
    Ok(Loaded {
        components: Components {
            scheduler,
            sender,
            platforms,
        },
        report,
        from_dir,
    })
}

/// What the report says of `file`.
fn loaded_component(file: &ComponentFile) -> LoadedComponent {
    let sha256 = match file.sha256 {
        Some(digest) => digest.to_string(),
        None => data_encoding::HEXLOWER.encode(&Sha256::digest(&file.wasm)),
    };
    let source = if file.sha256.is_some() {
        "embedded".to_string()
    } else {
        file.origin.clone()
    };
    LoadedComponent {
        file: file.file.clone(),
        sha256,
        source,
    }
}

/// Whether `file` names a component in a components directory: the scheduler, the
/// sender, or `sps_<platform>.wasm` with `<platform>` of lowercase ASCII letters and digits.
pub fn is_component_file(file: &str) -> bool {
    file == SCHEDULER_FILE || file == SENDER_FILE || platform_name(file).is_some()
}

/// The platform name of a component file: `<name>` of `sps_<name>.wasm` other than the
/// scheduler and the sender, where `<name>` is lowercase ASCII letters and digits.
fn platform_name(file: &str) -> Option<&str> {
    if file == SCHEDULER_FILE || file == SENDER_FILE {
        return None;
    }
    let name = file
        .strip_prefix(PLATFORM_PREFIX)
        .and_then(|f| f.strip_suffix(".wasm"))?;
    is_platform_name(name).then_some(name)
}

/// Whether `name` can name a platform (`sps_<name>.wasm`): not empty, lowercase ASCII
/// letters and digits.
pub fn is_platform_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The component files of `dir` (the scheduler, the sender and the platforms), read.
fn dir_files(dir: &Path) -> anyhow::Result<Vec<ComponentFile>> {
    let mut names = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the components directory {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        if is_component_file(file) {
            names.push(file.to_string());
        }
    }
    names.sort();
    names
        .into_iter()
        .map(|file| {
            let path = dir.join(&file);
            let wasm = std::fs::read(&path)
                .with_context(|| format!("cannot read component {}", path.display()))?;
            Ok(ComponentFile {
                file,
                origin: path.display().to_string(),
                wasm: wasm.into(),
                precompiled: None,
                sha256: None,
            })
        })
        .collect()
}

/// The components embedded in the binary.
fn embedded_files() -> Vec<ComponentFile> {
    EMBEDDED
        .iter()
        .map(|c| ComponentFile {
            file: c.file.to_string(),
            origin: format!("embedded {}", c.file),
            wasm: std::borrow::Cow::Borrowed(c.wasm),
            precompiled: c.precompiled,
            sha256: Some(c.sha256),
        })
        .collect()
}

/// What identifies the contents of a components directory: the `.wasm` files' names,
/// sizes and modification times, sorted (empty for the embedded components, which never
/// change).
pub type Fingerprint = Vec<(String, u64, Option<std::time::SystemTime>)>;

/// The [`Fingerprint`] of `source`.
///
/// # Errors
/// When the directory cannot be read.
pub fn fingerprint(source: &ComponentsSource) -> anyhow::Result<Fingerprint> {
    let dir = match source {
        ComponentsSource::Dir(dir) => dir,
        ComponentsSource::EmbeddedWith(dir) if !dir.exists() => return Ok(Vec::new()),
        ComponentsSource::EmbeddedWith(dir) => dir,
        ComponentsSource::Embedded => return Ok(Vec::new()),
    };
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

/// Compiles (or deserializes) and checks one component.
fn load_one(
    engine: &Engine,
    file: &ComponentFile,
    cache_dir: &Path,
    world_imports: &[&str],
    report: &mut LoadReport,
) -> anyhow::Result<Component> {
    let component = match file
        .precompiled
        .and_then(|code| deserialize_embedded(engine, file, code))
    {
        Some(component) => {
            report.precompiled += 1;
            component
        }
        None => compile_cached(engine, &file.wasm, cache_dir, report)
            .with_context(|| format!("cannot compile component {}", file.origin))?,
    };
    check_imports(engine, &component, world_imports)
        .with_context(|| format!("component {} is not allowed", file.origin))?;
    Ok(component)
}

/// The embedded precompiled code of `file`, or `None` (logged) when this engine cannot
/// use it, in which case the caller compiles the embedded `.wasm` instead.
fn deserialize_embedded(
    engine: &Engine,
    file: &ComponentFile,
    code: &'static [u8],
) -> Option<Component> {
    // SAFETY: `code` is `Engine::precompile_component` output that build.rs wrote for
    // this very binary from the embedded component bytes, with this program's
    // `engine_config` and this wasmtime version; wasmtime checks its header (version,
    // target, settings and CPU features) and refuses code this engine cannot run.
    match unsafe { Component::deserialize(engine, code) } {
        Ok(component) => Some(component),
        Err(err) => {
            tracing::warn!(component = %file.origin, error = %err, "embedded precompiled component unusable here; compiling it");
            None
        }
    }
}

/// Fails when the component imports an interface its world does not grant
/// ([`sps_contract::worlds::first_not_granted`]).
fn check_imports(
    engine: &Engine,
    component: &Component,
    world_imports: &[&str],
) -> anyhow::Result<()> {
    let ty = component.component_type();
    let names: Vec<&str> = ty.imports(engine).map(|(name, _)| name).collect();
    if let Some(name) = sps_contract::worlds::first_not_granted(names, world_imports) {
        bail!("it imports {name}, which its world does not grant");
    }
    Ok(())
}
