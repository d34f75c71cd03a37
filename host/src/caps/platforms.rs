//! `sps:social/platforms`: the loaded platform components, addressed by name. A call
//! runs the named platform component in a Store of its own, with only that platform's
//! settings and outbound hosts.

use crate::bindings::platforms::Host;
use crate::bindings::types::{
    Engagement, MessageError, PartLength, Post, PublishError, PublishedPart,
};
use crate::runtime::{error_summary, Ctx};

/// The longest post id a platform component may return, bytes (X's ids are 19 digits; an
/// id must fit the `Social Post Sent` event, 256 KiB on EventBridge, and the send ledger,
/// 400 KB per DynamoDB item). A longer one is no post id the service can report: the post
/// may exist, so the call ends in `unknown-outcome`. The part's URL and reply reference are
/// held to the same bound, each.
pub const MAX_POST_ID_BYTES: usize = 1024;

/// The size of the largest of a published part's fields (id, URL, reply reference), bytes.
fn largest_field(part: &PublishedPart) -> usize {
    [
        Some(part.id.len()),
        part.url.as_ref().map(String::len),
        part.reply_ref.as_ref().map(String::len),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0)
}

pub use sps_contract::platforms::{unsupported, UNSUPPORTED_PLATFORM};

impl Ctx {
    /// `unsupported-platform` for `platform`, naming the loaded ones.
    fn unsupported_message(&self, platform: &str) -> MessageError {
        MessageError {
            code: UNSUPPORTED_PLATFORM.to_string(),
            message: unsupported(platform, &self.components.platform_names()),
            part: None,
        }
    }
}

/// The answer of a checking call (`validate`, `lengths`) of the `platform` component, or
/// `platform-component-failed` when the component trapped or ran out of its limits.
fn checked<T>(
    result: anyhow::Result<Result<T, MessageError>>,
    platform: &str,
    call: &str,
) -> Result<T, MessageError> {
    result.unwrap_or_else(|err| {
        tracing::error!(platform, call, error = %error_summary(&err), "platform component failed");
        tracing::debug!(platform, call, error = %format!("{err:?}"), "platform component failure in full");
        Err(MessageError {
            code: "platform-component-failed".to_string(),
            message: format!("the {platform} component failed: {}", error_summary(&err)),
            part: None,
        })
    })
}

impl Host for Ctx {
    async fn supported(&mut self) -> Vec<String> {
        self.components.platform_names()
    }

    async fn validate(&mut self, platform: String, post: Post) -> Result<(), MessageError> {
        let Some(component) = self.components.platform(&platform) else {
            return Err(self.unsupported_message(&platform));
        };
        let result = self
            .runtime
            .platform_validate(&self.components, component, &platform, &post)
            .await;
        checked(result, &platform, "validate")
    }

    async fn lengths(
        &mut self,
        platform: String,
        post: Post,
    ) -> Result<Vec<PartLength>, MessageError> {
        let Some(component) = self.components.platform(&platform) else {
            return Err(self.unsupported_message(&platform));
        };
        let result = self
            .runtime
            .platform_lengths(&self.components, component, &platform, &post)
            .await;
        checked(result, &platform, "lengths")
    }

    async fn publish(
        &mut self,
        platform: String,
        post: Post,
        part: u32,
        earlier: Vec<PublishedPart>,
    ) -> Result<PublishedPart, PublishError> {
        let Some(component) = self.components.platform(&platform) else {
            return Err(PublishError::Invalid(unsupported(
                &platform,
                &self.components.platform_names(),
            )));
        };
        match self
            .runtime
            .platform_publish(
                &self.components,
                component,
                &platform,
                &post,
                part,
                &earlier,
            )
            .await
        {
            Ok(Ok(published)) if largest_field(&published) > MAX_POST_ID_BYTES => {
                let bytes = largest_field(&published);
                tracing::error!(
                    platform,
                    bytes,
                    "platform component returned an oversized post id"
                );
                Err(PublishError::UnknownOutcome(format!(
                    "the {platform} component returned a post id of {bytes} bytes, over the \
                     {MAX_POST_ID_BYTES} allowed: the post may exist but cannot be reported"
                )))
            }
            Ok(result) => result,
            Err(err) => {
                // The component may have trapped after its request went out.
                tracing::error!(platform, error = %error_summary(&err), "platform component failed in publish");
                tracing::debug!(platform, error = %format!("{err:?}"), "platform component failure in full");
                Err(PublishError::UnknownOutcome(format!(
                    "the {platform} component failed: {}",
                    error_summary(&err)
                )))
            }
        }
    }

    async fn idempotent(&mut self, platform: String) -> bool {
        let Some(component) = self.components.platform(&platform) else {
            return false;
        };
        match self
            .runtime
            .platform_idempotent(&self.components, component)
            .await
        {
            Ok(idempotent) => idempotent,
            Err(err) => {
                // Not knowing, the sender must assume a repeat could post twice.
                tracing::error!(platform, error = %error_summary(&err), "platform component failed in idempotent");
                false
            }
        }
    }
    async fn metrics(
        &mut self,
        platform: String,
        account: String,
        post_id: String,
    ) -> Result<Option<Engagement>, PublishError> {
        let Some(component) = self.components.platform(&platform) else {
            return Err(PublishError::Invalid(unsupported(
                &platform,
                &self.components.platform_names(),
            )));
        };
        match self
            .runtime
            .platform_metrics(&self.components, component, &platform, &account, &post_id)
            .await
        {
            Ok(result) => result,
            Err(err) => {
                // Reading engagement changes nothing: a later reading may succeed.
                tracing::error!(platform, error = %error_summary(&err), "platform component failed in metrics");
                Err(PublishError::Transient(format!(
                    "the {platform} component failed: {}",
                    error_summary(&err)
                )))
            }
        }
    }
}
