//! Outcome events delivered to the user's own HTTP endpoint (`SPS_EVENT_TARGET_URL`), as
//! an EventBridge rule delivers them to an API destination: each event is POSTed as its
//! EventBridge envelope (`Content-Type: application/json`), at least once, in order per
//! reference, retried with exponential backoff, and moved to the dead-letter queue with
//! the reason when the maximum event age passes (an hour by default) or the target
//! answers a status EventBridge does not retry.
//!
//! The retry rule follows the EventBridge User Guide, "API destinations": 401, 407, 409,
//! 429 and 5xx are retried, other statuses are not. The queue is in the database
//! (`local::store::target`), so deliveries survive a restart.

use std::sync::Arc;
use std::time::Duration;

use crate::local::store::{SqliteStore, TargetDelivery};

/// The longest wait between two attempts, seconds.
const MAX_BACKOFF_SECONDS: i64 = 300;

/// How long one POST may take, in all.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// At most this many references are delivered to in one round.
const ROUND: usize = 16;

/// Where and how outcome events are delivered.
#[derive(Debug, Clone)]
pub struct EventTarget {
    /// The target's URL.
    pub url: String,
    /// Seconds an event is retried for, counted from when it was written; then it goes to
    /// the dead-letter queue.
    pub max_age_seconds: i64,
    /// Wait before the first retry, seconds, doubled for each further one (at most 300).
    pub backoff_seconds: i64,
}

impl EventTarget {
    /// The URL without its path and query (`scheme://host:port`), as logs and dead
    /// letters show it: a webhook's path or query often holds a secret.
    pub fn origin(&self) -> String {
        origin(&self.url)
    }
}

/// `scheme://authority` of `url`, without any user info; `url` itself when it does not
/// parse.
pub fn origin(url: &str) -> String {
    match url.parse::<http::Uri>() {
        Ok(uri) => format!(
            "{}://{}",
            uri.scheme_str().unwrap_or("http"),
            uri.authority()
                .map(|a| a.as_str().rsplit('@').next().unwrap_or_default())
                .unwrap_or_default()
        ),
        Err(_) => "(unparsable URL)".to_string(),
    }
}

/// Checks an `SPS_EVENT_TARGET_URL`: an absolute `http` or `https` URL with a host and,
/// when given, a port of 1-65535.
///
/// # Errors
/// A sentence saying what is wrong (without the URL's path or query).
pub fn check_url(url: &str) -> anyhow::Result<()> {
    const FORM: &str = "an absolute http:// or https:// URL with a host (http://host:port/path)";
    let uri: http::Uri = url
        .parse()
        .map_err(|_| anyhow::anyhow!("SPS_EVENT_TARGET_URL is not a URL; give {FORM}"))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(host)) if !host.is_empty() => {}
        (Some(scheme), _) if scheme != "http" && scheme != "https" => {
            anyhow::bail!("SPS_EVENT_TARGET_URL has the scheme {scheme}; give {FORM}")
        }
        _ => anyhow::bail!("SPS_EVENT_TARGET_URL is not {FORM}"),
    }
    // `http::Uri` keeps a port that is not a u16 in the authority and reports none.
    let authority = uri.authority().map_or("", |a| a.as_str());
    if let Some((_, port)) = authority.rsplit_once(':').filter(|(_, p)| !p.contains(']')) {
        if !port.parse::<u16>().is_ok_and(|p| p > 0) {
            anyhow::bail!("SPS_EVENT_TARGET_URL has the port {port}, which is not 1-65535");
        }
    }
    Ok(())
}

/// How one POST went.
enum Attempt {
    Delivered,
    /// Worth trying again: the reason.
    Retry(String),
    /// Not worth trying again (a status EventBridge does not retry): the reason.
    Refused(String),
}

/// Whether EventBridge retries a delivery that got `status` (User Guide, "API
/// destinations": 401, 407, 409, 429 and 5xx).
pub fn retried(status: u16) -> bool {
    matches!(status, 401 | 407 | 409 | 429) || status >= 500
}

fn post(agent: &ureq::Agent, url: &str, envelope: &str) -> Attempt {
    let response = agent
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", concat!("sps/", env!("CARGO_PKG_VERSION")))
        .send(envelope);
    match response {
        Ok(r) if r.status().is_success() => Attempt::Delivered,
        Ok(r) => {
            let status = r.status().as_u16();
            let why = format!("the event target answered HTTP {status}");
            if retried(status) {
                Attempt::Retry(why)
            } else {
                Attempt::Refused(format!("{why}, which is not retried"))
            }
        }
        Err(ureq::Error::Timeout(_)) => Attempt::Retry(format!(
            "the event target did not answer within {} s",
            REQUEST_TIMEOUT.as_secs()
        )),
        Err(err) => Attempt::Retry(format!("cannot reach the event target: {err}")),
    }
}

