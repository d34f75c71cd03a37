//! A hostile scheduler component: `schedule-post`, `cancel-post` and `check-post` trap (wasm
//! `unreachable`) on every request, before they publish, schedule or cancel anything.

mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit",
        world: "sps:social/scheduler",
        generate_all,
    });
}

use bindings::exports::sps::social::scheduling::{
    Cancelled, Check, Guest, ScheduleFailure, Scheduled,
};

struct Component;

impl Guest for Component {
    fn schedule_post(_event: String) -> Result<Scheduled, ScheduleFailure> {
        core::arch::wasm32::unreachable()
    }

    fn cancel_post(_event: String) -> Result<Cancelled, ScheduleFailure> {
        core::arch::wasm32::unreachable()
    }

    fn check_post(_event: String) -> Check {
        core::arch::wasm32::unreachable()
    }
}

bindings::export!(Component with_types_in bindings);
