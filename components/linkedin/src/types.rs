//! The plain Rust mirrors of the WIT types the `linkedin` component exchanges (package
//! `sps:social@0.2.0`, interface `types`), so the rules and the Posts API logic are
//! written and tested without the generated bindings.

use std::fmt;

/// A post as the platform interface passes it (WIT `types.post`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Post {
    /// The texts to publish, in order: the event's `message`, then each reply of its
    /// `thread`. LinkedIn has no threads, so only a post of exactly one part is published.
    pub parts: Vec<String>,
    /// The account that posts (`default` unless the event named one). The host gives the
    /// component that account's settings only, so it serves only to name the account in
    /// messages.
    pub account: String,
    /// Stable across every delivery of the post; unused on LinkedIn, whose Posts API has
    /// no idempotency key.
    pub idempotency_key: String,
}

/// One part of a post as LinkedIn published it (WIT `types.published-part`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PublishedPart {
    /// The post's URN exactly as LinkedIn returned it in the `x-restli-id` header, for
    /// example `urn:li:share:7012345678901234567`.
    pub id: String,
    /// The post's public URL (`https://www.linkedin.com/feed/update/<urn>/`), when the
    /// URN is of a form that can be put in a URL.
    pub url: Option<String>,
    /// Always `None`: LinkedIn has no replies to refer to.
    pub reply_ref: Option<String>,
}

/// Why a post cannot be posted on LinkedIn; mirrors the WIT record
/// `types.message-error`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PostError {
    /// Stable reason code (`thread-not-supported`, `empty-message`, `message-too-long`).
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The part at fault: `Some(0)` for the message; `None` when the post as a whole is
    /// refused (a thread).
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

/// Why LinkedIn did not publish a post; mirrors the WIT variant `types.publish-error`
/// (LinkedIn has no usage cap distinct from its rate limits, so `usage-capped` is never
/// produced). Every case carries a human-readable explanation, never a credential.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PublishError {
    /// The access token or the author is not configured for the account; nothing was sent.
    MissingCredentials(String),
    /// LinkedIn rejected the access token (HTTP 401).
    Auth(String),
    /// LinkedIn refused the request (HTTP 403).
    Forbidden(String),
    /// LinkedIn refused the post as a duplicate of a recent one (HTTP 422 `DUPLICATE_POST`).
    DuplicateContent(String),
    /// Rate limited (HTTP 429); retry at or after `retry_at` (Unix seconds, UTC) when known.
    RateLimited {
        /// Unix time in seconds from which a retry may succeed, when LinkedIn said.
        retry_at: Option<u64>,
        /// Human-readable explanation.
        message: String,
    },
    /// LinkedIn rejected the post's content or shape (HTTP 400, 422 and other client
    /// errors), or the call does not fit the post; nothing was published.
    Invalid(String),
    /// Nothing reached LinkedIn (DNS, connection refused, request denied, a setting
    /// unreadable or malformed); retrying is safe.
    Transient(String),
    /// LinkedIn may or may not have published the post (HTTP 5xx, a failure after sending,
    /// a 201 without the post's URN).
    UnknownOutcome(String),
}

impl PublishError {
    /// The human-readable explanation of any case.
    pub fn message(&self) -> &str {
        match self {
            PublishError::MissingCredentials(m)
            | PublishError::Auth(m)
            | PublishError::Forbidden(m)
            | PublishError::DuplicateContent(m)
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
            PublishError::DuplicateContent(m) => PublishError::DuplicateContent(f(m)),
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
