//! The input of a metrics reading: the one-time schedule the scheduler makes for each post
//! of a campaign, which the sender receives when it fires (README, "Campaigns").
//!
//! `{"kind": "metrics", "referenceNumber", "platform", "account", "campaign", "bucket",
//! "ledgerKey"}`: the post, the campaign and hour-of-week bucket (0 = Monday 00:00 in the
//! campaign's time zone) its score is recorded under, and the post's send ledger key,
//! where the sender finds the published post's id.

use serde::{Deserialize, Serialize};

/// The schedule name of the metrics reading of the post whose schedule is named
/// `schedule_name`: `metrics.` and the lowercase unpadded base32 of the SHA-256 of that
/// name (60 characters, within EventBridge Scheduler's 64; never a post's name, which
/// starts with its platform).
pub fn reading_name(schedule_name: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(schedule_name.as_bytes());
    format!(
        "metrics.{}",
        data_encoding::BASE32_NOPAD
            .encode(&digest)
            .to_ascii_lowercase()
    )
}

/// The `kind` of a metrics reading's input.
pub const METRICS_KIND: &str = "metrics";

/// A metrics reading's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsInput {
    /// Always [`METRICS_KIND`].
    pub kind: String,
    /// The post's reference.
    pub reference_number: String,
    /// The post's platform.
    pub platform: String,
    /// The account that posted it.
    pub account: String,
    /// The campaign the score is recorded for.
    pub campaign: String,
    /// The hour-of-week bucket of the post's slot, 0-167.
    pub bucket: u8,
    /// The post's send ledger key ([`crate::ledger::ledger_key`]).
    pub ledger_key: String,
}

/// Whether `input` (a schedule's input JSON text) is a metrics reading: an object whose
/// `kind` is [`METRICS_KIND`].
pub fn is_metrics(input: &str) -> bool {
    #[derive(Deserialize)]
    struct Kind {
        kind: Option<String>,
    }
    serde_json::from_str::<Kind>(input)
        .ok()
        .and_then(|k| k.kind)
        .as_deref()
        == Some(METRICS_KIND)
}

/// The metrics reading of `input`.
///
/// # Errors
/// serde_json's message when it is not one.
pub fn parse(input: &str) -> Result<MetricsInput, String> {
    let parsed: MetricsInput = serde_json::from_str(input).map_err(|e| e.to_string())?;
    if parsed.kind != METRICS_KIND {
        return Err(format!("kind is {:?}, not {METRICS_KIND:?}", parsed.kind));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metrics_input_round_trips_and_is_told_apart() {
        let input = MetricsInput {
            kind: METRICS_KIND.to_string(),
            reference_number: "r".to_string(),
            platform: "twitter".to_string(),
            account: "default".to_string(),
            campaign: "launch".to_string(),
            bucket: 36,
            ledger_key: "k".to_string(),
        };
        let text = serde_json::to_string(&input).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"kind":"metrics","referenceNumber":"r","platform":"twitter","account":"default","campaign":"launch","bucket":36,"ledgerKey":"k"}"#
        );
        assert!(is_metrics(&text));
        assert_eq!(parse(&text), Ok(input));
        assert!(!is_metrics(r#"{"referenceNumber":"r","message":"m"}"#));
        assert!(!is_metrics("[1]"));
        // python3: base64.b32encode(hashlib.sha256(b"twitter-m1").digest()), lowercased.
        assert_eq!(
            reading_name("twitter-m1"),
            "metrics.cdxgl3yzpvio4anzjrmduur3lrnhrku5ofna6rldyrvxouvckspa"
        );
        assert_eq!(
            parse(r#"{"kind":"metrics"}"#),
            Err("missing field `referenceNumber` at line 1 column 18".to_string())
        );
    }
}
