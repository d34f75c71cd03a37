//! Where a platform component's settings come from: a static map (`sps serve`, tests)
//! or a source that refreshes them, such as the Secrets Manager source of the AWS host
//! (`aws::secrets`, feature `aws`). The runtime asks for them on every platform call.

use std::collections::HashMap;

use async_trait::async_trait;

use super::PlatformSettings;

/// The settings of each platform component, by platform name (`twitter`).
///
/// Implementations must never log or put into an error message a setting's value (the
/// settings hold credentials).
#[async_trait]
pub trait PlatformSettingsSource: Send + Sync + std::fmt::Debug {
    /// The settings of `platform` now. A platform the source knows nothing about gets
    /// `PlatformSettings::default()` (no settings, no outbound host).
    ///
    /// # Errors
    /// When the settings cannot be read now (for example the secret holding the
    /// credentials cannot be fetched); the message says why, without any value. The
    /// runtime turns it into `publish-error::transient` (nothing was sent, retrying may
    /// succeed).
    async fn settings(&self, platform: &str) -> anyhow::Result<PlatformSettings>;
}

/// A fixed map from platform name to settings.
#[async_trait]
impl PlatformSettingsSource for HashMap<String, PlatformSettings> {
    async fn settings(&self, platform: &str) -> anyhow::Result<PlatformSettings> {
        Ok(self.get(platform).cloned().unwrap_or_default())
    }
}
