//! `sps:social/events`: outcome events (EventBridge PutEvents on AWS, the SQLite event
//! log locally, memory in tests).

use async_trait::async_trait;

use crate::bindings::events::{EventError, Host};
use crate::runtime::Ctx;

/// One emitted event in the shape EventBridge delivers it to a rule's target (shared
/// with the Spin app, whose `GET /events` lists the same records).
pub use sps_local::records::EventEnvelope;

/// Where published events go.
#[async_trait]
pub trait EventBackend: Send + Sync {
    /// Publish one event.
    async fn publish(&self, event: EventEnvelope) -> Result<(), EventError>;
}

impl Host for Ctx {
    async fn publish(
        &mut self,
        detail_type: String,
        source: String,
        detail: String,
    ) -> Result<(), EventError> {
        let event =
            EventEnvelope::new(&detail_type, &source, &detail).map_err(EventError::Invalid)?;
        tracing::info!(detail_type = %event.detail_type, source = %event.source, id = %event.id, "event published");
        self.backends.events.publish(event).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The envelope the Host impl publishes, or the error it returns.
    fn envelope(
        detail_type: &str,
        source: &str,
        detail: &str,
    ) -> Result<EventEnvelope, EventError> {
        EventEnvelope::new(detail_type, source, detail).map_err(EventError::Invalid)
    }

    #[test]
    fn builds_an_envelope() {
        let e = envelope("Post Scheduled", "SocialPostScheduler", r#"{"a":1}"#);
        let e = e.map_err(|e| format!("{e:?}"));
        assert!(
            matches!(&e, Ok(env) if env.detail == serde_json::json!({"a":1}) && env.version == "0" && env.time.ends_with('Z') && env.time.len() == 20)
        );
    }

    #[test]
    fn rejects_bad_detail() {
        assert_eq!(
            envelope("x", "y", "[1]").err(),
            Some(EventError::Invalid(
                "detail must be a JSON object".to_string()
            ))
        );
        assert_eq!(
            envelope("", "y", "{}").err(),
            Some(EventError::Invalid(
                "detail-type and source must not be empty".to_string()
            ))
        );
        assert!(
            matches!(envelope("x", "y", "{").err(), Some(EventError::Invalid(m)) if m.starts_with("detail is not JSON: "))
        );
    }
}
