//! The events the scheduler and the sender publish, as JSON.
//!
//! Detail-types and sources are part of the user contract (DESIGN.md section 1):
//! `Post Scheduled` from `SocialPostScheduler`; `Social Post Sent` and `Social Post Failed`
//! from `SocialPostSender`. The scheduler publishes its failures from `SocialPostSender` too,
//! so that one EventBridge rule catches every failure; `stage` says which component failed.

use serde::Serialize;

/// Detail-type of the event published when a schedule was created or updated.
pub const POST_SCHEDULED: &str = "Post Scheduled";
/// Source of [`POST_SCHEDULED`] events.
pub const SCHEDULER_SOURCE: &str = "SocialPostScheduler";
/// Detail-type of the event published when a post was published.
pub const SOCIAL_POST_SENT: &str = "Social Post Sent";
/// Detail-type of the event published when a request cannot be scheduled or a post was not
/// published.
pub const SOCIAL_POST_FAILED: &str = "Social Post Failed";
/// Source of every sender event.
pub const SENDER_SOURCE: &str = "SocialPostSender";
/// Source of [`SOCIAL_POST_FAILED`] events, whichever component publishes them: the sender's
/// source, shared with the scheduler on purpose.
pub const FAILED_SOURCE: &str = SENDER_SOURCE;
/// The `stage` of the scheduler's failure events.
pub const STAGE_SCHEDULING: &str = "scheduling";
/// The `stage` of the sender's failure events.
pub const STAGE_SENDING: &str = "sending";
/// The `stage` of the failure events of a `Cancel Social Post` that could not cancel.
pub const STAGE_CANCELLING: &str = "cancelling";
/// Detail-type of the requests that schedule (or reschedule) a post.
pub const SCHEDULE_DETAIL_TYPE: &str = "Schedule Social Post";
/// Detail-type of the requests that cancel a pending post: `{"referenceNumber", "platform"}`.
pub const CANCEL_DETAIL_TYPE: &str = "Cancel Social Post";
/// Detail-type of the event published (source [`SCHEDULER_SOURCE`]) when a post was
/// cancelled: its schedule is deleted and no delivery will publish it.
pub const SOCIAL_POST_CANCELLED: &str = "Social Post Cancelled";

/// Detail of `Social Post Cancelled`: `{"referenceNumber", "platform"}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostCancelled<'a> {
    /// The post's reference.
    pub reference_number: &'a str,
    /// The platform it was to be posted on.
    pub platform: &'a str,
}

/// Whether `event` (the JSON text of an EventBridge event, or of a detail alone) is a
/// [`CANCEL_DETAIL_TYPE`] request: an object whose `detail-type` is exactly that string.
/// The hosts route such an event to `scheduling.cancel-post` (on AWS an EventBridge rule
/// matching the detail-type does), and every other one to `scheduling.schedule-post`.
pub fn is_cancel_request(event: &str) -> bool {
    /// Only the `detail-type` of the envelope: the rest (up to 256 KB of detail) is
    /// skipped without building a JSON tree, since the scheduler reads it all again.
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "detail-type")]
        detail_type: Option<String>,
    }
    // A derived struct also reads a JSON array; only an object is an event.
    event.trim_start().starts_with('{')
        && serde_json::from_str::<Head>(event)
            .is_ok_and(|head| head.detail_type.as_deref() == Some(CANCEL_DETAIL_TYPE))
}

/// Detail of `Post Scheduled`: `{"referenceNumber", "scheduledDate"}`, with `campaign` and
/// `slot` for a post of a campaign.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostScheduled<'a> {
    /// The post's reference.
    pub reference_number: &'a str,
    /// The normalised requested date, UTC, `YYYY-MM-DDTHH:MM:SS`.
    pub scheduled_date: &'a str,
    /// The campaign of the post, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<&'a str>,
    /// Why this slot of the campaign, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<&'a str>,
}

/// Detail of `Social Post Sent`: `{"referenceNumber", "postId", "postIds", "postUrl"}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostSent<'a> {
    /// The post's reference.
    pub reference_number: &'a str,
    /// The first part's post id as a JSON string, exactly as the platform returned it (X ids
    /// are 64-bit and would lose precision as JSON numbers).
    pub post_id: &'a str,
    /// Every part's post id, in order (the message, then the thread's replies).
    pub post_ids: &'a [String],
    /// The first part's public URL; `null` when the platform gives none.
    pub post_url: Option<&'a str>,
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
    /// Whether sending the same post again later could succeed (always `false` for the
    /// scheduler's rejections).
    pub retryable: bool,
    /// Which component failed: [`STAGE_SCHEDULING`] for the scheduler, [`STAGE_SENDING`] for
    /// the sender.
    pub stage: &'a str,
    /// For a thread that ended part-way (`thread-incomplete`): the post ids of the parts
    /// that were published, in order; left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_ids: Option<&'a [String]>,
    /// For `thread-incomplete`: the index of the part that was not published (0 the message,
    /// k the thread's k-th reply); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_part: Option<u32>,
}

impl<'a> PostFailed<'a> {
    /// The detail of a failure of a whole post (no thread part published).
    pub fn new(
        reference_number: &'a str,
        reason: &'a str,
        reason_message: &'a str,
        retryable: bool,
        stage: &'a str,
    ) -> Self {
        Self {
            reference_number,
            reason,
            reason_message,
            retryable,
            stage,
            post_ids: None,
            failed_part: None,
        }
    }
}

