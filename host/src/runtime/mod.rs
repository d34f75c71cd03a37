//! The wasmtime runtime: one Engine, one Linker and the pre-instantiated components per
//! process; a fresh Store, with an epoch deadline and a memory limit, per call.

mod calls;
mod ctx;
mod engine_config;
mod last_good;
mod limits;
pub mod loader;
mod platform_settings;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Engine, Store};

pub use ctx::Ctx;
pub use engine_config::engine_config;
pub use limits::{error_summary, GuestTimeExceeded, Limits};
pub use loader::{ComponentsSource, LoadReport};
pub use platform_settings::PlatformSettingsSource;

use crate::bindings::{
    campaigns, config_store, events, keyvalue_atomics, keyvalue_store, ledger, platforms,
    schedules, PlatformComponentPre, SchedulerPre, SenderPre,
};
use crate::caps::http::OutboundPolicy;
use crate::caps::Backends;

/// What one platform component may see and call.
#[derive(Debug, Clone, Default)]
pub struct PlatformSettings {
    /// Its `wasi:config/store` keys every account shares (base URL, options).
    pub config: HashMap<String, String>,
    /// Each account's own keys (credentials), by account name (`default`, ...): a call
    /// for one account sees [`Self::config`] and that account's keys only.
    pub accounts: HashMap<String, HashMap<String, String>>,
    /// The hosts it may call.
    pub outbound: OutboundPolicy,
}

impl PlatformSettings {
    /// The `wasi:config/store` keys of a call for `account`: the shared keys, then the
    /// account's own (which win on a clash). An account with no keys gets the shared ones
    /// only, so its component reports `missing-credentials`.
    pub fn config_for(&self, account: &str) -> HashMap<String, String> {
        let mut config = self.config.clone();
        if let Some(keys) = self.accounts.get(account) {
            config.extend(keys.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        config
    }

    /// Whether nothing at all is configured (no shared key, no account).
    pub fn is_empty(&self) -> bool {
        self.config.is_empty() && self.accounts.values().all(HashMap::is_empty)
    }
}

/// The runtime's configuration.
#[derive(Debug, Clone)]
pub struct RuntimeSettings {
    /// Where `sps_scheduler.wasm`, `sps_sender.wasm` and `sps_<platform>.wasm` come from.
    pub components: ComponentsSource,
    /// Directory for precompiled components (`.cwasm`), keyed by content digest.
    pub cache_dir: PathBuf,
    /// The scheduler's `wasi:config/store` keys (`flexible_window_minutes`).
    pub scheduler_config: HashMap<String, String>,
    /// Per platform name (`twitter`): its settings. A platform without an entry gets no
    /// settings and no outbound host. Used when `platforms_source` is `None`.
    pub platforms: HashMap<String, PlatformSettings>,
    /// Where the platforms' settings come from instead of `platforms`, asked on every
    /// platform call (the AWS host's Secrets Manager source, which refreshes them).
    pub platforms_source: Option<Arc<dyn PlatformSettingsSource>>,
    /// Store limits.
    pub limits: Limits,
    /// Where the last good set of swapped components is kept ([`last_good`]), and
    /// started from when the configured directory holds a component that cannot be
    /// loaded; `None` keeps none.
    pub last_good_dir: Option<std::path::PathBuf>,
}

/// The loaded, pre-instantiated components.
pub struct Components {
    pub(crate) scheduler: SchedulerPre<Ctx>,
    pub(crate) sender: SenderPre<Ctx>,
    pub(crate) platforms: BTreeMap<String, PlatformComponentPre<Ctx>>,
}

impl Components {
    /// The names of the loaded platforms, sorted.
    pub fn platform_names(&self) -> Vec<String> {
        self.platforms.keys().cloned().collect()
    }

    pub(crate) fn platform(&self, name: &str) -> Option<&PlatformComponentPre<Ctx>> {
        self.platforms.get(name)
    }
}

struct Inner {
    engine: Engine,
    linker: Linker<Ctx>,
    components: ArcSwap<Components>,
    backends: Backends,
    settings: RuntimeSettings,
    stop_ticker: Arc<AtomicBool>,
    /// [`loader::fingerprint`] of the directory when it was last loaded.
    loaded_fingerprint: std::sync::Mutex<loader::Fingerprint>,
    /// How the components in use were loaded, and when (RFC 3339 UTC).
    load_report: std::sync::Mutex<(LoadReport, String)>,
    /// The last load of the configured components that was refused and not followed by
    /// one that succeeded: when (RFC 3339 UTC) and why.
    refused: std::sync::Mutex<Option<(String, String)>>,
    /// `settings.platforms_source`, or the static `settings.platforms`.
    platforms: Arc<dyn PlatformSettingsSource>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop_ticker.store(true, Ordering::Relaxed);
    }
}

/// A cheap-to-clone handle on the runtime.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

impl Runtime {
    /// Builds the engine ([`engine_config`]) and linker, and loads the components of
    /// `settings.components`.
    ///
    /// # Errors
    /// When the engine cannot be configured or a component cannot be loaded (see
    /// [`loader`]).
    pub fn new(settings: RuntimeSettings, backends: Backends) -> anyhow::Result<Self> {
        let mut config = engine_config();
        config.allocation_strategy(limits::pooling(&settings.limits));
        let engine = Engine::new(&config)?;
        let linker = linker(&engine)?;
        let fingerprint = loader::fingerprint(&settings.components)?;
        let (loaded, refused) = load_or_last_good(&engine, &linker, &settings)?;
        log_loaded(&loaded.report);
        let components = loaded.components;
        let report = loaded.report;
        let stop_ticker = Arc::new(AtomicBool::new(false));
        limits::spawn_epoch_ticker(engine.clone(), stop_ticker.clone())?;
        Ok(Self {
            inner: Arc::new(Inner {
                engine,
                linker,
                components: ArcSwap::from_pointee(components),
                backends,
                stop_ticker,
                loaded_fingerprint: std::sync::Mutex::new(fingerprint),
                load_report: std::sync::Mutex::new((report, now_rfc3339())),
                refused: std::sync::Mutex::new(refused),
                platforms: settings
                    .platforms_source
                    .clone()
                    .unwrap_or_else(|| Arc::new(settings.platforms.clone())),
                settings,
            }),
        })
    }

