//! The wasmtime runtime: one Engine, one Linker and the pre-instantiated components per
//! process; a fresh Store, with an epoch deadline and a memory limit, per call.

mod calls;
mod ctx;
mod engine_config;
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
    config_store, events, ledger, platforms, schedules, PlatformComponentPre, SchedulerPre,
    SenderPre,
};
use crate::caps::http::OutboundPolicy;
use crate::caps::Backends;

/// What one platform component may see and call.
#[derive(Debug, Clone, Default)]
pub struct PlatformSettings {
    /// Its `wasi:config/store` keys (credentials, base URL).
    pub config: HashMap<String, String>,
    /// The hosts it may call.
    pub outbound: OutboundPolicy,
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
    /// How the components in use were loaded.
    load_report: std::sync::Mutex<LoadReport>,
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
        let (components, report) =
            loader::load(&engine, &linker, &settings.components, &settings.cache_dir)?;
        tracing::info!(source = %report.source, precompiled = report.precompiled, cached = report.cached, compiled = report.compiled, "components loaded");
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
                load_report: std::sync::Mutex::new(report),
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
        self.replace_components(&self.inner.settings.components)
            .map(|_| ())
    }

    /// Loads the components of `source` and puts them in use for the calls that start
    /// from now on (calls under way finish with the components they began with). On
    /// failure the components in use stay. Returns how they were loaded.
    ///
    /// # Errors
    /// Why the components of `source` could not be loaded (see [`loader`]).
    pub fn replace_components(&self, source: &ComponentsSource) -> anyhow::Result<LoadReport> {
        let inner = &self.inner;
        let (components, report) = loader::load(
            &inner.engine,
            &inner.linker,
            source,
            &inner.settings.cache_dir,
        )?;
        inner.components.store(Arc::new(components));
        *inner
            .load_report
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = report.clone();
        tracing::info!(source = %report.source, precompiled = report.precompiled, cached = report.cached, compiled = report.compiled, "components loaded");
        Ok(report)
    }

    /// How the components in use were loaded.
    pub fn load_report(&self) -> LoadReport {
        self.inner
            .load_report
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
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

/// The linker shared by every component: WASI 0.2, `wasi:http`, `wasi:config/store`
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
    Ok(linker)
}
