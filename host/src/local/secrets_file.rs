//! The secrets file of `sps serve` (`SPS_SECRETS_FILE`) as the platform components'
//! settings, re-read whenever it changes (its modification time or size), so new
//! credentials apply to the next post without a restart. Its shape:
//!
//! ```json
//! {"xApiKey": "...", "xApiKeySecret": "...", "xBearerToken": "...",
//!  "xAccessToken": "...", "xAccessTokenSecret": "...",
//!  "platforms": {"mastodon": {"default": {"access_token": "..."}}}}
//! ```
//!
//! The flat X keys ([`crate::secrets`]) are the `twitter` component's; `platforms` holds,
//! for any other platform, its accounts' keys (only the account `default` is used so
//! far), given to it beside its `SPS_PLATFORM_<NAME>_...` settings ([`super::platform_env`]).
//!
//! At start, and at each re-read, the file is checked as ssh checks a key file: readable
//! by group or others is a warning, and so is a required credential that is missing
//! (named, never a value). A file that cannot be read or parsed at start stops `sps
//! serve`; one that breaks later is logged and the credentials read before stay in use.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use anyhow::Context as _;
use async_trait::async_trait;

use crate::caps::http::OutboundPolicy;
use crate::runtime::{PlatformSettings, PlatformSettingsSource};
use crate::secrets::XCredentials;

/// The platform of the flat X keys.
const PLATFORM: &str = "twitter";

/// The account whose keys are used.
const ACCOUNT: &str = "default";

/// The keys of each other platform's `default` account, by platform name.
type PlatformSecrets = HashMap<String, HashMap<String, String>>;

/// The secrets file and the settings last read from it.
pub struct SecretsFile {
    path: PathBuf,
    x_api_base_url: String,
    outbound: OutboundPolicy,
    /// The other platforms' settings from the environment.
    others: HashMap<String, PlatformSettings>,
    state: Mutex<Read>,
}

impl std::fmt::Debug for SecretsFile {
    /// The file's path only: the settings hold credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// What was read, and the file's stamp (modification time, size) when it was.
struct Read {
    stamp: Option<(SystemTime, u64)>,
    settings: PlatformSettings,
    platforms: PlatformSecrets,
}

impl SecretsFile {
    /// Reads `path`, warning about its mode and missing credentials; `x_api_base_url` is
    /// the `twitter` component's base URL and `outbound` its single allowed host, `others`
    /// the other platforms' settings from the environment.
    ///
    /// # Errors
    /// When the file cannot be read or parsed (the message names the file and the key,
    /// never a value).
    pub fn open(
        path: &Path,
        x_api_base_url: &str,
        outbound: OutboundPolicy,
        others: HashMap<String, PlatformSettings>,
    ) -> anyhow::Result<Self> {
        let stamp = stamp(path);
        let (credentials, platforms) = parse(path)?;
        check(path, &credentials);
        tracing::info!(file = %path.display(), credentials = ?credentials, "X credentials read");
        Ok(Self {
            path: path.to_path_buf(),
            x_api_base_url: x_api_base_url.to_string(),
            state: Mutex::new(Read {
                stamp,
                settings: PlatformSettings {
                    config: credentials.to_config(x_api_base_url),
                    outbound: outbound.clone(),
                },
                platforms,
            }),
            outbound,
            others,
        })
    }
}

#[async_trait]
impl PlatformSettingsSource for SecretsFile {
    async fn settings(&self, platform: &str) -> anyhow::Result<PlatformSettings> {
        let now = stamp(&self.path);
        let mut state = self
            .state
            .lock()
            .map_err(|_| anyhow::anyhow!("the secrets file's state is poisoned"))?;
        if now != state.stamp {
            state.stamp = now;
            match parse(&self.path) {
                Ok((credentials, platforms)) => {
                    check(&self.path, &credentials);
                    tracing::info!(file = %self.path.display(), credentials = ?credentials, "X credentials re-read: the file changed");
                    state.settings = PlatformSettings {
                        config: credentials.to_config(&self.x_api_base_url),
                        outbound: self.outbound.clone(),
                    };
                    state.platforms = platforms;
                }
                Err(err) => {
                    tracing::warn!(error = %crate::runtime::error_summary(&err), "the secrets file changed but cannot be used; the credentials read before stay in use");
                }
            }
        }
        if platform == PLATFORM {
            return Ok(state.settings.clone());
        }
        let mut settings = self.others.get(platform).cloned().unwrap_or_default();
        if let Some(keys) = state.platforms.get(platform) {
            settings
                .config
                .extend(keys.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        Ok(settings)
    }
}

/// Reads and parses the file: the flat X keys, and `platforms` (each platform's
/// `default` account; other accounts are named in a warning and not used yet).
///
/// # Errors
/// When the file cannot be read or is not of the shape above; the message names the
/// file, never a value.
fn parse(path: &Path) -> anyhow::Result<(XCredentials, PlatformSecrets)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the secrets file {}", path.display()))?;
    let in_file = || format!("in the secrets file {}", path.display());
    let mut object: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(&text) {
        Ok(serde_json::Value::Object(object)) => object,
        Ok(_) => anyhow::bail!(
            "in the secrets file {}: it must be a JSON object with the keys xApiKey, xApiKeySecret, xBearerToken, xAccessToken, xAccessTokenSecret and optionally platforms",
            path.display()
        ),
        Err(_) => {
            // Not JSON: XCredentials says where, without a value.
            return XCredentials::from_json(&text)
                .map(|c| (c, HashMap::new()))
                .with_context(in_file)
        }
    };
    let platforms = match object.remove("platforms") {
        None => HashMap::new(),
        Some(value) => {
            let accounts: HashMap<String, HashMap<String, HashMap<String, String>>> =
                serde_json::from_value(value).map_err(|e| {
                    anyhow::anyhow!(
                        "platforms must be {{\"<platform>\": {{\"<account>\": {{\"<key>\": \"<value>\"}}}}}} ({:?} error)",
                        e.classify()
                    )
                    .context(in_file())
                })?;
            let mut platforms = HashMap::new();
            for (platform, mut by_account) in accounts {
                let unused: Vec<&String> = by_account.keys().filter(|a| *a != ACCOUNT).collect();
                if !unused.is_empty() {
                    tracing::warn!(file = %path.display(), platform = %platform, accounts = ?unused, "only the account default is used so far; the others are ignored");
                }
                if let Some(keys) = by_account.remove(ACCOUNT) {
                    platforms.insert(platform, keys);
                }
            }
            platforms
        }
    };
    let credentials = XCredentials::from_json(&serde_json::Value::Object(object).to_string())
        .with_context(in_file)?;
    Ok((credentials, platforms))
}

/// The file's modification time and size, or `None` when it cannot be read.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Warns when the file is readable by group or others, and names the missing credentials.
fn check(path: &Path, credentials: &XCredentials) {
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(file = %path.display(), mode = %format!("{mode:04o}"), "the secrets file is readable by group or others; run chmod 600 on it");
        }
    }
    let missing = credentials.missing();
    if !missing.is_empty() {
        tracing::warn!(file = %path.display(), missing = %missing.join(", "), "the secrets file lacks credentials posting needs: posts to twitter end in missing-credentials until they are there");
    }
}
