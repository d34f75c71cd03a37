//! Social Post Scheduler host: loads the scheduler, sender and platform components
//! (wasm32-wasip2) into wasmtime and supplies their capabilities: schedules, events,
//! the send ledger, settings and secrets (`wasi:config/store`) and outbound HTTP.
//!
//! - [`runtime`]: engine, linker, component loading and the per-call Store.
//! - [`caps`]: one module per capability, each behind a backend trait.
//! - [`local`]: the `sps serve` runtime (SQLite store, timer, loopback HTTP API).
//! - [`cli`]: `sps schedule`, `sps list`, `sps cancel`, `sps events`: HTTP clients of a
//!   running `sps serve`.
//! - `aws`: the AWS backends (EventBridge Scheduler, EventBridge, Secrets Manager,
//!   DynamoDB, S3) and their settings; `lambda`: the two Lambda functions. Both only
//!   with the feature `aws` (on for `cargo lambda build` and the tests).
//! - [`memory`]: in-memory backends for tests and benchmarks.
//! - [`settings`]: configuration from the environment and flags; [`logging`]: the log output.

#[cfg(feature = "aws")]
pub mod aws;
pub mod bindings;
pub mod caps;
pub mod cli;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod local;
pub mod logging;
pub mod memory;
pub mod platform_env;
pub mod runtime;
pub mod secrets;
pub mod settings;
