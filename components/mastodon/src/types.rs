//! Plain mirrors of the WIT types of `sps:social/types` (wit/types.wit), so the rules are
//! written and tested natively; the glue (`bindings`) converts them one to one.

use std::fmt;

/// A post as the platform interface passes it (WIT `types.post`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Post {
    /// The texts to publish, in order: the message (part 0), then each reply of the thread
    /// (part k is `thread[k-1]` of the event). The scheduler allows 1 to 26 parts.
    pub parts: Vec<String>,
    /// The account that posts (`default` unless the event named one). The host gives the
    /// component that account's settings only, so it serves to name the account in
    /// messages.
    pub account: String,
    /// Stable across every delivery of the post (empty in `validate`): with the part's
    /// index it makes the `Idempotency-Key` of each status (see
    /// [`crate::request::idempotency_key`]).
    pub idempotency_key: String,
}

/// One part of a post as Mastodon published it (WIT `types.published-part`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PublishedPart {
    /// The status's `id`, exactly as the instance returned it (a string; docs.joinmastodon.org
    /// "entities/Status": `id`, "String (cast from an integer but not guaranteed to be a
    /// number)").
    pub id: String,
    /// The status's `url` (its HTML page, "entities/Status": `url`, nullable); `None` when
    /// the instance gave none.
    pub url: Option<String>,
    /// Always `None`: a Mastodon reply needs only its parent's id (`in_reply_to_id`).
    pub reply_ref: Option<String>,
}

/// Why a post cannot be posted on this Mastodon instance; mirrors the WIT record
/// `types.message-error`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PostError {
    /// Stable reason code: `empty-message`, `message-too-long`, `invalid-characters`
    /// ([`crate::length`]), or `platform-component-failed` when the instance's limits in
    /// the settings cannot be read or are not numbers ([`crate::rules::read_limits`]).
    pub code: String,
    /// A sentence for people (the scheduler prefixes a reply's with `thread[i]: `).
    pub message: String,
    /// The part at fault (0 the message, k the k-th reply); `None` for the post as a whole.
    pub part: Option<u32>,
}

impl fmt::Display for PostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.part {
            Some(part) => write!(f, "part {part}: {}: {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for PostError {}

/// Why Mastodon did not publish a part; mirrors the cases of the WIT variant
/// `types.publish-error` that Mastodon can give (it has no duplicate-content refusal and
/// no usage cap). Every case carries a human-readable explanation, never a credential.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PublishError {
    /// `base_url` or the account's `access_token` is not set; nothing was sent.
    MissingCredentials(String),
    /// The instance rejected the access token (HTTP 401).
    Auth(String),
    /// The instance refused the request (HTTP 403: the token lacks `write:statuses`, the
    /// account is suspended or not confirmed).
    Forbidden(String),
    /// Rate limited (HTTP 429); retry at or after `retry_at` (Unix seconds, UTC) when the
    /// instance said (`X-RateLimit-Reset`).
    RateLimited {
        /// Unix time in seconds from which a retry may succeed.
        retry_at: Option<u64>,
        /// Human-readable explanation.
        message: String,
    },
    /// The instance rejected the status (HTTP 422 and other client errors, e.g. 404 for a
    /// reply whose parent is gone), or the call does not fit the post; not retried.
    Invalid(String),
    /// Nothing reached the instance (DNS, connection refused, request denied by the host,
    /// settings unreadable); retrying is safe.
    Transient(String),
    /// The instance may or may not have published the status (HTTP 5xx, a failure after
    /// sending, no readable status id). Safe to repeat with the same `Idempotency-Key`.
    UnknownOutcome(String),
}

impl PublishError {
    /// The human-readable explanation of any case.
    pub fn message(&self) -> &str {
        match self {
            PublishError::MissingCredentials(m)
            | PublishError::Auth(m)
            | PublishError::Forbidden(m)
            | PublishError::Invalid(m)
            | PublishError::Transient(m)
            | PublishError::UnknownOutcome(m)
            | PublishError::RateLimited { message: m, .. } => m,
        }
    }

    /// The same case with its message passed through `f`.
    pub fn map_message(self, f: impl FnOnce(String) -> String) -> PublishError {
        match self {
            PublishError::MissingCredentials(m) => PublishError::MissingCredentials(f(m)),
            PublishError::Auth(m) => PublishError::Auth(f(m)),
            PublishError::Forbidden(m) => PublishError::Forbidden(f(m)),
            PublishError::Invalid(m) => PublishError::Invalid(f(m)),
            PublishError::Transient(m) => PublishError::Transient(f(m)),
            PublishError::UnknownOutcome(m) => PublishError::UnknownOutcome(f(m)),
            PublishError::RateLimited { retry_at, message } => PublishError::RateLimited {
                retry_at,
                message: f(message),
            },
        }
    }
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for PublishError {}
