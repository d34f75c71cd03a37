//! A fake X API to post to while developing, the one the tests use: it verifies each
//! request's OAuth 1.0a signature with the `oauth1-request` crate and answers like
//! X's `POST /2/tweets` (201 with a new id; a reply through `reply.in_reply_to_tweet_id`
//! only to a post it created). It prints every request it receives, with the post it
//! replies to and the id it created.
//!
//! ```sh
//! cargo run -p sps --example fake-x            # prints: fake X API listening on http://127.0.0.1:PORT
//! # then, in another terminal, with that URL:
//! SPIN_VARIABLE_X_API_BASE_URL=http://127.0.0.1:PORT SPIN_VARIABLE_X_API_KEY=test-consumer-key \
//!   SPIN_VARIABLE_X_API_KEY_SECRET=test-consumer-secret SPIN_VARIABLE_X_ACCESS_TOKEN=test-access-token \
//!   SPIN_VARIABLE_X_ACCESS_TOKEN_SECRET=test-access-token-secret SPIN_VARIABLE_FLEXIBLE_WINDOW_MINUTES=0 spin up
//! ```
//!
//! The credentials it accepts are those of `tests/support/mod.rs` (`SECRETS_JSON`), printed
//! at start in the secrets file's form.

// Test support, built as an example: a failure panics, as in the tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Only the fake itself: the rest of tests/support is for the tests.
#[allow(dead_code)]
#[path = "support/fake_x.rs"]
mod fake_x;

use std::time::Duration;

fn main() {
    let x = fake_x::FakeX::start();
    println!("fake X API listening on {}", x.base_url);
    let credentials = serde_json::json!({
        "xApiKey": fake_x::CONSUMER_KEY, "xApiKeySecret": fake_x::CONSUMER_SECRET,
        "xAccessToken": fake_x::ACCESS_TOKEN, "xAccessTokenSecret": fake_x::ACCESS_TOKEN_SECRET,
    });
    println!("accepted credentials (the secrets file form): {credentials}");
    let mut seen = 0;
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let received = x.received();
        for request in received.iter().skip(seen) {
            println!(
                "POST /2/tweets: signature {}, text {:?}{}{}",
                if request.signature_valid {
                    "valid"
                } else {
                    "INVALID"
                },
                request.text.as_deref().unwrap_or_default(),
                request
                    .reply_to
                    .as_deref()
                    .map(|parent| format!(", in reply to {parent}"))
                    .unwrap_or_default(),
                request
                    .id
                    .as_deref()
                    .map(|id| format!(", created {id}"))
                    .unwrap_or_default()
            );
        }
        seen = received.len();
    }
}