    /// Loads the configured components again. On failure the components in use stay.
    ///
    /// # Errors
    /// Why the new components could not be loaded.
    pub fn reload(&self) -> anyhow::Result<()> {
        let result = self.replace_components(&self.inner.settings.components);
        let refused = result
            .as_ref()
            .err()
            .map(|err| (now_rfc3339(), error_summary(err)));
        *lock(&self.inner.refused) = refused;
        result.map(|_| ())
    }

    /// Loads the components of `source` and puts them in use for the calls that start
    /// from now on (calls under way finish with the components they began with). On
    /// failure the components in use stay. Returns how they were loaded.
    ///
    /// # Errors
    /// Why the components of `source` could not be loaded (see [`loader`]).
    pub fn replace_components(&self, source: &ComponentsSource) -> anyhow::Result<LoadReport> {
        let inner = &self.inner;
        let loaded = loader::load(
            &inner.engine,
            &inner.linker,
            source,
            &inner.settings.cache_dir,
        )?;
        if source == &inner.settings.components {
            keep_last_good(&inner.settings, &loaded);
        }
        inner.components.store(Arc::new(loaded.components));
        *lock(&inner.load_report) = (loaded.report.clone(), now_rfc3339());
        log_loaded(&loaded.report);
        Ok(loaded.report)
    }

    /// How the components in use were loaded.
    pub fn load_report(&self) -> LoadReport {
        lock(&self.inner.load_report).0.clone()
    }

    /// What `GET /health` reports: the platforms and those without settings, the
    /// components in use, when they were loaded, and the last refused load while it is
    /// the latest.
    pub async fn health(&self) -> sps_local::api::HealthReport {
        let (report, loaded_at) = lock(&self.inner.load_report).clone();
        let refused = lock(&self.inner.refused).clone();
        let platforms = self.platform_names();
        let mut unconfigured = Vec::new();
        for name in &platforms {
            let settings = self.inner.platforms.settings(name).await;
            if settings.is_ok_and(|s| s.is_empty()) {
                unconfigured.push(name.clone());
            }
        }
        sps_local::api::HealthReport {
            platforms,
            unconfigured,
            components: report
                .components
                .into_iter()
                .map(|c| sps_local::api::ComponentHealth {
                    file: c.file,
                    sha256: c.sha256,
                    source: c.source,
                    loaded_at: loaded_at.clone(),
                })
                .collect(),
            refused: refused.map(|(at, error)| sps_local::api::RefusedLoad { at, error }),
        }
    }

    /// Loads the components directory again if a file in it changed since the last load
    /// (by name, size and modification time). Returns whether it loaded.
    ///
    /// # Errors
    /// Why the changed components could not be loaded; the ones in use stay, and the
    /// same files are not tried again until they change.
    pub fn reload_if_changed(&self) -> anyhow::Result<bool> {
        let now = loader::fingerprint(&self.inner.settings.components)?;
        {
            let mut last = self
                .inner
                .loaded_fingerprint
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if *last == now {
                return Ok(false);
            }
            *last = now;
        }
        self.reload()?;
        Ok(true)
    }

    /// The names of the loaded platforms, sorted.
    pub fn platform_names(&self) -> Vec<String> {
        self.inner.components.load().platform_names()
    }

    /// The engine every component is compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) fn backends(&self) -> &Backends {
        &self.inner.backends
    }

