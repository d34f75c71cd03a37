//! The `linkedin` platform component of Social Post Scheduler: LinkedIn's rules and Posts
//! API behind the WIT interface `sps:social/platform` (world `platform-component`).
//!
//! - [`rules`]: `validate` — no threads (`thread-not-supported`), not empty
//!   (`empty-message`), at most 3,000 characters (`message-too-long`);
//! - [`little`]: the "little" text format of a post's `commentary` (reserved characters
//!   escaped, so the text is shown as written);
//! - [`request`]: the settings (`base_url`, `access_token`, `author`, `linkedin_version`)
//!   and the `POST /rest/posts` request;
//! - [`answer`]: LinkedIn's answers mapped to the post's URN or a `publish-error`;
//! - [`publish`]: `publish` over a [`publish::Capabilities`] trait, sent once
//!   (`idempotent()` is false: the Posts API has no idempotency key);
//! - [`types`]: plain mirrors of the WIT types.
//!
//! The WASI glue (`bindings`, wasm32 only) reads settings from wasi:config/store, takes
//! the time from the WASI clock and sends the request with wasi:http through
//! `sps_platform_http::wasi`. No rules live there.

pub mod answer;
pub mod little;
pub mod publish;
pub mod request;
pub mod rules;
pub mod types;

#[cfg(target_arch = "wasm32")]
mod bindings;
