//! Spin glue component (world `sps:spin/keyvalue-filter`): the `wasi:keyvalue/store` and
//! `atomics` (0.2.0-draft2) a nested platform component sees, over Spin's own. Every key it
//! reads or writes is prefixed with its scope's one name and a `/` (the composer gives each
//! platform `<platform>/default`, Spin serving the account `default` only), so platforms
//! never see each other's state, as the wasmtime host scopes it per platform and account.
//! `list-keys` lists the scope's keys only, without the prefix. Values pass through, never
//! logged.

#[cfg(target_arch = "wasm32")]
mod bindings {
    wit_bindgen::generate!({
        path: ["../../../wit", "../wit"],
        world: "sps:spin/keyvalue-filter",
        generate_all,
    });

    use std::cell::RefCell;

    use exports::wasi::keyvalue::atomics as ex_atomics;
    use exports::wasi::keyvalue::store as ex_store;
    use wasi::keyvalue::atomics as host_atomics;
    use wasi::keyvalue::store as host_store;

    struct Component;

    /// An open bucket of Spin's store and the scope's key prefix.
    pub struct Bucket {
        inner: host_store::Bucket,
        prefix: String,
    }

    impl Bucket {
        fn key(&self, key: &str) -> String {
            super::scoped_key(&self.prefix, key)
        }
    }

    /// A compare-and-swap handle of Spin's store (taken by `swap`).
    pub struct Cas {
        inner: RefCell<Option<host_atomics::Cas>>,
    }

    fn error(e: host_store::Error) -> ex_store::Error {
        match e {
            host_store::Error::NoSuchStore => ex_store::Error::NoSuchStore,
            host_store::Error::AccessDenied => ex_store::Error::AccessDenied,
            host_store::Error::Other(m) => ex_store::Error::Other(m),
        }
    }

    fn used() -> ex_store::Error {
        ex_store::Error::Other("this cas handle was already used".to_string())
    }

    impl ex_store::Guest for Component {
        type Bucket = Bucket;

        fn open(identifier: String) -> Result<ex_store::Bucket, ex_store::Error> {
            let names = sps::spin::scope::names();
            let Some(prefix) = super::prefix(&names) else {
                return Err(ex_store::Error::AccessDenied);
            };
            let inner = host_store::open(&identifier).map_err(error)?;
            Ok(ex_store::Bucket::new(Bucket { inner, prefix }))
        }
    }

    impl ex_store::GuestBucket for Bucket {
        fn get(&self, key: String) -> Result<Option<Vec<u8>>, ex_store::Error> {
            self.inner.get(&self.key(&key)).map_err(error)
        }

        fn set(&self, key: String, value: Vec<u8>) -> Result<(), ex_store::Error> {
            self.inner.set(&self.key(&key), &value).map_err(error)
        }

        fn delete(&self, key: String) -> Result<(), ex_store::Error> {
            self.inner.delete(&self.key(&key)).map_err(error)
        }

        fn exists(&self, key: String) -> Result<bool, ex_store::Error> {
            self.inner.exists(&self.key(&key)).map_err(error)
        }

        fn list_keys(
            &self,
            cursor: Option<String>,
        ) -> Result<ex_store::KeyResponse, ex_store::Error> {
            let page = self.inner.list_keys(cursor.as_deref()).map_err(error)?;
            Ok(ex_store::KeyResponse {
                keys: super::unscoped_keys(&self.prefix, page.keys),
                cursor: page.cursor,
            })
        }
    }

    impl ex_atomics::Guest for Component {
        type Cas = Cas;

        fn increment(
            bucket: ex_store::BucketBorrow<'_>,
            key: String,
            delta: i64,
        ) -> Result<i64, ex_store::Error> {
            let bucket: &Bucket = bucket.get();
            host_atomics::increment(&bucket.inner, &bucket.key(&key), delta).map_err(error)
        }

        fn swap(cas: ex_atomics::Cas, value: Vec<u8>) -> Result<(), ex_atomics::CasError> {
            let cas: Cas = cas.into_inner();
            let Some(inner) = cas.inner.into_inner() else {
                return Err(ex_atomics::CasError::StoreError(used()));
            };
            match host_atomics::swap(inner, &value) {
                Ok(()) => Ok(()),
                Err(host_atomics::CasError::CasFailed(fresh)) => {
                    Err(ex_atomics::CasError::CasFailed(ex_atomics::Cas::new(Cas {
                        inner: RefCell::new(Some(fresh)),
                    })))
                }
                Err(host_atomics::CasError::StoreError(e)) => {
                    Err(ex_atomics::CasError::StoreError(error(e)))
                }
            }
        }
    }

    impl ex_atomics::GuestCas for Cas {
        fn new(
            bucket: ex_store::BucketBorrow<'_>,
            key: String,
        ) -> Result<ex_atomics::Cas, ex_store::Error> {
            let bucket: &Bucket = bucket.get();
            let inner = host_atomics::Cas::new(&bucket.inner, &bucket.key(&key)).map_err(error)?;
            Ok(ex_atomics::Cas::new(Cas {
                inner: RefCell::new(Some(inner)),
            }))
        }

        fn current(&self) -> Result<Option<Vec<u8>>, ex_store::Error> {
            match self.inner.borrow().as_ref() {
                Some(inner) => inner.current().map_err(error),
                None => Err(used()),
            }
        }
    }

    export!(Component);
}

/// The key prefix of a scope: its one name and `/` (`twitter/default/`); `None` for a
/// scope without exactly one non-empty name.
pub fn prefix(names: &[String]) -> Option<String> {
    match names {
        [name] if !name.is_empty() => Some(format!("{name}/")),
        _ => None,
    }
}

/// `key` in the scope of `prefix`.
pub fn scoped_key(prefix: &str, key: &str) -> String {
    format!("{prefix}{key}")
}

/// The keys of `keys` in the scope of `prefix`, without it, in order.
pub fn unscoped_keys(prefix: &str, keys: Vec<String>) -> Vec<String> {
    keys.into_iter()
        .filter_map(|k| k.strip_prefix(prefix).map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_with_the_scope_and_listed_without_it() {
        let prefix = prefix(&["mastodon/default".to_string()]).unwrap();
        assert_eq!(
            scoped_key(&prefix, "instance-limits"),
            "mastodon/default/instance-limits"
        );
        let keys = vec![
            "bluesky/default/session".to_string(),
            "mastodon/default/instance-limits".to_string(),
            "mastodon/default2/x".to_string(),
        ];
        assert_eq!(unscoped_keys(&prefix, keys), ["instance-limits"]);
        assert_eq!(super::prefix(&[]), None);
        assert_eq!(super::prefix(&[String::new()]), None);
        assert_eq!(super::prefix(&["a".to_string(), "b".to_string()]), None);
    }
}
