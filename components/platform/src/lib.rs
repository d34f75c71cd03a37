//! What every platform component of Social Post Scheduler needs, kept once, so that a
//! platform component holds only its own rules (a new platform is one folder under
//! `components/` with its rules and a one-line `bindings.rs`):
//!
//! - [`types`]: plain mirrors of the WIT types of `sps:social/types` ([`Post`],
//!   [`PublishedPart`], [`PostError`], [`PublishError`], [`Engagement`]), so rules are written and tested
//!   natively;
//! - [`Platform`]: what a platform component implements (`validate`, `publish`,
//!   `idempotent`, `metrics`, its HTTP [`Timeouts`]), and [`Capabilities`], the outside world
//!   `publish` reaches (settings, clock, nonce, HTTP), faked in tests;
//! - [`http`]: plain request and response types, the cases of wasi:http's `error-code`
//!   with the one decision that matters for exactly-once posting (could the request have
//!   been sent?), and the time limits of one exchange;
//! - small steps every `publish` takes: [`read_setting`], [`checked_base_url`], [`redact`],
//!   [`thread::part_to_publish`] (platforms with threads), [`nonce_from_random`];
//! - in the component (wasm32 only): [`export_platform!`], the whole WASI glue expanded
//!   in the component's `bindings.rs` (`wit_bindgen::generate!` of the world
//!   `sps:social/platform-component`, the `Guest` implementation with its conversions,
//!   the [`Capabilities`] over wasi:config/store, the WASI clock, wasi:random and
//!   wasi:http), and `wasi`, the exchange over wasi:http through `wstd`.

mod base_url;
mod component;
pub mod http;
mod nonce;
mod platform;
pub mod thread;
pub mod types;
#[cfg(target_arch = "wasm32")]
pub mod wasi;

pub use base_url::{checked_base_url, SETTING_BASE_URL};
pub use http::{HttpErrorCode, HttpRequest, HttpResponse, SendPhase, Timeouts, TransportError};
pub use nonce::{nonce_from_random, NONCE_LENGTH};
pub use platform::{
    check_idempotency_key, read_setting, redact, shorten, Capabilities, Platform,
    MAX_ERROR_TEXT_CHARS, NO_KEY_VALUE_STORE,
};
pub use types::{Engagement, PartLength, Post, PostError, PublishError, PublishedPart};

/// What [`export_platform!`] expands to needs from this crate's dependencies; not part of
/// the API.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;
}
