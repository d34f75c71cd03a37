//! The scheduling function: the target of the EventBridge rule on `Schedule Social Post`
//! and `Cancel Social Post`; it runs the scheduler component on the event.

use serde_json::{json, Value};

use super::{payload_text, refresh, HandlerError};
use crate::aws::components::S3Components;
use crate::bindings::scheduling::{ScheduleAction, ScheduleFailure};
use crate::runtime::Runtime;

/// The scheduling function.
pub struct SchedulingFunction {
    pub(super) runtime: Runtime,
    pub(super) components: Option<S3Components>,
}

impl SchedulingFunction {
    /// Handles one EventBridge event: a `Cancel Social Post` is cancelled
    /// (`scheduling.cancel-post`), anything else scheduled.
    ///
    /// Returns `{"status":"scheduled","action":"created"|"updated","referenceNumber",
    /// "scheduleName","scheduledDate"}` (and `"campaign","slot"` for a post of a campaign)
    /// or, for a request that can never be scheduled,
    /// `{"status":"rejected","reason","message","referenceNumber"}` (reason codes as in
    /// the README).
    ///
    /// # Errors
    /// `Retryable` when a capability failed (nothing was reported; the same event may
    /// succeed later), `ComponentFailed` when the scheduler component trapped.
    pub async fn handle(&self, event: Value) -> Result<Value, HandlerError> {
        refresh(self.components.as_ref(), &self.runtime).await;
        let text = payload_text(&event);
        if sps_contract::events::is_cancel_request(&text) {
            return self.cancel(&text).await;
        }
        match self.runtime.schedule_post(&text).await {
            Ok(Ok(s)) => {
                let action = match s.action {
                    ScheduleAction::Created => "created",
                    ScheduleAction::Updated => "updated",
                };
                let mut answer = json!({"status": "scheduled", "action": action,
                    "referenceNumber": s.reference_number, "scheduleName": s.schedule_name,
                    "scheduledDate": s.scheduled_date});
                if let (Some(c), Some(fields)) = (s.campaign, answer.as_object_mut()) {
                    fields.insert("campaign".to_string(), json!(c.name));
                    fields.insert("slot".to_string(), json!(c.slot));
                }
                Ok(answer)
            }
            Ok(Err(failure)) => rejected_or_retry(failure),
            Err(err) => Err(component_failed(&err)),
        }
    }
}

impl SchedulingFunction {
    /// Handles one `Cancel Social Post` event: `{"status":"cancelled","referenceNumber",
    /// "scheduleName"}`, or `{"status":"rejected",...}` as [`SchedulingFunction::handle`].
    async fn cancel(&self, text: &str) -> Result<Value, HandlerError> {
        match self.runtime.cancel_post(text).await {
            Ok(Ok(c)) => Ok(
                json!({"status": "cancelled", "referenceNumber": c.reference_number, "scheduleName": c.schedule_name}),
            ),
            Ok(Err(failure)) => rejected_or_retry(failure),
            Err(err) => Err(component_failed(&err)),
        }
    }
}

/// A scheduler failure as the function's answer: a rejection is answered (it was
/// reported), a retryable failure is an error, so EventBridge retries the event.
fn rejected_or_retry(failure: ScheduleFailure) -> Result<Value, HandlerError> {
    match failure {
        ScheduleFailure::Rejected(r) => {
            tracing::warn!(reason = %r.code, message = %r.message, reference = ?r.reference_number, "request rejected");
            Ok(
                json!({"status": "rejected", "reason": r.code, "message": r.message, "referenceNumber": r.reference_number}),
            )
        }
        ScheduleFailure::Retryable(message) => {
            tracing::error!(error = %message, "scheduling failed; the event will be retried");
            Err(HandlerError::new("Retryable", message))
        }
    }
}

/// The error of a scheduler component that trapped.
fn component_failed(err: &anyhow::Error) -> HandlerError {
    let summary = crate::runtime::error_summary(err);
    tracing::error!(error = %summary, "scheduler component failed");
    tracing::debug!(error = %format!("{err:?}"), "scheduler component failure in full");
    HandlerError::new("ComponentFailed", summary)
}
