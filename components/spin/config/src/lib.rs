//! Spin glue component (world `sps:spin/config-filter`): the `wasi:config/store` a nested
//! component sees, holding only the keys named by its `scope` import (fixed when the app
//! is composed). Spin makes every variable of a Spin component visible to all of it; this
//! keeps the X credentials from the scheduler, as the host does with one Store per
//! component. Values are passed through, never logged.

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
            if !super::in_scope(&sps::spin::scope::names(), &key) {
                return Ok(None);
            }
            host::get(&key).map_err(error)
        }

        fn get_all() -> Result<Vec<(String, String)>, exported::Error> {
            let mut all = Vec::new();
            for key in sps::spin::scope::names() {
                if let Some(value) = host::get(&key).map_err(error)? {
                    all.push((key, value));
                }
            }
            Ok(all)
        }
    }

    export!(Component);
}

/// Whether `key` is one of the scope's `names` (exact, case-sensitive).
pub fn in_scope(names: &[String], key: &str) -> bool {
    names.iter().any(|n| n == key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_named_keys_are_in_scope() {
        let names = vec!["x_api_key".to_string()];
        assert!(super::in_scope(&names, "x_api_key"));
        assert!(!super::in_scope(&names, "X_API_KEY"));
        assert!(!super::in_scope(&names, "flexible_window_minutes"));
    }
}
