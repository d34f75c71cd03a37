//! A hostile platform component: `publish` allocates (and writes) 1 MiB blocks without
//! end and keeps them all, so only the host's memory limit can end it.

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
        let mut blocks: Vec<Vec<u8>> = Vec::new();
        loop {
            blocks.push(vec![0xa5; 1 << 20]);
            std::hint::black_box(&blocks);
        }
    }
}

bindings::export!(Component with_types_in bindings);
