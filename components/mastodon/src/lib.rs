//! The `mastodon` platform component of Social Post Scheduler: Mastodon's rules and
//! statuses API behind the WIT interface `sps:social/platform` (world
//! `platform-component`).
//!
//! - [`length`]: how long a status is for Mastodon (`StatusLengthValidator`: URLs count
//!   `characters_reserved_per_url`, `@user@domain` counts as `@user`, the rest in grapheme
//!   clusters) and which texts may be posted;
//! - [`rules`]: `validate`, every part of a post against the instance's limits (the
//!   settings `max_characters`, `characters_reserved_per_url`);
//! - [`request`]: the settings (`base_url`, `access_token`) and the
//!   `POST /api/v1/statuses` request with its `Idempotency-Key`;
//! - [`answer`]: the instance's answers mapped to a published part or a `publish-error`;
//! - [`publish`]: `publish` over a [`publish::Capabilities`] trait (`idempotent()` is
//!   true: a repeated part with the same `Idempotency-Key` gives back the status created
//!   before, docs.joinmastodon.org "methods/statuses");
//! - [`types`]: plain mirrors of the WIT types.
//!
//! The WASI glue (`bindings`, wasm32 only) reads settings from wasi:config/store and sends
//! the request with wasi:http through `sps_platform_http::wasi`. No rules live there.

pub mod answer;
pub mod length;
pub mod publish;
pub mod request;
pub mod rules;
pub mod types;

#[cfg(target_arch = "wasm32")]
mod bindings;
