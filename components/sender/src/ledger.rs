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
/// `referenceNumber`, `scheduledDate` and `message`, then, when the post has them, each
/// reply of its `thread` and its `account`, each field as its UTF-8 length (8 bytes, big
/// endian) followed by its UTF-8 bytes. A post without thread or account keeps the key it
/// had before threads and accounts existed; a thread or account field is tagged before its
/// value, so no message can stand for a reply.
pub fn ledger_key(post: &PostInput) -> String {
    let mut hasher = Sha256::new();
    let mut field = |text: &str| {
        hasher.update(u64::try_from(text.len()).unwrap_or(u64::MAX).to_be_bytes());
        hasher.update(text.as_bytes());
    };
    for text in [
        &post.platform,
        &post.reference_number,
        &post.scheduled_date,
        &post.message,
    ] {
        field(text);
    }
    for reply in &post.thread {
        field("thread");
        field(reply);
    }
    if let Some(account) = &post.account {
        field("account");
        field(account);
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
            thread: Vec::new(),
            account: None,
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

    #[test]
    fn a_thread_or_an_account_makes_another_key() {
        let single = post("twitter", "r", "d", "m");
        let thread = PostInput {
            thread: vec!["two".to_owned()],
            ..single.clone()
        };
        let account = PostInput {
            account: Some("work".to_owned()),
            ..single.clone()
        };
        let keys = [
            ledger_key(&single),
            ledger_key(&thread),
            ledger_key(&account),
            ledger_key(&PostInput {
                thread: vec!["two".to_owned()],
                ..account.clone()
            }),
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in keys.iter().skip(i + 1) {
                assert_ne!(a, b);
            }
        }
        // A thread's reply "two" is not the account "two".
        assert_ne!(
            ledger_key(&PostInput {
                thread: vec!["two".to_owned()],
                ..single.clone()
            }),
            ledger_key(&PostInput {
                account: Some("two".to_owned()),
                ..single
            })
        );
    }
}
