//! The local runtime behind `sps serve`: an embedded SQLite store, a timer that fires
//! due schedules inside their flexible time window, and a loopback HTTP API (with
//! EventBridge's PutEvents on `POST /`).

pub mod api;
pub mod campaigns;
mod campaigns_api;
pub mod event_target;
pub mod follow;
pub mod lock;
pub mod pages;
pub mod put_events;
pub mod secrets_file;
pub mod sigv4;
pub mod store;
pub mod timer;
pub mod web;

/// Tokio worker threads per core for `sps serve`.
///
/// The store's one connection is a lock, and the capability calls that wait for it block
/// the worker thread they run on. When a commit held it through its fsync, with one
/// worker per core (tokio's default) both workers of a 2-core machine sat blocked behind
/// each commit; with more, the others parse requests and run components meanwhile.
/// Measured then with `wrk -t2 -c32` on disk (the README's throughput section): 2 workers
/// 2,500-2,700 events/s, 4 workers 3,070-3,130/s, 8 workers 3,060-3,630/s, 16 workers
/// 3,480-3,570/s, 32 workers 2,770-2,920/s. Since the committer syncs outside the lock
/// (`store::commit`), only SQLite's automatic checkpoints (two fsyncs every 1,000 WAL
/// pages) hold it that long, and 2 and 8 workers measure the same on a faster machine
/// (6,339-7,508 and 6,186-6,592/s, alternating runs): the extra workers no longer help,
/// and cost only their idle threads.
pub const WORKER_THREADS_PER_CORE: usize = 4;

/// The most tokio worker threads `sps serve` starts on its own: on a large machine the
/// store's one connection, not the cores, is the limit, and more threads only wait for it.
pub const MAX_WORKER_THREADS: usize = 64;

/// The tokio worker threads `sps serve` runs with: [`WORKER_THREADS_PER_CORE`] per core,
/// at most [`MAX_WORKER_THREADS`]; or `None` when `TOKIO_WORKER_THREADS` is set, which
/// tokio then follows.
pub fn worker_threads() -> Option<usize> {
    if std::env::var_os("TOKIO_WORKER_THREADS").is_some() {
        return None;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    Some(workers_for(cores))
}

/// [`WORKER_THREADS_PER_CORE`] per core of `cores`, at most [`MAX_WORKER_THREADS`].
fn workers_for(cores: usize) -> usize {
    cores
        .saturating_mul(WORKER_THREADS_PER_CORE)
        .min(MAX_WORKER_THREADS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn four_workers_per_core_up_to_sixty_four() {
        let workers: Vec<usize> = [1, 2, 16, 17, 128].map(super::workers_for).to_vec();
        assert_eq!(workers, [4, 8, 64, 64, 64]);
    }
}
