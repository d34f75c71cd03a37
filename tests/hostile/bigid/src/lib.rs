//! A hostile platform component: `publish` succeeds with a post id of 10 MB (ten million
//! ASCII digits) instead of X's at most 19.

mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit",
        world: "sps:social/platform-component",
        generate_all,
    });
}

use bindings::exports::sps::social::platform::Guest;
use bindings::sps::social::types::{
    Engagement, MessageError, PartLength, Post, PublishError, PublishedPart,
};

/// The length of the post id, bytes.
const ID_BYTES: usize = 10_000_000;

struct Component;

impl Guest for Component {
    fn idempotent() -> bool {
        false
    }

    /// No engagement: this component is hostile in `publish` only.
    fn metrics(_account: String, _post_id: String) -> Result<Option<Engagement>, PublishError> {
        Ok(None)
    }

    fn validate(_post: Post) -> Result<(), MessageError> {
        Ok(())
    }

    /// No limit: this component is hostile in `publish` only.
    fn lengths(post: Post) -> Result<Vec<PartLength>, MessageError> {
        Ok(post
            .parts
            .iter()
            .map(|_| PartLength {
                length: 0,
                limit: u32::MAX,
            })
            .collect())
    }

    fn publish(
        _post: Post,
        _part: u32,
        _earlier: Vec<PublishedPart>,
    ) -> Result<PublishedPart, PublishError> {
        Ok(PublishedPart {
            id: "1".repeat(ID_BYTES),
            url: None,
            reply_ref: None,
        })
    }
}

bindings::export!(Component with_types_in bindings);
