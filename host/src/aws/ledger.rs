//! `sps:social/ledger` and the delivery counter on Amazon DynamoDB (DynamoDB API
//! reference: UpdateItem and DeleteItem with a `ConditionExpression`, GetItem with
//! `ConsistentRead`; Developer Guide, "Condition expressions" (`attribute_not_exists`,
//! `size`), "Update expressions" (`list_append`, `if_not_exists`, `ADD`, `REMOVE`) and
//! "Time to Live").
//!
//! One table, partition key `key` (S). A send entry is one item, in one of these shapes
//! (times are Unix seconds, UTC):
//!
//! - claimed: `{key, state: "in-flight", claimedAt: N, expiresAt: N, parts?: L}`;
//! - released with parts recorded: `{key, state: "released", expiresAt: N, parts: L}` (a
//!   release before any part deletes the item instead, as the version before parts did);
//! - sent: `{key, state: "sent", postId: S, sentAt: N, expiresAt: N, parts?: L}`, `postId`
//!   the first part's id (what the version before parts recorded and reads; absent when
//!   no part was recorded);
//! - cancelled (a `Cancel Social Post` won the key before any claim):
//!   `{key, state: "cancelled", cancelledAt: N, expiresAt: N, parts?: L}`.
//!
//! The key each schedule name was last scheduled as is `{key: "name#<schedule name>",
//! scheduledKey: S, expiresAt: N}` ([`name_key`]).
//!
//! `parts` is the list of the published parts in order (index 0 the post, k its k-th
//! reply), each `M {id: S, url?: S, replyRef?: S}` (`url`, `replyRef` absent when none);
//! absent when none was recorded. An item written before parts (`sent` with a `postId`,
//! no `parts`) reads as one part with that id, no URL and no reply reference.
//!
//! A delivery counter is `{key: "delivery#<sha256 hex of the payload>", deliveries: N,
//! expiresAt: N}`. `expiresAt` (Unix seconds, 30 days after the claim, the release or the
//! send) is the table's TTL attribute.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use sha2::{Digest, Sha256};

use super::describe;
use crate::bindings::ledger::{CancelOutcome, Entry, LedgerError};
use crate::bindings::types::PublishedPart;
use crate::caps::ledger::LedgerBackend;

mod cancel;
mod items;
pub use cancel::name_key;
pub use items::{entry_of, part_value, parts_of};

/// How long an entry is kept (its `expiresAt`), seconds: 30 days.
pub const RETENTION_SECONDS: i64 = 30 * 24 * 3600;

/// Claims tried when the entry is released or deleted between a failed claim and its
/// read.
const CLAIM_ROUNDS: usize = 3;

/// The DynamoDB ledger: one client, one table.
#[derive(Debug, Clone)]
pub struct DynamoLedger {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_string())
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn unavailable<E, R>(operation: &str, err: &SdkError<E, R>) -> LedgerError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    LedgerError::Unavailable(format!("{operation} failed: {}", describe(err)))
}

/// The delivery counter's key of a payload: `delivery#` and the lowercase hex SHA-256
/// of its text.
pub fn delivery_key(payload: &str) -> String {
    let digest = Sha256::digest(payload.as_bytes());
    format!("delivery#{}", data_encoding::HEXLOWER.encode(&digest))
}

impl DynamoLedger {
    /// A ledger in `table` (partition key `key`, type S).
    pub fn new(client: aws_sdk_dynamodb::Client, table: &str) -> Self {
        Self {
            client,
            table: table.to_string(),
        }
    }

    /// Counts one more delivery of `payload` and returns its number (1 for the first):
    /// `UpdateItem` `ADD deliveries :one` on [`delivery_key`], atomic, so concurrent or
    /// repeated deliveries of the same payload get consecutive numbers.
    ///
    /// # Errors
    /// [`LedgerError::Unavailable`] when DynamoDB fails or answers without the count.
    pub async fn count_delivery(&self, payload: &str) -> Result<u32, LedgerError> {
        let now = chrono::Utc::now().timestamp();
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("key", s(&delivery_key(payload)))
            .update_expression("ADD deliveries :one SET expiresAt = if_not_exists(expiresAt, :exp)")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":exp", n(now + RETENTION_SECONDS))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem (delivery count)", &e))?;
        let count = out
            .attributes()
            .and_then(|a| a.get("deliveries"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<u32>().ok())
            .ok_or_else(|| {
                LedgerError::Unavailable(
                    "UpdateItem (delivery count) answered without a deliveries number".to_string(),
                )
            })?;
        Ok(count)
    }

