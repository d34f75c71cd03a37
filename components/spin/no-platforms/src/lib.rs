//! Spin glue component (world `sps:spin/no-platforms`): the end of the platforms chain
//! (see `sps-spin-platform-link`). It supports no platform; the links before it name the
//! loaded ones in their messages.

#[cfg(target_arch = "wasm32")]
mod bindings {
    wit_bindgen::generate!({
        path: ["../../../wit", "../wit"],
        world: "sps:spin/no-platforms",
        generate_all,
    });

    use exports::sps::social::platforms;
    use sps::social::types;

    struct Component;

    fn unsupported(name: &str) -> String {
        sps_contract::platforms::unsupported(name, &[])
    }

    impl platforms::Guest for Component {
        fn supported() -> Vec<String> {
            Vec::new()
        }

        fn validate(name: String, _post: types::Post) -> Result<(), types::MessageError> {
            Err(types::MessageError {
                code: sps_contract::platforms::UNSUPPORTED_PLATFORM.to_string(),
                message: unsupported(&name),
                part: None,
            })
        }

        fn lengths(
            name: String,
            _post: types::Post,
        ) -> Result<Vec<types::PartLength>, types::MessageError> {
            Err(types::MessageError {
                code: sps_contract::platforms::UNSUPPORTED_PLATFORM.to_string(),
                message: unsupported(&name),
                part: None,
            })
        }

        fn idempotent(_name: String) -> bool {
            false
        }

        fn publish(
            name: String,
            _post: types::Post,
            _part: u32,
            _earlier: Vec<types::PublishedPart>,
        ) -> Result<types::PublishedPart, types::PublishError> {
            Err(types::PublishError::Invalid(unsupported(&name)))
        }

        fn metrics(
            name: String,
            _account: String,
            _post_id: String,
        ) -> Result<Option<types::Engagement>, types::PublishError> {
            Err(types::PublishError::Invalid(unsupported(&name)))
        }
    }

    export!(Component);
}