    pub(crate) fn store(
        &self,
        components: Arc<Components>,
        config: HashMap<String, String>,
        outbound: OutboundPolicy,
    ) -> Store<Ctx> {
        let limits = &self.inner.settings.limits;
        let ctx = Ctx::new(
            self.clone(),
            components,
            config,
            outbound.with_timeouts(limits.http),
            limits.memory_bytes,
        );
        let mut store = Store::new(&self.inner.engine, ctx);
        store.limiter(|ctx| &mut ctx.limits);
        limits::guard(&mut store, limits.cpu_time);
        store
    }

    /// Runs `call` under the wall-clock limit `wall`.
    pub(crate) async fn bounded<T>(
        &self,
        wall: Duration,
        call: impl Future<Output = wasmtime::Result<T>>,
    ) -> anyhow::Result<T> {
        tokio::time::timeout(wall, call)
            .await
            .map_err(|_| {
                anyhow::anyhow!(
                    "the call exceeded its wall-clock limit of {} ms",
                    wall.as_millis()
                )
            })?
            .map_err(anyhow::Error::from)
    }
}

/// Locks `mutex`, recovering its value when a holder panicked.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Now, RFC 3339 UTC.
fn now_rfc3339() -> String {
    sps_contract::time::rfc3339(chrono::Utc::now().timestamp()).unwrap_or_default()
}

/// Says which components are in use and where each comes from.
fn log_loaded(report: &LoadReport) {
    tracing::info!(source = %report.source, precompiled = report.precompiled, cached = report.cached, compiled = report.compiled, "components loaded");
    for c in &report.components {
        tracing::info!(file = %c.file, sha256 = %c.sha256, from = %c.source, "component in use");
    }
}

/// Loads `settings.components`; when that fails and a last good set is kept, loads the
/// embedded components with it over them instead, saying so. Returns the load and, for
/// the fallback, when and why the configured components were refused.
///
/// # Errors
/// When the configured components cannot be loaded and no last good set can.
fn load_or_last_good(
    engine: &Engine,
    linker: &Linker<Ctx>,
    settings: &RuntimeSettings,
) -> anyhow::Result<(loader::Loaded, Option<(String, String)>)> {
    let err = match loader::load(engine, linker, &settings.components, &settings.cache_dir) {
        Ok(loaded) => {
            keep_last_good(settings, &loaded);
            return Ok((loaded, None));
        }
        Err(err) => err,
    };
    let (Some(dir), ComponentsSource::EmbeddedWith(_)) =
        (&settings.last_good_dir, &settings.components)
    else {
        return Err(err);
    };
    if !last_good::exists(dir) {
        return Err(err);
    }
    let why = error_summary(&err);
    tracing::warn!(error = %why, last_good = %dir.display(), "the components directory holds a component that cannot be loaded; starting from the last good set, which ran before");
    let fallback = ComponentsSource::EmbeddedWith(dir.clone());
    let loaded =
        loader::load(engine, linker, &fallback, &settings.cache_dir).map_err(|second| {
            err.context(format!(
                "the last good set failed too: {}",
                error_summary(&second)
            ))
        })?;
    Ok((loaded, Some((now_rfc3339(), why))))
}

/// Writes the directory files of `loaded` as the last good set, when one is kept and
/// the components came from a directory over the embedded ones. A failure is logged.
fn keep_last_good(settings: &RuntimeSettings, loaded: &loader::Loaded) {
    let (Some(dir), ComponentsSource::EmbeddedWith(_)) =
        (&settings.last_good_dir, &settings.components)
    else {
        return;
    };
    if let Err(err) = last_good::save(dir, &loaded.from_dir) {
        tracing::warn!(last_good = %dir.display(), error = %error_summary(&err), "cannot keep the last good components");
    }
}

/// The linker shared by every component: WASI 0.2, `wasi:http`, `wasi:config/store`,
/// `wasi:keyvalue` (store, atomics)
/// and the `sps:social` capabilities.
fn linker(engine: &Engine) -> anyhow::Result<Linker<Ctx>> {
    let mut linker = Linker::<Ctx>::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    config_store::add_to_linker::<Ctx, HasSelf<Ctx>>(&mut linker, |c| c)?;
    platforms::add_to_linker::<Ctx, HasSelf<Ctx>>(&mut linker, |c| c)?;
    schedules::add_to_linker::<Ctx, HasSelf<Ctx>>(&mut linker, |c| c)?;
    events::add_to_linker::<Ctx, HasSelf<Ctx>>(&mut linker, |c| c)?;
    ledger::add_to_linker::<Ctx, HasSelf<Ctx>>(&mut linker, |c| c)?;
    campaigns::add_to_linker::<Ctx, HasSelf<Ctx>>(&mut linker, |c| c)?;
    keyvalue_store::add_to_linker::<Ctx, HasSelf<Ctx>>(&mut linker, |c| c)?;
    keyvalue_atomics::add_to_linker::<Ctx, HasSelf<Ctx>>(&mut linker, |c| c)?;
    Ok(linker)
}
