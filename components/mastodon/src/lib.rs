//! The `mastodon` platform component of Social Post Scheduler: Mastodon's rules and
//! statuses API behind the WIT interface `sps:social/platform` (world
//! `platform-component`), as the [`Mastodon`] [`Platform`].
//!
//! - [`length`]: how long a status is for Mastodon (`StatusLengthValidator`: URLs count
//!   `characters_reserved_per_url`, `@user@domain` counts as `@user`, the rest in grapheme
//!   clusters) and which texts may be posted;
//! - [`rules`]: `validate`, every part of a post against the instance's limits (the
//!   settings `max_characters`, `characters_reserved_per_url`);
//! - [`instance`]: where those limits come from: the settings, else the instance's
//!   `GET /api/v2/instance`, cached a day in the account's key-value store;
//! - [`request`]: the settings (`base_url`, `access_token`) and the
//!   `POST /api/v1/statuses` request with its `Idempotency-Key`;
//! - [`answer`]: the instance's answers mapped to a published part or a `publish-error`
//!   (Mastodon has no duplicate-content refusal and no usage cap);
//! - [`publish`]: `publish` over the shared [`sps_platform::Capabilities`];
//! - [`metrics`]: a status's likes, reblogs and replies (`GET /api/v1/statuses/{id}`).
//!
//! The types, the capabilities and the WASI glue (`bindings`, wasm32 only: settings from
//! wasi:config/store, the request over wasi:http) come from [`sps_platform`]. No rules
//! live there.

use sps_platform::{
    Capabilities, Engagement, PartLength, Platform, Post, PostError, PublishError, PublishedPart,
};

pub mod answer;
pub mod instance;
pub mod length;
pub mod metrics;
pub mod publish;
pub mod request;
pub mod rules;

#[cfg(target_arch = "wasm32")]
mod bindings;

/// The Mastodon platform: [`rules`] and [`publish`], with the standard HTTP timeouts.
pub struct Mastodon;

impl Platform for Mastodon {
    /// Every part against the instance's limits: the settings', else the instance's own,
    /// cached for a day ([`instance::limits`], [`rules::validate`]).
    fn validate(post: &Post, caps: &mut impl Capabilities) -> Result<(), PostError> {
        let limits = instance::limits(caps)?;
        rules::validate(post, &limits)
    }

    /// Every part by [`length::countable_length`] against the instance's
    /// `max_characters` (the limits as [`Self::validate`] reads them).
    fn lengths(post: &Post, caps: &mut impl Capabilities) -> Result<Vec<PartLength>, PostError> {
        let limits = instance::limits(caps)?;
        Ok(PartLength::of_parts(post, limits.max_characters, |text| {
            length::countable_length(text, limits.characters_reserved_per_url)
        }))
    }

    fn publish(
        post: &Post,
        part: u32,
        earlier: &[PublishedPart],
        caps: &mut impl Capabilities,
    ) -> Result<PublishedPart, PublishError> {
        publish::publish(caps, post, part, earlier)
    }

    /// Mastodon keeps each `Idempotency-Key` for up to an hour and answers a repeated one
    /// with the status it created (docs.joinmastodon.org "methods/statuses").
    fn idempotent() -> bool {
        true
    }

    /// The status's counts ([`metrics`]).
    fn metrics(
        account: &str,
        post_id: &str,
        caps: &mut impl Capabilities,
    ) -> Result<Option<Engagement>, PublishError> {
        metrics::metrics(caps, account, post_id).map(Some)
    }
}