    /// Reads the entry of `key` with a strongly consistent read.
    async fn read(
        &self,
        key: &str,
    ) -> Result<Option<HashMap<String, AttributeValue>>, LedgerError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("key", s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem", &e))?;
        Ok(out.item().cloned())
    }
}

impl DynamoLedger {
    /// Takes `key` if it is free (no item, or `state = released`): `UpdateItem` setting
    /// `state` to `state` and the attribute `at` (and `expiresAt`) from now, keeping
    /// `parts`, under `attribute_not_exists(key) OR state = released`. The item as it is
    /// now, or `None` when the key was not free. A claim (`in-flight`, `claimedAt`) and a
    /// cancel (`cancelled`, `cancelledAt`) take a key under this one condition, so of the
    /// two exactly one succeeds.
    async fn take_free(
        &self,
        key: &str,
        state: &str,
        at: &str,
    ) -> Result<Option<HashMap<String, AttributeValue>>, LedgerError> {
        let now = chrono::Utc::now().timestamp();
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("key", s(key))
            .update_expression("SET #s = :state, #at = :now, expiresAt = :exp")
            .condition_expression("attribute_not_exists(#k) OR #s = :released")
            .expression_attribute_names("#k", "key")
            .expression_attribute_names("#s", "state")
            .expression_attribute_names("#at", at)
            .expression_attribute_values(":state", s(state))
            .expression_attribute_values(":released", s("released"))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":exp", n(now + RETENTION_SECONDS))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match update {
            Ok(out) => Ok(Some(out.attributes().cloned().unwrap_or_default())),
            Err(err) if condition_failed(&err) => Ok(None),
            Err(err) => Err(unavailable(&format!("UpdateItem ({state})"), &err)),
        }
    }
}

/// Whether `err` is DynamoDB's ConditionalCheckFailedException.
fn condition_failed<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(ProvideErrorMetadata::code)
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

/// The ledger on the item shapes of the module documentation. Every error is
/// [`LedgerError::Unavailable`] naming the DynamoDB operation or the key.
#[async_trait]
impl LedgerBackend for DynamoLedger {
    /// [`DynamoLedger::take_free`] to `in-flight` (keeping `parts`), else a consistent
    /// `GetItem` of what is recorded.
    async fn claim(&self, key: &str) -> Result<Entry, LedgerError> {
        for _ in 0..CLAIM_ROUNDS {
            if let Some(item) = self.take_free(key, "in-flight", "claimedAt").await? {
                return Ok(Entry::Claimed(parts_of(key, &item)?));
            }
            if let Some(item) = self.read(key).await? {
                if let Some(entry) = entry_of(key, &item)? {
                    return Ok(entry);
                }
            }
            // Released or deleted between the claim and the read: claim again.
        }
        Err(LedgerError::Unavailable(format!(
            "ledger entry {key} kept changing during {CLAIM_ROUNDS} claims"
        )))
    }

