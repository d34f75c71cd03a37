//! `sps:social/ledger` and the delivery counter on Amazon DynamoDB (DynamoDB API
//! reference: PutItem with a `ConditionExpression`, GetItem with `ConsistentRead`,
//! DeleteItem, UpdateItem `ADD`; Developer Guide, "Condition expressions" and "Time to
//! Live").
//!
//! One table, partition key `key` (S). A send entry is
//! `{key, state: "in-flight", claimedAt: N, expiresAt: N}` or
//! `{key, state: "sent", postId: S, sentAt: N, expiresAt: N}`; a delivery counter is
//! `{key: "delivery#<sha256 hex of the payload>", deliveries: N, expiresAt: N}`.
//! `expiresAt` (Unix seconds, 30 days on) is the table's TTL attribute.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use sha2::{Digest, Sha256};

use super::describe;
use crate::bindings::ledger::{Entry, LedgerError};
use crate::caps::ledger::LedgerBackend;

/// How long an entry is kept (its `expiresAt`), seconds: 30 days.
pub const RETENTION_SECONDS: i64 = 30 * 24 * 3600;

/// Claims tried when the entry disappears between a failed claim and its read.
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

/// The [`Entry`] a stored item stands for.
///
/// # Errors
/// [`LedgerError::Unavailable`] naming the key when the item has another shape.
pub fn entry_of(key: &str, item: &HashMap<String, AttributeValue>) -> Result<Entry, LedgerError> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    let number = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    match text("state").map(String::as_str) {
        Some("sent") => text("postId")
            .map(|id| Entry::Sent(id.clone()))
            .ok_or_else(|| {
                LedgerError::Unavailable(format!("ledger entry {key} is sent without a postId"))
            }),
        Some("in-flight") => Ok(Entry::InFlight(number("claimedAt").unwrap_or(0))),
        other => Err(LedgerError::Unavailable(format!(
            "ledger entry {key} has an unknown state {other:?}"
        ))),
    }
}

#[async_trait]
impl LedgerBackend for DynamoLedger {
    async fn claim(&self, key: &str) -> Result<Entry, LedgerError> {
        for _ in 0..CLAIM_ROUNDS {
            let now = chrono::Utc::now().timestamp();
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .item("key", s(key))
                .item("state", s("in-flight"))
                .item("claimedAt", n(now))
                .item("expiresAt", n(now + RETENTION_SECONDS))
                .condition_expression("attribute_not_exists(#k)")
                .expression_attribute_names("#k", "key")
                .send()
                .await;
            match put {
                Ok(_) => return Ok(Entry::Claimed),
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
                {
                    if let Some(item) = self.read(key).await? {
                        return entry_of(key, &item);
                    }
                    // Released between the claim and the read: claim again.
                }
                Err(err) => return Err(unavailable("PutItem (claim)", &err)),
            }
        }
        Err(LedgerError::Unavailable(format!(
            "ledger entry {key} kept changing during {CLAIM_ROUNDS} claims"
        )))
    }

    async fn record_sent(&self, key: &str, post_id: &str) -> Result<(), LedgerError> {
        let now = chrono::Utc::now().timestamp();
        self.client
            .put_item()
            .table_name(&self.table)
            .item("key", s(key))
            .item("state", s("sent"))
            .item("postId", s(post_id))
            .item("sentAt", n(now))
            .item("expiresAt", n(now + RETENTION_SECONDS))
            .send()
            .await
            .map_err(|e| unavailable("PutItem (sent)", &e))?;
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), LedgerError> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("key", s(key))
            .condition_expression("#s = :inflight")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":inflight", s("in-flight"))
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            // A `sent` record (or no entry) stays as it is.
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(err) => Err(unavailable("DeleteItem (release)", &err)),
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

    #[test]
    fn maps_stored_items_to_entries() {
        let item = |pairs: &[(&str, AttributeValue)]| -> HashMap<String, AttributeValue> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect()
        };
        assert_eq!(
            entry_of("k", &item(&[("state", s("sent")), ("postId", s("18500"))])),
            Ok(Entry::Sent("18500".into()))
        );
        assert_eq!(
            entry_of(
                "k",
                &item(&[("state", s("in-flight")), ("claimedAt", n(1700))])
            ),
            Ok(Entry::InFlight(1700))
        );
        assert_eq!(
            entry_of("k", &item(&[("state", s("sent"))])),
            Err(LedgerError::Unavailable(
                "ledger entry k is sent without a postId".into()
            ))
        );
        assert_eq!(
            entry_of("k", &item(&[])),
            Err(LedgerError::Unavailable(
                "ledger entry k has an unknown state None".into()
            ))
        );
    }
}
