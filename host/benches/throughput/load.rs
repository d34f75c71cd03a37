//! The load on `POST /events`: `wrk` when it is installed ([`super::wrk`]), else this
//! file's own generator; and the alternation of one load between the servers on disk and
//! on tmpfs ([`alternate`]).

use std::time::{Duration, Instant};

use super::{event, wrk};

/// What one load phase measured.
pub struct Load {
    /// Events accepted (every answer was `201`).
    pub requests: u64,
    /// How long the load ran, seconds (wrk's own "requests in <t>s").
    pub seconds: f64,
    pub events_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Load {
    /// The phases `parts` as one: events/s over their summed time (a phase that took no
    /// event counts its whole time), the p50 weighted by their events (an estimate: wrk
    /// prints percentiles, not the latencies), the worst p99.
    fn merged(parts: &[Load]) -> Load {
        let requests: u64 = parts.iter().map(|p| p.requests).sum();
        let seconds: f64 = parts.iter().map(|p| p.seconds).sum();
        Load {
            requests,
            seconds,
            events_per_second: requests as f64 / seconds.max(f64::EPSILON),
            p50_ms: parts
                .iter()
                .map(|p| p.p50_ms * p.requests as f64)
                .sum::<f64>()
                / (requests as f64).max(1.0),
            p99_ms: parts.iter().map(|p| p.p99_ms).fold(0.0, f64::max),
        }
    }
}

/// The length of a round of [`alternate`] at least, seconds.
const ROUND_SECONDS: f64 = 3.0;

/// The load of [`load`] on each of `bases` for about `seconds` in all, given in an even
/// number of rounds of whole seconds (at least [`ROUND_SECONDS`]; 15 s: 4 rounds of 4 s)
/// that take the servers in turn, the order flipped each round (A B, B A, A B, B A): a
/// slow spell of the machine, which lasts seconds on this project's shared 2-core
/// machine, then falls on every server alike, and the ratio of their figures shows what
/// differs between them. Each server's rounds are merged ([`Load::merged`]). One round
/// of `seconds` (rounded up to a whole second) when `seconds` is below two rounds.
pub fn alternate(bases: &[&str], connections: usize, seconds: f64, run: &str) -> Vec<Load> {
    let pairs = (seconds / (2.0 * ROUND_SECONDS)).floor() as usize;
    let rounds = (2 * pairs).max(1);
    let each = (seconds / rounds as f64).round().max(1.0);
    let mut parts: Vec<Vec<Load>> = bases.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..bases.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let measured = load(bases[i], connections, each, &format!("{run}{round}"));
            parts[i].push(measured);
        }
    }
    parts.iter().map(|p| Load::merged(p)).collect()
}

/// `connections` threads, each sending events of new references on its own keep-alive
/// connection for `seconds`; every answer must be `201`.
pub fn load(base: &str, connections: usize, seconds: f64, run: &str) -> Load {
    if let Some(measured) = wrk::wrk_load(base, connections, seconds) {
        return measured;
    }
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let url = format!("{base}/events");
            let run = run.to_string();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut latencies = Vec::new();
                let mut i = 0_u64;
                while Instant::now() < deadline {
                    let body = event(&format!("{run}-{c}-{i}"), "2034-10-23T08:48:00");
                    let t0 = Instant::now();
                    let response = agent
                        .post(&url)
                        .content_type("application/json")
                        .send(body.as_bytes())
                        .expect("POST /events");
                    let status = response.status().as_u16();
                    let _ = response.into_body().read_to_vec();
                    assert_eq!(status, 201, "an event was not scheduled");
                    latencies.push(t0.elapsed());
                    i += 1;
                }
                latencies
            })
        })
        .collect();
    let mut all: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let quantile = |q: f64| {
        let i = ((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1));
        all.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Load {
        requests: all.len() as u64,
        seconds: elapsed,
        events_per_second: all.len() as f64 / elapsed,
        p50_ms: quantile(0.50),
        p99_ms: quantile(0.99),
    }
}
