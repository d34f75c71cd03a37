//! The secrets file of `sps serve` (`SPS_SECRETS_FILE`) as the platform components'
//! settings, re-read whenever it changes (its modification time or size), so new
//! credentials apply to the next post without a restart. Its shape:
//!
//! ```json
//! {"xApiKey": "...", "xApiKeySecret": "...", "xBearerToken": "...",
//!  "xAccessToken": "...", "xAccessTokenSecret": "...",
//!  "platforms": {"mastodon": {"default": {"access_token": "..."}},
//!                "twitter": {"work": {"xApiKey": "...", "xApiKeySecret": "...",
//!                                     "xAccessToken": "...", "xAccessTokenSecret": "..."}}}}
//! ```
//!
//! The flat X keys ([`crate::secrets`]) are the `twitter` component's account `default`;
//! `platforms.<name>.<account>` holds each account's keys: for `twitter` the same five
//! keys as the flat ones (its other accounts), for any other platform the keys its
//! component reads, given to it beside its `SPS_PLATFORM_<NAME>_...` settings
//! ([`crate::platform_env`]). A call for one account sees that account's keys only.
//!
//! At start, and at each re-read, the file is checked as ssh checks a key file: readable
//! by group or others is a warning, and so is a required credential that is missing
//! (named, never a value), and an account name no event can use; the accounts read are
//! logged by name. A file that cannot be read or parsed at start stops `sps
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

/// The account of the flat X keys.
const ACCOUNT: &str = sps_contract::input::DEFAULT_ACCOUNT;

/// Each platform's accounts' keys (the component's key names), by platform name, then
/// account name; `twitter` holds its accounts other than `default`.
type PlatformSecrets = HashMap<String, HashMap<String, HashMap<String, String>>>;

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
        if !platforms.is_empty() {
            tracing::info!(file = %path.display(), accounts = %account_names(&platforms), "platform accounts read");
        }
        Ok(Self {
            path: path.to_path_buf(),
            x_api_base_url: x_api_base_url.to_string(),
            state: Mutex::new(Read {
                stamp,
                settings: credentials.settings(x_api_base_url, outbound.clone()),
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
                    state.settings =
                        credentials.settings(&self.x_api_base_url, self.outbound.clone());
                    state.platforms = platforms;
                }
                Err(err) => {
                    tracing::warn!(error = %crate::runtime::error_summary(&err), "the secrets file changed but cannot be used; the credentials read before stay in use");
                }
            }
        }
        let mut settings = if platform == PLATFORM {
            state.settings.clone()
        } else {
            self.others.get(platform).cloned().unwrap_or_default()
        };
        if let Some(accounts) = state.platforms.get(platform) {
            for (account, keys) in accounts {
                settings.accounts.insert(account.clone(), keys.clone());
            }
        }
        Ok(settings)
    }
}

/// Reads and parses the file: the flat X keys, and `platforms` (each platform's accounts;
/// `twitter`'s other accounts are read as the flat keys are, and given to the component
/// under its key names).
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
            let mut platforms = accounts;
            if let Some(x_accounts) = platforms.get_mut(PLATFORM) {
                if x_accounts.remove(ACCOUNT).is_some() {
                    tracing::warn!(file = %path.display(), "platforms.twitter.default is ignored: the flat X keys are the twitter account default");
                }
                for (account, keys) in x_accounts.iter_mut() {
                    let credentials = XCredentials::from_keys(keys).with_context(|| {
                        format!(
                            "in platforms.twitter.{account} of the secrets file {}",
                            path.display()
                        )
                    })?;
                    *keys = credentials.account_keys();
                }
            }
            warn_of_unusable_accounts(path, &platforms);
            platforms
        }
    };
    let credentials = XCredentials::from_json(&serde_json::Value::Object(object).to_string())
        .with_context(in_file)?;
    Ok((credentials, platforms))
}

