//! One session per account, kept and renewed, never one `createSession` per post: the PDS
//! allows about 30 `createSession` per 5 minutes and 300 a day per account (docs.bsky.app
//! "Rate Limits"), so the session is kept in the key-value store (which the host scopes
//! to this platform and the account) under [`KV_KEY`] as
//! `{"accessJwt", "refreshJwt", "did", "handle"}` and reused by every delivery.
//!
//! - [`Sessions::session`]: the stored session when there is one for the configured
//!   identifier; else `com.atproto.server.createSession`, stored with
//!   `kv_swap(session, <what was there>, new)`;
//! - [`Sessions::renew`], when the PDS refuses the access token (an access token lasts
//!   about two hours): first the stored session if another delivery renewed it
//!   meanwhile; else `com.atproto.server.refreshSession` with the refresh token, stored
//!   with `kv_swap(session, Some(old), new)` (when the swap fails, another delivery
//!   stored one first, and that one is used); when the refresh token is refused too
//!   (400 `ExpiredToken` / `InvalidToken`, 401), a new `createSession`;
//! - when the key-value store fails, a `createSession` serves this call only;
//! - one delivery of an account at a time opens or refreshes its session: it first takes
//!   [`LOCK_KEY`] (its value the Unix second it was taken, taken with a compare-and-swap,
//!   released by writing `0` after the new session is stored, so the next holder reads
//!   it); a delivery that finds it taken less than [`LOCK_SECONDS`]
//!   ago asks nothing of the PDS and ends `transient` (nothing sent; its retry finds the
//!   session the other one stored), so posts due together never each call
//!   `createSession`. A lock older than that (its holder crashed) is taken over;
//! - a refresh token refused because another delivery used it first (a refresh token
//!   serves once) is followed by a look at the store: the session the other delivery
//!   stored is used.
//!
//! Messages never hold the app password or a token ([`Sessions::redact`]).

use std::fmt;

use serde::{Deserialize, Serialize};
use sps_platform::{redact, Capabilities, PublishError};

use crate::answer::{self, SessionAnswer};
use crate::request;

/// The key-value key of the account's session.
pub const KV_KEY: &str = "session";

/// The key-value key of the lock on opening or refreshing the session: the Unix second
/// it was taken, as decimal digits (`0`: free).
pub const LOCK_KEY: &str = "session-lock";

/// How long a lock holds, seconds: more than the platform call's time limit (7 s), so a
/// live holder keeps it; less than the sender's first retry (30 s), so the retry of a
/// crashed holder's waiter finds it free.
pub const LOCK_SECONDS: u64 = 20;

/// A session (`createSession` / `refreshSession` output, lexicons
/// `com.atproto.server.createSession` and `refreshSession`), as stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The access token (a JWT), the bearer of every other call.
    #[serde(rename = "accessJwt")]
    pub access_jwt: String,
    /// The refresh token (a JWT), the bearer of `refreshSession`.
    #[serde(rename = "refreshJwt")]
    pub refresh_jwt: String,
    /// The account's DID, the `repo` of its records.
    pub did: String,
    /// The account's handle, for the post's URL (`handle.invalid` when it does not
    /// verify).
    #[serde(default)]
    pub handle: String,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("did", &self.did)
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session from JSON (an answer or the stored value): `accessJwt`, `refreshJwt` and
    /// a `did:` non-empty; other fields ignored. `None` otherwise.
    pub fn from_answer(body: &[u8]) -> Option<Session> {
        let session: Session = serde_json::from_slice(body).ok()?;
        let usable = !session.access_jwt.is_empty()
            && !session.refresh_jwt.is_empty()
            && session.did.starts_with("did:");
        usable.then_some(session)
    }

    /// The stored form: `{"accessJwt","refreshJwt","did","handle"}`.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Whether this session is the account `identifier` names: its DID for a `did:`, its
    /// handle (case ignored, a leading `@` too) for a handle. An e-mail address (which
    /// `createSession` also takes) cannot be told, nor can a handle when the session's is
    /// unknown (empty or `handle.invalid`), so any session fits them: a session that never
    /// fits would cost a `createSession` per post.
    pub fn fits(&self, identifier: &str) -> bool {
        let id = identifier.trim().trim_start_matches('@');
        if id.starts_with("did:") {
            self.did == id
        } else if id.contains('@') || self.handle.is_empty() || self.handle == "handle.invalid" {
            true
        } else {
            self.handle.eq_ignore_ascii_case(id)
        }
    }
}

/// The account's settings: where and who.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account's name in the event (for messages).
    pub account: String,
    /// `{base_url}/xrpc/` ([`request::xrpc_base`]).
    pub xrpc: String,
    /// The setting `identifier`.
    pub identifier: String,
    /// The setting `app_password`.
    pub app_password: String,
}

