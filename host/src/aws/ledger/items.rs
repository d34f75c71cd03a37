//! The ledger's DynamoDB items and the entries they stand for (the shapes are in the
//! parent module's documentation); items written before parts read as one part.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::s;
use crate::bindings::ledger::{Entry, InFlightClaim, LedgerError};
use crate::bindings::types::PublishedPart;

/// The attribute value of a part: `M {id: S, url?: S, replyRef?: S}`.
pub fn part_value(part: &PublishedPart) -> AttributeValue {
    let mut map = HashMap::from([("id".to_string(), s(&part.id))]);
    if let Some(url) = &part.url {
        map.insert("url".to_string(), s(url));
    }
    if let Some(reply_ref) = &part.reply_ref {
        map.insert("replyRef".to_string(), s(reply_ref));
    }
    AttributeValue::M(map)
}

/// The parts an item records (its `parts`, empty when absent).
///
/// # Errors
/// [`LedgerError::Unavailable`] naming the key when `parts` has another shape.
pub fn parts_of(
    key: &str,
    item: &HashMap<String, AttributeValue>,
) -> Result<Vec<PublishedPart>, LedgerError> {
    let Some(parts) = item.get("parts") else {
        return Ok(Vec::new());
    };
    let malformed = || {
        LedgerError::Unavailable(format!(
            "ledger entry {key} has parts that are not a list of {{id: S, url?: S, replyRef?: S}}"
        ))
    };
    let optional = |map: &HashMap<String, AttributeValue>, name: &str| match map.get(name) {
        None => Ok(None),
        Some(v) => v.as_s().map(|t| Some(t.clone())).map_err(|_| malformed()),
    };
    parts
        .as_l()
        .map_err(|_| malformed())?
        .iter()
        .map(|part| {
            let map = part.as_m().map_err(|_| malformed())?;
            Ok(PublishedPart {
                id: map
                    .get("id")
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .ok_or_else(malformed)?,
                url: optional(map, "url")?,
                reply_ref: optional(map, "replyRef")?,
            })
        })
        .collect()
}

/// The [`Entry`] a stored item stands for, or `None` for a released item (no claim: the
/// next claim takes it).
///
/// # Errors
/// [`LedgerError::Unavailable`] naming the key when the item has another shape.
pub fn entry_of(
    key: &str,
    item: &HashMap<String, AttributeValue>,
) -> Result<Option<Entry>, LedgerError> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    let number = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    let parts = parts_of(key, item)?;
    match text("state").map(String::as_str) {
        // An item written before parts records the one post id.
        Some("sent") if parts.is_empty() => Ok(Some(Entry::Sent(
            text("postId")
                .map(|id| PublishedPart {
                    id: id.clone(),
                    url: None,
                    reply_ref: None,
                })
                .into_iter()
                .collect(),
        ))),
        Some("sent") => Ok(Some(Entry::Sent(parts))),
        Some("in-flight") => Ok(Some(Entry::InFlight(InFlightClaim {
            claimed_at: number("claimedAt").unwrap_or(0),
            parts,
        }))),
        Some("released") => Ok(None),
        Some("cancelled") => Ok(Some(Entry::Cancelled)),
        other => Err(LedgerError::Unavailable(format!(
            "ledger entry {key} has an unknown state {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::n;
    use super::*;

    #[test]
    fn maps_stored_items_to_entries() {
        let item = |pairs: &[(&str, AttributeValue)]| -> HashMap<String, AttributeValue> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect()
        };
        let p0 = PublishedPart {
            id: "18500".into(),
            url: Some("https://x.com/i/web/status/18500".into()),
            reply_ref: None,
        };
        let p1 = PublishedPart {
            id: "18501".into(),
            url: None,
            reply_ref: Some("cid".into()),
        };
        let parts = AttributeValue::L(vec![part_value(&p0), part_value(&p1)]);
        assert_eq!(
            part_value(&p1),
            AttributeValue::M(HashMap::from([
                ("id".to_string(), s("18501")),
                ("replyRef".to_string(), s("cid"))
            ]))
        );
        // An item of the version before parts.
        assert_eq!(
            entry_of("k", &item(&[("state", s("sent")), ("postId", s("18500"))])),
            Ok(Some(Entry::Sent(vec![PublishedPart {
                id: "18500".into(),
                url: None,
                reply_ref: None
            }])))
        );
        assert_eq!(
            entry_of(
                "k",
                &item(&[
                    ("state", s("sent")),
                    ("postId", s("18500")),
                    ("parts", parts.clone())
                ])
            ),
            Ok(Some(Entry::Sent(vec![p0.clone(), p1.clone()])))
        );
        assert_eq!(
            entry_of(
                "k",
                &item(&[("state", s("in-flight")), ("claimedAt", n(1700))])
            ),
            Ok(Some(Entry::InFlight(InFlightClaim {
                claimed_at: 1700,
                parts: vec![]
            })))
        );
        assert_eq!(
            entry_of(
                "k",
                &item(&[
                    ("state", s("in-flight")),
                    ("claimedAt", n(1700)),
                    ("parts", parts.clone())
                ])
            ),
            Ok(Some(Entry::InFlight(InFlightClaim {
                claimed_at: 1700,
                parts: vec![p0, p1]
            })))
        );
        assert_eq!(
            entry_of("k", &item(&[("state", s("released")), ("parts", parts)])),
            Ok(None)
        );
        assert_eq!(
            entry_of("k", &item(&[("state", s("sent"))])),
            Ok(Some(Entry::Sent(vec![])))
        );
        assert_eq!(
            entry_of(
                "k",
                &item(&[
                    ("state", s("sent")),
                    ("parts", AttributeValue::L(vec![s("18500")]))
                ])
            ),
            Err(LedgerError::Unavailable(
                "ledger entry k has parts that are not a list of {id: S, url?: S, replyRef?: S}"
                    .into()
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
