//! The instance's status limits for `validate` (docs.joinmastodon.org "methods/instance",
//! `GET /api/v2/instance`, and "entities/Instance", `configuration.statuses`:
//! `max_characters`, `characters_reserved_per_url`), read from the instance at most once
//! per [`CACHE_SECONDS`] and kept in the account's key-value store, so that validating a
//! post does not call the network each time.
//!
//! Where they come from, first match wins:
//! 1. the settings `max_characters` / `characters_reserved_per_url`, when either is set
//!    (the operator's word; [`crate::rules::read_limits`]);
//! 2. the cached limits, when read from the same `base_url` less than [`CACHE_SECONDS`]
//!    ago;
//! 3. `GET {base_url}/api/v2/instance` (public, no token), then cached;
//! 4. the cached limits of that `base_url` however old, when the instance cannot be read
//!    now;
//! 5. Mastodon's defaults (500, 23), when no `base_url` is set or nothing else answered.

use serde::{Deserialize, Serialize};
use sps_platform::{read_setting, Capabilities, HttpRequest, PostError};

use crate::length::{self, Limits};
use crate::request::SETTING_BASE_URL;
use crate::rules::{
    self, MAX_CHARACTERS_RESERVED_PER_URL, MAX_MAX_CHARACTERS, SETTING_CHARACTERS_RESERVED_PER_URL,
    SETTING_MAX_CHARACTERS,
};

/// The path of "View server information", appended to the base URL.
pub const INSTANCE_PATH: &str = "/api/v2/instance";

/// The key-value store key of the cached limits: JSON [`Cached`].
pub const CACHE_KEY: &str = "instance-limits";

/// How long cached limits are used before the instance is asked again: one day, seconds.
pub const CACHE_SECONDS: u64 = 86_400;

/// The cached limits, the instance they are of, and when they were read (Unix seconds,
/// UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cached {
    /// The `base_url` they were read from: limits of another instance are not used.
    pub base_url: String,
    /// `configuration.statuses.max_characters`.
    pub max_characters: u64,
    /// `configuration.statuses.characters_reserved_per_url`.
    pub characters_reserved_per_url: u64,
    /// When the instance answered, Unix seconds, UTC.
    pub fetched_at: u64,
}

impl Cached {
    fn limits(self) -> Limits {
        Limits {
            max_characters: self.max_characters,
            characters_reserved_per_url: self.characters_reserved_per_url,
        }
    }
}

#[derive(Deserialize)]
struct Instance {
    configuration: Configuration,
}

#[derive(Deserialize)]
struct Configuration {
    statuses: Statuses,
}

#[derive(Deserialize)]
struct Statuses {
    max_characters: u64,
    characters_reserved_per_url: u64,
}

/// The limits to validate against (see the module's list).
///
/// # Errors
/// `platform-component-failed` when a limit setting is unreadable or wrong
/// ([`rules::read_limits`]); the instance being unreachable is not an error.
pub fn limits(caps: &mut impl Capabilities) -> Result<Limits, PostError> {
    let configured = [SETTING_MAX_CHARACTERS, SETTING_CHARACTERS_RESERVED_PER_URL]
        .iter()
        .any(|key| !matches!(caps.setting(key), Ok(None)));
    let base_url = read_setting(caps, SETTING_BASE_URL)
        .ok()
        .flatten()
        .map(|b| b.trim_end_matches('/').to_string());
    let Some(base_url) = base_url.filter(|_| !configured) else {
        return rules::read_limits(|key: &str| caps.setting(key));
    };
    let cached = caps
        .kv_get(CACHE_KEY)
        .ok()
        .flatten()
        .and_then(|bytes| serde_json::from_slice::<Cached>(&bytes).ok())
        .filter(|cached| cached.base_url == base_url);
    let now = caps.now_unix_seconds();
    if let Some(cached) = &cached {
        if now.saturating_sub(cached.fetched_at) < CACHE_SECONDS {
            return Ok(cached.clone().limits());
        }
    }
    match fetch(caps, &base_url) {
        Some((max_characters, characters_reserved_per_url)) => {
            let fresh = Cached {
                base_url,
                max_characters,
                characters_reserved_per_url,
                fetched_at: now,
            };
            if let Ok(bytes) = serde_json::to_vec(&fresh) {
                // A store that cannot keep them only costs the next call a request.
                let _ = caps.kv_set(CACHE_KEY, &bytes);
            }
            Ok(fresh.limits())
        }
        None => Ok(cached.map(Cached::limits).unwrap_or(Limits {
            max_characters: length::DEFAULT_MAX_CHARACTERS,
            characters_reserved_per_url: length::DEFAULT_CHARACTERS_RESERVED_PER_URL,
        })),
    }
}

/// `configuration.statuses` of `GET {base_url}/api/v2/instance`, when the instance answers
/// 200 with limits in the accepted ranges (`max_characters` 1 to [`MAX_MAX_CHARACTERS`],
/// `characters_reserved_per_url` 0 to [`MAX_CHARACTERS_RESERVED_PER_URL`]).
fn fetch(caps: &mut impl Capabilities, base_url: &str) -> Option<(u64, u64)> {
    let request = HttpRequest {
        method: "GET".to_string(),
        url: format!("{}{INSTANCE_PATH}", base_url.trim_end_matches('/')),
        headers: vec![("Accept".to_string(), "application/json".to_string())],
        body: Vec::new(),
    };
    let response = caps.send(&request).ok()?;
    if response.status != 200 {
        return None;
    }
    let statuses = serde_json::from_slice::<Instance>(&response.body)
        .ok()?
        .configuration
        .statuses;
    let valid = (1..=MAX_MAX_CHARACTERS).contains(&statuses.max_characters)
        && statuses.characters_reserved_per_url <= MAX_CHARACTERS_RESERVED_PER_URL;
    valid.then_some((
        statuses.max_characters,
        statuses.characters_reserved_per_url,
    ))
}

#[cfg(test)]
mod tests;
