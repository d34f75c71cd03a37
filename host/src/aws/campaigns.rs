//! `sps:social/campaigns` on DynamoDB, in the ledger's table (DynamoDB API reference:
//! GetItem with `ConsistentRead`, PutItem with a `ConditionExpression`):
//!
//! - a plan is the item the user writes, `{key: "campaign#<name>", plan: S}` (the plan's
//!   JSON text, README "Campaigns");
//! - a campaign's bookings on a platform are `{key: "bookings#<campaign>#<platform>",
//!   version: N, booked: S}` (`booked` a JSON list of `{reference, at}`), replaced by a
//!   PutItem under `version = :expected` (`attribute_not_exists(key)` for version 0), so
//!   of two replacements from one version exactly one is written;
//! - a campaign's scores on a platform are `{key: "scores#<campaign>#<platform>", scores:
//!   M}`, the map from each post's reference to `{bucket: N, score: N}`, set one entry at
//!   a time (UpdateItem), so a reading recorded twice counts once. An item holds at most
//!   400 KB (DynamoDB's item size limit), some 5,000 posts of one campaign on one
//!   platform.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

use async_trait::async_trait;

use super::describe;
use crate::bindings::campaigns::{Booking, BookingList, CampaignError, Score};
use crate::caps::campaigns::CampaignBackend;

/// Campaigns in one DynamoDB table (partition key `key`, type S).
#[derive(Debug, Clone)]
pub struct DynamoCampaigns {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

fn unavailable<E, R>(operation: &str, err: &SdkError<E, R>) -> CampaignError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    CampaignError::Unavailable(format!("{operation} failed: {}", describe(err)))
}

/// The key of a campaign's scores on a platform.
pub fn scores_key(campaign: &str, platform: &str) -> String {
    format!("scores#{campaign}#{platform}")
}

/// The key of a campaign's bookings on a platform.
pub fn bookings_key(campaign: &str, platform: &str) -> String {
    format!("bookings#{campaign}#{platform}")
}

impl DynamoCampaigns {
    /// Campaigns in `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: &str) -> Self {
        Self {
            client,
            table: table.to_string(),
        }
    }

    async fn read(
        &self,
        key: &str,
    ) -> Result<Option<std::collections::HashMap<String, AttributeValue>>, CampaignError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("key", AttributeValue::S(key.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem (campaigns)", &e))?;
        Ok(out.item().cloned())
    }
}

#[async_trait]
impl CampaignBackend for DynamoCampaigns {
    async fn plan(&self, name: &str) -> Result<Option<String>, CampaignError> {
        let item = self.read(&format!("campaign#{name}")).await?;
        Ok(item
            .as_ref()
            .and_then(|i| i.get("plan"))
            .and_then(|v| v.as_s().ok())
            .cloned())
    }

    async fn bookings(&self, campaign: &str, platform: &str) -> Result<BookingList, CampaignError> {
        let Some(item) = self.read(&bookings_key(campaign, platform)).await? else {
            return Ok(BookingList {
                version: 0,
                booked: Vec::new(),
            });
        };
        let version = item
            .get("version")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let text = item
            .get("booked")
            .and_then(|v| v.as_s().ok())
            .map_or("[]", String::as_str);
        Ok(BookingList {
            version,
            booked: crate::caps::campaigns::from_json(text)?,
        })
    }

    async fn replace(
        &self,
        campaign: &str,
        platform: &str,
        expected: u64,
        booked: &[Booking],
    ) -> Result<bool, CampaignError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("key", AttributeValue::S(bookings_key(campaign, platform)))
            .item("version", AttributeValue::N((expected + 1).to_string()))
            .item(
                "booked",
                AttributeValue::S(crate::caps::campaigns::to_json(booked)),
            );
        put = if expected == 0 {
            put.condition_expression("attribute_not_exists(#k)")
                .expression_attribute_names("#k", "key")
        } else {
            put.condition_expression("version = :expected")
                .expression_attribute_values(":expected", AttributeValue::N(expected.to_string()))
        };
        match put.send().await {
            Ok(_) => Ok(true),
            Err(err)
                if err
                    .as_service_error()
                    .and_then(ProvideErrorMetadata::code)
                    .is_some_and(|c| c == "ConditionalCheckFailedException") =>
            {
                Ok(false)
            }
            Err(err) => Err(unavailable("PutItem (bookings)", &err)),
        }
    }

    async fn scores(&self, campaign: &str, platform: &str) -> Result<Vec<Score>, CampaignError> {
        let Some(item) = self.read(&scores_key(campaign, platform)).await? else {
            return Ok(Vec::new());
        };
        let Some(Ok(map)) = item.get("scores").map(AttributeValue::as_m) else {
            return Ok(Vec::new());
        };
        let number = |entry: &AttributeValue, name: &str| {
            entry
                .as_m()
                .ok()
                .and_then(|m| m.get(name))
                .and_then(|v| v.as_n().ok())
                .cloned()
        };
        map.iter()
            .map(|(reference, entry)| {
                let bucket = number(entry, "bucket").and_then(|n| n.parse::<u8>().ok());
                let score = number(entry, "score").and_then(|n| n.parse::<f64>().ok());
                match (bucket, score) {
                    (Some(bucket), Some(score)) => Ok(Score {
                        reference: reference.clone(),
                        bucket,
                        score,
                    }),
                    _ => Err(CampaignError::Unavailable(format!(
                        "the stored score of {reference:?} is not {{bucket, score}}"
                    ))),
                }
            })
            .collect()
    }

    async fn record_score(
        &self,
        campaign: &str,
        platform: &str,
        score: &Score,
    ) -> Result<(), CampaignError> {
        let key = AttributeValue::S(scores_key(campaign, platform));
        // The map first (a path into a missing map fails), then the post's entry.
        self.client
            .update_item()
            .table_name(&self.table)
            .key("key", key.clone())
            .update_expression("SET #s = if_not_exists(#s, :empty)")
            .expression_attribute_names("#s", "scores")
            .expression_attribute_values(":empty", AttributeValue::M(Default::default()))
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem (scores)", &e))?;
        let entry = AttributeValue::M(
            [
                (
                    "bucket".to_string(),
                    AttributeValue::N(score.bucket.to_string()),
                ),
                (
                    "score".to_string(),
                    AttributeValue::N(score.score.to_string()),
                ),
            ]
            .into_iter()
            .collect(),
        );
        self.client
            .update_item()
            .table_name(&self.table)
            .key("key", key)
            .update_expression("SET #s.#r = :entry")
            .expression_attribute_names("#s", "scores")
            .expression_attribute_names("#r", &score.reference)
            .expression_attribute_values(":entry", entry)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem (scores)", &e))?;
        Ok(())
    }
}