/// What the key-value store holds under [`KV_KEY`], as far as this call knows.
#[derive(Clone, Debug)]
enum Stored {
    /// The store failed: the session serves this call only.
    Unavailable,
    /// The bytes last read or written (`None`: absent), the `expected` of the next swap.
    Holds(Option<Vec<u8>>),
}

/// The sessions of one `publish` call.
pub struct Sessions {
    creds: Credentials,
    current: Option<(Session, Stored)>,
    /// The app password and every token seen, for [`Sessions::redact`].
    secrets: Vec<String>,
}

impl Sessions {
    /// No session yet.
    pub fn new(creds: Credentials) -> Sessions {
        let secrets = vec![creds.app_password.clone()];
        Sessions {
            creds,
            current: None,
            secrets,
        }
    }

    /// The session in use, if one was opened.
    pub fn current(&self) -> Option<&Session> {
        self.current.as_ref().map(|(session, _)| session)
    }

    /// `{base_url}/xrpc/`.
    pub fn xrpc(&self) -> &str {
        &self.creds.xrpc
    }

    /// `message` without the app password or any token of this call.
    pub fn redact(&self, message: String) -> String {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        redact(message, &secrets)
    }

    /// Uses `session`, known to be stored as `stored`.
    fn remember(&mut self, session: Session, stored: Stored) {
        self.secrets.push(session.access_jwt.clone());
        self.secrets.push(session.refresh_jwt.clone());
        self.current = Some((session, stored));
    }

    /// A stored value as a session of the configured account.
    fn usable(&self, value: Option<&[u8]>) -> Option<Session> {
        value
            .and_then(Session::from_answer)
            .filter(|s| s.fits(&self.creds.identifier))
    }

    /// The session in use: this call's, the stored one, or a new one (module docs).
    ///
    /// # Errors
    /// From `createSession`: `auth` for a refused identifier or app password,
    /// `rate-limited`, `transient`, …
    pub fn session(&mut self, caps: &mut impl Capabilities) -> Result<Session, PublishError> {
        if let Some((session, _)) = &self.current {
            return Ok(session.clone());
        }
        match caps.kv_get(KV_KEY) {
            Err(_) => {
                let fresh = self.create(caps)?;
                self.keep(caps, Stored::Unavailable, fresh);
            }
            Ok(value) => match self.usable(value.as_deref()) {
                Some(stored) => self.remember(stored, Stored::Holds(value)),
                None => {
                    let lock = self.lock(caps)?;
                    // A delivery that held the lock before may have stored its session
                    // after the read above: read again under the lock.
                    let value = match caps.kv_get(KV_KEY) {
                        Ok(again) => again,
                        Err(_) => value,
                    };
                    if let Some(theirs) = self.usable(value.as_deref()) {
                        unlock(caps, lock, Ok(()))?;
                        self.remember(theirs, Stored::Holds(value));
                    } else {
                        // Stored before the lock is released: the next holder reads it
                        // instead of opening a second session.
                        let opened = self
                            .create(caps)
                            .map(|fresh| self.keep(caps, Stored::Holds(value), fresh));
                        unlock(caps, lock, opened)?;
                    }
                }
            },
        }
        self.current
            .as_ref()
            .map(|(s, _)| s.clone())
            .ok_or_else(|| PublishError::Transient("no Bluesky session".to_string()))
    }

    /// A new session in place of the refused one (module docs).
    ///
    /// # Errors
    /// As [`Sessions::session`], and from `refreshSession` (`rate-limited`, `transient`).
    pub fn renew(&mut self, caps: &mut impl Capabilities) -> Result<(), PublishError> {
        let Some((old, mut stored)) = self.current.take() else {
            return self.session(caps).map(|_| ());
        };
        if let Stored::Holds(known) = &stored {
            match caps.kv_get(KV_KEY) {
                Ok(value) if value != *known => {
                    if let Some(theirs) = self.usable(value.as_deref()) {
                        self.remember(theirs, Stored::Holds(value));
                        return Ok(());
                    }
                    stored = Stored::Holds(value);
                }
                Ok(_) => {}
                Err(_) => stored = Stored::Unavailable,
            }
        }
        let lock = match &stored {
            Stored::Holds(_) => match self.lock(caps) {
                Ok(lock) => lock,
                Err(e) => {
                    self.current = Some((old, stored));
                    return Err(e);
                }
            },
            Stored::Unavailable => None,
        };
        // The renewed session is stored before the lock is released (as in `session`).
        let renewed = match self.refresh_or_create(caps, &old, &mut stored) {
            Ok(Renewed::Fresh(fresh)) => {
                self.keep(caps, stored, fresh);
                Ok(())
            }
            Ok(Renewed::Theirs(theirs, value)) => {
                self.remember(theirs, Stored::Holds(value));
                Ok(())
            }
            Err(e) => {
                self.current = Some((old, stored));
                Err(e)
            }
        };
        unlock(caps, lock, renewed)
    }

