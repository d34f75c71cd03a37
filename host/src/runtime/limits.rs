//! The limits of one call: guest time (an epoch deadline counting only running ticks),
//! memory (the pooling allocator and the Store's limiter), wall-clock time and platform
//! HTTP timeouts, and the one-line summary of an error a call ends with.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Engine, Store};

use super::Ctx;
use crate::caps::http::HttpTimeouts;

/// How often the epoch ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

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

/// `err` in one line for people, without the wasm backtrace: each cause with its white
/// space (line breaks of pretty-printed values included) collapsed to single spaces,
/// joined by `: ` (`the twitter component failed: the component ran for more than its guest
/// time limit of 1000 ms`). The whole chain, backtrace included, belongs in a debug log.
pub fn error_summary(err: &anyhow::Error) -> String {
    err.chain()
        .map(|e| {
            let text = e.to_string();
            let before_backtrace = match text.find("wasm backtrace:") {
                Some(at) => text.get(..at).unwrap_or_default(),
                None => text.as_str(),
            };
            let line = before_backtrace
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            line.trim_end_matches("error while executing at")
                .trim()
                .to_string()
        })
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(": ")
}

/// The error a call ends with when its component used up [`Limits::cpu_time`].
#[derive(Debug, thiserror::Error)]
#[error("the component ran for more than its guest time limit of {0} ms")]
pub struct GuestTimeExceeded(pub u128);

/// Installs the guest-time limit on `store`: `cpu_time` of the component's own running
/// code, counted in [`EPOCH_TICK`]s. The deadline is always one tick ahead and its callback
/// runs only while guest code runs (epoch checks are in the guest's code), so it counts
/// running ticks: a call that waited 12 s on X and ran 2 ms has used about one tick, not
/// 1,200. Each tick also yields to the executor, so a busy guest never starves the others.
pub(crate) fn guard(store: &mut Store<Ctx>, cpu_time: Duration) {
    let budget =
        u64::try_from((cpu_time.as_millis() / EPOCH_TICK.as_millis()).max(1)).unwrap_or(u64::MAX);
    let limit_ms = cpu_time.as_millis();
    let mut used: u64 = 0;
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |_| {
        used += 1;
        if used > budget {
            return Err(GuestTimeExceeded(limit_ms).into());
        }
        Ok(wasmtime::UpdateDeadline::Yield(1))
    });
}

/// How much of each pooled linear memory and table stays mapped between calls (zeroed
/// with memset instead of returned to the kernel), so the next call does not page-fault
/// it in again. Measured with the `schedule_event` benchmark: about 102 us per event
/// without, 80-89 us with 4 MiB (1 MiB was slower than none: the components touch more);
/// peak resident memory of a Lambda process went from 37 to 39 MB.
const KEEP_RESIDENT_BYTES: usize = 4 << 20;

/// How many unused memory slots keep their pages (and their affinity to a component)
/// besides those in use (wasmtime's `max_unused_warm_slots`, default 100). A slot keeps
/// the pages its instances touched, up to [`KEEP_RESIDENT_BYTES`]: about 2 MiB for these
/// components (1 MiB of shadow stack, the data image, the heap). With 100, wasmtime
/// prefers a cold slot to reuse a warm one, so `sps serve` spread its calls over ever more
/// slots: 42 of them after 45,000 API events and 2,000 fired posts, 113 MB resident. With
/// 8, the slots in use stay those of the most calls running at once plus 8 (86 MB after
/// the same load), and the events/s of `wrk -c32` did not change (7,900-10,000/s either
/// way on tmpfs, the machine's noise).
const WARM_SLOTS: u32 = 8;

/// The pooling instance allocator: memories, tables and stacks are reserved once and
/// reused by every Store, so a call does not map and unmap fresh memory (measured by the
/// `schedule_event` benchmark: about 240 us per event with on-demand allocation, about
/// 100 us pooled, 80-89 us with [`KEEP_RESIDENT_BYTES`]). The pool holds enough for 64
/// component instances running at once (a call uses one or two); a call beyond that
/// fails to instantiate and is retried like any other host failure.
/// Allocation strategy does not change compiled code, so precompiled components stay valid.
pub(crate) fn pooling(limits: &Limits) -> wasmtime::InstanceAllocationStrategy {
    let mut pool = wasmtime::PoolingAllocationConfig::default();
    pool.total_component_instances(64)
        .total_core_instances(512)
        .total_memories(128)
        .total_tables(128)
        .total_stacks(64)
        .max_memory_size(limits.memory_bytes)
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        .table_keep_resident(KEEP_RESIDENT_BYTES)
        .max_unused_warm_slots(WARM_SLOTS);
    wasmtime::InstanceAllocationStrategy::Pooling(pool)
}

/// Increments the engine's epoch every [`EPOCH_TICK`] until `stop` is set.
pub(crate) fn spawn_epoch_ticker(engine: Engine, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
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
