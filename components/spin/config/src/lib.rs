//! Spin glue component (world `sps:spin/config-filter`): the `wasi:config/store` a nested
//! component sees, holding only the keys named by its `scope` import (fixed when the app
//! is composed). Spin makes every variable of a Spin component visible to all of it; this
//! keeps the X credentials from the scheduler, as the host does with one Store per
//! component. A scope entry is a key read from the Spin variable of the same name, or
//! `key=variable`: the key read from another variable, so two platform components that
//! both read `access_token` see `mastodon_access_token` and `linkedin_access_token`.
//! Values are passed through, never logged.

#[cfg(target_arch = "wasm32")]
mod bindings {
    wit_bindgen::generate!({
        path: ["../../../wit", "../wit"],
        world: "sps:spin/config-filter",
        generate_all,
    });

    use exports::wasi::config::store as exported;
    use wasi::config::store as host;

    struct Component;

    fn error(e: host::Error) -> exported::Error {
        match e {
            host::Error::Upstream(m) => exported::Error::Upstream(m),
            host::Error::Io(m) => exported::Error::Io(m),
        }
    }

    impl exported::Guest for Component {
        fn get(key: String) -> Result<Option<String>, exported::Error> {
            let names = sps::spin::scope::names();
            match super::variable_for(&names, &key) {
                Some(variable) => host::get(variable).map_err(error),
                None => Ok(None),
            }
        }

        fn get_all() -> Result<Vec<(String, String)>, exported::Error> {
            let mut all = Vec::new();
            for entry in sps::spin::scope::names() {
                let (key, variable) = super::entry(&entry);
                if let Some(value) = host::get(variable).map_err(error)? {
                    all.push((key.to_string(), value));
                }
            }
            Ok(all)
        }
    }

    export!(Component);
}

/// A scope entry as `(key, variable)`: `key=variable`, or a key read from the variable of
/// the same name.
pub fn entry(entry: &str) -> (&str, &str) {
    entry.split_once('=').unwrap_or((entry, entry))
}

/// The Spin variable behind `key` when it is in the scope `names` (exact, case-sensitive),
/// else `None`.
pub fn variable_for<'a>(names: &'a [String], key: &str) -> Option<&'a str> {
    names
        .iter()
        .map(|n| entry(n))
        .find(|(k, _)| *k == key)
        .map(|(_, variable)| variable)
}

#[cfg(test)]
mod tests {
    use super::variable_for;

    #[test]
    fn only_named_keys_are_in_scope() {
        let names = vec!["x_api_key".to_string()];
        assert_eq!(variable_for(&names, "x_api_key"), Some("x_api_key"));
        assert_eq!(variable_for(&names, "X_API_KEY"), None);
        assert_eq!(variable_for(&names, "flexible_window_minutes"), None);
    }

    #[test]
    fn a_key_may_read_a_variable_of_another_name() {
        let names = vec![
            "base_url=mastodon_base_url".to_string(),
            "access_token=mastodon_access_token".to_string(),
        ];
        assert_eq!(
            variable_for(&names, "access_token"),
            Some("mastodon_access_token")
        );
        assert_eq!(variable_for(&names, "base_url"), Some("mastodon_base_url"));
        assert_eq!(variable_for(&names, "mastodon_access_token"), None);
    }
}
