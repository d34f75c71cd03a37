//! Record keys: TIDs ("timestamp identifiers", atproto.com/specs/tid; the record-key type
//! `tid` of `app.bsky.feed.post`, atproto.com/specs/record-key), chosen by the component
//! so that every attempt at one part of one post writes the same record.
//!
//! A TID is a 64-bit integer written as 13 characters of the base32-sortable alphabet
//! `234567abcdefghijklmnopqrstuvwxyz`, most significant first: the top bit 0, then 53 bits
//! of microseconds since the Unix epoch, then a 10-bit "clock identifier" (the integer 0 is
//! `2222222222222`).
//!
//! The key of part k of a post ([`first_attempt_tid`]):
//! - the clock identifier is 10 bits of SHA-256(`<idempotency key>/<k>`);
//! - the timestamp is the time of the first attempt: its whole seconds from the clock
//!   (the capabilities give whole seconds) plus a sub-second part: the first four bytes
//!   of SHA-256(`<idempotency key>`) modulo 900,000, plus 1,000 µs per part, so that the
//!   parts of one thread get keys in increasing order (a part is first attempted no
//!   earlier than the one before it) and different posts pinned in one second differ;
//! - it is pinned in the key-value store under `rkey/<idempotency key>/<k>` before the
//!   first `createRecord` ([`pinned`]); every later attempt reads it back.

use sha2::{Digest, Sha256};
use sps_platform::{Capabilities, PublishError};

/// The base32-sortable alphabet, in order (atproto.com/specs/tid).
pub const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
/// The length of every TID, in ASCII characters.
pub const LENGTH: usize = 13;
/// The largest timestamp a TID holds: 53 bits of microseconds.
pub const MAX_MICROS: u64 = (1 << 53) - 1;
/// The largest clock identifier: 10 bits.
pub const MAX_CLOCK_ID: u16 = (1 << 10) - 1;

/// `value` as 13 base32-sortable characters, most significant first (its top bit, which
/// a TID keeps 0, is the first character's high bit: 13 × 5 = 65 bits).
pub fn encode(value: u64) -> String {
    (0..LENGTH)
        .rev()
        .map(|digit| {
            let index = usize::try_from((value >> (5 * digit)) & 0x1f).unwrap_or(0);
            char::from(ALPHABET.get(index).copied().unwrap_or(b'2'))
        })
        .collect()
}

/// The TID of `micros` (microseconds since the Unix epoch, cut to 53 bits) and `clock_id`
/// (cut to 10 bits): `(micros << 10) | clock_id`, encoded ([`encode`]).
pub fn tid(micros: u64, clock_id: u16) -> String {
    encode(((micros & MAX_MICROS) << 10) | u64::from(clock_id & MAX_CLOCK_ID))
}

/// The timestamp (microseconds: the value shifted right by 10) and clock identifier of a
/// TID; `None` unless it is 13 characters of the alphabet whose first is one of
/// `234567abcdefghij` (a 64-bit value), the TID syntax of atproto.com/specs/tid.
pub fn decode(tid: &str) -> Option<(u64, u16)> {
    if tid.len() != LENGTH {
        return None;
    }
    let mut value: u64 = 0;
    for (i, byte) in tid.bytes().enumerate() {
        let digit = ALPHABET.iter().position(|&a| a == byte)?;
        if i == 0 && digit >= 16 {
            return None;
        }
        value = (value << 5) | u64::try_from(digit).ok()?;
    }
    let clock_id = u16::try_from(value & u64::from(MAX_CLOCK_ID)).ok()?;
    Some((value >> 10, clock_id))
}

/// Whether `tid` is a TID by the syntax of [`decode`].
pub fn is_valid(tid: &str) -> bool {
    decode(tid).is_some()
}

/// SHA-256 of `seed`, as the (clock identifier, sub-second microseconds) a key takes: the
/// first two bytes (big-endian) cut to 10 bits, and the next four modulo 1,000,000.
fn from_hash(seed: &str) -> (u16, u64) {
    let hash = Sha256::digest(seed.as_bytes());
    let byte = |i: usize| hash.get(i).copied().unwrap_or(0);
    let clock_id = u16::from_be_bytes([byte(0), byte(1)]) & MAX_CLOCK_ID;
    let sub_second =
        u64::from(u32::from_be_bytes([byte(2), byte(3), byte(4), byte(5)])) % 1_000_000;
    (clock_id, sub_second)
}

