//! A hostile sender component: `send-post` traps (wasm `unreachable`) on every delivery,
//! before it claims or publishes anything; `report-undelivered` works, publishing
//! `Social Post Failed` as the real sender does, so a test sees the host report the dead
//! letter.

mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit",
        world: "sps:social/sender",
        generate_all,
    });
}

use bindings::exports::sps::social::sending::{
    Delivered, Delivery, FailureReport, Guest, SendFailure,
};
use bindings::sps::social::events;

struct Component;

/// The `referenceNumber` of a target input, found by hand (no JSON crate in this test
/// component): the text between `"referenceNumber":"` and the next `"`.
fn reference(input: &str) -> Option<String> {
    let rest = input.split_once("\"referenceNumber\":\"")?.1;
    Some(rest.split_once('"')?.0.to_string())
}

impl Guest for Component {
    fn send_post(_input: String, _delivery: Delivery) -> Result<Delivered, SendFailure> {
        core::arch::wasm32::unreachable()
    }

    fn report_undelivered(
        input: String,
        code: String,
        message: String,
    ) -> Result<FailureReport, String> {
        let reference = reference(&input).ok_or("the input carries no reference")?;
        let escaped = message.replace('\\', "\\\\").replace('"', "\\\"");
        let detail = format!(
            "{{\"referenceNumber\":\"{reference}\",\"reason\":\"{code}\",\"reasonMessage\":\"{escaped}\",\"retryable\":false,\"stage\":\"sending\"}}"
        );
        events::publish("Social Post Failed", "SocialPostSender", &detail)
            .map_err(|e| format!("{e:?}"))?;
        Ok(FailureReport {
            reference_number: Some(reference),
            code,
            message,
            retryable: false,
        })
    }
}

bindings::export!(Component with_types_in bindings);
