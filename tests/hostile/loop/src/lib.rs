//! A hostile platform component: `publish` spins forever without calling the host, so
//! only the host's guest time limit (the epoch deadline) can end it.

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
        let mut spins: u64 = 0;
        loop {
            spins = std::hint::black_box(spins.wrapping_add(1));
        }
    }
}

bindings::export!(Component with_types_in bindings);