/// Delivers queued events until `stopped` turns true: each round takes the oldest due
/// event of each reference, POSTs it, and records the outcome.
pub async fn run(
    target: EventTarget,
    store: Arc<SqliteStore>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(REQUEST_TIMEOUT))
        .http_status_as_error(false)
        // A redirect is a 3xx answer like any other, not followed (and not retried).
        .max_redirects(0)
        .build()
        .into();
    let mut events = store.subscribe_events();
    match store.target_queued() {
        Ok(queued) => {
            tracing::info!(event_target = %target.origin(), queued, "delivering outcome events to the event target")
        }
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), "cannot count the events queued for the event target")
        }
    }
    while !*stopped.borrow() {
        let now = chrono::Utc::now().timestamp();
        let wait = match store.target_due(now, ROUND) {
            Ok(due) if !due.is_empty() => {
                for delivery in due {
                    deliver(&target, &agent, &store, delivery).await;
                }
                continue;
            }
            Ok(_) => match store.target_next_at() {
                Ok(Some(at)) => (at - now).clamp(0, 60),
                Ok(None) => 60,
                Err(_) => 1,
            },
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "cannot read the event target's queue; trying again in 1 s");
                1
            }
        };
        let wait = Duration::from_secs(u64::try_from(wait).unwrap_or(1).max(1));
        tokio::select! {
            _ = events.changed() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = stopped.changed() => {}
        }
    }
}

async fn deliver(
    target: &EventTarget,
    agent: &ureq::Agent,
    store: &SqliteStore,
    delivery: TargetDelivery,
) {
    let (agent, url, envelope) = (agent.clone(), target.url.clone(), delivery.envelope.clone());
    let attempt = tokio::task::spawn_blocking(move || post(&agent, &url, &envelope))
        .await
        .unwrap_or_else(|e| Attempt::Retry(format!("the delivery task failed: {e}")));
    let attempts = delivery.attempts.saturating_add(1);
    let now = chrono::Utc::now().timestamp();
    let recorded = match attempt {
        Attempt::Delivered => {
            tracing::debug!(
                seq = delivery.seq,
                attempts,
                "event delivered to the event target"
            );
            store.target_delivered(delivery.seq)
        }
        Attempt::Refused(why) => dead_letter(target, store, &delivery, attempts, &why),
        Attempt::Retry(why) if now - delivery.created_at >= target.max_age_seconds => {
            let why = format!(
                "not delivered within the maximum event age of {} s ({attempts} attempts); the last: {why}",
                target.max_age_seconds
            );
            dead_letter(target, store, &delivery, attempts, &why)
        }
        Attempt::Retry(why) => {
            let doubling = 1_i64 << attempts.saturating_sub(1).min(20);
            let backoff = target
                .backoff_seconds
                .saturating_mul(doubling)
                .min(MAX_BACKOFF_SECONDS);
            // The last attempt is made when the maximum event age is reached, not after.
            let next_at = (now + backoff).min(delivery.created_at + target.max_age_seconds);
            tracing::info!(seq = delivery.seq, attempts, retry_in_seconds = next_at - now, error = %why, "event target delivery failed; retrying");
            store.target_retry_at(delivery.seq, attempts, next_at, &why)
        }
    };
    if let Err(err) = recorded {
        tracing::warn!(seq = delivery.seq, error = %format!("{err:#}"), "cannot record an event target delivery; it is made again");
    }
}

fn dead_letter(
    target: &EventTarget,
    store: &SqliteStore,
    delivery: &TargetDelivery,
    attempts: u32,
    why: &str,
) -> anyhow::Result<()> {
    tracing::warn!(seq = delivery.seq, attempts, error = %why, "event target delivery moved to the dead-letter queue");
    store.target_dead_letter(delivery, &target.origin(), attempts, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_hide_paths_queries_and_user_info() {
        assert_eq!(
            origin("https://user:pw@hooks.example.com:8443/T000/secret?token=x"),
            "https://hooks.example.com:8443"
        );
        assert_eq!(origin("http://127.0.0.1:9000/in"), "http://127.0.0.1:9000");
    }

    #[test]
    fn urls_are_checked() {
        let check = |url: &str| check_url(url).map_err(|e| e.to_string());
        assert_eq!(check("http://127.0.0.1:9000/in"), Ok(()));
        assert_eq!(check("https://hooks.example.com/x?token=y"), Ok(()));
        assert_eq!(check("http://[::1]:9000/in"), Ok(()));
        assert_eq!(check("http://[::1]/in"), Ok(()));
        let form = "an absolute http:// or https:// URL with a host (http://host:port/path)";
        assert_eq!(
            check("ftp://example.com/x"),
            Err(format!(
                "SPS_EVENT_TARGET_URL has the scheme ftp; give {form}"
            ))
        );
        assert_eq!(
            check("http:///path"),
            Err(format!("SPS_EVENT_TARGET_URL is not a URL; give {form}"))
        );
        for url in ["/relative", "garbage"] {
            assert_eq!(
                check(url),
                Err(format!("SPS_EVENT_TARGET_URL is not {form}")),
                "{url}"
            );
        }
        assert_eq!(
            check("http://exa mple"),
            Err(format!("SPS_EVENT_TARGET_URL is not a URL; give {form}"))
        );
        assert_eq!(
            check("http://127.0.0.1:99999/"),
            Err("SPS_EVENT_TARGET_URL has the port 99999, which is not 1-65535".to_string())
        );
    }

    #[test]
    fn the_statuses_eventbridge_retries() {
        let retried_ones: Vec<u16> = [200, 301, 400, 401, 403, 404, 407, 409, 413, 429, 500, 503]
            .into_iter()
            .filter(|s| retried(*s))
            .collect();
        assert_eq!(retried_ones, vec![401, 407, 409, 429, 500, 503]);
    }
}
