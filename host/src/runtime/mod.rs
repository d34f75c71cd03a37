//! The wasmtime runtime: one Engine, one Linker and the pre-instantiated components per
//! process; a fresh Store, with an epoch deadline and a memory limit, per call.

mod ctx;
mod engine_config;
pub mod loader;
mod platform_settings;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use arc_swap::ArcSwap;
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Engine, Store};

pub use ctx::Ctx;
pub use engine_config::engine_config;
pub use loader::{ComponentsSource, LoadReport};
pub use platform_settings::PlatformSettingsSource;

use crate::bindings::{
    config_store, events, ledger, platforms, schedules, scheduling, sending,
    types::{MessageError, PublishError},
    PlatformComponentPre, SchedulerPre, SenderPre,
};
use crate::caps::http::{HttpTimeouts, OutboundPolicy};
use crate::caps::Backends;

/// How often the epoch ticks.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Limits applied to every Store.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Linear memory per Store, bytes.
    pub memory_bytes: usize,
    /// Guest execution time per call before it traps. Only time the component's own code
    /// runs counts: the epoch deadline callback counts one [`EPOCH_TICK`] for each tick
    /// that passes while guest code runs, so waiting on the host (HTTP, the store, a
    /// nested platform call) does not count.
    pub cpu_time: Duration,
    /// Wall-clock time per scheduler or sender call, host waits included.
    pub wall_time: Duration,
    /// Wall-clock time per platform component call (`validate`, `publish`), its HTTP
    /// exchange included: above the platform HTTP timeouts ([`Self::http`]: connect plus
    /// first byte, 2 s + 4 s), below the shutdown
    /// drain of `sps serve` ([`crate::local::timer::DRAIN`]), which stays below the usual
    /// 10 s a service manager waits between SIGTERM and SIGKILL (docker's default).
    pub platform_wall_time: Duration,
    /// The caps on platform components' HTTP timeouts.
    pub http: HttpTimeouts,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 64 << 20,
            cpu_time: Duration::from_secs(1),
            wall_time: Duration::from_secs(120),
            platform_wall_time: Duration::from_secs(7),
            http: HttpTimeouts::default(),
        }
    }
}

