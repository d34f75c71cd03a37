//! The local runtime behind `sps serve`: an embedded SQLite store, a timer that fires
//! due schedules inside their flexible time window, and a loopback HTTP API (with
//! EventBridge's PutEvents on `POST /`).

pub mod api;
pub mod campaigns;
mod campaigns_api;
pub mod event_target;
pub mod follow;
pub mod lock;
pub mod pages;
pub mod put_events;
pub mod secrets_file;
pub mod sigv4;
pub mod store;
pub mod timer;
pub mod web;
