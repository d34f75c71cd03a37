//! The user-facing event contract of Social Post Scheduler, shared by the scheduler and sender
//! components. It is a plain library, not a component.
//!
//! Event detail-types, sources and detail shapes are part of the user contract (DESIGN.md
//! section 1), and so is the schedule's target input, which the scheduler writes and the sender
//! reads. Keeping them here gives both components one definition:
//!
//! - [`events`]: the detail-types and sources, the detail objects (`Post Scheduled`,
//!   `Social Post Sent`, `Social Post Failed`), the capability error of `events.publish`, and
//!   [`events::to_json`].
//! - [`input`]: the schedule's target input, serialised by the scheduler and parsed by the
//!   sender.
//! - [`ledger`]: a post's send ledger key and its platform idempotency key.
//! - [`metrics`]: the input of a metrics reading, scheduled for each post of a campaign.
//! - [`platforms`]: the answer for a platform that is not loaded.
//! - [`time`]: moments in messages, RFC 3339 UTC.
//! - [`worlds`]: what each component world may import, checked by the hosts.

pub mod events;
pub mod input;
pub mod ledger;
pub mod metrics;
pub mod platforms;
pub mod time;
pub mod worlds;
