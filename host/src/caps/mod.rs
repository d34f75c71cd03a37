//! Capabilities the host supplies to components: one module per WIT interface, each
//! backed by a trait so that the AWS backend, the local (SQLite) backend and the
//! in-memory backend are interchangeable.

pub mod campaigns;
pub mod config;
pub mod events;
pub mod http;
pub mod keyvalue;
pub mod ledger;
pub mod platforms;
pub mod schedules;

use std::sync::Arc;

/// The backends behind the domain capabilities, shared by every Store of a process.
#[derive(Clone)]
pub struct Backends {
    /// `sps:social/schedules`.
    pub schedules: Arc<dyn schedules::ScheduleBackend>,
    /// `sps:social/events`.
    pub events: Arc<dyn events::EventBackend>,
    /// `sps:social/ledger`.
    pub ledger: Arc<dyn ledger::LedgerBackend>,
    /// `wasi:keyvalue/store` and `atomics` of platform components.
    pub keyvalue: Arc<dyn keyvalue::KeyValueBackend>,
    /// `sps:social/campaigns`.
    pub campaigns: Arc<dyn campaigns::CampaignBackend>,
}
