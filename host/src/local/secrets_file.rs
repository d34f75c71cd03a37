//! The secrets file of `sps serve` (`SPS_SECRETS_FILE`, [`crate::secrets`]'s JSON shape) as
//! the settings of the `twitter` component, re-read whenever it changes (its modification
//! time or size), so new credentials apply to the next post without a restart.
//!
//! At start, and at each re-read, the file is checked as ssh checks a key file: readable
//! by group or others is a warning, and so is a required credential that is missing
//! (named, never a value). A file that cannot be read or parsed at start stops `sps
//! serve`; one that breaks later is logged and the credentials read before stay in use.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use async_trait::async_trait;

use crate::caps::http::OutboundPolicy;
use crate::runtime::{PlatformSettings, PlatformSettingsSource};
use crate::secrets::XCredentials;

/// The platform whose settings the file holds.
const PLATFORM: &str = "twitter";

/// The secrets file and the settings last read from it.
#[derive(Debug)]
pub struct SecretsFile {
    path: PathBuf,
    x_api_base_url: String,
    outbound: OutboundPolicy,
    state: Mutex<Read>,
}

/// What was read, and the file's stamp (modification time, size) when it was.
#[derive(Debug)]
struct Read {
    stamp: Option<(SystemTime, u64)>,
    settings: PlatformSettings,
}

impl SecretsFile {
    /// Reads `path`, warning about its mode and missing credentials; `x_api_base_url` is
    /// the component's base URL and `outbound` its single allowed host.
    ///
    /// # Errors
    /// When the file cannot be read or parsed (the message names the file and the key,
    /// never a value).
    pub fn open(
        path: &Path,
        x_api_base_url: &str,
        outbound: OutboundPolicy,
    ) -> anyhow::Result<Self> {
        let stamp = stamp(path);
        let credentials = XCredentials::from_file(path)?;
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
            }),
            outbound,
        })
    }
}

#[async_trait]
impl PlatformSettingsSource for SecretsFile {
    async fn settings(&self, platform: &str) -> anyhow::Result<PlatformSettings> {
        if platform != PLATFORM {
            return Ok(PlatformSettings::default());
        }
        let now = stamp(&self.path);
        let mut state = self
            .state
            .lock()
            .map_err(|_| anyhow::anyhow!("the secrets file's state is poisoned"))?;
        if now != state.stamp {
            state.stamp = now;
            match XCredentials::from_file(&self.path) {
                Ok(credentials) => {
                    check(&self.path, &credentials);
                    tracing::info!(file = %self.path.display(), credentials = ?credentials, "X credentials re-read: the file changed");
                    state.settings = PlatformSettings {
                        config: credentials.to_config(&self.x_api_base_url),
                        outbound: self.outbound.clone(),
                    };
                }
                Err(err) => {
                    tracing::warn!(error = %crate::runtime::error_summary(&err), "the secrets file changed but cannot be used; the credentials read before stay in use");
                }
            }
        }
        Ok(state.settings.clone())
    }
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
