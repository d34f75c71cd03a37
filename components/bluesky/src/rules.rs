//! `validate`: every part of a post against the limits of an `app.bsky.feed.post` record
//! (lexicon `app.bsky.feed.post`, property `text`: `maxGraphemes: 300`, `maxLength: 3000`,
//! the length in UTF-8 bytes; docs.bsky.app "Posts"). Threads are allowed: each reply is a
//! post of its own whose `reply` names the thread's root and its parent. The scheduler
//! allows 26 parts at most, which Bluesky takes.
//!
//! The count is of **extended grapheme clusters** (UAX #29), as the PDS's lexicon
//! validation counts them: an emoji sequence such as 👨‍👩‍👧‍👦 counts 1, `e` + U+0301
//! counts 1. The text is not normalised first (Bluesky stores what it receives).

use sps_platform::{Post, PostError};
use unicode_segmentation::UnicodeSegmentation;

/// The most grapheme clusters a post's text may hold (`maxGraphemes`).
pub const MAX_GRAPHEMES: usize = 300;
/// The most UTF-8 bytes a post's text may hold (`maxLength`).
pub const MAX_BYTES: usize = 3000;

/// Reason code: the text is empty or only white space.
pub const CODE_EMPTY_MESSAGE: &str = "empty-message";
/// Reason code: more than [`MAX_GRAPHEMES`] grapheme clusters or [`MAX_BYTES`] bytes.
pub const CODE_MESSAGE_TOO_LONG: &str = "message-too-long";

/// `U+XXXX` (at least four hex digits, upper case).
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// An error of `code` with `message` for the post as a whole (the caller names the part).
fn refuse(code: &str, message: String) -> PostError {
    PostError {
        code: code.to_string(),
        message,
        part: None,
    }
}

/// The length of `text` as Bluesky counts it: extended grapheme clusters (Unicode UAX
/// #29), the count [`MAX_GRAPHEMES`] limits.
pub fn graphemes(text: &str) -> usize {
    text.graphemes(true).count()
}

/// Check one text: `empty-message` when empty or only white space (each white-space
/// character named as `U+XXXX`), then `message-too-long` when it holds more than
/// [`MAX_GRAPHEMES`] grapheme clusters or more than [`MAX_BYTES`] UTF-8 bytes (the count
/// and the limit named). The error has no part; [`validate`] adds it.
pub fn validate_text(text: &str) -> Result<(), PostError> {
    if text.is_empty() {
        return Err(refuse(
            CODE_EMPTY_MESSAGE,
            "message is empty; Bluesky needs at least 1 character".to_string(),
        ));
    }
    if text.chars().all(char::is_whitespace) {
        let mut seen: Vec<char> = Vec::new();
        for c in text.chars() {
            if !seen.contains(&c) {
                seen.push(c);
            }
        }
        let names: Vec<String> = seen.into_iter().map(code_point).collect();
        return Err(refuse(
            CODE_EMPTY_MESSAGE,
            format!(
                "message holds only white space ({}); Bluesky needs at least 1 other character",
                names.join(", ")
            ),
        ));
    }
    let graphemes = graphemes(text);
    if graphemes > MAX_GRAPHEMES {
        return Err(refuse(
            CODE_MESSAGE_TOO_LONG,
            format!("message is {graphemes} characters; Bluesky allows at most {MAX_GRAPHEMES}"),
        ));
    }
    if text.len() > MAX_BYTES {
        return Err(refuse(
            CODE_MESSAGE_TOO_LONG,
            format!(
                "message is {} bytes in UTF-8; Bluesky allows at most {MAX_BYTES}",
                text.len()
            ),
        ));
    }
    Ok(())
}

/// Check every part of `post` ([`validate_text`]), in order; the first failing part's
/// error carries its index. A post without parts is `empty-message` with no part (the
/// scheduler never sends one).
pub fn validate(post: &Post) -> Result<(), PostError> {
    if post.parts.is_empty() {
        return Err(refuse(
            CODE_EMPTY_MESSAGE,
            "the post has no parts; Bluesky needs at least the message".to_string(),
        ));
    }
    for (index, text) in post.parts.iter().enumerate() {
        validate_text(text).map_err(|e| PostError {
            part: Some(u32::try_from(index).unwrap_or(u32::MAX)),
            ..e
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
