//! `validate`: every part of a post by [`crate::length`] against the instance's limits,
//! which come from the settings `max_characters` and `characters_reserved_per_url`
//! (docs.joinmastodon.org "entities/Instance", `configuration.statuses`; Mastodon's
//! defaults when unset). Threads are allowed: each reply is a status of its own with
//! `in_reply_to_id` (docs.joinmastodon.org "methods/statuses", Post a new status).

use sps_platform::{Post, PostError};

use crate::length::{self, Limits};

/// Setting: the instance's `configuration.statuses.max_characters` (optional, default 500).
pub const SETTING_MAX_CHARACTERS: &str = "max_characters";
/// Setting: the instance's `configuration.statuses.characters_reserved_per_url` (optional,
/// default 23).
pub const SETTING_CHARACTERS_RESERVED_PER_URL: &str = "characters_reserved_per_url";

/// The largest `max_characters` accepted: instances that raise Mastodon's limit clamp it
/// well below (forks use up to 100,000); a larger value is a typing error.
pub const MAX_MAX_CHARACTERS: u64 = 1_000_000;
/// The largest `characters_reserved_per_url` accepted (Mastodon's is 23).
pub const MAX_CHARACTERS_RESERVED_PER_URL: u64 = 10_000;

/// The reason code of a post that cannot be checked because the component's settings are
/// unreadable or wrong (the host's code for a component that failed in `validate`).
pub const CODE_COMPONENT_FAILED: &str = "platform-component-failed";

/// The instance's limits from `setting` (a settings lookup: `Ok(None)` when unset, `Err`
/// when the store failed): each a whole number, `max_characters` 1 to
/// [`MAX_MAX_CHARACTERS`], `characters_reserved_per_url` 0 to
/// [`MAX_CHARACTERS_RESERVED_PER_URL`]; Mastodon's defaults when unset or blank.
///
/// # Errors
/// `platform-component-failed` naming the setting (never guessing a limit: a wrong one
/// would refuse good posts or let the instance refuse them later).
pub fn read_limits(
    mut setting: impl FnMut(&str) -> Result<Option<String>, String>,
) -> Result<Limits, PostError> {
    let mut read = |key: &str, default: u64, range: std::ops::RangeInclusive<u64>| {
        let value = setting(key).map_err(|e| PostError {
            code: CODE_COMPONENT_FAILED.to_string(),
            message: format!("the mastodon component cannot read its setting {key}: {e}"),
            part: None,
        })?;
        let Some(value) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        else {
            return Ok(default);
        };
        value
            .parse::<u64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| PostError {
                code: CODE_COMPONENT_FAILED.to_string(),
                message: format!(
                    "the mastodon component's setting {key} is {value:?}, not a whole number \
                     from {} to {}",
                    range.start(),
                    range.end()
                ),
                part: None,
            })
    };
    Ok(Limits {
        max_characters: read(
            SETTING_MAX_CHARACTERS,
            length::DEFAULT_MAX_CHARACTERS,
            1..=MAX_MAX_CHARACTERS,
        )?,
        characters_reserved_per_url: read(
            SETTING_CHARACTERS_RESERVED_PER_URL,
            length::DEFAULT_CHARACTERS_RESERVED_PER_URL,
            0..=MAX_CHARACTERS_RESERVED_PER_URL,
        )?,
    })
}

