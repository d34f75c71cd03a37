//! Configuration of `sps serve`, from environment variables (flags mirror them).
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `SPS_LISTEN` | `127.0.0.1:8080` | address of the HTTP API, `host:port` (an IP address or a name); not loopback only with `SPS_API_TOKEN` |
//! | `SPS_API_TOKEN` | none | the bearer token every API request must carry |
//! | `SPS_DATA_DIR` | `./.sps` | SQLite database and precompiled components |
//! | `SPS_CACHE_DIR` | `<data dir>/cache` | precompiled components (`.cwasm`) |
//! | `SPS_COMPONENTS_DIR` | `<data dir>/components` | components (`sps_scheduler.wasm`, `sps_sender.wasm`, `sps_<platform>.wasm`) that replace the embedded ones of the same name or add platforms |
//! | `SPS_X_API_BASE_URL` | `https://api.x.com` | X API base URL; the only host the `twitter` component may call |
//! | `SPS_METRICS_DELAY_SECONDS` | `86400` | seconds from a campaign post's time and window to the reading of its engagement |
//! | `SPS_CAMPAIGNS_FILE` | none | JSON file with the campaigns' posting plans (README, "Campaigns"), read again at every post that names a campaign |
//! | `SPS_SECRETS_FILE` | none | JSON file with the X credentials ([`crate::secrets`]) and each platform's accounts, re-read when it changes ([`SecretsFile`]) |
//! | `SPS_FLEXIBLE_WINDOW_MINUTES` | `8` | flexible time window, 0-1440 minutes, 0 = OFF |
//! | `SPS_RELOAD_SECONDS` | `5` | how often the components directory is checked for new components; 0 = never |
//! | `SPS_RETRY_BACKOFF_SECONDS` | `30` | wait before the first retry of a failed delivery, doubled for each further one |
//! | `SPS_EVENT_TARGET_URL` | none | every outcome event is POSTed there ([`crate::local::event_target`]) |
//! | `SPS_EVENT_TARGET_MAX_AGE_SECONDS` | `3600` | how long an event is retried before it goes to the dead-letter queue |
//! | `SPS_EVENT_TARGET_BACKOFF_SECONDS` | `1` | wait before the first retry of an event's delivery, doubled for each further one (at most 300 s) |

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::caps::http::OutboundPolicy;
use crate::local::secrets_file::SecretsFile;
use crate::platform_env;
use crate::runtime::{ComponentsSource, Limits, RuntimeSettings};
use crate::secrets::XCredentials;

/// Where the build put the components (set by `build.rs`): the tests and benchmarks load
/// them from there; `sps serve` uses the copies embedded in the binary.
pub const DEFAULT_COMPONENTS_DIR: &str = env!("SPS_DEFAULT_COMPONENTS_DIR");