/// Each platform's accounts by name, sorted, never a value: `bluesky: default; mastodon:
/// brand, default` (the X accounts other than `default` under `twitter`).
fn account_names(platforms: &PlatformSecrets) -> String {
    let mut names: Vec<String> = platforms
        .iter()
        .map(|(platform, accounts)| {
            let mut accounts: Vec<&str> = accounts.keys().map(String::as_str).collect();
            accounts.sort_unstable();
            format!("{platform}: {}", accounts.join(", "))
        })
        .collect();
    names.sort();
    names.join("; ")
}

/// Warns of each account in `platforms` that no event can name (an account name is
/// `[a-z][a-z0-9_]{0,31}`, [`sps_contract::input::is_account_name`]): its keys are never
/// used. Names only the platform and the account, never a value.
fn warn_of_unusable_accounts(path: &Path, platforms: &PlatformSecrets) {
    let mut unusable: Vec<String> = platforms
        .iter()
        .flat_map(|(platform, accounts)| {
            accounts
                .keys()
                .filter(|a| !sps_contract::input::is_account_name(a))
                .map(move |a| format!("platforms.{platform}.{a:?}"))
        })
        .collect();
    unusable.sort();
    if !unusable.is_empty() {
        tracing::warn!(file = %path.display(), accounts = %unusable.join(", "), "the secrets file names accounts no event can use (an account is 1 to 32 characters of a-z, 0-9 and _, beginning with a letter); their keys are never used");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn open(text: &str) -> anyhow::Result<(tempfile::TempDir, SecretsFile)> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("secrets.json");
        std::fs::write(&path, text)?;
        let mastodon = PlatformSettings {
            config: HashMap::from([("base_url".to_string(), "https://m.example".to_string())]),
            ..PlatformSettings::default()
        };
        let file = SecretsFile::open(
            &path,
            "http://x.example",
            OutboundPolicy::deny_all(),
            HashMap::from([("mastodon".to_string(), mastodon)]),
        )?;
        Ok((dir, file))
    }

    fn config(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[tokio::test]
    async fn each_account_sees_its_own_keys_only() -> anyhow::Result<()> {
        let (_dir, file) = open(
            r#"{"xApiKey":"k","xApiKeySecret":"ks","xAccessToken":"t","xAccessTokenSecret":"ts",
                "platforms":{"twitter":{"brand":{"xApiKey":"bk","xAccessToken":"bt"}},
                             "mastodon":{"default":{"access_token":"m1"},"work":{"access_token":"m2"}}}}"#,
        )?;
        let twitter = file.settings("twitter").await?;
        let base = ("x_api_base_url", "http://x.example");
        assert_eq!(
            twitter.config_for("default"),
            config(&[
                base,
                ("x_api_key", "k"),
                ("x_api_key_secret", "ks"),
                ("x_access_token", "t"),
                ("x_access_token_secret", "ts"),
            ])
        );
        assert_eq!(
            twitter.config_for("brand"),
            config(&[base, ("x_api_key", "bk"), ("x_access_token", "bt")])
        );
        assert_eq!(twitter.config_for("nobody"), config(&[base]));
        let mastodon = file.settings("mastodon").await?;
        let base = ("base_url", "https://m.example");
        assert_eq!(
            mastodon.config_for("default"),
            config(&[base, ("access_token", "m1")])
        );
        assert_eq!(
            mastodon.config_for("work"),
            config(&[base, ("access_token", "m2")])
        );
        assert_eq!(mastodon.config_for("other"), config(&[base]));
        Ok(())
    }

    #[test]
    fn an_x_account_of_the_wrong_shape_is_refused_naming_it() {
        let err = open(r#"{"platforms":{"twitter":{"brand":{"xApiKey":"k","oops":"v"}}}}"#)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        // The file's path is a temporary one: everything after it is exact.
        let (_, after_path) = err.split_once("/secrets.json: ").unwrap_or_default();
        assert!(
            err.starts_with("in platforms.twitter.brand of the secrets file /"),
            "{err}"
        );
        assert_eq!(
            after_path,
            "the X credentials are not a JSON object of strings with the keys xApiKey, \
             xApiKeySecret, xBearerToken, xAccessToken, xAccessTokenSecret (unknown field `oops`)"
        );
    }
}
