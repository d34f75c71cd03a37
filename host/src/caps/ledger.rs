//! `sps:social/ledger`: the send ledger that keeps a schedule delivered more than once
//! from posting a part of a thread twice. It records each published part of a post, so a
//! later delivery continues after the last one.

use async_trait::async_trait;

use crate::bindings::ledger::{CancelOutcome, Entry, Host, LedgerError};
use crate::bindings::types::PublishedPart;
use crate::runtime::Ctx;

/// A durable map from send key to its state and the parts of its post published so far.
///
/// A key is absent (nothing recorded), `in-flight` (a delivery holds the claim since a
/// moment in Unix seconds, UTC), `sent` (every part published), released (no claim, but
/// the parts recorded before the release kept), or `cancelled` (a `Cancel Social Post`
/// won it before any delivery). Beside the keys, it notes which key each schedule name
/// was last scheduled as, so a cancel can find a post whose schedule is gone. Every method returns
/// [`LedgerError::Unavailable`] with a sentence when the backend fails or refuses, and
/// never panics.
#[async_trait]
pub trait LedgerBackend: Send + Sync {
    /// Claims `key`, or reports its recorded state. Absent or released, the key becomes
    /// `in-flight` (claimed now) and the answer is [`Entry::Claimed`] with the parts
    /// recorded before, in order (empty for a post not yet begun); `in-flight` answers
    /// [`Entry::InFlight`] (the claim's moment and parts), `sent` answers [`Entry::Sent`]
    /// (the parts). Atomic: of two concurrent claims of a key exactly one gets
    /// [`Entry::Claimed`]. A `sent` record of the version before parts (one post id) reads
    /// as one part with that id, no URL and no reply reference.
    async fn claim(&self, key: &str) -> Result<Entry, LedgerError>;
    /// Records that part `index` (0 the post, k its k-th reply) of the post of `key` was
    /// published as `part`, keeping the claim. `index` must be the number of parts
    /// recorded before and `key` must be `in-flight`; recording the same part at the same
    /// index again (a retried call) succeeds and changes nothing. Anything else (a gap, a
    /// different part at `index`, no claim) is refused as `Unavailable`.
    async fn record_part(
        &self,
        key: &str,
        index: u32,
        part: &PublishedPart,
    ) -> Result<(), LedgerError>;
    /// Records that every part of the post of `key` was published: the state becomes
    /// `sent` with the parts recorded so far. Idempotent.
    async fn record_sent(&self, key: &str) -> Result<(), LedgerError>;
    /// Drops an `in-flight` claim on `key` after a failure that proves the next part was
    /// not published; the recorded parts stay for the next claim. A `sent` record, a
    /// released key or an absent key is left as it is.
    async fn release(&self, key: &str) -> Result<(), LedgerError>;
    /// Cancels the post of `key` unless a delivery claimed it (`in-flight`:
    /// [`CancelOutcome::InFlight`]) or sent it ([`CancelOutcome::Sent`]). Absent or
    /// released, the key becomes `cancelled` ([`CancelOutcome::Cancelled`]) and every later
    /// [`LedgerBackend::claim`] answers [`Entry::Cancelled`]; `cancelled` already answers
    /// [`CancelOutcome::AlreadyCancelled`]. Atomic with `claim`: of a cancel and a claim
    /// racing for a key exactly one wins.
    async fn cancel(&self, key: &str) -> Result<CancelOutcome, LedgerError>;
    /// Notes that the post named `name` (a schedule name) is now the post of `key`, and
    /// drops a `cancelled` state of `key` (anything else of `key` stays). Idempotent.
    async fn note_scheduled(&self, name: &str, key: &str) -> Result<(), LedgerError>;
    /// The key last noted for `name` by [`LedgerBackend::note_scheduled`].
    async fn scheduled_key(&self, name: &str) -> Result<Option<String>, LedgerError>;
    /// The parts of `key` when it is `sent` (as [`Entry::Sent`] holds them), else `None`.
    /// Reads only.
    async fn sent_parts(&self, key: &str) -> Result<Option<Vec<PublishedPart>>, LedgerError>;
}

impl Host for Ctx {
    async fn claim(&mut self, key: String) -> Result<Entry, LedgerError> {
        self.backends.ledger.claim(&key).await
    }

    async fn record_part(
        &mut self,
        key: String,
        index: u32,
        part: PublishedPart,
    ) -> Result<(), LedgerError> {
        self.backends.ledger.record_part(&key, index, &part).await
    }

    async fn record_sent(&mut self, key: String) -> Result<(), LedgerError> {
        self.backends.ledger.record_sent(&key).await
    }

    async fn release(&mut self, key: String) -> Result<(), LedgerError> {
        self.backends.ledger.release(&key).await
    }

    async fn cancel(&mut self, key: String) -> Result<CancelOutcome, LedgerError> {
        self.backends.ledger.cancel(&key).await
    }

    async fn note_scheduled(&mut self, name: String, key: String) -> Result<(), LedgerError> {
        self.backends.ledger.note_scheduled(&name, &key).await
    }

    async fn scheduled_key(&mut self, name: String) -> Result<Option<String>, LedgerError> {
        self.backends.ledger.scheduled_key(&name).await
    }

    async fn sent_parts(&mut self, key: String) -> Result<Option<Vec<PublishedPart>>, LedgerError> {
        self.backends.ledger.sent_parts(&key).await
    }
}
