//! The load from `wrk` (Debian's package), when it is installed: the figures the README
//! shows.

use std::process::Command;

use super::Load;

/// The `wrk` script of [`wrk_load`]: `POST /events` of a new reference each time (the
/// thread's own random prefix and a counter), far in the future.
const WRK_SCRIPT: &str = r#"
counter = 0
math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
local prefix = tostring(math.random(1, 1000000000))
request = function()
  counter = counter + 1
  local body = '{"detail-type":"Schedule Social Post","source":"bench","detail":{"message":"Hello from the benchmark","platform":"twitter","scheduledDate":"2034-10-23T08:48:00","referenceNumber":"wrk' .. prefix .. '-' .. counter .. '"}}'
  return wrk.format("POST", "/events", {["Content-Type"]="application/json"}, body)
end
"#;

/// The load of `load` from `wrk` (Debian's package) when it is installed and
/// `SPS_BENCH_GENERATOR` is not `rust`: 2 threads (1 for one connection), `connections`
/// connections, `--latency`; `None` without wrk. Every answer must be `201`.
pub fn wrk_load(base: &str, connections: usize, seconds: f64) -> Option<Load> {
    if std::env::var("SPS_BENCH_GENERATOR").as_deref() == Ok("rust") {
        return None;
    }
    let script = std::env::temp_dir().join(format!("sps-bench-{}.lua", std::process::id()));
    std::fs::write(&script, WRK_SCRIPT).ok()?;
    let output = Command::new("wrk")
        .arg(format!("-t{}", connections.min(2)))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{}s", seconds.ceil()))
        .arg("--latency")
        .arg("-s")
        .arg(&script)
        .arg(base)
        .output();
    let _ = std::fs::remove_file(&script);
    let output = output.ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        !text.contains("Non-2xx"),
        "wrk saw answers other than 201: {text}"
    );
    let number = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
    };
    let millis = |prefix: &str| millis_of(number(prefix)?);
    // "  123456 requests in 10.00s, 21.3MB read"
    let summary: Vec<&str> = text
        .lines()
        .find(|l| l.contains(" requests in "))?
        .split_whitespace()
        .collect();
    let requests = summary.first()?.parse().ok()?;
    let seconds = millis_of(summary.get(3)?.trim_end_matches(','))? / 1000.0;
    Some(Load {
        requests,
        seconds,
        events_per_second: number("Requests/sec:")?.parse().ok()?,
        p50_ms: millis("50%")?,
        p99_ms: millis("99%")?,
    })
}

/// A duration as wrk prints it (`812.00us`, `3.41ms`, `10.00s`, `1.00m`), milliseconds.
fn millis_of(value: &str) -> Option<f64> {
    let (n, factor) = if let Some(v) = value.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('m') {
        (v, 60_000.0)
    } else {
        (value.strip_suffix('s')?, 1000.0)
    };
    n.parse::<f64>().ok().map(|n| n * factor)
}