/// Check every part of `post` ([`length::validate`] with `limits`), in order; the first
/// failing part's error carries its index and [`length::validate`]'s code and message. A
/// post without parts is `empty-message` with no part (the scheduler never sends one).
pub fn validate(post: &Post, limits: &Limits) -> Result<(), PostError> {
    if post.parts.is_empty() {
        return Err(PostError {
            code: length::CODE_EMPTY_MESSAGE.to_string(),
            message: "the post has no parts; Mastodon needs at least the message".to_string(),
            part: None,
        });
    }
    for (index, text) in post.parts.iter().enumerate() {
        length::validate(text, limits).map_err(|e| PostError {
            code: e.code,
            message: e.message,
            part: Some(u32::try_from(index).unwrap_or(u32::MAX)),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> impl FnMut(&str) -> Result<Option<String>, String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key: &str| Ok(map.get(key).cloned())
    }

    fn post(parts: &[&str]) -> Post {
        Post {
            parts: parts.iter().map(|p| p.to_string()).collect(),
            account: "default".to_string(),
            idempotency_key: String::new(),
        }
    }

    #[test]
    fn limits_default_to_mastodons_and_follow_the_settings() {
        assert_eq!(
            read_limits(settings(&[])),
            Ok(Limits {
                max_characters: 500,
                characters_reserved_per_url: 23
            })
        );
        assert_eq!(
            read_limits(settings(&[
                ("max_characters", " 5000 "),
                ("characters_reserved_per_url", "0")
            ])),
            Ok(Limits {
                max_characters: 5000,
                characters_reserved_per_url: 0
            })
        );
        assert_eq!(
            read_limits(settings(&[("max_characters", "")])),
            Ok(Limits::default())
        );
    }

    #[test]
    fn a_limit_that_is_no_number_in_range_is_refused_naming_the_setting() {
        let failed = |message: &str| {
            Err(PostError {
                code: "platform-component-failed".to_string(),
                message: message.to_string(),
                part: None,
            })
        };
        assert_eq!(
            read_limits(settings(&[("max_characters", "lots")])),
            failed(
                "the mastodon component's setting max_characters is \"lots\", not a whole \
                 number from 1 to 1000000"
            )
        );
        assert_eq!(
            read_limits(settings(&[("max_characters", "0")])),
            failed(
                "the mastodon component's setting max_characters is \"0\", not a whole number \
                 from 1 to 1000000"
            )
        );
        assert_eq!(
            read_limits(settings(&[("characters_reserved_per_url", "-1")])),
            failed(
                "the mastodon component's setting characters_reserved_per_url is \"-1\", not \
                 a whole number from 0 to 10000"
            )
        );
        assert_eq!(
            read_limits(|_: &str| Err("io: disk gone".to_string())),
            failed("the mastodon component cannot read its setting max_characters: io: disk gone")
        );
    }

    #[test]
    fn the_first_failing_part_is_named() {
        let limits = Limits::default();
        assert_eq!(validate(&post(&["one", "two", "three"]), &limits), Ok(()));
        let long = "a".repeat(501);
        assert_eq!(
            validate(&post(&["one", &long, ""]), &limits),
            Err(PostError {
                code: "message-too-long".to_string(),
                message: "message is 501 characters; this Mastodon instance allows at most 500"
                    .to_string(),
                part: Some(1),
            })
        );
        assert_eq!(
            validate(&post(&["one", "two", " \n"]), &limits),
            Err(PostError {
                code: "empty-message".to_string(),
                message: "message holds only white space (U+0020, U+000A); Mastodon needs at \
                          least 1 other character"
                    .to_string(),
                part: Some(2),
            })
        );
        assert_eq!(
            validate(&post(&[]), &limits),
            Err(PostError {
                code: "empty-message".to_string(),
                message: "the post has no parts; Mastodon needs at least the message".to_string(),
                part: None,
            })
        );
    }

    #[test]
    fn the_limits_are_parameters() {
        let tight = Limits {
            max_characters: 30,
            characters_reserved_per_url: 23,
        };
        // 8 + 23 = 31 with the default 23 per URL; 8 + 10 = 18 with 10.
        let text = "Read it https://example.com/a/long/path/to/an/article";
        assert_eq!(
            validate(&post(&[text]), &tight).map_err(|e| e.message),
            Err("message is 31 characters; this Mastodon instance allows at most 30".to_string())
        );
        let short_urls = Limits {
            characters_reserved_per_url: 10,
            ..tight
        };
        assert_eq!(validate(&post(&[text]), &short_urls), Ok(()));
    }
}