/// Settings of `sps serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeSettings {
    /// Address of the HTTP API: host:port, the host an IP address or a name
    /// (localhost:8080). An address that is not loopback needs SPS_API_TOKEN.
    #[arg(long, env = "SPS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Token every API request must carry (Authorization: Bearer <token>); required when
    /// SPS_LISTEN is not a loopback address.
    #[arg(long, env = "SPS_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
    /// Directory of the SQLite database and the precompiled-component cache.
    #[arg(long, env = "SPS_DATA_DIR", default_value = "./.sps")]
    pub data_dir: PathBuf,
    /// Directory of precompiled components (default: `<data dir>/cache`).
    #[arg(long, env = "SPS_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Directory of components that replace the embedded ones of the same name
    /// (sps_scheduler.wasm, sps_sender.wasm, sps_twitter.wasm, sps_linkedin.wasm,
    /// sps_mastodon.wasm, sps_bluesky.wasm) or add platforms (sps_<platform>.wasm); checked for changes every SPS_RELOAD_SECONDS. It must exist
    /// when given. [default: <data dir>/components, when present]
    #[arg(long, env = "SPS_COMPONENTS_DIR")]
    pub components_dir: Option<PathBuf>,
    /// X API base URL.
    #[arg(long, env = "SPS_X_API_BASE_URL", default_value = "https://api.x.com")]
    pub x_api_base_url: String,
    /// JSON file with the credentials: the X keys (xApiKey, xApiKeySecret, xBearerToken,
    /// xAccessToken, xAccessTokenSecret) and, under "platforms", each platform's accounts
    /// ({"platforms": {"mastodon": {"default": {"access_token": "..."}}}}).
    #[arg(long, env = "SPS_SECRETS_FILE")]
    pub secrets_file: Option<PathBuf>,
    /// JSON file with the campaigns' posting plans ({"campaigns": {"launch": {...}}}),
    /// read again at every post that names a campaign.
    #[arg(long, env = "SPS_CAMPAIGNS_FILE")]
    pub campaigns_file: Option<PathBuf>,
    /// Flexible time window in minutes (0 = OFF, at most 1440).
    #[arg(long, env = "SPS_FLEXIBLE_WINDOW_MINUTES", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(0..=1440))]
    pub flexible_window_minutes: u32,
    /// Seconds from a campaign post's time and flexible window to the reading of its
    /// engagement (0 to 2592000; README, "Campaigns").
    #[arg(long, env = "SPS_METRICS_DELAY_SECONDS", default_value_t = 86_400,
          value_parser = clap::value_parser!(u64).range(0..=2_592_000))]
    pub metrics_delay_seconds: u64,
    /// Seconds between checks of the components directory for new components (0 = never).
    #[arg(long, env = "SPS_RELOAD_SECONDS", default_value_t = 5)]
    pub reload_seconds: u64,
    /// Seconds before the first retry of a failed delivery, doubled for each further retry
    /// (at most 600 s between two); a platform's reset time wins when later.
    #[arg(long, env = "SPS_RETRY_BACKOFF_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=600))]
    pub retry_backoff_seconds: u32,
    /// URL every outcome event is POSTed to as its EventBridge envelope (JSON), at least
    /// once and in order per reference; never logged beyond its scheme and host.
    #[arg(long, env = "SPS_EVENT_TARGET_URL", hide_env_values = true)]
    pub event_target_url: Option<String>,
    /// Seconds an outcome event's delivery is retried, from when the event was written,
    /// before it goes to the dead-letter queue (EventBridge's maximum event age).
    #[arg(long, env = "SPS_EVENT_TARGET_MAX_AGE_SECONDS", default_value_t = 3600,
          value_parser = clap::value_parser!(u32).range(1..=86400))]
    pub event_target_max_age_seconds: u32,
    /// Seconds before the first retry of an outcome event's delivery, doubled for each
    /// further retry (at most 300 s between two).
    #[arg(long, env = "SPS_EVENT_TARGET_BACKOFF_SECONDS", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=300))]
    pub event_target_backoff_seconds: u32,
}

