//! The send ledger key of a post.
//!
//! EventBridge Scheduler delivers a schedule at least once
//! [EventBridge Scheduler User Guide, "Configuring a dead-letter queue" / retry policy], so the
//! sender records what it did per post under a key that identifies the exact post: same
//! platform, reference, date and text. Each field is prefixed with its length, so no text in
//! one field (a NUL, say) can make two different posts share a key.

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};

use crate::PostInput;

/// The ledger key of `post`: the lowercase hex SHA-256 (64 characters) of `platform`,
/// `referenceNumber`, `scheduledDate` and `message`, each as its UTF-8 length (8 bytes, big
/// endian) followed by its UTF-8 bytes.
pub fn ledger_key(post: &PostInput) -> String {
    let mut hasher = Sha256::new();
    for field in [
        &post.platform,
        &post.reference_number,
        &post.scheduled_date,
        &post.message,
    ] {
        hasher.update(u64::try_from(field.len()).unwrap_or(u64::MAX).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    HEXLOWER.encode(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(platform: &str, reference: &str, date: &str, message: &str) -> PostInput {
        PostInput {
            reference_number: reference.to_owned(),
            message: message.to_owned(),
            platform: platform.to_owned(),
            scheduled_date: date.to_owned(),
        }
    }

    #[test]
    fn key_is_hex_sha256_of_length_prefixed_fields() {
        // python3: sha256(b''.join(len(f).to_bytes(8, 'big') + f for f in fields))
        assert_eq!(
            ledger_key(&post(
                "twitter",
                "testtweet",
                "2023-10-23T08:48:00",
                "Hello world!"
            )),
            "4327f138593c72fbdb5fff2b18d4f21e4272884193e209031333ac8a6bd381b1"
        );
        // All four fields empty: SHA-256 of 32 zero bytes.
        assert_eq!(
            ledger_key(&post("", "", "", "")),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
    }

    #[test]
    fn separators_keep_fields_apart() {
        assert_ne!(
            ledger_key(&post("twitter", "ab", "d", "c")),
            ledger_key(&post("twitter", "a", "d", "bc"))
        );
        assert_ne!(
            ledger_key(&post("twitter", "r", "d", "m")),
            ledger_key(&post("twitter", "r", "d", "m "))
        );
        // The collision found by hand: a NUL moved from the reference into the message.
        assert_ne!(
            ledger_key(&post(
                "twitter",
                "colX\u{0}2030-01-01T00:00:00",
                "2030-01-01T00:00:00",
                "M"
            )),
            ledger_key(&post(
                "twitter",
                "colX",
                "2030-01-01T00:00:00",
                "2030-01-01T00:00:00\u{0}M"
            ))
        );
        assert_eq!(ledger_key(&post("twitter", "r", "d", "m")).len(), 64);
    }
}
