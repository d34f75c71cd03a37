//! A hostile scheduler component: `schedule-post` traps (wasm `unreachable`) on every
//! request, before it publishes or schedules anything.

mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit",
        world: "sps:social/scheduler",
        generate_all,
    });
}

use bindings::exports::sps::social::scheduling::{Guest, ScheduleFailure, Scheduled};

struct Component;

impl Guest for Component {
    fn schedule_post(_event: String) -> Result<Scheduled, ScheduleFailure> {
        core::arch::wasm32::unreachable()
    }
}

bindings::export!(Component with_types_in bindings);
