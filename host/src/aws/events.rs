//! `sps:social/events` on Amazon EventBridge PutEvents (EventBridge API reference,
//! PutEvents; User Guide, "Handling failures with PutEvents").
//!
//! Each outcome event is one entry `{EventBusName, Source, DetailType, Detail}` on the
//! configured bus. PutEvents answers 200 even when entries fail: a response with
//! `FailedEntryCount > 0` is a failure, and only the failed entries are sent again.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_eventbridge::operation::put_events::PutEventsOutput;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;

use super::describe;
use crate::bindings::events::EventError;
use crate::caps::events::{EventBackend, EventEnvelope};

/// Calls of PutEvents for one batch at most: the first and two retries of the failed
/// entries.
pub const PUT_ATTEMPTS: u32 = 3;

/// Entry error codes that a retry can fix (PutEventsResultEntry `ErrorCode`); any other
/// code (`InvalidArgument`, `MalformedDetail`, `AccessDeniedException`, ...) fails at once.
pub const RETRYABLE_ENTRY_CODES: &[&str] = &["InternalFailure", "ThrottlingException"];

/// EventBridge as the events backend: one client, one bus.
#[derive(Debug, Clone)]
pub struct EventBridgeEvents {
    client: aws_sdk_eventbridge::Client,
    bus: String,
    backoff: Duration,
}

/// What to do with the answer to one PutEvents call.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every entry was put.
    Done,
    /// These entries (in their original order) failed with a retryable code; the last
    /// error is `(code, message)`.
    Retry(Vec<PutEventsRequestEntry>, String),
    /// An entry failed for good: `"<ErrorCode>: <ErrorMessage>"`.
    Failed(String),
}

/// Pairs the result entries with the sent ones (PutEvents answers them in request order)
/// and decides what to do.
pub fn verdict(sent: &[PutEventsRequestEntry], answer: &PutEventsOutput) -> Verdict {
    if answer.failed_entry_count() == 0 {
        return Verdict::Done;
    }
    let mut retry = Vec::new();
    let mut last = String::new();
    for (i, entry) in sent.iter().enumerate() {
        let result = answer.entries().get(i);
        let code = result.and_then(|r| r.error_code());
        let failed = match result {
            Some(r) => code.is_some() || r.event_id().is_none(),
            // The answer has fewer results than entries: retry the unanswered ones.
            None => true,
        };
        if !failed {
            continue;
        }
        let message = result.and_then(|r| r.error_message()).unwrap_or_default();
        let described = format!("{}: {message}", code.unwrap_or("no error code"));
        match code {
            Some(c) if !RETRYABLE_ENTRY_CODES.contains(&c) => {
                return Verdict::Failed(described);
            }
            _ => {
                retry.push(entry.clone());
                last = described;
            }
        }
    }
    if retry.is_empty() {
        // FailedEntryCount > 0 but no entry says which: retry them all.
        Verdict::Retry(
            sent.to_vec(),
            format!(
                "FailedEntryCount {} without failed entries",
                answer.failed_entry_count()
            ),
        )
    } else {
        Verdict::Retry(retry, last)
    }
}

impl EventBridgeEvents {
    /// A backend on `client` putting events on the bus `bus` (name or ARN), waiting
    /// 100 ms, then 200 ms, before retrying failed entries.
    pub fn new(client: aws_sdk_eventbridge::Client, bus: &str) -> Self {
        Self {
            client,
            bus: bus.to_string(),
            backoff: Duration::from_millis(100),
        }
    }

