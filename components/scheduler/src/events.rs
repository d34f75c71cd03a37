//! The events and the schedule input the scheduler writes, as JSON.
//!
//! Event detail-types and sources are part of the user contract (DESIGN.md section 1):
//! `Post Scheduled` from `SocialPostScheduler`, and `Social Post Failed` from
//! `SocialPostSender` (the sender's source, so that one EventBridge rule catches every failure;
//! `stage` says which component failed).

use serde::Serialize;

/// Detail-type of the event published when a schedule was created or updated.
pub const POST_SCHEDULED: &str = "Post Scheduled";
/// Source of [`POST_SCHEDULED`] events.
pub const SCHEDULER_SOURCE: &str = "SocialPostScheduler";
/// Detail-type of the event published when a request cannot be scheduled.
pub const SOCIAL_POST_FAILED: &str = "Social Post Failed";
/// Source of [`SOCIAL_POST_FAILED`] events (shared with the sender on purpose).
pub const FAILED_SOURCE: &str = "SocialPostSender";
/// The `stage` of the scheduler's failure events.
pub const STAGE_SCHEDULING: &str = "scheduling";

/// Detail of `Post Scheduled`: `{"referenceNumber", "scheduledDate"}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostScheduled<'a> {
    /// The post's reference.
    pub reference_number: &'a str,
    /// The normalised requested date, UTC, `YYYY-MM-DDTHH:MM:SS`.
    pub scheduled_date: &'a str,
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
    /// Whether sending the same request again could succeed (always `false` for rejections).
    pub retryable: bool,
    /// `scheduling` for the scheduler.
    pub stage: &'a str,
}

/// The schedule's target input, delivered to the sender when it fires:
/// `{"referenceNumber", "message", "platform", "scheduledDate"}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetInput<'a> {
    /// The post's reference.
    pub reference_number: &'a str,
    /// The post text.
    pub message: &'a str,
    /// The platform name.
    pub platform: &'a str,
    /// The normalised requested date, UTC, `YYYY-MM-DDTHH:MM:SS`.
    pub scheduled_date: &'a str,
}

/// JSON text of `value`.
///
/// # Errors
/// serde_json's message if serialisation fails (it cannot for the types of this module).
pub fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| format!("could not encode JSON: {e}"))
}