    /// `UpdateItem` appending the part (`list_append`) under `state = in-flight` and
    /// `size(parts) = index` (or no `parts` for index 0), so parts are appended in order
    /// and only under a claim. When that condition fails, a consistent read tells a
    /// retried call (the same part at `index`: success) from a refusal.
    async fn record_part(
        &self,
        key: &str,
        index: u32,
        part: &PublishedPart,
    ) -> Result<(), LedgerError> {
        let condition = if index == 0 {
            "#s = :inflight AND (attribute_not_exists(parts) OR size(parts) = :index)"
        } else {
            // attribute_exists first, so size() never meets a missing attribute (moto
            // answers that with an error rather than a failed condition).
            "#s = :inflight AND attribute_exists(parts) AND size(parts) = :index"
        };
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("key", s(key))
            .update_expression("SET parts = list_append(if_not_exists(parts, :empty), :part)")
            .condition_expression(condition)
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":inflight", s("in-flight"))
            .expression_attribute_values(":index", n(i64::from(index)))
            .expression_attribute_values(":empty", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":part", AttributeValue::L(vec![part_value(part)]))
            .send()
            .await;
        match update {
            Ok(_) => Ok(()),
            Err(err) if condition_failed(&err) => {
                let item = self.read(key).await?.unwrap_or_default();
                let parts = parts_of(key, &item)?;
                let recorded = usize::try_from(index).ok().and_then(|i| parts.get(i));
                match recorded {
                    // The same part again is a retried call: nothing to do.
                    Some(recorded) if recorded == part => Ok(()),
                    Some(recorded) => Err(LedgerError::Unavailable(format!(
                        "part {index} of ledger entry {key} is recorded already with the id {}",
                        recorded.id
                    ))),
                    None => {
                        let state = item.get("state").and_then(|v| v.as_s().ok());
                        Err(LedgerError::Unavailable(match state.map(String::as_str) {
                            Some("in-flight") => format!(
                                "ledger entry {key} has {} parts recorded: part {index} cannot be recorded next",
                                parts.len()
                            ),
                            other => format!(
                                "ledger entry {key} is not claimed ({}): part {index} cannot be recorded",
                                other.unwrap_or("no claim")
                            ),
                        }))
                    }
                }
            }
            Err(err) => Err(unavailable("UpdateItem (part)", &err)),
        }
    }

    /// A consistent `GetItem` for the first part's id, then `UpdateItem` to `sent` (with
    /// `postId` that id; `parts` kept). Like the version before parts, it succeeds
    /// whatever the state.
    async fn record_sent(&self, key: &str) -> Result<(), LedgerError> {
        let item = self.read(key).await?.unwrap_or_default();
        let first = parts_of(key, &item)?.into_iter().next();
        let now = chrono::Utc::now().timestamp();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("key", s(key))
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":sent", s("sent"))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":exp", n(now + RETENTION_SECONDS));
        update = match first {
            Some(first) => update
                .update_expression(
                    "SET #s = :sent, sentAt = :now, expiresAt = :exp, postId = :post REMOVE claimedAt",
                )
                .expression_attribute_values(":post", s(&first.id)),
            None => update
                .update_expression("SET #s = :sent, sentAt = :now, expiresAt = :exp REMOVE claimedAt"),
        };
        update
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem (sent)", &e))?;
        Ok(())
    }

    /// `DeleteItem` under `state = in-flight AND attribute_not_exists(parts)`; with parts,
    /// `UpdateItem` to `released` under `state = in-flight`. Anything else stays.
    async fn release(&self, key: &str) -> Result<(), LedgerError> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("key", s(key))
            .condition_expression("#s = :inflight AND attribute_not_exists(parts)")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":inflight", s("in-flight"))
            .send()
            .await;
        match deleted {
            Ok(_) => return Ok(()),
            Err(err) if condition_failed(&err) => {}
            Err(err) => return Err(unavailable("DeleteItem (release)", &err)),
        }
        let now = chrono::Utc::now().timestamp();
        let released = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("key", s(key))
            .update_expression("SET #s = :released, expiresAt = :exp REMOVE claimedAt")
            .condition_expression("#s = :inflight")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":inflight", s("in-flight"))
            .expression_attribute_values(":released", s("released"))
            .expression_attribute_values(":exp", n(now + RETENTION_SECONDS))
            .send()
            .await;
        match released {
            Ok(_) => Ok(()),
            // A `sent` or released record (or no entry) stays as it is.
            Err(err) if condition_failed(&err) => Ok(()),
            Err(err) => Err(unavailable("UpdateItem (release)", &err)),
        }
    }

    async fn cancel(&self, key: &str) -> Result<CancelOutcome, LedgerError> {
        self.cancel_key(key).await
    }

    async fn note_scheduled(&self, name: &str, key: &str) -> Result<(), LedgerError> {
        self.note(name, key).await
    }

    async fn scheduled_key(&self, name: &str) -> Result<Option<String>, LedgerError> {
        self.noted(name).await
    }

    /// A consistent `GetItem`.
    async fn sent_parts(&self, key: &str) -> Result<Option<Vec<PublishedPart>>, LedgerError> {
        let Some(item) = self.read(key).await? else {
            return Ok(None);
        };
        match entry_of(key, &item)? {
            Some(Entry::Sent(parts)) => Ok(Some(parts)),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_key_is_sha256_hex_of_the_payload() {
        assert_eq!(
            delivery_key("abc"),
            "delivery#ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
