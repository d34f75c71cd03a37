//! The sender component of Social Post Scheduler.
//!
//! When a schedule fires, the sender receives the schedule's input, publishes the post on its
//! platform at most once per post (guarded by the send ledger, because EventBridge Scheduler
//! delivers at least once), and reports the outcome as `Social Post Sent` or
//! `Social Post Failed`, or asks for another delivery. A metrics reading, scheduled for
//! each post of a campaign, records the post's engagement score instead ([`measure`]).
//!
//! The rules are plain Rust ([`flow::send_post`]) over the [`Capabilities`] trait, so they run
//! and are tested natively; on `wasm32` the `bindings` module implements the trait with the
//! component's imports (`platforms`, `events`, `ledger`) and exports
//! `sps:social/sending@0.3.0`.

pub mod flow;
pub use sps_contract::ledger;
pub mod measure;
mod outcome;
pub mod reason;

#[cfg(target_arch = "wasm32")]
mod bindings;

pub use flow::{report_undelivered, send_post};
pub use ledger::{idempotency_key, ledger_key};
pub use measure::{measure, Measured, Measuring};
pub use reason::Reason;
pub use sps_contract::events::EventError;
pub use sps_contract::input::TargetInput as PostInput;

/// When a refused request may be tried again (WIT `types.retry-hint`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryHint {
    /// Unix time in seconds (UTC) from which a retry may succeed, when the platform said.
    pub retry_at: Option<u64>,
    /// Human-readable explanation.
    pub message: String,
}

/// Why a platform did not publish a post (WIT `types.publish-error`); each case carries the
/// platform's explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishError {
    /// The platform's credentials are not configured; nothing was sent.
    MissingCredentials(String),
    /// The platform rejected the credentials (X: HTTP 401).
    Auth(String),
    /// The platform refused the request (X: HTTP 403 other than duplicates).
    Forbidden(String),
    /// The platform refused the post as a duplicate of a recent one (X: HTTP 403).
    DuplicateContent(String),
    /// Rate limited (X: HTTP 429).
    RateLimited(RetryHint),
    /// The account's usage cap is reached (X: HTTP 429 with a `usage-capped` problem type).
    UsageCapped(RetryHint),
    /// The platform rejected the post's content or shape (X: HTTP 400).
    Invalid(String),
    /// The request failed before the platform could have acted on it; retrying is safe.
    Transient(String),
    /// The platform may or may not have published the post (X: HTTP 5xx, timeout).
    UnknownOutcome(String),
}

/// A post as the platforms see it (WIT `types.post`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The texts to publish in order: the message, then the thread's replies.
    pub parts: Vec<String>,
    /// The account that posts (`default` unless the event named one).
    pub account: String,
    /// Stable across deliveries of the post, and across a resend of it with a new date:
    /// its [idempotency key](ledger::idempotency_key).
    pub idempotency_key: String,
}

/// One part as the platform published it (WIT `types.published-part`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPart {
    /// The platform's id of the part, exactly as returned.
    pub id: String,
    /// The part's public URL, when the platform gives one.
    pub url: Option<String>,
    /// What a reply to the part needs besides its id (opaque; platform-specific).
    pub reply_ref: Option<String>,
}

/// The ledger's state of one send key (WIT `ledger.entry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// No delivery held the key: the caller now holds the claim. The parts earlier
    /// deliveries recorded as published, in order (empty for a post not yet begun).
    Claimed(Vec<PublishedPart>),
    /// Another delivery claimed the key at `claimed_at` (Unix seconds, UTC) and recorded no
    /// outcome; `parts` were recorded as published before it.
    InFlight {
        /// When the claim was taken, Unix seconds, UTC.
        claimed_at: u64,
        /// The parts recorded so far, in order.
        parts: Vec<PublishedPart>,
    },
    /// Every part was published; the recorded parts, in order.
    Sent(Vec<PublishedPart>),
    /// The post was cancelled before any delivery claimed it: nothing may be published.
    Cancelled,
}

/// Why the ledger could not be used (WIT `ledger.ledger-error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerError {
    /// The backend could not be reached or failed; retrying may succeed.
    Unavailable(String),
}

impl std::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LedgerError::Unavailable(m) => write!(f, "unavailable: {m}"),
        }
    }
}

/// Which delivery of the schedule this is (WIT `sending.delivery`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// 1 for the first delivery, 2 for the first retry, ...
    pub attempt: u32,
    /// No further delivery follows: a retryable failure must now be reported.
    pub final_attempt: bool,
    /// The moment the schedule was due (chosen inside its flexible window), Unix seconds,
    /// when the host knows it; see [`flow::MAX_LATENESS_SECONDS`].
    pub due_at: Option<u64>,
}

