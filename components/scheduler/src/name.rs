//! Schedule names derived from a post's platform and reference.
//!
//! EventBridge Scheduler names are 1-64 characters of `[0-9a-zA-Z-_.]`
//! [AWS Scheduler API reference, CreateSchedule: `Name`]. The original project named schedules
//! `{platform}-{referenceNumber}`; that form is kept whenever the result is a valid name.
//! Any other reference is mapped to `{platform}.{h}` where `h` is the SHA-256 of the
//! reference's UTF-8 bytes in lowercase unpadded base32 (52 characters). As-is names always
//! have `-` right after the platform name and hashed ones `.`, so the two forms never collide
//! (for platform names without `-` and `.`, which the loaded platforms' names are).

use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};

/// The longest schedule name EventBridge Scheduler accepts, in characters.
pub const MAX_NAME_LEN: usize = 64;

/// Whether `c` may appear in a schedule name: `[0-9a-zA-Z-_.]`.
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The lowercase, unpadded base32 text of the SHA-256 of `reference`'s UTF-8 bytes
/// (always 52 characters of `[a-z2-7]`).
pub fn reference_hash(reference: &str) -> String {
    BASE32_NOPAD
        .encode(&Sha256::digest(reference.as_bytes()))
        .to_ascii_lowercase()
}

/// The schedule name of the post `reference` on `platform`.
///
/// `{platform}-{reference}` when `reference` is non-empty, only contains `[0-9a-zA-Z-_.]` and
/// the whole name has at most [`MAX_NAME_LEN`] characters; otherwise
/// `{platform}.{reference_hash(reference)}`. Deterministic; never fails.
pub fn schedule_name(platform: &str, reference: &str) -> String {
    let as_is = format!("{platform}-{reference}");
    if !reference.is_empty() && reference.chars().all(is_name_char) && as_is.len() <= MAX_NAME_LEN {
        as_is
    } else {
        format!("{platform}.{}", reference_hash(reference))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_references_are_used_as_is() {
        assert_eq!(schedule_name("twitter", "testtweet"), "twitter-testtweet");
        assert_eq!(schedule_name("twitter", "A-z_0.9-._"), "twitter-A-z_0.9-._");
        assert_eq!(
            schedule_name("twitter", "0b4e7a0e-5fe1-4d4c-9f0a-3c8d2a1b7e6f"),
            "twitter-0b4e7a0e-5fe1-4d4c-9f0a-3c8d2a1b7e6f"
        );
    }

    #[test]
    fn hash_is_base32_lowercase_of_sha256() {
        // SHA-256("") = e3b0c442...; its base32 (RFC 4648, no padding), lowercased.
        assert_eq!(
            reference_hash(""),
            "4oymiquy7qobjgx36tejs35zeqt24qpemsnzgtfeswmrw6csxbkq"
        );
        assert_eq!(
            reference_hash("testtweet"),
            BASE32_NOPAD
                .encode(&Sha256::digest(b"testtweet"))
                .to_ascii_lowercase()
        );
        assert_eq!(reference_hash("anything").len(), 52);
    }

    #[test]
    fn length_boundary_56_vs_57_for_twitter() {
        // "twitter-" is 8 characters, so 56 reference characters make exactly 64.
        let r56 = "a".repeat(56);
        let r57 = "a".repeat(57);
        assert_eq!(schedule_name("twitter", &r56), format!("twitter-{r56}"));
        assert_eq!(schedule_name("twitter", &r56).len(), 64);
        assert_eq!(
            schedule_name("twitter", &r57),
            format!("twitter.{}", reference_hash(&r57))
        );
        assert_eq!(schedule_name("twitter", &r57).len(), 60);
        let r58 = "a".repeat(58);
        assert_eq!(
            schedule_name("twitter", &r58),
            format!("twitter.{}", reference_hash(&r58))
        );
    }

    #[test]
    fn unusable_references_are_hashed() {
        for reference in [
            "",
            "has space",
            "slash/ref",
            "colon:ref",
            "ünïcödé",
            "📅post",
            "tab\tref",
            "new\nline",
            "a+b",
        ] {
            let name = schedule_name("twitter", reference);
            assert_eq!(name, format!("twitter.{}", reference_hash(reference)));
            assert_eq!(name.len(), 60);
            assert!(name.chars().all(is_name_char), "{name}");
        }
    }

    #[test]
    fn as_is_and_hashed_names_never_collide() {
        // A reference that looks like a hash still gets a `-`, the hash form a `.`.
        let hashed = schedule_name("twitter", "x y");
        let suffix = hashed.trim_start_matches("twitter.");
        assert_eq!(
            schedule_name("twitter", suffix),
            format!("twitter-{suffix}")
        );
        assert_ne!(schedule_name("twitter", suffix), hashed);
    }
}
