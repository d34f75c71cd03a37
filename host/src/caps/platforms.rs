//! `sps:social/platforms`: the loaded platform components, addressed by name. A call
//! runs the named platform component in a Store of its own, with only that platform's
//! settings and outbound hosts.

use crate::bindings::platforms::Host;
use crate::bindings::types::{MessageError, PublishError};
use crate::runtime::Ctx;

/// The reason code of a message for a platform that is not loaded.
pub const UNSUPPORTED_PLATFORM: &str = "unsupported-platform";

impl Host for Ctx {
    async fn supported(&mut self) -> Vec<String> {
        self.components.platform_names()
    }

    async fn validate(&mut self, platform: String, message: String) -> Result<(), MessageError> {
        let Some(component) = self.components.platform(&platform) else {
            return Err(MessageError {
                code: UNSUPPORTED_PLATFORM.to_string(),
                message: unsupported(&platform, &self.components.platform_names()),
            });
        };
        match self
            .runtime
            .platform_validate(&self.components, component, &platform, &message)
            .await
        {
            Ok(result) => result,
            Err(err) => {
                tracing::error!(platform, error = %format!("{err:#}"), "platform component failed in validate");
                Err(MessageError {
                    code: "platform-component-failed".to_string(),
                    message: format!("the {platform} component failed: {err:#}"),
                })
            }
        }
    }

    async fn publish(&mut self, platform: String, message: String) -> Result<String, PublishError> {
        let Some(component) = self.components.platform(&platform) else {
            return Err(PublishError::Invalid(unsupported(
                &platform,
                &self.components.platform_names(),
            )));
        };
        match self
            .runtime
            .platform_publish(&self.components, component, &platform, &message)
            .await
        {
            Ok(result) => result,
            Err(err) => {
                // The component may have trapped after its request went out.
                tracing::error!(platform, error = %format!("{err:#}"), "platform component failed in publish");
                Err(PublishError::UnknownOutcome(format!(
                    "the {platform} component failed: {err:#}"
                )))
            }
        }
    }
}

/// `platform "x" is not supported; supported platforms: a, b`.
pub fn unsupported(platform: &str, supported: &[String]) -> String {
    format!(
        "platform {platform:?} is not supported; supported platforms: {}",
        supported.join(", ")
    )
}
