//! How long a status is for Mastodon, and whether one text may be posted: Mastodon's
//! `StatusLengthValidator` (mastodon/mastodon `app/validators/status_length_validator.rb`),
//! with the instance's limits as parameters ([`Limits`]).
//!
//! The rule, as the validator applies it to a status's text (we send no `spoiler_text`):
//! 1. a text that is blank (only white space, Ruby's `String#blank?`) counts 0;
//! 2. the URLs (module `urls`: only those written with a scheme,
//!    `extract_urls_with_indices(str, extract_url_without_protocol: false)`) and mentions
//!    (module `mentions`: `Account::MENTION_RE`) are extracted, overlapping ones dropped
//!    (`remove_overlapping_entities`: the earlier wins);
//! 3. each URL is replaced by `characters_reserved_per_url` letters `x` (`URL_PLACEHOLDER`,
//!    `'x' * 23`; the instance reports the number as
//!    `configuration.statuses.characters_reserved_per_url`, docs.joinmastodon.org
//!    "entities/Instance"), and each mention `@user@domain` by `@user`;
//! 4. the result is counted in **extended grapheme clusters** (`str.each_grapheme_cluster
//!    .size`; older releases `mb_chars.grapheme_length`, the same count), not code points:
//!    an emoji sequence such as 👍🏽 or 👨‍👩‍👧‍👦 counts 1, `e` + U+0301 counts 1, a CJK
//!    character counts 1;
//! 5. a status is too long when that count is above `max_characters`
//!    (`configuration.statuses.max_characters`, 500 on most instances).
//!
//! The text is not normalised first (Mastodon counts what it receives).
//!
//! Beyond the length: `empty-message` for an empty or blank text (the instance answers 422
//! "Text can't be blank", docs.joinmastodon.org "methods/statuses", Post a new status), and
//! `invalid-characters` for U+0000, which PostgreSQL's `text` cannot store
//! (postgresql.org/docs/current/datatype-character.html: "the character with code zero
//! cannot be stored"), so the instance fails on it (a 5xx) instead of refusing it.

mod domains;
mod mentions;
mod punycode;
mod urls;

use std::fmt;

use unicode_segmentation::UnicodeSegmentation;

/// `max_characters` when the setting is absent: Mastodon's default `MAX_CHARS`
/// (`StatusLengthValidator::MAX_CHARS = 500`).
pub const DEFAULT_MAX_CHARACTERS: u64 = 500;
/// `characters_reserved_per_url` when the setting is absent: Mastodon's
/// `URL_PLACEHOLDER_CHARS = 23`.
pub const DEFAULT_CHARACTERS_RESERVED_PER_URL: u64 = 23;

/// Reason code: the text is empty or only white space.
pub const CODE_EMPTY_MESSAGE: &str = "empty-message";
/// Reason code: the count is above the instance's `max_characters`.
pub const CODE_MESSAGE_TOO_LONG: &str = "message-too-long";
/// Reason code: the text holds U+0000.
pub const CODE_INVALID_CHARACTERS: &str = "invalid-characters";

/// The instance's limits on a status (docs.joinmastodon.org "entities/Instance",
/// `configuration.statuses`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Limits {
    /// `configuration.statuses.max_characters`: the longest status, in counted characters.
    pub max_characters: u64,
    /// `configuration.statuses.characters_reserved_per_url`: what each URL counts.
    pub characters_reserved_per_url: u64,
}

impl Default for Limits {
    /// Mastodon's defaults: 500 characters, 23 per URL.
    fn default() -> Self {
        Limits {
            max_characters: DEFAULT_MAX_CHARACTERS,
            characters_reserved_per_url: DEFAULT_CHARACTERS_RESERVED_PER_URL,
        }
    }
}

/// Why one text cannot be posted; mirrors the WIT record `types.message-error` without the
/// part.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MessageError {
    /// [`CODE_EMPTY_MESSAGE`], [`CODE_MESSAGE_TOO_LONG`] or [`CODE_INVALID_CHARACTERS`].
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// One span of the text that the validator rewrites (char indices, end exclusive).
#[derive(Clone, Debug)]
struct Entity {
    start: usize,
    end: usize,
    /// `None` for a URL (replaced by the placeholder), `Some(username)` for a mention
    /// (replaced by `@username`).
    mention: Option<String>,
}

