//! Host-side bindings generated from `wit/` for the three component worlds.
//!
//! The interfaces the worlds share (`sps:social/types`, `platforms`, `events`, `ledger`,
//! `wasi:config/store`) are generated once, in [`scheduler`], and reused by the other
//! two through `with`, so a `publish-error` is one Rust type everywhere.

// The generated items carry the WIT files' documentation where it exists; the rest are
// documented by the WIT itself.
#![allow(missing_docs)]

/// World `sps:social/scheduler`: imports config, platforms, schedules, events, ledger;
/// exports `scheduling`.
pub mod scheduler {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "sps:social/scheduler",
        imports: { default: async },
        exports: { default: async },
        additional_derives: [PartialEq],
    });
}

/// World `sps:social/sender`: imports platforms, events, ledger; exports `sending`.
pub mod sender {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "sps:social/sender",
        imports: { default: async },
        exports: { default: async },
        additional_derives: [PartialEq],
        with: {
            "sps:social/types": super::scheduler::sps::social::types,
            "sps:social/platforms": super::scheduler::sps::social::platforms,
            "sps:social/events": super::scheduler::sps::social::events,
            "sps:social/ledger": super::scheduler::sps::social::ledger,
            "sps:social/campaigns": super::scheduler::sps::social::campaigns,
        },
    });
}

/// World `sps:social/platform-component`: imports config, key-value (store, atomics) and,
/// outside the WIT world, `wasi:http/outgoing-handler`; exports `platform`.
pub mod platform {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "sps:social/platform-component",
        imports: { default: async },
        exports: { default: async },
        with: {
            "sps:social/types": super::scheduler::sps::social::types,
            "wasi:config/store": super::scheduler::wasi::config::store,
            "wasi:keyvalue/store.bucket": crate::caps::keyvalue::KvBucket,
            "wasi:keyvalue/atomics.cas": crate::caps::keyvalue::KvCas,
        },
    });
}

pub use platform::wasi::keyvalue::atomics as keyvalue_atomics;
pub use platform::wasi::keyvalue::store as keyvalue_store;
pub use platform::PlatformComponentPre;
pub use scheduler::exports::sps::social::scheduling;
pub use scheduler::sps::social::{campaigns, events, ledger, platforms, schedules, types};
pub use scheduler::wasi::config::store as config_store;
pub use scheduler::SchedulerPre;
pub use sender::exports::sps::social::sending;
pub use sender::SenderPre;
