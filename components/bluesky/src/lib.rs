//! The `bluesky` platform component of Social Post Scheduler: Bluesky's rules and the AT
//! Protocol's record API behind the WIT interface `sps:social/platform` (world
//! `platform-component`), as the [`Bluesky`] [`Platform`].
//!
//! - [`rules`]: `validate`, every part against `app.bsky.feed.post`'s limits (300 grapheme
//!   clusters, 3000 UTF-8 bytes, not blank);
//! - [`facets`]: links, mentions and hashtags of a text as `app.bsky.richtext.facet` spans
//!   with UTF-8 byte offsets (docs.bsky.app "Links, mentions, and rich text");
//! - [`tid`]: record keys (TIDs, atproto.com/specs/tid), the same for every attempt at one
//!   part, pinned in the key-value store;
//! - [`request`]: the settings (`base_url`, `identifier`, `app_password`) and the XRPC
//!   requests (`createSession`, `refreshSession`, `createRecord`, `getRecord`,
//!   `resolveHandle`), with [`record`] the JSON of a post;
//! - [`session`]: one session per account, kept in the key-value store and refreshed,
//!   never one `createSession` per post;
//! - [`answer`]: the PDS's answers mapped to a published part or a `publish-error`;
//! - [`publish`]: `publish` over the shared [`sps_platform::Capabilities`], resolving an
//!   ambiguous `createRecord` with `getRecord` of the pinned record key;
//! - [`metrics`]: a post's likes, reposts and replies (`app.bsky.feed.getPosts`).
//!
//! The types, the capabilities and the WASI glue (`bindings`, wasm32 only) come from
//! [`sps_platform`]. No rules live there.

use sps_platform::{
    Capabilities, Engagement, PartLength, Platform, Post, PostError, PublishError, PublishedPart,
};

pub mod answer;
pub mod facets;
pub mod metrics;
pub mod publish;
pub mod record;
pub mod request;
pub mod rules;
pub mod session;
pub mod tid;

#[cfg(target_arch = "wasm32")]
mod bindings;
#[cfg(test)]
mod fake;

/// The Bluesky platform: [`rules`] and [`publish`], with the standard HTTP timeouts.
pub struct Bluesky;

impl Platform for Bluesky {
    /// Every part against `app.bsky.feed.post`'s limits ([`rules::validate`]); no setting
    /// and no network is needed.
    fn validate(post: &Post, _caps: &mut impl Capabilities) -> Result<(), PostError> {
        rules::validate(post)
    }

    /// Every part in grapheme clusters against 300 ([`rules::MAX_GRAPHEMES`]).
    fn lengths(post: &Post, _caps: &mut impl Capabilities) -> Result<Vec<PartLength>, PostError> {
        let limit = u64::try_from(rules::MAX_GRAPHEMES).unwrap_or(u64::MAX);
        Ok(PartLength::of_parts(post, limit, |text| {
            u64::try_from(rules::graphemes(text)).unwrap_or(u64::MAX)
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

    /// Each part's record key is fixed before its first `createRecord` ([`tid::pinned`]):
    /// a repeated part either creates that record or finds it (`getRecord`), never a
    /// second post.
    fn idempotent() -> bool {
        true
    }

    /// The post view's counts ([`metrics`]).
    fn metrics(
        account: &str,
        post_id: &str,
        caps: &mut impl Capabilities,
    ) -> Result<Option<Engagement>, PublishError> {
        metrics::metrics(caps, account, post_id).map(Some)
    }
}