/// The record key of part `part` of the post whose idempotency key is `idempotency_key`,
/// first attempted at `now_seconds` (Unix seconds): the module's rule.
pub fn first_attempt_tid(now_seconds: u64, idempotency_key: &str, part: u32) -> String {
    let (clock_id, _) = from_hash(&format!("{idempotency_key}/{part}"));
    let hash = Sha256::digest(idempotency_key.as_bytes());
    let byte = |i: usize| hash.get(i).copied().unwrap_or(0);
    let base = u64::from(u32::from_be_bytes([byte(0), byte(1), byte(2), byte(3)])) % 900_000;
    // Parts come in order and at most 26: 25,000 µs on top stay inside the second.
    let sub_second = base + u64::from(part.min(99)) * 1_000;
    tid(
        now_seconds
            .saturating_mul(1_000_000)
            .saturating_add(sub_second),
        clock_id,
    )
}

/// The key-value key that pins the record key of part `part`:
/// `rkey/<idempotency key>/<part>`.
pub fn pin_key(idempotency_key: &str, part: u32) -> String {
    format!("rkey/{idempotency_key}/{part}")
}

/// `transient` for a key-value failure while pinning: nothing was sent.
fn unpinned(part: u32, why: &str) -> PublishError {
    PublishError::Transient(format!(
        "could not pin the record key of part {part} in the key-value store ({why}); nothing \
         was sent"
    ))
}

/// The record key of part `part`, the same on every attempt: the one pinned under
/// [`pin_key`], or, on the first attempt, [`first_attempt_tid`] of now, pinned with
/// `kv_swap(key, None, tid)` (when another attempt pinned one first, that one). A stored
/// value that is no TID (never written by this component, so no record can have it) is
/// replaced the same way.
///
/// # Errors
/// `transient` when the key-value store fails (nothing was sent, so retrying is safe).
pub fn pinned(
    caps: &mut impl Capabilities,
    idempotency_key: &str,
    part: u32,
) -> Result<String, PublishError> {
    let key = pin_key(idempotency_key, part);
    let candidate = first_attempt_tid(caps.now_unix_seconds(), idempotency_key, part);
    if caps
        .kv_swap(&key, None, candidate.as_bytes())
        .map_err(|e| unpinned(part, &e))?
    {
        return Ok(candidate);
    }
    let stored = caps.kv_get(&key).map_err(|e| unpinned(part, &e))?;
    let Some(stored) = stored else {
        return Err(unpinned(part, "the pinned key vanished"));
    };
    match std::str::from_utf8(&stored) {
        Ok(tid) if is_valid(tid) => Ok(tid.to_string()),
        _ => {
            if caps
                .kv_swap(&key, Some(&stored), candidate.as_bytes())
                .map_err(|e| unpinned(part, &e))?
            {
                Ok(candidate)
            } else {
                Err(unpinned(part, "another attempt changed it meanwhile"))
            }
        }
    }
}

/// Pins a fresh record key for part `part` in place of `taken`, a key that holds a record
/// that is not this part (another post's, a one-in-a-billion clash): the timestamp is now,
/// the clock identifier and sub-second part from SHA-256 of a fresh nonce. Replaced only
/// if `taken` is still the pinned one (`kv_swap`), so two attempts agree on the new key.
///
/// # Errors
/// `transient` when the key-value store fails.
pub fn repin(
    caps: &mut impl Capabilities,
    idempotency_key: &str,
    part: u32,
    taken: &str,
) -> Result<(), PublishError> {
    let (clock_id, sub_second) = from_hash(&caps.nonce());
    let fresh = tid(
        caps.now_unix_seconds()
            .saturating_mul(1_000_000)
            .saturating_add(sub_second),
        clock_id,
    );
    caps.kv_swap(
        &pin_key(idempotency_key, part),
        Some(taken.as_bytes()),
        fresh.as_bytes(),
    )
    .map(|_| ())
    .map_err(|e| unpinned(part, &e))
}

#[cfg(test)]
mod tests;
