//! The events the sender publishes, as JSON (DESIGN.md section 1: detail-types and sources are
//! part of the user contract).

use serde::Serialize;

/// Source of every sender event.
pub const SENDER_SOURCE: &str = "SocialPostSender";
/// Detail-type of the event published when a post was published.
pub const SOCIAL_POST_SENT: &str = "Social Post Sent";
/// Detail-type of the event published when a post was not published.
pub const SOCIAL_POST_FAILED: &str = "Social Post Failed";
/// The `stage` of the sender's failure events.
pub const STAGE_SENDING: &str = "sending";

/// Detail of `Social Post Sent`: `{"referenceNumber", "postId"}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostSent<'a> {
    /// The post's reference.
    pub reference_number: &'a str,
    /// The platform's post id as a JSON string, exactly as the platform returned it (X ids are
    /// 64-bit and would lose precision as JSON numbers).
    pub post_id: &'a str,
}

/// Detail of `Social Post Failed`:
/// `{"referenceNumber", "reason", "reasonMessage", "retryable", "stage"}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostFailed<'a> {
    /// The post's reference.
    pub reference_number: &'a str,
    /// The reason code.
    pub reason: &'a str,
    /// The human-readable explanation.
    pub reason_message: &'a str,
    /// Whether sending the same post again later could succeed.
    pub retryable: bool,
    /// `sending` for the sender.
    pub stage: &'a str,
}

/// JSON text of `value`.
///
/// # Errors
/// serde_json's message if serialisation fails (it cannot for the types of this module).
pub fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| format!("could not encode JSON: {e}"))
}
