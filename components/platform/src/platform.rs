//! The seam between a platform's rules and the component: [`Platform`], what a platform
//! component implements in plain Rust, and [`Capabilities`], the outside world it reaches
//! while publishing (the component's glue, [`crate::export_platform!`], implements it with
//! WASI; tests with a fake). Also the small steps every platform's `publish` takes:
//! reading a setting ([`read_setting`]) and keeping credentials out of messages
//! ([`redact`]).

use crate::http::{HttpRequest, HttpResponse, Timeouts, TransportError};
use crate::types::{Engagement, PartLength, Post, PostError, PublishError, PublishedPart};

/// One social network's rules and API behind the WIT interface `sps:social/platform`.
/// A platform component implements it on a type of its own and exports it with
/// [`crate::export_platform!`]; nothing else of the component touches WASI.
pub trait Platform {
    /// The time limits of the HTTP exchange with the platform ([`Timeouts::STANDARD`]
    /// unless the platform needs others; the host caps them at the standard ones).
    const TIMEOUTS: Timeouts = Timeouts::STANDARD;

    /// WIT `platform.validate`: check every part of `post` and the thread's shape against
    /// the platform's rules; `caps` serves platforms whose limits are configured or read
    /// from the platform (and cached in the key-value store).
    ///
    /// # Errors
    /// A [`PostError`] with a stable reason code, naming the part at fault.
    fn validate(post: &Post, caps: &mut impl Capabilities) -> Result<(), PostError>;

    /// WIT `platform.lengths`: every part's length by the platform's own count and the
    /// platform's limit, one per part, valid or not (the same count `validate` checks).
    ///
    /// # Errors
    /// A [`PostError`] when the limits cannot be known (the code `validate` would give).
    fn lengths(post: &Post, caps: &mut impl Capabilities) -> Result<Vec<PartLength>, PostError>;

    /// WIT `platform.publish`: publish part `part` of `post` (0 the message, k the k-th
    /// reply, a reply to `earlier[k-1]`), where `earlier` holds the parts published before
    /// it, in order.
    ///
    /// # Errors
    /// A [`PublishError`] saying whether the part may exist and whether to retry.
    fn publish(
        post: &Post,
        part: u32,
        earlier: &[PublishedPart],
        caps: &mut impl Capabilities,
    ) -> Result<PublishedPart, PublishError>;

    /// WIT `platform.idempotent`: whether publishing the same part of the same post again
    /// gives back the part published before instead of a second post (the sender then
    /// repeats a publish whose outcome is in doubt).
    fn idempotent() -> bool;

    /// WIT `platform.metrics`: the engagement of the post `post_id` (an id `publish`
    /// returned) of `account`; `caps` reads that account's settings. `None`, the default,
    /// for a platform that reports no engagement.
    ///
    /// # Errors
    /// A [`PublishError`]: `Transient`/`RateLimited` may succeed later; `Invalid` (the post
    /// is gone, the id is not one) will not; `MissingCredentials`/`Auth` as for `publish`.
    fn metrics(
        account: &str,
        post_id: &str,
        caps: &mut impl Capabilities,
    ) -> Result<Option<Engagement>, PublishError> {
        let _ = (account, post_id, caps);
        Ok(None)
    }
}

/// What publishing needs from the outside world. The component implements it with WASI
/// ([`crate::export_platform!`]); tests with an in-memory fake.
pub trait Capabilities {
    /// The setting `key` of the post's account (wasi:config/store); `Ok(None)` when it is
    /// not set, `Err` with a description when the store failed.
    fn setting(&mut self, key: &str) -> Result<Option<String>, String>;
    /// The current time, Unix seconds (UTC) (the WASI clock).
    fn now_unix_seconds(&mut self) -> u64;
    /// A fresh nonce of random alphanumerics (wasi:random through
    /// [`crate::nonce_from_random`]), for example for an OAuth 1.0a signature.
    fn nonce(&mut self) -> String;
    /// Send `request` and read the whole answer (wasi:http, within the platform's
    /// [`Platform::TIMEOUTS`]).
    ///
    /// # Errors
    /// A [`TransportError`] whose phase says whether the request may have been sent.
    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;

