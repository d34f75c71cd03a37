//! The WASI glue of the filter (wasm32 only): `wasi:config/store`,
//! `wasi:keyvalue/store` and `atomics` over Spin's own, and `sps:spin/account`.

wit_bindgen::generate!({
    path: ["../../../wit", "../wit"],
    world: "sps:spin/config-filter",
    generate_all,
});

use std::cell::RefCell;

use exports::wasi::config::store as exported;
use exports::wasi::keyvalue::atomics as ex_atomics;
use exports::wasi::keyvalue::store as ex_store;
use wasi::config::store as host;
use wasi::keyvalue::atomics as host_atomics;
use wasi::keyvalue::store as host_store;

struct Component;

impl exports::sps::spin::account::Guest for Component {
    fn set(platform: String, account: String) {
        crate::set_context(&platform, &account);
    }
}

fn config_error(e: host::Error) -> exported::Error {
    match e {
        host::Error::Upstream(m) => exported::Error::Upstream(m),
        host::Error::Io(m) => exported::Error::Io(m),
    }
}

impl exported::Guest for Component {
    fn get(key: String) -> Result<Option<String>, exported::Error> {
        let names = sps::spin::scope::names();
        let account = crate::account();
        match crate::variable_for(&names, &account, &key) {
            Some(variable) => host::get(variable).map_err(config_error),
            None => Ok(None),
        }
    }

    fn get_all() -> Result<Vec<(String, String)>, exported::Error> {
        let account = crate::account();
        let mut all = Vec::new();
        for name in sps::spin::scope::names() {
            let Some(entry) = crate::entry(&name) else {
                continue;
            };
            if entry.account != account {
                continue;
            }
            if let Some(value) = host::get(entry.variable).map_err(config_error)? {
                all.push((entry.key.to_string(), value));
            }
        }
        Ok(all)
    }
}

/// An open bucket of Spin's store and the scope's key prefix.
pub struct Bucket {
    inner: host_store::Bucket,
    prefix: String,
}

impl Bucket {
    fn key(&self, key: &str) -> String {
        crate::scoped_key(&self.prefix, key)
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
        let Some(prefix) = crate::context_prefix() else {
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

    fn list_keys(&self, cursor: Option<String>) -> Result<ex_store::KeyResponse, ex_store::Error> {
        let page = self.inner.list_keys(cursor.as_deref()).map_err(error)?;
        Ok(ex_store::KeyResponse {
            keys: crate::unscoped_keys(&self.prefix, page.keys),
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
