//! The `linkedin` platform component of Social Post Scheduler: LinkedIn's rules and Posts
//! API behind the WIT interface `sps:social/platform` (world `platform-component`), as the
//! [`LinkedIn`] [`Platform`].
//!
//! - [`rules`]: `validate` — no threads (`thread-not-supported`), not empty
//!   (`empty-message`), at most 3,000 characters (`message-too-long`);
//! - [`little`]: the "little" text format of a post's `commentary` (reserved characters
//!   escaped, so the text is shown as written);
//! - [`request`]: the settings (`base_url`, `access_token`, `author`, `linkedin_version`)
//!   and the `POST /rest/posts` request;
//! - [`answer`]: LinkedIn's answers mapped to the post's URN or a `publish-error`
//!   (LinkedIn has no usage cap distinct from its rate limits, so `usage-capped` is never
//!   produced);
//! - [`publish`]: `publish` over the shared [`sps_platform::Capabilities`], sent once
//!   (`idempotent()` is false: the Posts API has no idempotency key).
//!
//! No `metrics`: a post's likes and comments come from LinkedIn's Social Actions API,
//! whose read permission (`r_member_social`) LinkedIn grants only to approved partners,
//! not to an app with `w_member_social`; the component keeps the default answer, no
//! engagement, and campaigns learn nothing from LinkedIn posts.
//!
//! The types, the capabilities and the WASI glue (`bindings`, wasm32 only: settings from
//! wasi:config/store, the time from the WASI clock, the request over wasi:http) come from
//! [`sps_platform`]. No rules live there.

use sps_platform::{
    Capabilities, PartLength, Platform, Post, PostError, PublishError, PublishedPart,
};

pub mod answer;
pub mod little;
pub mod publish;
pub mod request;
pub mod rules;

#[cfg(target_arch = "wasm32")]
mod bindings;

/// The LinkedIn platform: [`rules`] and [`publish`], with the standard HTTP timeouts.
pub struct LinkedIn;

impl Platform for LinkedIn {
    /// LinkedIn's fixed rules ([`rules::validate`]); no setting is read.
    fn validate(post: &Post, _caps: &mut impl Capabilities) -> Result<(), PostError> {
        rules::validate(post)
    }

    /// Every part in UTF-16 code units ([`rules::length`]) against 3,000.
    fn lengths(post: &Post, _caps: &mut impl Capabilities) -> Result<Vec<PartLength>, PostError> {
        let limit = u64::try_from(rules::MAX_LENGTH).unwrap_or(u64::MAX);
        Ok(PartLength::of_parts(post, limit, |text| {
            u64::try_from(rules::length(text)).unwrap_or(u64::MAX)
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

    /// [`publish::IDEMPOTENT`]: no.
    fn idempotent() -> bool {
        publish::IDEMPOTENT
    }
}
