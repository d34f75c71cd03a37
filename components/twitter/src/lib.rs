//! The `twitter` platform component of Social Post Scheduler: X's rules and API behind the
//! WIT interface `sps:social/platform` (world `platform-component`).
//!
//! - [`weighted`]: `validate` — X's weighted length (twitter-text config v3) and invalid
//!   characters;
//! - [`oauth`]: OAuth 1.0a HMAC-SHA1 request signing (docs.x.com "Creating a signature");
//! - [`x_api`]: `publish` — the signed `POST /2/tweets` request and the mapping of X's
//!   answers to a post id or a `publish-error`, over a [`x_api::Capabilities`] trait.
//!
//! The WASI glue (`bindings`, wasm32 only) reads settings from wasi:config/store, takes the
//! time and randomness from WASI and sends the request with wasi:http through `wstd`.

pub mod oauth;
pub mod weighted;
pub mod x_api;

#[cfg(target_arch = "wasm32")]
mod bindings;
