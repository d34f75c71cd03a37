//! The scheduler component of Social Post Scheduler.
//!
//! It turns a "Schedule Social Post" request (an EventBridge event, or its detail alone) into a
//! one-time EventBridge Scheduler schedule whose target is the sender, and reports the outcome
//! as an event: `Post Scheduled`, or `Social Post Failed` with a reason code.
//!
//! The rules are plain Rust ([`flow::schedule_post`]) over the [`Capabilities`] trait, so they
//! run and are tested natively; on `wasm32` the `bindings` module implements the trait with the
//! component's imports (`platforms`, `schedules`, `events`, `wasi:config/store`) and exports
//! `sps:social/scheduling@0.3.0`.

use chrono::{DateTime, Utc};

pub mod campaign;
pub mod cancel;
pub mod check;
pub mod date;
pub mod flow;
pub mod metrics;
pub mod name;
pub mod reason;
pub mod request;
pub mod settings;
pub mod strict_json;
pub mod zone;

#[cfg(target_arch = "wasm32")]
mod bindings;

pub use cancel::cancel_post;
pub use check::{check_post, Check};
pub use flow::schedule_post;
pub use reason::{Problem, Reason};
pub use sps_contract::events::EventError;

/// A complete one-time schedule (WIT `schedules.schedule`), as created or replaced
/// [AWS Scheduler API reference, CreateSchedule / UpdateSchedule].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// 1-64 characters of `[0-9a-zA-Z-_.]` (see [`name::schedule_name`]).
    pub name: String,
    /// Fire time, UTC, `YYYY-MM-DDTHH:MM:SS` (the body of `at(...)`).
    pub at: String,
    /// Flexible time window in minutes: 0 = `OFF`, 1-1440 = `FLEXIBLE`.
    pub flexible_window_minutes: u32,
    /// The JSON text delivered to the sender ([`sps_contract::input::TargetInput`]).
    pub input: String,
}

/// Why a schedule operation failed (WIT `schedules.schedule-error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// No schedule has that name (ResourceNotFoundException).
    NotFound,
    /// A schedule with that name exists already (ConflictException).
    Conflict,
    /// The backend rejected the schedule's fields (ValidationException).
    Invalid(String),
    /// The backend could not be reached or failed; retrying may succeed.
    Unavailable(String),
}

impl std::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleError::NotFound => f.write_str("not found"),
            ScheduleError::Conflict => f.write_str("conflict"),
            ScheduleError::Invalid(m) => write!(f, "invalid: {m}"),
            ScheduleError::Unavailable(m) => write!(f, "unavailable: {m}"),
        }
    }
}

/// Why a message cannot be posted on a platform (WIT `types.message-error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageError {
    /// Stable reason code, e.g. `message-too-long`; used as the rejection code as-is.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The part at fault (0 the message, k the thread's k-th reply), or `None` when the
    /// post as a whole is refused.
    pub part: Option<u32>,
}

/// How long one part of a post is by its platform's own count (WIT `types.part-length`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartLength {
    /// The part's length as the platform counts it (X: weighted length).
    pub length: u32,
    /// The most the platform takes in one part, counted the same way.
    pub limit: u32,
}

/// Whether the schedule was new or replaced one of the same name (WIT `schedule-action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleAction {
    /// `schedules.create` succeeded.
    Created,
    /// The name existed and `schedules.update` replaced the whole schedule.
    Updated,
}

impl std::fmt::Display for ScheduleAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ScheduleAction::Created => "created",
            ScheduleAction::Updated => "updated",
        })
    }
}

/// A request that was scheduled and reported with `Post Scheduled` (WIT `scheduled`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    /// The request's `referenceNumber`, or the generated UUID.
    pub reference_number: String,
    /// The schedule's name.
    pub schedule_name: String,
    /// The normalised requested date, UTC, `YYYY-MM-DDTHH:MM:SS` (as in the event).
    pub scheduled_date: String,
    /// Created or updated.
    pub action: ScheduleAction,
    /// For a post of a campaign: the campaign's name and its slot in words.
    pub campaign: Option<(String, String)>,
}

/// A post's booked slot in a campaign (WIT `campaigns.booking`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// The post's reference.
    pub reference: String,
    /// The slot's instant.
    pub at: DateTime<Utc>,
}

/// A request that can never be scheduled as it is (WIT `rejection`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Reason code ([`Reason`] or a platform validation code).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The reference when known; then a `Social Post Failed` event was published for it.
    pub reference_number: Option<String>,
}

/// Why a request was not scheduled (WIT `schedule-failure`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleFailure {
    /// The input is wrong; the same input always gives the same answer.
    Rejected(Rejection),
    /// A capability failed and nothing was reported; delivering the request again may succeed.
    Retryable(String),
}

/// A post that was cancelled and reported with `Social Post Cancelled` (WIT `cancelled`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled {
    /// The request's `referenceNumber`.
    pub reference_number: String,
    /// The schedule that was deleted.
    pub schedule_name: String,
}

