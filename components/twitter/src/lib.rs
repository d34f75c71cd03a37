//! The `twitter` platform component of Social Post Scheduler: X's rules and API behind the
//! WIT interface `sps:social/platform` (world `platform-component`), as the [`Twitter`]
//! [`Platform`].
//!
//! - [`weighted`]: X's weighted length (twitter-text config v3) and invalid characters of
//!   one text;
//! - [`oauth`]: OAuth 1.0a HMAC-SHA1 request signing (docs.x.com "Creating a signature");
//! - [`x_api`]: `validate` (every part of a post, by [`weighted`]) and `publish` (one part
//!   of a thread: the signed `POST /2/tweets` request, a reply through
//!   `reply.in_reply_to_tweet_id`, and the mapping of X's answers to a published part or a
//!   `publish-error`, over the shared [`sps_platform::Capabilities`]), and `metrics` (a
//!   post's `public_metrics`, [`x_api::metrics`]).
//!
//! The types, the capabilities and the WASI glue (`bindings`, wasm32 only: settings from
//! wasi:config/store, time and randomness from WASI, the request over wasi:http) come
//! from [`sps_platform`]. No rules live there.

use sps_platform::{
    Capabilities, Engagement, PartLength, Platform, Post, PostError, PublishError, PublishedPart,
};

pub mod oauth;
pub mod weighted;
pub mod x_api;

#[cfg(target_arch = "wasm32")]
mod bindings;

/// The X platform (named `twitter`): [`x_api`], with the standard HTTP timeouts.
pub struct Twitter;

impl Platform for Twitter {
    /// Every part by X's weighted length ([`x_api::validate`]); no setting is read.
    fn validate(post: &Post, _caps: &mut impl Capabilities) -> Result<(), PostError> {
        x_api::validate(post)
    }

    /// Every part's weighted length ([`weighted::weighted_length`]) against 280.
    fn lengths(post: &Post, _caps: &mut impl Capabilities) -> Result<Vec<PartLength>, PostError> {
        Ok(PartLength::of_parts(
            post,
            weighted::MAX_WEIGHTED_LENGTH,
            weighted::weighted_length,
        ))
    }

    fn publish(
        post: &Post,
        part: u32,
        earlier: &[PublishedPart],
        caps: &mut impl Capabilities,
    ) -> Result<PublishedPart, PublishError> {
        x_api::publish(caps, post, part, earlier)
    }

    /// X has no idempotency key: a repeated `POST /2/tweets` makes a second post
    /// (docs.x.com, "Manage Posts").
    fn idempotent() -> bool {
        false
    }

    /// The post's `public_metrics` ([`x_api::metrics`]).
    fn metrics(
        account: &str,
        post_id: &str,
        caps: &mut impl Capabilities,
    ) -> Result<Option<Engagement>, PublishError> {
        x_api::metrics::metrics(caps, account, post_id).map(Some)
    }
}