/// The length of `text` by Mastodon's rule (module docs): URLs count
/// `characters_reserved_per_url`, a mention `@user@domain` counts as `@user`, the rest in
/// extended grapheme clusters; a blank text counts 0. Never fails.
pub fn countable_length(text: &str, characters_reserved_per_url: u64) -> u64 {
    if text.chars().all(char::is_whitespace) {
        return 0;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut entities: Vec<Entity> = urls::find_urls(&chars)
        .into_iter()
        .map(|range| Entity {
            start: range.start,
            end: range.end,
            mention: None,
        })
        .chain(mentions::find_mentions(&chars).into_iter().map(|m| Entity {
            start: m.range.start,
            end: m.range.end,
            mention: Some(m.username),
        }))
        .collect();
    // remove_overlapping_entities: by start, an entity overlapping the last kept one goes.
    entities.sort_by_key(|e| e.start);
    let mut kept: Vec<Entity> = Vec::with_capacity(entities.len());
    for entity in entities {
        if kept.last().is_some_and(|prev| prev.end > entity.start) {
            continue;
        }
        kept.push(entity);
    }
    // rewrite_entities. A placeholder of n letters `x` is written as at most two of them
    // and the rest added to the count: only its first and last letter can join a
    // neighbouring character in a grapheme cluster (`x` then `x` always breaks, UAX #29
    // GB999), so the count is exact and a large setting costs no memory.
    let reserved = usize::try_from(characters_reserved_per_url).unwrap_or(usize::MAX);
    let written = reserved.min(2);
    let mut hidden: u64 = 0;
    let mut rewritten = String::with_capacity(text.len());
    let mut at = 0;
    for entity in &kept {
        rewritten.extend(chars.get(at..entity.start).unwrap_or_default());
        match &entity.mention {
            None => {
                rewritten.extend(std::iter::repeat_n('x', written));
                hidden = hidden.saturating_add(characters_reserved_per_url.saturating_sub(2));
            }
            Some(username) => {
                rewritten.push('@');
                rewritten.push_str(username);
            }
        }
        at = entity.end;
    }
    rewritten.extend(chars.get(at..).unwrap_or_default());
    let clusters = u64::try_from(rewritten.graphemes(true).count()).unwrap_or(u64::MAX);
    clusters.saturating_add(hidden)
}

/// `U+XXXX` (at least four hex digits, upper case).
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Check one text against the instance's `limits`: first U+0000 (`invalid-characters`),
/// then emptiness (`empty-message`: empty, or only white space, each white-space character
/// named as `U+XXXX`), then the length ([`countable_length`] above `max_characters`:
/// `message-too-long`, naming the count and the limit). `Ok(())` when the instance would
/// take the text.
pub fn validate(text: &str, limits: &Limits) -> Result<(), MessageError> {
    if text.contains('\0') {
        return Err(MessageError {
            code: CODE_INVALID_CHARACTERS.to_string(),
            message: "message contains U+0000, which a Mastodon instance cannot store \
                      (PostgreSQL text holds no NUL character)"
                .to_string(),
        });
    }
    if text.is_empty() {
        return Err(MessageError {
            code: CODE_EMPTY_MESSAGE.to_string(),
            message: "message is empty; Mastodon needs at least 1 character".to_string(),
        });
    }
    if text.chars().all(char::is_whitespace) {
        let mut seen: Vec<char> = Vec::new();
        for c in text.chars() {
            if !seen.contains(&c) {
                seen.push(c);
            }
        }
        let names: Vec<String> = seen.into_iter().map(code_point).collect();
        return Err(MessageError {
            code: CODE_EMPTY_MESSAGE.to_string(),
            message: format!(
                "message holds only white space ({}); Mastodon needs at least 1 other character",
                names.join(", ")
            ),
        });
    }
    let length = countable_length(text, limits.characters_reserved_per_url);
    if length > limits.max_characters {
        return Err(MessageError {
            code: CODE_MESSAGE_TOO_LONG.to_string(),
            message: format!(
                "message is {length} characters; this Mastodon instance allows at most {}",
                limits.max_characters
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