/// Why an event could not be published (WIT `events.event-error`).
///
/// The components' bindings map the WIT type onto this one (wit-bindgen `with`), so it must
/// keep the WIT variant's shape: the same cases, each carrying a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    /// The backend rejected the entry.
    Invalid(String),
    /// The backend could not be reached or failed; retrying may succeed.
    Unavailable(String),
}

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventError::Invalid(m) => write!(f, "invalid: {m}"),
            EventError::Unavailable(m) => write!(f, "unavailable: {m}"),
        }
    }
}

/// JSON text of `value`.
///
/// # Errors
/// serde_json's message if serialisation fails (it cannot for the types of this crate).
pub fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| format!("could not encode JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_object_with_the_cancel_detail_type_is_a_cancel_request() {
        let yes = r#"{"detail-type":"Cancel Social Post","detail":{"referenceNumber":"r"}}"#;
        assert!(is_cancel_request(yes));
        for no in [
            r#"{"detail-type":"Schedule Social Post","detail":{}}"#,
            r#"{"detail-type":"cancel social post","detail":{}}"#,
            r#"{"referenceNumber":"r","platform":"twitter"}"#,
            r#"{"detail-type":7}"#,
            r#"["Cancel Social Post"]"#,
            "not json",
        ] {
            assert!(!is_cancel_request(no), "{no}");
        }
        assert_eq!(CANCEL_DETAIL_TYPE, "Cancel Social Post");
        assert_eq!(SOCIAL_POST_CANCELLED, "Social Post Cancelled");
        assert_eq!(STAGE_CANCELLING, "cancelling");
    }

    #[test]
    fn names_are_exact() {
        assert_eq!(POST_SCHEDULED, "Post Scheduled");
        assert_eq!(SCHEDULER_SOURCE, "SocialPostScheduler");
        assert_eq!(SOCIAL_POST_SENT, "Social Post Sent");
        assert_eq!(SOCIAL_POST_FAILED, "Social Post Failed");
        assert_eq!(SENDER_SOURCE, "SocialPostSender");
        assert_eq!(FAILED_SOURCE, "SocialPostSender");
        assert_eq!(STAGE_SCHEDULING, "scheduling");
        assert_eq!(STAGE_SENDING, "sending");
    }

    #[test]
    fn details_are_camel_case_in_field_order() {
        assert_eq!(
            to_json(&PostScheduled {
                reference_number: "r",
                scheduled_date: "2026-01-01T00:00:00",
                campaign: None,
                slot: None,
            }),
            Ok(r#"{"referenceNumber":"r","scheduledDate":"2026-01-01T00:00:00"}"#.to_owned())
        );
        assert_eq!(
            to_json(&PostScheduled {
                reference_number: "r",
                scheduled_date: "2026-01-01T09:30:00",
                campaign: Some("launch"),
                slot: Some("Thu 2026-01-01 09:30 UTC"),
            }),
            Ok(r#"{"referenceNumber":"r","scheduledDate":"2026-01-01T09:30:00","campaign":"launch","slot":"Thu 2026-01-01 09:30 UTC"}"#.to_owned())
        );
        assert_eq!(
            to_json(&PostSent {
                reference_number: "r",
                post_id: "1234567890123456789",
                post_ids: &["1234567890123456789".to_owned(), "2".to_owned()],
                post_url: Some("https://x.com/i/web/status/1234567890123456789"),
            }),
            Ok(concat!(
                r#"{"referenceNumber":"r","postId":"1234567890123456789","#,
                r#""postIds":["1234567890123456789","2"],"#,
                r#""postUrl":"https://x.com/i/web/status/1234567890123456789"}"#
            )
            .to_owned())
        );
        assert_eq!(
            to_json(&PostSent {
                reference_number: "r",
                post_id: "1",
                post_ids: &["1".to_owned()],
                post_url: None,
            }),
            Ok(r#"{"referenceNumber":"r","postId":"1","postIds":["1"],"postUrl":null}"#.to_owned())
        );
        assert_eq!(
            to_json(&PostFailed::new(
                "r",
                "auth-failed",
                "m \"q\"",
                false,
                STAGE_SENDING
            )),
            Ok(concat!(
                r#"{"referenceNumber":"r","reason":"auth-failed","reasonMessage":"m \"q\"","#,
                r#""retryable":false,"stage":"sending"}"#
            )
            .to_owned())
        );
        assert_eq!(
            to_json(&PostFailed {
                post_ids: Some(&["1".to_owned()]),
                failed_part: Some(1),
                ..PostFailed::new("r", "thread-incomplete", "m", false, STAGE_SENDING)
            }),
            Ok(concat!(
                r#"{"referenceNumber":"r","reason":"thread-incomplete","reasonMessage":"m","#,
                r#""retryable":false,"stage":"sending","postIds":["1"],"failedPart":1}"#
            )
            .to_owned())
        );
    }

    #[test]
    fn event_errors_display_their_case() {
        assert_eq!(
            EventError::Invalid("too big".to_owned()).to_string(),
            "invalid: too big"
        );
        assert_eq!(
            EventError::Unavailable("bus down".to_owned()).to_string(),
            "unavailable: bus down"
        );
    }
}
