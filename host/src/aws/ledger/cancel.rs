//! Cancelling on DynamoDB: the `cancelled` state of a send entry, and the `name#` items
//! that note which key each schedule name was last scheduled as (item shapes in the parent
//! module's documentation).

use aws_sdk_dynamodb::types::AttributeValue;

use super::{condition_failed, entry_of, n, s, unavailable, DynamoLedger, RETENTION_SECONDS};
use crate::bindings::ledger::{CancelOutcome, Entry, LedgerError};

/// The item key noting what the schedule `name` was last scheduled as: `name#<name>`.
pub fn name_key(name: &str) -> String {
    format!("name#{name}")
}

/// Cancels tried when the entry is released or deleted between a failed cancel and its
/// read.
const CANCEL_ROUNDS: usize = 3;

impl DynamoLedger {
    /// [`DynamoLedger::take_free`] to `cancelled`, the condition a claim takes the key
    /// under, so of a cancel and a claim exactly one succeeds; when the key is not free, a
    /// consistent `GetItem` says what holds it.
    pub(super) async fn cancel_key(&self, key: &str) -> Result<CancelOutcome, LedgerError> {
        for _ in 0..CANCEL_ROUNDS {
            if self
                .take_free(key, "cancelled", "cancelledAt")
                .await?
                .is_some()
            {
                return Ok(CancelOutcome::Cancelled);
            }
            let entry = match self.read(key).await? {
                Some(item) => entry_of(key, &item)?,
                None => None,
            };
            match entry {
                Some(Entry::Cancelled) => return Ok(CancelOutcome::AlreadyCancelled),
                Some(Entry::InFlight(claim)) => return Ok(CancelOutcome::InFlight(claim)),
                Some(Entry::Sent(parts)) => return Ok(CancelOutcome::Sent(parts)),
                // Released or deleted between the cancel and the read: again.
                Some(Entry::Claimed(_)) | None => {}
            }
        }
        Err(LedgerError::Unavailable(format!(
            "ledger entry {key} kept changing during {CANCEL_ROUNDS} cancels"
        )))
    }

    /// `PutItem` of the `name#` item, then `DeleteItem` of the key under
    /// `state = cancelled` (any other state stays).
    pub(super) async fn note(&self, name: &str, key: &str) -> Result<(), LedgerError> {
        let now = chrono::Utc::now().timestamp();
        self.client
            .put_item()
            .table_name(&self.table)
            .item("key", s(&name_key(name)))
            .item("scheduledKey", s(key))
            .item("expiresAt", n(now + RETENTION_SECONDS))
            .send()
            .await
            .map_err(|e| unavailable("PutItem (scheduled name)", &e))?;
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("key", s(key))
            .condition_expression("#s = :cancelled")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":cancelled", s("cancelled"))
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(err) if condition_failed(&err) => Ok(()),
            Err(err) => Err(unavailable("DeleteItem (cancellation)", &err)),
        }
    }

    /// A consistent `GetItem` of the `name#` item's `scheduledKey`.
    pub(super) async fn noted(&self, name: &str) -> Result<Option<String>, LedgerError> {
        let item = self.read(&name_key(name)).await?;
        Ok(item
            .as_ref()
            .and_then(|item| item.get("scheduledKey"))
            .and_then(|v: &AttributeValue| v.as_s().ok())
            .cloned())
    }
}
