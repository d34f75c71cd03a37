//! The `twitter` platform component of Social Post Scheduler: X's rules and API behind the
//! WIT interface `sps:social/platform` (world `platform-component`).
//!
//! - [`weighted`]: X's weighted length (twitter-text config v3) and invalid characters of
//!   one text;
//! - [`oauth`]: OAuth 1.0a HMAC-SHA1 request signing (docs.x.com "Creating a signature");
//! - [`x_api`]: `validate` (every part of a post, by [`weighted`]) and `publish` (one part
//!   of a thread: the signed `POST /2/tweets` request, a reply through
//!   `reply.in_reply_to_tweet_id`, and the mapping of X's answers to a published part or a
//!   `publish-error`, over a [`x_api::Capabilities`] trait).
//!
//! The WASI glue (`bindings`, wasm32 only) reads settings from wasi:config/store, takes the
//! time and randomness from WASI and sends the request with wasi:http through `wstd`.

pub mod oauth;
pub mod weighted;
pub mod x_api;

#[cfg(target_arch = "wasm32")]
mod bindings;
