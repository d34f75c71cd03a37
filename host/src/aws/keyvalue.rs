//! `wasi:keyvalue` of platform components on Amazon DynamoDB, in the send ledger's table
//! (DynamoDB API reference: GetItem with `ConsistentRead`, PutItem and DeleteItem with a
//! `ConditionExpression`, Scan with a `FilterExpression`; Developer Guide, "Condition
//! expressions").
//!
//! Each key is one item `{key: "kv#<scope>#<key>", value: B}`: the table's partition key
//! `key` (S) with the prefix `kv#`, which no ledger or delivery-counter key has. The items
//! carry no `expiresAt`: a platform's state (a session, cached limits) stays until the
//! component replaces or deletes it.

use async_trait::async_trait;
use aws_sdk_dynamodb::error::ProvideErrorMetadata as _;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use super::describe;
use crate::caps::keyvalue::{page, KeyValueBackend, LIST_PAGE};

/// The DynamoDB key-value backend: one client, one table.
#[derive(Debug, Clone)]
pub struct DynamoKeyValue {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoKeyValue {
    /// A backend in `table` (partition key `key`, type S), the ledger's table.
    pub fn new(client: aws_sdk_dynamodb::Client, table: &str) -> Self {
        Self {
            client,
            table: table.to_string(),
        }
    }
}

/// The item key of `key` in `scope`.
fn item_key(scope: &str, key: &str) -> AttributeValue {
    AttributeValue::S(format!("kv#{scope}#{key}"))
}

fn blob(value: &[u8]) -> AttributeValue {
    AttributeValue::B(Blob::new(value))
}

#[async_trait]
impl KeyValueBackend for DynamoKeyValue {
    async fn get(&self, scope: &str, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("key", item_key(scope, key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("GetItem failed: {}", describe(&e)))?;
        Ok(out.item.and_then(|item| match item.get("value") {
            Some(AttributeValue::B(b)) => Some(b.clone().into_inner()),
            _ => None,
        }))
    }

    async fn set(&self, scope: &str, key: &str, value: &[u8]) -> anyhow::Result<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("key", item_key(scope, key))
            .item("value", blob(value))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("PutItem failed: {}", describe(&e)))?;
        Ok(())
    }

    async fn delete(&self, scope: &str, key: &str) -> anyhow::Result<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("key", item_key(scope, key))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("DeleteItem failed: {}", describe(&e)))?;
        Ok(())
    }

    /// A Scan of the table for the scope's prefix, in pages, until [`LIST_PAGE`] keys
    /// (sorted) or the table's end: meant for rare listing, not for a hot path.
    async fn list_keys(
        &self,
        scope: &str,
        after: Option<&str>,
    ) -> anyhow::Result<(Vec<String>, Option<String>)> {
        let prefix = format!("kv#{scope}#");
        let mut keys = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(#k, :prefix)")
                .expression_attribute_names("#k", "key")
                .expression_attribute_values(":prefix", AttributeValue::S(prefix.clone()))
                .set_exclusive_start_key(start)
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("Scan failed: {}", describe(&e)))?;
            for item in out.items() {
                if let Some(AttributeValue::S(k)) = item.get("key") {
                    if let Some(k) = k.strip_prefix(&prefix) {
                        if after.is_none_or(|a| k > a) {
                            keys.push(k.to_string());
                        }
                    }
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        keys.sort();
        keys.truncate(LIST_PAGE);
        Ok(page(keys))
    }

    async fn swap(
        &self,
        scope: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> anyhow::Result<bool> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("key", item_key(scope, key))
            .item("value", blob(value));
        let put = match expected {
            None => put.condition_expression("attribute_not_exists(#k)"),
            Some(old) => put
                .condition_expression("#v = :old")
                .expression_attribute_names("#v", "value")
                .expression_attribute_values(":old", blob(old)),
        };
        let put = if expected.is_none() {
            put.expression_attribute_names("#k", "key")
        } else {
            put
        };
        match put.send().await {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.code() == Some("ConditionalCheckFailedException")) =>
            {
                Ok(false)
            }
            Err(e) => Err(anyhow::anyhow!("PutItem failed: {}", describe(&e))),
        }
    }
}