/// What the send ledger found when asked to cancel a key (WIT `ledger.cancel-outcome`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// Now cancelled: no delivery had claimed or sent it.
    Cancelled,
    /// Cancelled before; nothing changed.
    AlreadyCancelled,
    /// A delivery holds the claim since `claimed_at` (Unix seconds, UTC).
    InFlight {
        /// When the delivery claimed it.
        claimed_at: u64,
    },
    /// Every part was published: their post ids, in order.
    Sent(Vec<String>),
}

/// What the scheduling rules need from the outside world. The component implements it with
/// its WIT imports; tests implement it in memory.
pub trait Capabilities {
    /// The names of the loaded platforms (`platforms.supported`), e.g. `["twitter"]`.
    fn supported_platforms(&mut self) -> Vec<String>;
    /// Check a post (`parts`: the message, then the thread's replies; `account` the account
    /// that posts) against `platform`'s rules (`platforms.validate`).
    ///
    /// # Errors
    /// The platform's reason code and explanation, and the part at fault.
    fn validate_post(
        &mut self,
        platform: &str,
        parts: &[String],
        account: &str,
    ) -> Result<(), MessageError>;
    /// Each part's length by `platform`'s own count, and its limit (`platforms.lengths`).
    ///
    /// # Errors
    /// The platform's reason code when its limits cannot be known, or
    /// `unsupported-platform`.
    fn part_lengths(
        &mut self,
        platform: &str,
        parts: &[String],
        account: &str,
    ) -> Result<Vec<PartLength>, MessageError>;
    /// Create a schedule (`schedules.create`).
    ///
    /// # Errors
    /// `Conflict` when the name is taken; `Invalid`/`Unavailable` from the backend.
    fn create_schedule(&mut self, schedule: &Schedule) -> Result<(), ScheduleError>;
    /// Replace the whole schedule of that name (`schedules.update`).
    ///
    /// # Errors
    /// `NotFound` when there is none; `Invalid`/`Unavailable` from the backend.
    fn update_schedule(&mut self, schedule: &Schedule) -> Result<(), ScheduleError>;
    /// Read the schedule `name` (`schedules.get`).
    ///
    /// # Errors
    /// `NotFound` when there is none; `Unavailable` from the backend.
    fn get_schedule(&mut self, name: &str) -> Result<Schedule, ScheduleError>;
    /// Delete the schedule `name` (`schedules.delete`).
    ///
    /// # Errors
    /// `NotFound` when there is none; `Invalid`/`Unavailable` from the backend.
    fn delete_schedule(&mut self, name: &str) -> Result<(), ScheduleError>;
    /// Cancel the post of ledger key `key` unless a delivery claimed or sent it
    /// (`ledger.cancel`).
    ///
    /// # Errors
    /// Why the ledger could not be used.
    fn cancel_key(&mut self, key: &str) -> Result<CancelOutcome, String>;
    /// Note that the post named `name` is now scheduled as `key`, forgetting an earlier
    /// cancellation of `key` (`ledger.note-scheduled`).
    ///
    /// # Errors
    /// Why the ledger could not be used.
    fn note_scheduled(&mut self, name: &str, key: &str) -> Result<(), String>;
    /// The ledger key last noted for the post named `name` (`ledger.scheduled-key`).
    ///
    /// # Errors
    /// Why the ledger could not be used.
    fn scheduled_key(&mut self, name: &str) -> Result<Option<String>, String>;
    /// The plan of the campaign `name`, JSON text (`campaigns.plan`), or `None`.
    ///
    /// # Errors
    /// Why the campaigns could not be read.
    fn campaign_plan(&mut self, name: &str) -> Result<Option<String>, String>;
    /// The version and bookings of `campaign` on `platform` (`campaigns.bookings`).
    ///
    /// # Errors
    /// Why the campaigns could not be read.
    fn bookings(&mut self, campaign: &str, platform: &str) -> Result<(u64, Vec<Booking>), String>;
    /// Replace the bookings if their version is still `expected`
    /// (`campaigns.replace-bookings`): false when another replacement came first.
    ///
    /// # Errors
    /// Why the campaigns could not be written.
    fn replace_bookings(
        &mut self,
        campaign: &str,
        platform: &str,
        expected: u64,
        booked: &[Booking],
    ) -> Result<bool, String>;
    /// The scores recorded for `campaign` on `platform` (`campaigns.scores`): each post's
    /// hour-of-week bucket (0-167) and score.
    ///
    /// # Errors
    /// Why the campaigns could not be read.
    fn campaign_scores(&mut self, campaign: &str, platform: &str)
        -> Result<Vec<(u8, f64)>, String>;
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
    /// Read an operator setting (`wasi:config/store.get`): `None` when not set.
    ///
    /// # Errors
    /// A description of why the store could not be read.
    fn setting(&mut self, key: &str) -> Result<Option<String>, String>;
    /// The current time (UTC; may carry a fraction of a second).
    fn now(&mut self) -> DateTime<Utc>;
    /// A new random reference: a UUID v4 in lowercase hyphenated form.
    fn new_uuid(&mut self) -> String;
}