impl ServeSettings {
    /// The addresses `listen` names (a host name may resolve to several), checked: an
    /// address that is not loopback needs an API token, since the API lists every message
    /// and schedules posts.
    ///
    /// # Errors
    /// When `listen` is not `host:port`, does not resolve, resolves to a non-loopback
    /// address without `api_token`, or `api_token` is empty.
    pub async fn listen_addresses(&self) -> anyhow::Result<Vec<SocketAddr>> {
        if let Some(token) = &self.api_token {
            check_token(token)?;
        }
        let addresses: Vec<SocketAddr> = tokio::net::lookup_host(&self.listen)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "SPS_LISTEN is {:?}, which is not a host:port this machine can listen on ({e})",
                    self.listen
                )
            })?
            .collect();
        let exposed: Vec<String> = addresses
            .iter()
            .filter(|a| !a.ip().is_loopback())
            .map(ToString::to_string)
            .collect();
        if let (Some(first), None) = (exposed.first(), &self.api_token) {
            anyhow::bail!(
                "SPS_LISTEN is {:?}, which listens on {first}, not a loopback address; the API lists every message and schedules posts, so set SPS_API_TOKEN (clients then send Authorization: Bearer <token>) or listen on 127.0.0.1",
                self.listen
            );
        }
        Ok(addresses)
    }

    /// The event target, when `SPS_EVENT_TARGET_URL` is set.
    ///
    /// # Errors
    /// When the URL is not an absolute `http` or `https` URL.
    pub fn event_target(&self) -> anyhow::Result<Option<crate::local::event_target::EventTarget>> {
        let Some(url) = &self.event_target_url else {
            return Ok(None);
        };
        crate::local::event_target::check_url(url)?;
        Ok(Some(crate::local::event_target::EventTarget {
            url: url.clone(),
            max_age_seconds: i64::from(self.event_target_max_age_seconds),
            backoff_seconds: i64::from(self.event_target_backoff_seconds),
        }))
    }

    /// The delivery policy: 5 deliveries within an hour, backing off from
    /// `retry_backoff_seconds`.
    pub fn retry_policy(&self) -> sps_local::delivery::RetryPolicy {
        sps_local::delivery::RetryPolicy {
            base_backoff_seconds: i64::from(self.retry_backoff_seconds),
            ..sps_local::delivery::RetryPolicy::default()
        }
    }

    /// Where the components come from: the ones embedded in the binary, each replaced by
    /// the file of the same name in `SPS_COMPONENTS_DIR` (or, without it,
    /// `<data dir>/components`, which may be absent or created later), plus that
    /// directory's other platforms.
    ///
    /// # Errors
    /// When `SPS_COMPONENTS_DIR` is given but is not a directory.
    pub fn components_source(&self) -> anyhow::Result<ComponentsSource> {
        match &self.components_dir {
            Some(dir) if !dir.is_dir() => anyhow::bail!(
                "SPS_COMPONENTS_DIR is {}, which is not a directory",
                dir.display()
            ),
            Some(dir) => Ok(ComponentsSource::EmbeddedWith(dir.clone())),
            None => Ok(ComponentsSource::EmbeddedWith(
                self.data_dir.join("components"),
            )),
        }
    }

    /// The runtime settings these imply: the components ([`Self::components_source`]),
    /// the scheduler's window and the `twitter` component's credentials and single
    /// allowed host.
    ///
    /// # Errors
    /// When the secrets file cannot be read or parsed ([`SecretsFile::open`]; it is
    /// re-read when it changes), the X base URL is not an
    /// absolute http(s) URL, or `SPS_COMPONENTS_DIR` is not a directory.
    pub fn runtime_settings(&self) -> anyhow::Result<RuntimeSettings> {
        let cache_dir = self
            .cache_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("cache"));
        let mut settings = runtime_settings(
            self.components_source()?,
            cache_dir,
            self.flexible_window_minutes,
            &self.x_api_base_url,
            &XCredentials::default(),
        )?;
        settings.last_good_dir = Some(self.data_dir.join("cache").join("last-good"));
        settings.scheduler_config.insert(
            "metrics_delay_seconds".to_string(),
            self.metrics_delay_seconds.to_string(),
        );
        // vars_os: std::env::vars panics on a variable that is not UTF-8.
        let others = platform_env::from_vars(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )?;
        settings
            .platforms
            .extend(others.iter().map(|(k, v)| (k.clone(), v.clone())));
        match &self.secrets_file {
            Some(path) => {
                let outbound = OutboundPolicy::deny_all().allow_url(&self.x_api_base_url)?;
                let file = SecretsFile::open(path, &self.x_api_base_url, outbound, others)?;
                settings.platforms_source = Some(Arc::new(file));
            }
            None => tracing::info!(
                "no SPS_SECRETS_FILE: nothing is posted; each post ends in Social Post Failed (missing-credentials)"
            ),
        }
        Ok(settings)
    }
}

/// The least length of `SPS_API_TOKEN`, in characters.
pub const MIN_TOKEN_LENGTH: usize = 16;

/// Refuses an API token no client could send or that is easy to guess: it must be at
/// least [`MIN_TOKEN_LENGTH`] visible ASCII characters (`!` to `~`; no spaces, which HTTP
/// strips from the ends of a header value; RFC 6750's b64token is a subset).
///
/// # Errors
/// Which rule the token breaks, never the token.
pub fn check_token(token: &str) -> anyhow::Result<()> {
    if token.trim().is_empty() {
        anyhow::bail!("SPS_API_TOKEN is empty: set a long random token, or unset it");
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        anyhow::bail!("SPS_API_TOKEN must be visible ASCII characters (! to ~), without spaces, so every client can send it");
    }
    if token.len() < MIN_TOKEN_LENGTH {
        anyhow::bail!("SPS_API_TOKEN is shorter than {MIN_TOKEN_LENGTH} characters: set a long random token (for example: openssl rand -hex 32)");
    }
    Ok(())
}

/// Runtime settings for `components` (a [`ComponentsSource`], or a directory all of
/// them are read from, as the tests and benchmarks do), the scheduler's window and the
/// `twitter` platform.
///
/// # Errors
/// When `x_api_base_url` is not an absolute http(s) URL.
pub fn runtime_settings(
    components: impl Into<ComponentsSource>,
    cache_dir: PathBuf,
    flexible_window_minutes: u32,
    x_api_base_url: &str,
    credentials: &XCredentials,
) -> anyhow::Result<RuntimeSettings> {
    let twitter = credentials.settings(
        x_api_base_url,
        OutboundPolicy::deny_all().allow_url(x_api_base_url)?,
    );
    Ok(RuntimeSettings {
        components: components.into(),
        cache_dir,
        scheduler_config: HashMap::from([(
            "flexible_window_minutes".to_string(),
            flexible_window_minutes.to_string(),
        )]),
        platforms: HashMap::from([("twitter".to_string(), twitter)]),
        platforms_source: None,
        limits: Limits::default(),
        last_good_dir: None,
    })
}
