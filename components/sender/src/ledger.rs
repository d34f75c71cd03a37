//! The send ledger key of a post.
//!
//! EventBridge Scheduler delivers a schedule at least once
//! [EventBridge Scheduler User Guide, "Configuring a dead-letter queue" / retry policy], so the
//! sender records what it did per post under a key that identifies the exact post: same
//! platform, reference, date and text.

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};

use crate::PostInput;

/// The ledger key of `post`: the lowercase hex SHA-256 (64 characters) of
/// `platform \0 referenceNumber \0 scheduledDate \0 message` (UTF-8, NUL separators).
pub fn ledger_key(post: &PostInput) -> String {
    let mut hasher = Sha256::new();
    hasher.update(post.platform.as_bytes());
    hasher.update([0u8]);
    hasher.update(post.reference_number.as_bytes());
    hasher.update([0u8]);
    hasher.update(post.scheduled_date.as_bytes());
    hasher.update([0u8]);
    hasher.update(post.message.as_bytes());
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
    fn key_is_hex_sha256_of_nul_joined_fields() {
        // printf 'twitter\0testtweet\0002023-10-23T08:48:00\0Hello world!' | sha256sum
        assert_eq!(
            ledger_key(&post(
                "twitter",
                "testtweet",
                "2023-10-23T08:48:00",
                "Hello world!"
            )),
            "c087259018439d313d67a87265761a672ed9d12c37b6878210a75021a1133b96"
        );
        // All four fields empty: SHA-256 of three NUL bytes.
        assert_eq!(
            ledger_key(&post("", "", "", "")),
            "709e80c88487a2411e1ee4dfb9f22a861492d20c4765150c0c794abd70f8147c"
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
        assert_eq!(ledger_key(&post("twitter", "r", "d", "m")).len(), 64);
    }
}