/// `err` in one line for people, without the wasm backtrace: each context's first line,
/// joined by `: ` (`the twitter component failed: the component ran for more than its guest
/// time limit of 1000 ms`). The whole chain, backtrace included, belongs in a debug log.
pub fn error_summary(err: &anyhow::Error) -> String {
    err.chain()
        .map(|e| {
            e.to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .filter(|line| !line.is_empty() && !line.ends_with("wasm backtrace:"))
        .collect::<Vec<_>>()
        .join(": ")
}

/// The error a call ends with when its component used up [`Limits::cpu_time`].
#[derive(Debug, thiserror::Error)]
#[error("the component ran for more than its guest time limit of {0} ms")]
pub struct GuestTimeExceeded(pub u128);

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
        config.allocation_strategy(pooling(&settings.limits));
        let engine = Engine::new(&config)?;
        let linker = linker(&engine)?;
        let fingerprint = loader::fingerprint(&settings.components)?;
        let (components, report) =
            loader::load(&engine, &linker, &settings.components, &settings.cache_dir)?;
        tracing::info!(source = %report.source, precompiled = report.precompiled, cached = report.cached, compiled = report.compiled, "components loaded");
        let stop_ticker = Arc::new(AtomicBool::new(false));
        spawn_epoch_ticker(engine.clone(), stop_ticker.clone())?;
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

    /// Runs the scheduler component on one request (`scheduling.schedule-post`).
    ///
    /// # Errors
    /// When the component traps or exceeds its limits; the request may be retried.
    pub async fn schedule_post(
        &self,
        event: &str,
    ) -> anyhow::Result<Result<scheduling::Scheduled, scheduling::ScheduleFailure>> {
        let components = self.inner.components.load_full();
        let config = self.inner.settings.scheduler_config.clone();
        let mut store = self.store(components.clone(), config, OutboundPolicy::deny_all());
        self.bounded(self.inner.settings.limits.wall_time, async {
            let instance = components.scheduler.instantiate_async(&mut store).await?;
            instance
                .sps_social_scheduling()
                .call_schedule_post(&mut store, event)
                .await
        })
        .await
        .context("the scheduler component failed")
    }

    /// Runs the sender component on one delivery of a schedule (`sending.send-post`).
    ///
    /// # Errors
    /// When the component traps or exceeds its limits; the delivery may be retried.
    pub async fn send_post(
        &self,
        input: &str,
        delivery: sending::Delivery,
    ) -> anyhow::Result<Result<sending::Sent, sending::SendFailure>> {
        let components = self.inner.components.load_full();
        let mut store = self.store(
            components.clone(),
            HashMap::new(),
            OutboundPolicy::deny_all(),
        );
        self.bounded(self.inner.settings.limits.wall_time, async {
            let instance = components.sender.instantiate_async(&mut store).await?;
            instance
                .sps_social_sending()
                .call_send_post(&mut store, input, delivery)
                .await
        })
        .await
        .context("the sender component failed")
    }

    /// Runs the sender component's `sending.report-undelivered` for a delivery the host
    /// gives up on: `Social Post Failed` with `code` and `message`, no platform call.
    ///
    /// # Errors
    /// When the component traps or exceeds its limits.
    pub async fn report_undelivered(
        &self,
        input: &str,
        code: &str,
        message: &str,
    ) -> anyhow::Result<Result<sending::FailureReport, String>> {
        let components = self.inner.components.load_full();
        let mut store = self.store(
            components.clone(),
            HashMap::new(),
            OutboundPolicy::deny_all(),
        );
        self.bounded(self.inner.settings.limits.wall_time, async {
            let instance = components.sender.instantiate_async(&mut store).await?;
            instance
                .sps_social_sending()
                .call_report_undelivered(&mut store, input, code, message)
                .await
        })
        .await
        .context("the sender component failed")
    }

    /// `platform.validate` of one platform component of `components` (the caller's
    /// snapshot, so a reload in the middle of a call never mixes generations), in a
    /// Store of its own.
    pub(crate) async fn platform_validate(
        &self,
        components: &Arc<Components>,
        component: &PlatformComponentPre<Ctx>,
        platform: &str,
        message: &str,
    ) -> anyhow::Result<Result<(), MessageError>> {
        // Validation needs neither credentials nor the network: when the settings cannot
        // be read, the component validates without them.
        let settings = match self.inner.platforms.settings(platform).await {
            Ok(settings) => settings,
            Err(err) => {
                tracing::warn!(platform, error = %format!("{err:#}"), "platform settings unavailable; validating without them");
                PlatformSettings::default()
            }
        };
        let mut store = self.store(components.clone(), settings.config, settings.outbound);
        let wall = self.inner.settings.limits.platform_wall_time;
        self.bounded(wall, async {
            let instance = component.instantiate_async(&mut store).await?;
            instance
                .sps_social_platform()
                .call_validate(&mut store, message)
                .await
        })
        .await
    }

    /// `platform.publish` of one platform component of `components` (the caller's
    /// snapshot), in a Store of its own.
    pub(crate) async fn platform_publish(
        &self,
        components: &Arc<Components>,
        component: &PlatformComponentPre<Ctx>,
        platform: &str,
        message: &str,
    ) -> anyhow::Result<Result<String, PublishError>> {
        let settings = match self.inner.platforms.settings(platform).await {
            Ok(settings) => settings,
            Err(err) => {
                tracing::error!(platform, error = %format!("{err:#}"), "platform settings unavailable; nothing was sent");
                return Ok(Err(PublishError::Transient(format!("{err:#}"))));
            }
        };
        let mut store = self.store(components.clone(), settings.config, settings.outbound);
        let wall = self.inner.settings.limits.platform_wall_time;
        self.bounded(wall, async {
            let instance = component.instantiate_async(&mut store).await?;
            instance
                .sps_social_platform()
                .call_publish(&mut store, message)
                .await
        })
        .await
    }

    fn store(
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
        let budget = u64::try_from((limits.cpu_time.as_millis() / EPOCH_TICK.as_millis()).max(1))
            .unwrap_or(u64::MAX);
        let limit_ms = limits.cpu_time.as_millis();
        let mut used: u64 = 0;
        // The deadline is always one tick ahead, and the callback runs only while guest
        // code runs (epoch checks are in the guest's code), so it counts running ticks:
        // a call that waited 12 s on X and ran 2 ms has used about one tick, not 1,200.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            used += 1;
            if used > budget {
                return Err(GuestTimeExceeded(limit_ms).into());
            }
            Ok(wasmtime::UpdateDeadline::Yield(1))
        });
        store
    }

    /// Runs `call` under the wall-clock limit `wall`.
    async fn bounded<T>(
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

/// How much of each pooled linear memory and table stays mapped between calls (zeroed
/// with memset instead of returned to the kernel), so the next call does not page-fault
/// it in again. Measured with the `schedule_event` benchmark: about 102 us per event
/// without, 80-89 us with 4 MiB (1 MiB was slower than none: the components touch more);
/// peak resident memory of a Lambda process went from 37 to 39 MB.
const KEEP_RESIDENT_BYTES: usize = 4 << 20;

/// The pooling instance allocator: memories, tables and stacks are reserved once and
/// reused by every Store, so a call does not map and unmap fresh memory (measured by the
/// `schedule_event` benchmark: about 240 us per event with on-demand allocation, about
/// 100 us pooled, 80-89 us with [`KEEP_RESIDENT_BYTES`]). The pool holds enough for 64
/// component instances running at once (a call uses one or two); a call beyond that
/// fails to instantiate and is retried like any other host failure.
/// Allocation strategy does not change compiled code, so precompiled components stay valid.
fn pooling(limits: &Limits) -> wasmtime::InstanceAllocationStrategy {
    let mut pool = wasmtime::PoolingAllocationConfig::default();
    pool.total_component_instances(64)
        .total_core_instances(512)
        .total_memories(128)
        .total_tables(128)
        .total_stacks(64)
        .max_memory_size(limits.memory_bytes)
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        .table_keep_resident(KEEP_RESIDENT_BYTES);
    wasmtime::InstanceAllocationStrategy::Pooling(pool)
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

/// Increments the engine's epoch every [`EPOCH_TICK`] until `stop` is set.
fn spawn_epoch_ticker(engine: Engine, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    std::thread::Builder::new()
        .name("sps-epoch".to_string())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })?;
    Ok(())
}
