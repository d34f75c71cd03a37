//! The `twitter` component's settings from one AWS Secrets Manager secret (Secrets
//! Manager API reference, GetSecretValue): its `SecretString` is the JSON object of the
//! X credentials ([`XCredentials`]). The settings are cached for a time-to-live, so a
//! rotated secret is picked up without a cold start. Values are never logged.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_trait::async_trait;

use super::describe;
use crate::caps::http::OutboundPolicy;
use crate::runtime::{PlatformSettings, PlatformSettingsSource};
use crate::secrets::XCredentials;

/// The platform whose settings the secret holds.
pub const PLATFORM: &str = "twitter";

/// The `twitter` settings from a Secrets Manager secret, cached for `ttl`; every other
/// platform gets none.
pub struct SecretsManagerSource {
    client: aws_sdk_secretsmanager::Client,
    secret_id: String,
    ttl: Duration,
    x_api_base_url: String,
    outbound: OutboundPolicy,
    cache: tokio::sync::Mutex<Option<(Instant, PlatformSettings)>>,
}

impl std::fmt::Debug for SecretsManagerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsManagerSource")
            .field("secret_id", &self.secret_id)
            .field("ttl", &self.ttl)
            .field("x_api_base_url", &self.x_api_base_url)
            .finish_non_exhaustive()
    }
}

impl SecretsManagerSource {
    /// A source reading `secret_id` (name or ARN) at most once per `ttl`; the `twitter`
    /// component may call only `x_api_base_url`.
    ///
    /// # Errors
    /// When `x_api_base_url` is not an absolute http(s) URL.
    pub fn new(
        client: aws_sdk_secretsmanager::Client,
        secret_id: &str,
        ttl: Duration,
        x_api_base_url: &str,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            client,
            secret_id: secret_id.to_string(),
            ttl,
            x_api_base_url: x_api_base_url.to_string(),
            outbound: OutboundPolicy::deny_all().allow_url(x_api_base_url)?,
            cache: tokio::sync::Mutex::new(None),
        })
    }

    /// Reads the secret now.
    async fn fetch(&self) -> anyhow::Result<PlatformSettings> {
        let out = self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!("GetSecretValue of {}: {}", self.secret_id, describe(&e))
            })?;
        let text = out
            .secret_string()
            .ok_or_else(|| anyhow::anyhow!("secret {} has no SecretString", self.secret_id))?;
        let credentials = XCredentials::from_json(text)
            .with_context(|| format!("in secret {}", self.secret_id))?;
        tracing::info!(secret = %self.secret_id, credentials = ?credentials, "X credentials read");
        Ok(credentials.settings(&self.x_api_base_url, self.outbound.clone()))
    }
}

#[async_trait]
impl PlatformSettingsSource for SecretsManagerSource {
    /// # Errors
    /// `"cannot read the X credentials: GetSecretValue of <id>: <SDK error>"` (or the
    /// secret's shape problem, without any value) when the cache is stale and the secret
    /// cannot be read; a stale value is never used.
    async fn settings(&self, platform: &str) -> anyhow::Result<PlatformSettings> {
        // The secret holds the `default` account only so far.
        if platform != PLATFORM {
            return Ok(PlatformSettings::default());
        }
        let mut cache = self.cache.lock().await;
        if let Some((read_at, settings)) = cache.as_ref() {
            if read_at.elapsed() < self.ttl {
                return Ok(settings.clone());
            }
        }
        let settings = self
            .fetch()
            .await
            .context("cannot read the X credentials")?;
        *cache = Some((Instant::now(), settings.clone()));
        Ok(settings)
    }
}

/// A fixed settings source for the scheduling function: the `twitter` component gets
/// its base URL but no credentials and no outbound host (validation needs neither).
pub fn without_credentials(x_api_base_url: &str) -> HashMap<String, PlatformSettings> {
    HashMap::from([(
        PLATFORM.to_string(),
        PlatformSettings {
            config: XCredentials::shared_config(x_api_base_url),
            accounts: HashMap::new(),
            outbound: OutboundPolicy::deny_all(),
        },
    )])
}
