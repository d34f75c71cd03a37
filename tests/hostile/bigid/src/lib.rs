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
use bindings::sps::social::types::{MessageError, PublishError};

/// The length of the post id, bytes.
const ID_BYTES: usize = 10_000_000;

struct Component;

impl Guest for Component {
    fn validate(_message: String) -> Result<(), MessageError> {
        Ok(())
    }

    fn publish(_message: String) -> Result<String, PublishError> {
        Ok("1".repeat(ID_BYTES))
    }
}

bindings::export!(Component with_types_in bindings);
