//! The platform components' settings on AWS, from Secrets Manager (API reference,
//! GetSecretValue), each secret cached for a time-to-live so a rotated one is picked up
//! without a cold start. Values are never logged.
//!
//! - The X secret (`SPS_SECRET_ID`): the flat X keys ([`XCredentials`]), the `twitter`
//!   account `default`, as the SAM template's parameters fill it.
//! - One secret per platform, `<SPS_PLATFORM_SECRET_PREFIX><platform>` (the template's
//!   prefix is `<stack name>/platforms/`): a JSON object of accounts, each an object of the
//!   keys its component reads, e.g. `{"default": {"access_token": "..."}}`; for `twitter`
//!   the accounts other than `default`, with the five X keys. A platform without its secret
//!   has no accounts (a post ends in `missing-credentials` naming the account).
//! - Every other setting (base URLs, options) from the environment, as for `sps serve`
//!   ([`crate::platform_env`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;
use aws_sdk_secretsmanager::error::ProvideErrorMetadata as _;

use super::describe;
use crate::caps::http::OutboundPolicy;
use crate::runtime::{PlatformSettings, PlatformSettingsSource};
use crate::secrets::XCredentials;

/// The platform of the X secret.
pub const PLATFORM: &str = "twitter";

/// The account of the X secret's flat keys.
pub const DEFAULT_ACCOUNT: &str = "default";

/// The platforms' settings from Secrets Manager and the environment, each platform's
/// cached for `ttl`.
pub struct SecretsManagerSource {
    client: aws_sdk_secretsmanager::Client,
    secret_id: String,
    prefix: Option<String>,
    ttl: Duration,
    x_api_base_url: String,
    x_outbound: OutboundPolicy,
    /// Each platform's shared settings and allowed host, from the environment.
    shared: HashMap<String, PlatformSettings>,
    cache: tokio::sync::Mutex<HashMap<String, (Instant, PlatformSettings)>>,
}

impl std::fmt::Debug for SecretsManagerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsManagerSource")
            .field("secret_id", &self.secret_id)
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .field("x_api_base_url", &self.x_api_base_url)
            .finish_non_exhaustive()
    }
}

impl SecretsManagerSource {
    /// A source reading the X secret `secret_id` (name or ARN) and, with a `prefix`, the
    /// secret `<prefix><platform>` of each platform, each at most once per `ttl`. The
    /// `twitter` component may call only `x_api_base_url`; every other platform gets its
    /// `shared` settings (from [`crate::platform_env::from_vars`]) and their allowed host.
    ///
    /// # Errors
    /// When `x_api_base_url` is not an absolute http(s) URL.
    pub fn new(
        client: aws_sdk_secretsmanager::Client,
        secret_id: &str,
        prefix: Option<&str>,
        ttl: Duration,
        x_api_base_url: &str,
        shared: HashMap<String, PlatformSettings>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            client,
            secret_id: secret_id.to_string(),
            prefix: prefix.map(str::to_string),
            ttl,
            x_api_base_url: x_api_base_url.to_string(),
            x_outbound: OutboundPolicy::deny_all().allow_url(x_api_base_url)?,
            shared,
            cache: tokio::sync::Mutex::new(HashMap::new()),
        })
    }

    /// The `SecretString` of `id`; `Ok(None)` when `missing_is_empty` and there is no
    /// such secret.
    async fn secret_string(
        &self,
        id: &str,
        missing_is_empty: bool,
    ) -> anyhow::Result<Option<String>> {
        match self.client.get_secret_value().secret_id(id).send().await {
            Ok(out) => Ok(Some(
                out.secret_string()
                    .ok_or_else(|| anyhow::anyhow!("secret {id} has no SecretString"))?
                    .to_string(),
            )),
            Err(e)
                if missing_is_empty
                    && e.as_service_error()
                        .is_some_and(|s| s.code() == Some("ResourceNotFoundException")) =>
            {
                Ok(None)
            }
            Err(e) => Err(anyhow::anyhow!("GetSecretValue of {id}: {}", describe(&e))),
        }
    }

    /// The accounts of the secret `<prefix><platform>` (none without a prefix or secret).
    async fn accounts(&self, platform: &str) -> anyhow::Result<Accounts> {
        let Some(prefix) = &self.prefix else {
            return Ok(Accounts::new());
        };
        let id = format!("{prefix}{platform}");
        match self.secret_string(&id, true).await? {
            Some(text) => accounts_of(&text).with_context(|| format!("in secret {id}")),
            None => Ok(Accounts::new()),
        }
    }

    /// Reads the settings of `platform` now.
    async fn fetch(&self, platform: &str) -> anyhow::Result<PlatformSettings> {
        let accounts = self.accounts(platform).await?;
        if platform != PLATFORM {
            let mut settings = self.shared.get(platform).cloned().unwrap_or_default();
            settings.accounts = accounts;
            return Ok(settings);
        }
        let text = self
            .secret_string(&self.secret_id, false)
            .await?
            .unwrap_or_default();
        let credentials = XCredentials::from_json(&text)
            .with_context(|| format!("in secret {}", self.secret_id))?;
        tracing::info!(secret = %self.secret_id, credentials = ?credentials, "X credentials read");
        let mut settings = credentials.settings(&self.x_api_base_url, self.x_outbound.clone());
        for (account, keys) in accounts {
            if account == DEFAULT_ACCOUNT {
                continue;
            }
            let credentials = XCredentials::from_keys(&keys)
                .with_context(|| format!("account {account:?} of the twitter secret"))?;
            settings
                .accounts
                .insert(account, credentials.account_keys());
        }
        Ok(settings)
    }
}