    /// `refreshSession` with `old`'s refresh token; when it is refused, the session another
    /// delivery stored meanwhile (it used the token first), else `createSession`.
    fn refresh_or_create(
        &mut self,
        caps: &mut impl Capabilities,
        old: &Session,
        stored: &mut Stored,
    ) -> Result<Renewed, PublishError> {
        let outcome = match request::refresh_session(&self.creds.xrpc, &old.refresh_jwt) {
            Ok(request) => {
                let outcome = caps.send(&request);
                answer::session_answer(&outcome, caps.now_unix_seconds(), "refreshSession")
            }
            Err(e) => SessionAnswer::Refused(e.message().to_string()),
        };
        match outcome {
            SessionAnswer::Opened(fresh) => Ok(Renewed::Fresh(fresh)),
            SessionAnswer::Refused(_) => {
                if let Stored::Holds(known) = &*stored {
                    if let Ok(value) = caps.kv_get(KV_KEY) {
                        if value != *known {
                            if let Some(theirs) = self.usable(value.as_deref()) {
                                return Ok(Renewed::Theirs(theirs, value));
                            }
                            *stored = Stored::Holds(value);
                        }
                    }
                }
                self.create(caps).map(Renewed::Fresh)
            }
            SessionAnswer::Failed(e) => Err(e),
        }
    }

    /// Takes [`LOCK_KEY`] (module docs): `Ok(Some(taken))` to release with [`unlock`],
    /// `Ok(None)` when the store cannot tell (the call goes ahead alone).
    ///
    /// # Errors
    /// `transient` when another delivery holds it.
    fn lock(&self, caps: &mut impl Capabilities) -> Result<Option<Vec<u8>>, PublishError> {
        let now = caps.now_unix_seconds();
        let Ok(current) = caps.kv_get(LOCK_KEY) else {
            return Ok(None);
        };
        let held_since = current
            .as_deref()
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let busy = || {
            PublishError::Transient(format!(
                "another delivery of the Bluesky account {:?} is opening its session; this \
                 one uses it when retried (nothing was sent)",
                self.creds.account
            ))
        };
        if now < held_since.saturating_add(LOCK_SECONDS) {
            return Err(busy());
        }
        let taken = now.to_string().into_bytes();
        match caps.kv_swap(LOCK_KEY, current.as_deref(), &taken) {
            Ok(true) => Ok(Some(taken)),
            Ok(false) => Err(busy()),
            Err(_) => Ok(None),
        }
    }

    /// `createSession` with the account's identifier and app password.
    fn create(&mut self, caps: &mut impl Capabilities) -> Result<Session, PublishError> {
        let request = request::create_session(
            &self.creds.xrpc,
            &self.creds.identifier,
            &self.creds.app_password,
        )?;
        let outcome = caps.send(&request);
        match answer::session_answer(&outcome, caps.now_unix_seconds(), "createSession") {
            SessionAnswer::Opened(session) => Ok(session),
            SessionAnswer::Refused(described) => Err(PublishError::Auth(format!(
                "Bluesky rejected the identifier or app password of the account {:?}: {described}",
                self.creds.account
            ))),
            SessionAnswer::Failed(e) => Err(e),
        }
    }

    /// Stores `fresh` in place of `stored` and uses it; when another delivery stored a
    /// session first, that one is used instead (module docs).
    fn keep(&mut self, caps: &mut impl Capabilities, stored: Stored, fresh: Session) {
        let Stored::Holds(expected) = stored else {
            self.remember(fresh, Stored::Unavailable);
            return;
        };
        let bytes = fresh.to_bytes();
        match caps.kv_swap(KV_KEY, expected.as_deref(), &bytes) {
            Ok(true) => self.remember(fresh, Stored::Holds(Some(bytes))),
            Ok(false) => match caps.kv_get(KV_KEY) {
                Ok(value) => match self.usable(value.as_deref()) {
                    Some(theirs) => {
                        self.secrets.push(fresh.access_jwt);
                        self.secrets.push(fresh.refresh_jwt);
                        self.remember(theirs, Stored::Holds(value));
                    }
                    None => self.remember(fresh, Stored::Holds(value)),
                },
                Err(_) => self.remember(fresh, Stored::Unavailable),
            },
            Err(_) => self.remember(fresh, Stored::Unavailable),
        }
    }
}

/// What a renewal gives: a session of this call's to store, or the one another delivery
/// stored (and its stored bytes).
enum Renewed {
    Fresh(Session),
    Theirs(Session, Option<Vec<u8>>),
}

/// Releases the lock `taken` by [`Sessions::lock`] (when there is one and it is still
/// ours), and passes `outcome` on.
fn unlock<T>(
    caps: &mut impl Capabilities,
    taken: Option<Vec<u8>>,
    outcome: Result<T, PublishError>,
) -> Result<T, PublishError> {
    if let Some(taken) = taken {
        // A failed release only makes the next opener wait out LOCK_SECONDS.
        let _ = caps.kv_swap(LOCK_KEY, Some(&taken), b"0");
    }
    outcome
}

#[cfg(test)]
mod tests;
