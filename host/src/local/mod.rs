//! The local runtime behind `sps serve`: an embedded SQLite store, a timer that fires
//! due schedules inside their flexible time window, and a loopback HTTP API.

pub mod api;
pub mod lock;
pub mod platform_env;
pub mod secrets_file;
pub mod store;
pub mod timer;
