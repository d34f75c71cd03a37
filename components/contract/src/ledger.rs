//! The send ledger key of a post, and the idempotency key its platform is given. The
//! sender claims the ledger key before publishing; the scheduler cancels it (`Cancel Social
//! Post`), so both derive it here.
//!
//! EventBridge Scheduler delivers a schedule at least once
//! [EventBridge Scheduler User Guide, "Configuring a dead-letter queue" / retry policy], so the
//! sender records what it did per post under a key that identifies the exact post: same
//! platform, reference, date and text. Each field is prefixed with its length, so no text in
//! one field (a NUL, say) can make two different posts share a key.

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};

use crate::input::TargetInput as PostInput;

/// The ledger key of `post`: the lowercase hex SHA-256 (64 characters) of `platform`,
/// `referenceNumber`, `scheduledDate` and `message`, then, when the post has them, each
/// reply of its `thread` and its `account`, each field as its UTF-8 length (8 bytes, big
/// endian) followed by its UTF-8 bytes. A post without thread or account keeps the key it
/// had before threads and accounts existed; a thread or account field is tagged before its
/// value, so no message can stand for a reply.
pub fn ledger_key(post: &PostInput) -> String {
    digest(post, true)
}

/// The idempotency key of `post` for its platform (`post.idempotency-key`: Mastodon's
/// `Idempotency-Key`, Bluesky's record keys): like [`ledger_key`] but without the
/// `scheduledDate`, after a leading field `idempotency`. So a post sent again under the
/// same reference with the same text, account and thread but a new date (a user resending
/// one that ended in `unknown-outcome`) is the same post to the platform, which gives back
/// what it published instead of a second copy; the README asks for a new
/// `referenceNumber` to publish the same text again on purpose.
pub fn idempotency_key(post: &PostInput) -> String {
    digest(post, false)
}

/// SHA-256 (lowercase hex) of the post's fields as [`ledger_key`] says; without the date
/// (and tagged `idempotency`) unless `with_date`.
fn digest(post: &PostInput, with_date: bool) -> String {
    let mut hasher = Sha256::new();
    let mut field = |text: &str| {
        hasher.update(u64::try_from(text.len()).unwrap_or(u64::MAX).to_be_bytes());
        hasher.update(text.as_bytes());
    };
    if !with_date {
        field("idempotency");
    }
    field(&post.platform);
    field(&post.reference_number);
    if with_date {
        field(&post.scheduled_date);
    }
    field(&post.message);
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
    fn the_idempotency_key_leaves_out_the_date_and_nothing_else() {
        let at = |date: &str| post("twitter", "testtweet", date, "Hello world!");
        // python3: the same, over b"idempotency", platform, reference, message.
        assert_eq!(
            idempotency_key(&at("2023-10-23T08:48:00")),
            "521533968690ca066dc3e0f2e3e4bbe1692249d54eb5180c77a665831482c50d"
        );
        assert_eq!(
            idempotency_key(&at("2030-01-01T00:00:00")),
            idempotency_key(&at("2023-10-23T08:48:00"))
        );
        assert_ne!(
            ledger_key(&at("2030-01-01T00:00:00")),
            ledger_key(&at("2023-10-23T08:48:00"))
        );
        let mut brand = at("2023-10-23T08:48:00");
        brand.account = Some("brand".to_owned());
        assert_ne!(
            idempotency_key(&brand),
            idempotency_key(&at("2023-10-23T08:48:00"))
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