    /// The PutEvents entry of `event` on this backend's bus.
    ///
    /// # Errors
    /// [`EventError::Invalid`] when the detail cannot be serialized.
    pub fn entry(&self, event: &EventEnvelope) -> Result<PutEventsRequestEntry, EventError> {
        let detail = serde_json::to_string(&event.detail)
            .map_err(|e| EventError::Invalid(format!("detail: {e}")))?;
        Ok(PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus)
            .source(&event.source)
            .detail_type(&event.detail_type)
            .detail(detail)
            .build())
    }

    /// Puts `entries` (at most 10), retrying only the failed ones, up to
    /// [`PUT_ATTEMPTS`] calls.
    ///
    /// # Errors
    /// - [`EventError::Invalid`] `"PutEvents rejected an entry: <code>: <message>"` when
    ///   an entry failed with a code outside [`RETRYABLE_ENTRY_CODES`];
    /// - [`EventError::Unavailable`] when the call failed (after the SDK's own retries),
    ///   or entries still failed after [`PUT_ATTEMPTS`] calls.
    pub async fn put_entries(&self, entries: Vec<PutEventsRequestEntry>) -> Result<(), EventError> {
        let mut pending = entries;
        let mut wait = self.backoff;
        for attempt in 1..=PUT_ATTEMPTS {
            let answer = self
                .client
                .put_events()
                .set_entries(Some(pending.clone()))
                .send()
                .await
                .map_err(|e| {
                    EventError::Unavailable(format!("PutEvents failed: {}", describe(&e)))
                })?;
            match verdict(&pending, &answer) {
                Verdict::Done => return Ok(()),
                Verdict::Failed(why) => {
                    return Err(EventError::Invalid(format!(
                        "PutEvents rejected an entry: {why}"
                    )))
                }
                Verdict::Retry(failed, why) => {
                    tracing::warn!(attempt, failed = failed.len(), error = %why, "PutEvents entries failed");
                    if attempt == PUT_ATTEMPTS {
                        return Err(EventError::Unavailable(format!(
                            "PutEvents failed for {} entries after {PUT_ATTEMPTS} attempts: {why}",
                            failed.len()
                        )));
                    }
                    pending = failed;
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
            }
        }
        Err(EventError::Unavailable(
            "PutEvents was not called".to_string(),
        ))
    }
}

#[async_trait]
impl EventBackend for EventBridgeEvents {
    async fn publish(&self, event: EventEnvelope) -> Result<(), EventError> {
        let entry = self.entry(&event)?;
        self.put_entries(vec![entry]).await
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_eventbridge::types::PutEventsResultEntry;

    use super::*;

    fn entry(source: &str) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .source(source)
            .detail_type("t")
            .detail("{}")
            .build()
    }

    fn ok() -> PutEventsResultEntry {
        PutEventsResultEntry::builder().event_id("id").build()
    }

    fn failed(code: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder()
            .error_code(code)
            .error_message("m")
            .build()
    }

    fn answer(failed_count: i32, results: Vec<PutEventsResultEntry>) -> PutEventsOutput {
        PutEventsOutput::builder()
            .failed_entry_count(failed_count)
            .set_entries(Some(results))
            .build()
    }

    #[test]
    fn no_failed_entry_is_done() {
        let sent = [entry("a")];
        assert_eq!(verdict(&sent, &answer(0, vec![ok()])), Verdict::Done);
    }

    #[test]
    fn retries_only_the_failed_retryable_entries() {
        let sent = [entry("a"), entry("b"), entry("c")];
        let got = verdict(
            &sent,
            &answer(
                2,
                vec![
                    failed("ThrottlingException"),
                    ok(),
                    failed("InternalFailure"),
                ],
            ),
        );
        assert_eq!(
            got,
            Verdict::Retry(vec![entry("a"), entry("c")], "InternalFailure: m".into())
        );
    }

    #[test]
    fn a_permanent_code_fails_at_once() {
        let sent = [entry("a"), entry("b")];
        let got = verdict(
            &sent,
            &answer(
                2,
                vec![failed("InternalFailure"), failed("MalformedDetail")],
            ),
        );
        assert_eq!(got, Verdict::Failed("MalformedDetail: m".into()));
    }

    #[test]
    fn a_count_without_failed_entries_retries_everything() {
        let sent = [entry("a")];
        let got = verdict(&sent, &answer(1, vec![ok()]));
        assert_eq!(
            got,
            Verdict::Retry(
                vec![entry("a")],
                "FailedEntryCount 1 without failed entries".into()
            )
        );
    }
}
