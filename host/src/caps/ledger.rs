//! `sps:social/ledger`: the send ledger that keeps a schedule delivered more than once
//! from posting twice.

use async_trait::async_trait;

use crate::bindings::ledger::{Entry, Host, LedgerError};
use crate::runtime::Ctx;

/// A durable map from send key to state (`in-flight` since a Unix time in seconds, or
/// `sent` with the post id). `claim` must be atomic: of two concurrent claims of a new
/// key exactly one gets [`Entry::Claimed`].
#[async_trait]
pub trait LedgerBackend: Send + Sync {
    /// Claim `key`, or report its recorded state.
    async fn claim(&self, key: &str) -> Result<Entry, LedgerError>;
    /// Record that `key` was published as `post_id`.
    async fn record_sent(&self, key: &str, post_id: &str) -> Result<(), LedgerError>;
    /// Forget an `in-flight` claim on `key` (a `sent` record stays).
    async fn release(&self, key: &str) -> Result<(), LedgerError>;
}

impl Host for Ctx {
    async fn claim(&mut self, key: String) -> Result<Entry, LedgerError> {
        self.backends.ledger.claim(&key).await
    }

    async fn record_sent(&mut self, key: String, post_id: String) -> Result<(), LedgerError> {
        self.backends.ledger.record_sent(&key, &post_id).await
    }

    async fn release(&mut self, key: String) -> Result<(), LedgerError> {
        self.backends.ledger.release(&key).await
    }
}