    /// The value of `key` in the platform's key-value store for the post's account
    /// (wasi:keyvalue/store, bucket `default`, which the host scopes to the platform and
    /// the account); `Ok(None)` when absent, `Err` with a description when the store
    /// failed or there is none ([`NO_KEY_VALUE_STORE`], the default).
    fn kv_get(&mut self, key: &str) -> Result<Option<Vec<u8>>, String> {
        let _ = key;
        Err(NO_KEY_VALUE_STORE.to_string())
    }

    /// Sets `key` to `value` in the key-value store ([`Self::kv_get`]).
    fn kv_set(&mut self, key: &str, value: &[u8]) -> Result<(), String> {
        let _ = (key, value);
        Err(NO_KEY_VALUE_STORE.to_string())
    }

    /// Sets `key` to `value` only if its value is still `expected` (`None`: absent), as one
    /// atomic step (wasi:keyvalue/atomics `cas` and `swap`): `Ok(true)` when set,
    /// `Ok(false)` when another writer changed it first.
    fn kv_swap(
        &mut self,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> Result<bool, String> {
        let _ = (key, expected, value);
        Err(NO_KEY_VALUE_STORE.to_string())
    }
}

/// What [`Capabilities::kv_get`] and the other key-value methods answer where no
/// key-value store is given (a test's capabilities, say).
pub const NO_KEY_VALUE_STORE: &str = "no key-value store";

/// Read one setting, trimmed; `Ok(None)` when unset or blank.
///
/// # Errors
/// `transient("could not read setting {key}: …")` when the store fails.
pub fn read_setting(
    caps: &mut impl Capabilities,
    key: &str,
) -> Result<Option<String>, PublishError> {
    match caps.setting(key) {
        Ok(value) => Ok(value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())),
        Err(e) => Err(PublishError::Transient(format!(
            "could not read setting {key}: {e}"
        ))),
    }
}

/// Longest piece of a platform's error text kept in a message, in characters.
pub const MAX_ERROR_TEXT_CHARS: usize = 300;

/// At most [`MAX_ERROR_TEXT_CHARS`] characters of `text` (a platform's error text quoted in
/// a message), with `…` when it was cut.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_TEXT_CHARS) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or(text)),
        None => text.to_string(),
    }
}

/// Checks the post's idempotency key before a platform builds on it: 1 to 200 visible
/// ASCII characters (the sender's are 64 hex digits).
///
/// # Errors
/// `invalid("the post's idempotency key is empty or not 1 to 200 visible ASCII characters;
/// <use>, so nothing was sent")`, where `use` says what the platform needs it for.
pub fn check_idempotency_key(key: &str, use_: &str) -> Result<(), PublishError> {
    if (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    Err(PublishError::Invalid(format!(
        "the post's idempotency key is empty or not 1 to 200 visible ASCII characters; \
         {use_}, so nothing was sent"
    )))
}

/// `message` with every one of `secrets` replaced by `<redacted>`, in order (platforms do
/// not echo credentials, but a proxy or a misconfigured base URL might). Secrets under 8
/// characters are left alone, so that a short test value does not blank out ordinary
/// words.
pub fn redact(mut message: String, secrets: &[&str]) -> String {
    for secret in secrets {
        if secret.len() >= 8 && message.contains(secret) {
            message = message.replace(secret, "<redacted>");
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts_are_cut_at_300_characters() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(301);
        assert_eq!(shorten(&long), format!("{}…", "é".repeat(300)));
        assert_eq!(shorten(&"é".repeat(300)), "é".repeat(300));
    }

    #[test]
    fn only_secrets_of_8_characters_or_more_are_redacted() {
        let message = "token abcdefgh and key abc".to_string();
        assert_eq!(
            redact(message, &["abc", "abcdefgh"]),
            "token <redacted> and key abc"
        );
    }
}
