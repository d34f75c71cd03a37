//! Spin glue component (world `sps:spin/platform-link`): `sps:social/platforms` for the
//! composed app. Each link serves the one platform its `scope` names through that
//! platform component's `platform` export, and passes every other name on to the next
//! link (`import platforms`); the chain ends in `sps-spin-no-platforms`. The composer
//! builds one link per platform component, so a new platform needs no code here.
//!
//! Answers match the host's `sps:social/platforms` (both use `sps_contract::platforms`):
//! an unknown platform gives `unsupported-platform` naming every loaded platform. Before it
//! calls its platform component, a link sets its platform and the post's account in that
//! component's filter (`sps:spin/account`), which then shows the component that account's
//! settings and state only.

#[cfg(target_arch = "wasm32")]
mod bindings {
    wit_bindgen::generate!({
        path: ["../../../wit", "../wit"],
        world: "sps:spin/platform-link",
        generate_all,
    });

    use exports::sps::social::platforms as exported;
    use sps::social::{platform, platforms as rest, types};
    use sps_contract::platforms::{unsupported, UNSUPPORTED_PLATFORM, UNSUPPORTED_PREFIX};

    struct Component;

    /// The platform this link serves.
    fn own() -> String {
        sps::spin::scope::names()
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    fn supported() -> Vec<String> {
        super::merge(own(), rest::supported())
    }

    impl exported::Guest for Component {
        fn supported() -> Vec<String> {
            supported()
        }

        fn validate(name: String, post: types::Post) -> Result<(), types::MessageError> {
            if name == own() {
                sps::spin::account::set(&name, &post.account);
                return platform::validate(&post);
            }
            rest::validate(&name, &post).map_err(|e| {
                if e.code == UNSUPPORTED_PLATFORM {
                    unsupported_message(&name)
                } else {
                    e
                }
            })
        }

        fn lengths(
            name: String,
            post: types::Post,
        ) -> Result<Vec<types::PartLength>, types::MessageError> {
            if name == own() {
                sps::spin::account::set(&name, &post.account);
                return platform::lengths(&post);
            }
            rest::lengths(&name, &post).map_err(|e| {
                if e.code == UNSUPPORTED_PLATFORM {
                    unsupported_message(&name)
                } else {
                    e
                }
            })
        }

        fn idempotent(name: String) -> bool {
            if name == own() {
                return platform::idempotent();
            }
            rest::idempotent(&name)
        }

        fn publish(
            name: String,
            post: types::Post,
            part: u32,
            earlier: Vec<types::PublishedPart>,
        ) -> Result<types::PublishedPart, types::PublishError> {
            if name == own() {
                // The filter gives the component this account's variables and state only;
                // an account without any gets none.
                sps::spin::account::set(&name, &post.account);
                return platform::publish(&post, part, &earlier);
            }
            rest::publish(&name, &post, part, &earlier).map_err(|e| named(&name, e))
        }

        fn metrics(
            name: String,
            account: String,
            post_id: String,
        ) -> Result<Option<types::Engagement>, types::PublishError> {
            if name == own() {
                sps::spin::account::set(&name, &account);
                return platform::metrics(&account, &post_id);
            }
            rest::metrics(&name, &account, &post_id).map_err(|e| named(&name, e))
        }
    }

    /// `unsupported-platform` for `name`, naming every platform the chain has.
    fn unsupported_message(name: &str) -> types::MessageError {
        types::MessageError {
            code: UNSUPPORTED_PLATFORM.to_string(),
            message: unsupported(name, &supported()),
            part: None,
        }
    }

    /// An `unsupported-platform` refusal from further down the chain, naming every
    /// platform the chain has.
    fn named(name: &str, error: types::PublishError) -> types::PublishError {
        match error {
            types::PublishError::Invalid(m) if m.starts_with(UNSUPPORTED_PREFIX) => {
                types::PublishError::Invalid(unsupported(name, &supported()))
            }
            other => other,
        }
    }

    export!(Component);
}

/// `own` added to the `rest`, sorted and without repeats (the `supported` answer).
pub fn merge(own: String, mut rest: Vec<String>) -> Vec<String> {
    rest.push(own);
    rest.sort();
    rest.dedup();
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_the_supported_platforms() {
        assert_eq!(
            merge("twitter".into(), vec!["mastodon".into()]),
            vec!["mastodon".to_string(), "twitter".to_string()]
        );
    }
}
