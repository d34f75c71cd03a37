//! `sps:social/events`: outcome events (EventBridge PutEvents on AWS, the SQLite event
//! log locally, memory in tests).

use async_trait::async_trait;
use serde::Serialize;

use crate::bindings::events::{EventError, Host};
use crate::runtime::Ctx;

/// One emitted event in the shape EventBridge delivers it to a rule's target
/// ("Amazon EventBridge events" in the EventBridge User Guide): `detail` is the JSON
/// object itself, `time` is UTC `YYYY-MM-DDTHH:MM:SSZ`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct EventEnvelope {
    /// Always `"0"`.
    pub version: String,
    /// A UUID unique to this event.
    pub id: String,
    /// For example `Post Scheduled`.
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    /// For example `SocialPostScheduler`.
    pub source: String,
    /// When the event was published, UTC, RFC 3339 with a `Z` and whole seconds.
    pub time: String,
    /// Always empty.
    pub resources: Vec<String>,
    /// The event's detail object.
    pub detail: serde_json::Value,
}

impl EventEnvelope {
    /// Builds an envelope with a fresh id and the current time.
    ///
    /// # Errors
    /// [`EventError::Invalid`] when `detail` is not the JSON text of an object.
    pub fn new(detail_type: &str, source: &str, detail: &str) -> Result<Self, EventError> {
        let detail: serde_json::Value = serde_json::from_str(detail)
            .map_err(|e| EventError::Invalid(format!("detail is not JSON: {e}")))?;
        if !detail.is_object() {
            return Err(EventError::Invalid(
                "detail must be a JSON object".to_string(),
            ));
        }
        if detail_type.is_empty() || source.is_empty() {
            return Err(EventError::Invalid(
                "detail-type and source must not be empty".to_string(),
            ));
        }
        Ok(Self {
            version: "0".to_string(),
            id: uuid::Uuid::new_v4().to_string(),
            detail_type: detail_type.to_string(),
            source: source.to_string(),
            time: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            resources: Vec::new(),
            detail,
        })
    }
}

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
        let event = EventEnvelope::new(&detail_type, &source, &detail)?;
        tracing::info!(detail_type = %event.detail_type, source = %event.source, id = %event.id, "event published");
        self.backends.events.publish(event).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_an_envelope() {
        let e = EventEnvelope::new("Post Scheduled", "SocialPostScheduler", r#"{"a":1}"#);
        let e = e.map_err(|e| format!("{e:?}"));
        assert!(
            matches!(&e, Ok(env) if env.detail == serde_json::json!({"a":1}) && env.version == "0" && env.time.ends_with('Z') && env.time.len() == 20)
        );
    }

    #[test]
    fn rejects_bad_detail() {
        assert_eq!(
            EventEnvelope::new("x", "y", "[1]").err(),
            Some(EventError::Invalid(
                "detail must be a JSON object".to_string()
            ))
        );
        assert_eq!(
            EventEnvelope::new("", "y", "{}").err(),
            Some(EventError::Invalid(
                "detail-type and source must not be empty".to_string()
            ))
        );
        assert!(
            matches!(EventEnvelope::new("x", "y", "{").err(), Some(EventError::Invalid(m)) if m.starts_with("detail is not JSON: "))
        );
    }
}
