//! `wasi:keyvalue/store` and `wasi:keyvalue/atomics` @0.2.0-draft2 (the version Spin
//! implements): the state a platform component keeps between calls (a Bluesky session, a
//! Mastodon instance's limits). Only platform components import it, and each call sees
//! one scope, `<platform>/<account>`: the bucket `default` of one account of one platform.
//! Values are opaque bytes and are never logged.

use async_trait::async_trait;
use wasmtime::component::Resource;

use crate::bindings::keyvalue_atomics::{self, CasError};
use crate::bindings::keyvalue_store::{self, Error, KeyResponse};
use crate::runtime::Ctx;

/// The only bucket a platform component may open (the label Spin gives an app's store
/// when `key_value_stores = ["default"]`).
pub const BUCKET: &str = "default";

/// Keys listed per `list-keys` page.
pub const LIST_PAGE: usize = 100;

/// A `list-keys` answer of `keys` (at most [`LIST_PAGE`], in order): the keys, and the last
/// one as the cursor when the page is full (more may follow).
pub fn page(keys: Vec<String>) -> (Vec<String>, Option<String>) {
    let cursor = (keys.len() == LIST_PAGE)
        .then(|| keys.last().cloned())
        .flatten();
    (keys, cursor)
}

/// A durable map from (scope, key) to bytes. The scope is `<platform>/<account>`; keys are
/// the component's own. Every method fails with a sentence (never a value) when the
/// backend fails, and never panics.
#[async_trait]
pub trait KeyValueBackend: Send + Sync {
    /// The value of `key` in `scope`, or `None`.
    async fn get(&self, scope: &str, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
    /// Sets `key` in `scope` to `value`, replacing any value.
    async fn set(&self, scope: &str, key: &str, value: &[u8]) -> anyhow::Result<()>;
    /// Removes `key` from `scope`; an absent key is not an error.
    async fn delete(&self, scope: &str, key: &str) -> anyhow::Result<()>;
    /// Up to [`LIST_PAGE`] keys of `scope` in byte order, after `after` when given; the
    /// last key returned when more may follow.
    async fn list_keys(
        &self,
        scope: &str,
        after: Option<&str>,
    ) -> anyhow::Result<(Vec<String>, Option<String>)>;
    /// Sets `key` to `value` only if its value is still `expected` (`None`: absent).
    /// Returns whether it was set; atomic against every other write of the key.
    async fn swap(
        &self,
        scope: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> anyhow::Result<bool>;
}

/// `atomics.increment` over any backend: a compare-and-swap loop on the value as an
/// `s64` in 8 little-endian bytes (absent counts as 0). A value of another length is an
/// error.
async fn increment(
    backend: &dyn KeyValueBackend,
    scope: &str,
    key: &str,
    delta: i64,
) -> anyhow::Result<i64> {
    loop {
        let current = backend.get(scope, key).await?;
        let old = match current.as_deref() {
            None => 0,
            Some(bytes) => i64::from_le_bytes(
                <[u8; 8]>::try_from(bytes)
                    .map_err(|_| anyhow::anyhow!("the value of {key} is not an s64"))?,
            ),
        };
        let new = old.wrapping_add(delta);
        if backend
            .swap(scope, key, current.as_deref(), &new.to_le_bytes())
            .await?
        {
            return Ok(new);
        }
    }
}

/// An open bucket: the scope of the call that opened it.
pub struct KvBucket {
    scope: String,
}

/// A compare-and-swap handle: the key and its value when the handle was made.
pub struct KvCas {
    scope: String,
    key: String,
    current: Option<Vec<u8>>,
}

fn other(err: impl std::fmt::Display) -> Error {
    Error::Other(format!("key-value store: {err}"))
}

fn gone(err: impl std::fmt::Display) -> Error {
    Error::Other(format!("no such handle: {err}"))
}

impl Ctx {
    fn bucket_scope(&mut self, bucket: &Resource<KvBucket>) -> Result<String, Error> {
        self.table()
            .get(bucket)
            .map(|b| b.scope.clone())
            .map_err(gone)
    }
}

impl keyvalue_store::Host for Ctx {
    /// Opens [`BUCKET`] in the call's scope; any other name is `no-such-store`, and a
    /// call without a scope (not a platform call) is `access-denied`.
    async fn open(&mut self, identifier: String) -> Result<Resource<KvBucket>, Error> {
        let Some(scope) = self.kv_scope.clone() else {
            return Err(Error::AccessDenied);
        };
        if identifier != BUCKET {
            return Err(Error::NoSuchStore);
        }
        self.table().push(KvBucket { scope }).map_err(other)
    }
}

impl keyvalue_store::HostBucket for Ctx {
    async fn get(
        &mut self,
        bucket: Resource<KvBucket>,
        key: String,
    ) -> Result<Option<Vec<u8>>, Error> {
        let scope = self.bucket_scope(&bucket)?;
        self.backends
            .keyvalue
            .get(&scope, &key)
            .await
            .map_err(other)
    }

    async fn set(
        &mut self,
        bucket: Resource<KvBucket>,
        key: String,
        value: Vec<u8>,
    ) -> Result<(), Error> {
        let scope = self.bucket_scope(&bucket)?;
        self.backends
            .keyvalue
            .set(&scope, &key, &value)
            .await
            .map_err(other)
    }

    async fn delete(&mut self, bucket: Resource<KvBucket>, key: String) -> Result<(), Error> {
        let scope = self.bucket_scope(&bucket)?;
        self.backends
            .keyvalue
            .delete(&scope, &key)
            .await
            .map_err(other)
    }

    async fn exists(&mut self, bucket: Resource<KvBucket>, key: String) -> Result<bool, Error> {
        let scope = self.bucket_scope(&bucket)?;
        let value = self.backends.keyvalue.get(&scope, &key).await;
        value.map(|v| v.is_some()).map_err(other)
    }

    async fn list_keys(
        &mut self,
        bucket: Resource<KvBucket>,
        cursor: Option<String>,
    ) -> Result<KeyResponse, Error> {
        let scope = self.bucket_scope(&bucket)?;
        let (keys, cursor) = self
            .backends
            .keyvalue
            .list_keys(&scope, cursor.as_deref())
            .await
            .map_err(other)?;
        Ok(KeyResponse { keys, cursor })
    }

    async fn drop(&mut self, bucket: Resource<KvBucket>) -> wasmtime::Result<()> {
        self.table().delete(bucket)?;
        Ok(())
    }
}

impl keyvalue_atomics::Host for Ctx {
    async fn increment(
        &mut self,
        bucket: Resource<KvBucket>,
        key: String,
        delta: i64,
    ) -> Result<i64, Error> {
        let scope = self.bucket_scope(&bucket)?;
        increment(self.backends.keyvalue.as_ref(), &scope, &key, delta)
            .await
            .map_err(other)
    }

    /// Sets the key of `cas` to `value` if it still holds the value read when `cas` was
    /// made; `cas-failed` hands back a fresh handle with the value found.
    async fn swap(&mut self, cas: Resource<KvCas>, value: Vec<u8>) -> Result<(), CasError> {
        let cas = self
            .table()
            .delete(cas)
            .map_err(|e| CasError::StoreError(gone(e)))?;
        let swapped = self
            .backends
            .keyvalue
            .swap(&cas.scope, &cas.key, cas.current.as_deref(), &value)
            .await
            .map_err(|e| CasError::StoreError(other(e)))?;
        if swapped {
            return Ok(());
        }
        let current = self
            .backends
            .keyvalue
            .get(&cas.scope, &cas.key)
            .await
            .map_err(|e| CasError::StoreError(other(e)))?;
        let fresh = KvCas { current, ..cas };
        let fresh = self
            .table()
            .push(fresh)
            .map_err(|e| CasError::StoreError(other(e)))?;
        Err(CasError::CasFailed(fresh))
    }
}

impl keyvalue_atomics::HostCas for Ctx {
    async fn new(
        &mut self,
        bucket: Resource<KvBucket>,
        key: String,
    ) -> Result<Resource<KvCas>, Error> {
        let scope = self.bucket_scope(&bucket)?;
        let current = self
            .backends
            .keyvalue
            .get(&scope, &key)
            .await
            .map_err(other)?;
        self.table()
            .push(KvCas {
                scope,
                key,
                current,
            })
            .map_err(other)
    }

    async fn current(&mut self, cas: Resource<KvCas>) -> Result<Option<Vec<u8>>, Error> {
        self.table()
            .get(&cas)
            .map(|c| c.current.clone())
            .map_err(gone)
    }

    async fn drop(&mut self, cas: Resource<KvCas>) -> wasmtime::Result<()> {
        self.table().delete(cas)?;
        Ok(())
    }
}
