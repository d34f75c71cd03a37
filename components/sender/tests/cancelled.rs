//! A delivery of a post that a `Cancel Social Post` won: the claim answers `cancelled`,
//! and nothing is published or reported (the cancel reported `Social Post Cancelled`).

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use sps_sender::{send_post, Entry};
use support::*;

#[test]
fn a_cancelled_post_is_neither_published_nor_reported() {
    let mut fake = Fake::new();
    fake.ledger.insert(key(), Entry::Cancelled);
    let result = send_post(&mut fake, &input(), FIRST);
    assert_eq!(
        result,
        Err(failed(
            "cancelled",
            "post \"testtweet\" on twitter was cancelled before this delivery; nothing was \
             published",
            false
        ))
    );
    assert_eq!(fake.calls, vec![Call::Claim(key())]);
    assert_eq!(fake.platform_calls(), 0);
    assert_eq!(fake.ledger.get(&key()), Some(&Entry::Cancelled));
}