/// Accounts by name, each its keys.
pub type Accounts = HashMap<String, HashMap<String, String>>;

/// The accounts of a platform secret's text: a JSON object of objects of strings.
///
/// # Errors
/// When it is not (the message names the account or the kind of error, never a value).
pub fn accounts_of(text: &str) -> anyhow::Result<Accounts> {
    serde_json::from_str::<Accounts>(text).map_err(|e| {
        anyhow::anyhow!(
            "a platform secret must be a JSON object of accounts, each an object of strings \
             ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    })
}

#[async_trait]
impl PlatformSettingsSource for SecretsManagerSource {
    /// # Errors
    /// `"cannot read the X credentials: GetSecretValue of <id>: <SDK error>"` (`the
    /// <platform> credentials` for another platform), or
    /// the secret's shape problem, without any value) when the cache is stale and a secret
    /// cannot be read; a stale value is never used.
    async fn settings(&self, platform: &str) -> anyhow::Result<PlatformSettings> {
        let mut cache = self.cache.lock().await;
        if let Some((read_at, settings)) = cache.get(platform) {
            if read_at.elapsed() < self.ttl {
                return Ok(settings.clone());
            }
        }
        let what = if platform == PLATFORM {
            "X".to_string()
        } else {
            platform.to_string()
        };
        let settings = self
            .fetch(platform)
            .await
            .with_context(|| format!("cannot read the {what} credentials"))?;
        cache.insert(platform.to_string(), (Instant::now(), settings.clone()));
        Ok(settings)
    }
}

/// A fixed settings source for the scheduling function: every platform gets its shared
/// settings without credentials (validation needs none); `twitter` its base URL and no
/// outbound host, the others the allowed host of their base URL (a platform may read its
/// limits, such as a Mastodon instance's).
pub fn without_credentials(
    x_api_base_url: &str,
    shared: HashMap<String, PlatformSettings>,
) -> HashMap<String, PlatformSettings> {
    let mut platforms = shared;
    platforms.insert(
        PLATFORM.to_string(),
        PlatformSettings {
            config: XCredentials::shared_config(x_api_base_url),
            accounts: HashMap::new(),
            outbound: OutboundPolicy::deny_all(),
        },
    );
    platforms
}
