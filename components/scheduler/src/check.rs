//! The live check behind `POST /validate` (WIT `scheduling.check-post`): what
//! [`crate::schedule_post`] would answer to a request, and every part's length by the
//! platform's own count, without scheduling, booking or publishing anything.

use sps_contract::input::DEFAULT_ACCOUNT;

use crate::flow;
use crate::request::{self, field};
use crate::{Capabilities, PartLength, Problem, Rejection};

/// What scheduling would answer to one request (WIT `scheduling.check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The rejection [`crate::schedule_post`] would give (`reference_number` always
    /// `None`: nothing is reported), or `None` when the request would be scheduled. A
    /// campaign's free slot is not looked for, so `campaign-full` is not foreseen.
    pub rejection: Option<Rejection>,
    /// Each part's length and the platform's limit, in order (message first); empty when
    /// the message, platform, thread or account is missing or wrong, or the platform
    /// cannot say (its reason is then the rejection's).
    pub lengths: Vec<PartLength>,
}

/// Check `event` (the JSON text [`crate::schedule_post`] takes) with the same checks in
/// the same order, then measure its parts with `platforms.lengths`. Never fails: a
/// capability that fails shows as the rejection it causes.
pub fn check_post<C: Capabilities + ?Sized>(caps: &mut C, event: &str) -> Check {
    let request = match request::parse_event(event) {
        Ok(request) => request,
        Err(problem) => {
            return Check {
                rejection: Some(unreported(problem)),
                lengths: Vec::new(),
            }
        }
    };
    let reference_problem = request.reference().err();
    let rejection = flow::check(caps, &request, reference_problem)
        .err()
        .map(unreported);
    let lengths = (|| {
        let message = request.required_string(field::MESSAGE).ok()?;
        let platform = request.required_string(field::PLATFORM).ok()?;
        flow::check_platform(caps, platform).ok()?;
        let thread = request.thread().ok()?;
        let account = request.account().ok()?;
        let parts: Vec<String> = std::iter::once(message.to_owned()).chain(thread).collect();
        caps.part_lengths(platform, &parts, account.unwrap_or(DEFAULT_ACCOUNT))
            .ok()
    })()
    .unwrap_or_default();
    Check { rejection, lengths }
}

/// A problem as a rejection that names no reference (nothing was reported).
fn unreported(problem: Problem) -> Rejection {
    Rejection {
        code: problem.code,
        message: problem.message,
        reference_number: None,
    }
}