/// The post was published and `Social Post Sent` was published (WIT `sending.sent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The post's reference.
    pub reference_number: String,
    /// The first part's post id, exactly as the platform returned it.
    pub post_id: String,
    /// Every part's post id, in order.
    pub post_ids: Vec<String>,
    /// The first part's public URL, when the platform gives one.
    pub post_url: Option<String>,
}

/// A failure reported with `Social Post Failed` (WIT `sending.failure-report`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureReport {
    /// The post's reference, when the input carried one (then the event was published).
    pub reference_number: Option<String>,
    /// The [`Reason`] code.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Whether delivering the same input again could succeed.
    pub retryable: bool,
}

/// When to deliver again (WIT `sending.retry-later-hint`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryLaterHint {
    /// Unix seconds (UTC) at or after which to deliver again, when known.
    pub retry_at: Option<u64>,
    /// The [`Reason`] code of the failure.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Why a delivery did not end in a published post (WIT `sending.send-failure`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// Final: reported with a `Social Post Failed` event (unless the input had no reference).
    Failed(FailureReport),
    /// Not reported yet: deliver the same input again.
    RetryLater(RetryLaterHint),
}

/// What a delivery did (WIT `sending.delivered`).
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// A post was published, or found published, and reported.
    Sent(Sent),
    /// A metrics reading ended.
    Measured(Measured),
}

/// Handle one delivery (WIT `sending.send-post`): a metrics reading
/// ([`sps_contract::metrics::is_metrics`]) is [`measure`]d, any other input sent
/// ([`send_post`]).
///
/// # Errors
/// As [`send_post`] and [`measure`].
pub fn deliver<C: Capabilities + Measuring + ?Sized>(
    caps: &mut C,
    input: &str,
    delivery: Delivery,
) -> Result<Delivered, SendFailure> {
    if sps_contract::metrics::is_metrics(input) {
        measure(caps, input, delivery).map(Delivered::Measured)
    } else {
        send_post(caps, input, delivery).map(Delivered::Sent)
    }
}

/// What the sending rules need from the outside world. The component implements it with its
/// WIT imports; tests implement it in memory.
pub trait Capabilities {
    /// The current time, Unix seconds (UTC) (`wasi:clocks/wall-clock`).
    fn now_unix_seconds(&mut self) -> u64;
    /// The names of the loaded platforms (`platforms.supported`).
    fn supported_platforms(&mut self) -> Vec<String>;
    /// Whether publishing the same part of the same post again gives back the part
    /// published before (`platforms.idempotent`); false for an unknown platform.
    fn idempotent(&mut self, platform: &str) -> bool;
    /// Publish part `part` of `post` on `platform` (`platforms.publish`), replying to the
    /// last of `earlier` (the parts published before it, in order) when `part > 0`.
    ///
    /// # Errors
    /// The platform's [`PublishError`].
    fn publish_part(
        &mut self,
        platform: &str,
        post: &Post,
        part: u32,
        earlier: &[PublishedPart],
    ) -> Result<PublishedPart, PublishError>;
    /// Publish one event (`events.publish`); `detail` is the JSON text of an object.
    ///
    /// # Errors
    /// The backend's refusal or unavailability.
    fn publish_event(
        &mut self,
        detail_type: &str,
        source: &str,
        detail: &str,
    ) -> Result<(), EventError>;
    /// Atomically claim `key`, or report what is recorded for it (`ledger.claim`).
    ///
    /// # Errors
    /// The ledger is unavailable.
    fn claim(&mut self, key: &str) -> Result<Entry, LedgerError>;
    /// Record that part `index` of the post of `key` was published as `part`, keeping the
    /// claim (`ledger.record-part`).
    ///
    /// # Errors
    /// The ledger is unavailable.
    fn record_part(
        &mut self,
        key: &str,
        index: u32,
        part: &PublishedPart,
    ) -> Result<(), LedgerError>;
    /// Record that every part of the post of `key` was published (`ledger.record-sent`).
    ///
    /// # Errors
    /// The ledger is unavailable.
    fn record_sent(&mut self, key: &str) -> Result<(), LedgerError>;
    /// Drop the claim on `key` after a failure that proves the next part was not published
    /// (`ledger.release`); the recorded parts stay.
    ///
    /// # Errors
    /// The ledger is unavailable.
    fn release(&mut self, key: &str) -> Result<(), LedgerError>;
}
