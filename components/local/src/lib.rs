//! The rules that the two local runtimes share, so that a change to one holds on both:
//! the host's `sps serve` (wasmtime, SQLite through rusqlite) and the Spin app
//! (`spin.toml`: the same components composed with Spin glue, SQLite through
//! `spin:sqlite`). AWS does not use it: there EventBridge Scheduler and Lambda apply
//! their own policies (template.yaml).
//!
//! - [`delivery`]: when a due schedule is delivered, which delivery is the final one, how
//!   failures are retried, and what happens to the schedule after each outcome.
//! - [`api`]: the status codes and JSON bodies of the local API (`POST /events` and the
//!   listings).
//! - [`put_events`]: EventBridge's PutEvents (`POST /` in the AWS JSON 1.1 protocol, and
//!   the same request on `POST /events`).
//! - [`schedules`]: the checks EventBridge Scheduler makes on a schedule's fields.
//! - [`campaigns`]: the shape of campaign plans and bookings, and `GET /campaigns/NAME`.
//! - [`schema`]: the SQLite tables of both local stores.
//! - [`records`]: the records the listings show (`GET /schedules`, `/events`,
//!   `/dead-letters`).
//!
//! It is a plain library, not a component, with no I/O: time and random numbers are passed
//! in, except for the clock and UUID of a new [`records::EventEnvelope`].

pub mod api;
pub mod campaigns;
pub mod delivery;
pub mod put_events;
pub mod records;
pub mod schedules;
pub mod schema;
