//! Plain mirrors of the WIT types of `sps:social/types` (wit/types.wit), kept once for
//! every platform component: the rules are written and tested natively against them, and
//! [`crate::export_platform!`] converts them to and from the generated bindings one to one.

use std::fmt;

/// A post as the platform interface passes it (WIT `types.post`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Post {
    /// The texts to publish, in order: the message (part 0), then each reply of the thread
    /// (part k is `thread[k-1]` of the event). The scheduler allows 1 to 26 parts; a
    /// platform without threads refuses more than one.
    pub parts: Vec<String>,
    /// The account that posts (`default` unless the event named one). The host gives the
    /// component that account's settings only, so it serves only to name the account in
    /// messages.
    pub account: String,
    /// Stable across every delivery of the post and a resend of it with another date (64
    /// hex digits from the sender; empty in `validate`). A platform with
    /// idempotency keys sends it with the part's index, so a repeated request cannot
    /// publish a part twice; the others ignore it.
    pub idempotency_key: String,
}

/// One part of a post as the platform published it (WIT `types.published-part`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PublishedPart {
    /// The platform's id of the part, exactly as the platform returned it (X: the post id,
    /// Mastodon: the status id, LinkedIn: the post's URN).
    pub id: String,
    /// The part's public URL, when the platform gives one or it can be made from the id.
    pub url: Option<String>,
    /// What a reply to this part needs besides `id`, opaque outside the component; `None`
    /// when the id suffices (X, Mastodon) or there are no replies (LinkedIn).
    pub reply_ref: Option<String>,
}

/// The engagement a platform reports for one published post (WIT `types.engagement`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Engagement {
    /// Likes.
    pub likes: u64,
    /// Reposts and quotes.
    pub reposts: u64,
    /// Replies.
    pub replies: u64,
    /// Views, where the platform reports them (X `impression_count`).
    pub impressions: Option<u64>,
}

/// How long one part of a post is by the platform's own count; mirrors the WIT record
/// `types.part-length`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PartLength {
    /// The part's length as the platform counts it (X: weighted length).
    pub length: u32,
    /// The most the platform takes in one part, counted the same way.
    pub limit: u32,
}

impl PartLength {
    /// A length of `length` (saturating at `u32::MAX`) against `limit`.
    pub fn new(length: u64, limit: u64) -> Self {
        Self {
            length: u32::try_from(length).unwrap_or(u32::MAX),
            limit: u32::try_from(limit).unwrap_or(u32::MAX),
        }
    }

    /// Every part of `post` measured by `count` against `limit`, in order (what
    /// `platform.lengths` answers).
    pub fn of_parts(post: &Post, limit: u64, count: impl Fn(&str) -> u64) -> Vec<Self> {
        post.parts
            .iter()
            .map(|text| Self::new(count(text), limit))
            .collect()
    }
}

/// Why a post cannot be posted on the platform; mirrors the WIT record
/// `types.message-error`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PostError {
    /// Stable reason code, for example `empty-message`, `message-too-long`,
    /// `invalid-characters`, `thread-not-supported`, or `platform-component-failed` when
    /// the component cannot read what it needs to decide.
    pub code: String,
    /// A sentence for people (the scheduler prefixes a reply's with `thread[i]: `).
    pub message: String,
    /// The part at fault (0 the message, k the k-th reply); `None` for the post as a whole
    /// (for example a thread on a platform without threads).
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

/// Why the platform did not publish a part; mirrors the WIT variant `types.publish-error`
/// case for case (a platform uses the cases its API can give). Every case carries a
/// human-readable explanation, never a credential.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PublishError {
    /// A credential or a setting needed to reach the platform is not configured for the
    /// account; nothing was sent.
    MissingCredentials(String),
    /// The platform rejected the credentials (HTTP 401).
    Auth(String),
    /// The platform refused the request (HTTP 403 other than duplicates: missing scope,
    /// suspended account, a reply whose parent is not visible).
    Forbidden(String),
    /// The platform refused the post as a duplicate of a recent one (X: HTTP 403,
    /// LinkedIn: HTTP 422 `DUPLICATE_POST`).
    DuplicateContent(String),
    /// Rate limited (HTTP 429); retry at or after `retry_at` (Unix seconds, UTC) when known.
    RateLimited {
        /// Unix time in seconds from which a retry may succeed, when the platform said.
        retry_at: Option<u64>,
        /// Human-readable explanation.
        message: String,
    },
    /// The account's usage cap is reached (X: HTTP 429 whose problem type ends in
    /// `usage-capped`); do not retry before `retry_at` (Unix seconds, UTC) when known.
    UsageCapped {
        /// Unix time in seconds from which a retry may succeed, when the platform said.
        retry_at: Option<u64>,
        /// Human-readable explanation.
        message: String,
    },
    /// The platform rejected the post's content or shape (HTTP 400, 422 and other client
    /// errors), or the call does not fit the post; nothing was published, not retried.
    Invalid(String),
    /// Nothing reached the platform (DNS, connection refused, request denied by the host,
    /// a setting unreadable or malformed); retrying is safe.
    Transient(String),
    /// The platform may or may not have published the part (HTTP 5xx, a failure after
    /// sending, no readable id in a success answer).
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
            | PublishError::RateLimited { message: m, .. }
            | PublishError::UsageCapped { message: m, .. } => m,
        }
    }

    /// The same case with its message passed through `f` (for example to redact a
    /// credential).
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
            PublishError::UsageCapped { retry_at, message } => PublishError::UsageCapped {
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
