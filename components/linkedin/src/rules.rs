//! LinkedIn's rules for a post, checked before anything is scheduled ([`validate`]).
//!
//! - **No threads.** A LinkedIn post has no replies of its own kind: the Posts API
//!   (learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api)
//!   creates stand-alone posts (a reshare is a new post, answers are comments of another
//!   API), and DESIGN.md section 3 says "no threads". A post of more than one part is
//!   refused as a whole (`thread-not-supported`), before anything is scheduled.
//! - **Not empty.** The Post Schema marks `commentary` required; a text-only post with an
//!   empty or blank commentary shows nothing (`empty-message`).
//! - **At most 3,000 characters** ([`MAX_LENGTH`]; DESIGN.md section 3, "LinkedIn Posts
//!   API"). The LinkedIn pages available here (Posts API, Post Schema, little text format)
//!   do not say what a character is, so [`length`] counts UTF-16 code units, as Java's
//!   `String.length()` and JavaScript's `length` do (LinkedIn's Rest.li services run on
//!   the JVM, its post composer in the browser). That count is never below the number of
//!   Unicode scalar values, so a text it passes is within 3,000 by either count; a
//!   character outside the Basic Multilingual Plane (most emoji) counts 2. The text is
//!   counted as shown, before little escaping ([`crate::little::escape`]): the backslashes
//!   are LinkedIn's markup, not the member's text.

use sps_platform::{Post, PostError};

/// The most characters ([`length`]) a post's text may have.
pub const MAX_LENGTH: usize = 3000;

/// Reason code: the post has more than one part (LinkedIn has no threads).
pub const CODE_THREAD_NOT_SUPPORTED: &str = "thread-not-supported";
/// Reason code: the message is empty, or holds only white space ([`is_blank_character`]).
pub const CODE_EMPTY_MESSAGE: &str = "empty-message";
/// Reason code: the message is longer than [`MAX_LENGTH`].
pub const CODE_MESSAGE_TOO_LONG: &str = "message-too-long";

/// The length of `text` as LinkedIn's limit is checked here: UTF-16 code units of the text
/// as written (see the module docs for why).
pub fn length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Whether `c` shows nothing on its own: Unicode White_Space (`char::is_whitespace`:
/// space, tab, line breaks, no-break and other spaces) or U+200B ZERO WIDTH SPACE, the
/// same set the project's `empty-message` names for X.
pub fn is_blank_character(c: char) -> bool {
    c.is_whitespace() || c == '\u{200B}'
}

/// Check one text (the message, part 0): not empty, not only white space, at most
/// [`MAX_LENGTH`] characters. Errors carry the code and the message; `part` is `Some(0)`.
pub fn validate_text(text: &str) -> Result<(), PostError> {
    let error = |code: &str, message: String| PostError {
        code: code.to_string(),
        message,
        part: Some(0),
    };
    if text.is_empty() {
        return Err(error(
            CODE_EMPTY_MESSAGE,
            "message is empty; LinkedIn needs at least 1 character".to_string(),
        ));
    }
    if text.chars().all(is_blank_character) {
        let mut seen: Vec<char> = Vec::new();
        for c in text.chars() {
            if !seen.contains(&c) {
                seen.push(c);
            }
        }
        let named: Vec<String> = seen
            .iter()
            .map(|c| format!("U+{:04X}", u32::from(*c)))
            .collect();
        return Err(error(
            CODE_EMPTY_MESSAGE,
            format!(
                "message holds only white space ({}); LinkedIn needs at least 1 other character",
                named.join(", ")
            ),
        ));
    }
    let count = length(text);
    if count > MAX_LENGTH {
        return Err(error(
            CODE_MESSAGE_TOO_LONG,
            format!(
                "message is {count} characters (UTF-16 code units, before escaping); LinkedIn allows at most {MAX_LENGTH}"
            ),
        ));
    }
    Ok(())
}

/// Check `post` by LinkedIn's rules (module docs): more than one part is
/// `thread-not-supported` for the post as a whole (`part: None`); then the message
/// ([`validate_text`], `part: Some(0)`). A post without parts is `empty-message` with no
/// part (the scheduler never sends one).
pub fn validate(post: &Post) -> Result<(), PostError> {
    match post.parts.as_slice() {
        [] => Err(PostError {
            code: CODE_EMPTY_MESSAGE.to_string(),
            message: "the post has no parts; LinkedIn needs the message".to_string(),
            part: None,
        }),
        [message] => validate_text(message),
        [_, replies @ ..] => Err(PostError {
            code: CODE_THREAD_NOT_SUPPORTED.to_string(),
            message: thread_message(replies.len()),
            part: None,
        }),
    }
}

/// The `thread-not-supported` message for a thread of `replies` replies.
pub fn thread_message(replies: usize) -> String {
    let replies = if replies == 1 {
        "1 reply".to_string()
    } else {
        format!("{replies} replies")
    };
    format!(
        "LinkedIn has no threads: send the message and the thread's {replies} as separate posts, each in an event without \"thread\""
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(parts: &[&str]) -> Post {
        Post {
            parts: parts.iter().map(|p| p.to_string()).collect(),
            account: "default".to_string(),
            idempotency_key: String::new(),
        }
    }

    fn error(code: &str, message: &str, part: Option<u32>) -> Result<(), PostError> {
        Err(PostError {
            code: code.to_string(),
            message: message.to_string(),
            part,
        })
    }

    #[test]
    fn exactly_3000_characters_pass_and_3001_fail_naming_the_count_and_the_limit() {
        assert_eq!(validate(&post(&[&"a".repeat(3000)])), Ok(()));
        assert_eq!(
            validate(&post(&[&"a".repeat(3001)])),
            error(
                "message-too-long",
                "message is 3001 characters (UTF-16 code units, before escaping); LinkedIn allows at most 3000",
                Some(0)
            )
        );
    }

    #[test]
    fn escaping_does_not_count() {
        // 3,000 reserved characters are 6,000 once escaped, and still pass.
        let reserved = "(".repeat(3000);
        assert_eq!(crate::little::escape(&reserved).chars().count(), 6000);
        assert_eq!(validate(&post(&[&reserved])), Ok(()));
        assert_eq!(
            validate(&post(&[&"#".repeat(3001)])).map_err(|e| e.message),
            Err("message is 3001 characters (UTF-16 code units, before escaping); LinkedIn allows at most 3000".to_string())
        );
    }

    #[test]
    fn characters_are_utf16_code_units() {
        assert_eq!(length("abc"), 3);
        assert_eq!(length("é"), 1);
        assert_eq!(length("日本"), 2);
        assert_eq!(length("😀"), 2);
        assert_eq!(length("👍🏽"), 4);
        assert_eq!(validate(&post(&[&"😀".repeat(1500)])), Ok(()));
        assert_eq!(
            validate(&post(&[&format!("{}a", "😀".repeat(1500))])).map_err(|e| e.message),
            Err("message is 3001 characters (UTF-16 code units, before escaping); LinkedIn allows at most 3000".to_string())
        );
        // 2,000 code points, 3,000 code units: within the limit by either count.
        assert_eq!(
            validate(&post(&[&format!(
                "{}{}",
                "😀".repeat(1000),
                "a".repeat(1000)
            )])),
            Ok(())
        );
    }

    #[test]
    fn empty_and_blank_messages_are_refused_naming_the_characters() {
        assert_eq!(
            validate(&post(&[""])),
            error(
                "empty-message",
                "message is empty; LinkedIn needs at least 1 character",
                Some(0)
            )
        );
        assert_eq!(
            validate(&post(&[" \n\t \u{200B}\u{3000}\n"])),
            error(
                "empty-message",
                "message holds only white space (U+0020, U+000A, U+0009, U+200B, U+3000); LinkedIn needs at least 1 other character",
                Some(0)
            )
        );
        assert_eq!(validate(&post(&[" . "])), Ok(()));
    }

    #[test]
    fn a_thread_is_refused_as_a_whole() {
        assert_eq!(
            validate(&post(&["one", "two"])),
            error(
                "thread-not-supported",
                "LinkedIn has no threads: send the message and the thread's 1 reply as separate posts, each in an event without \"thread\"",
                None
            )
        );
        // Refused as a thread even when a part would be refused on its own.
        assert_eq!(
            validate(&post(&["", "two", &"x".repeat(4000)])),
            error(
                "thread-not-supported",
                "LinkedIn has no threads: send the message and the thread's 2 replies as separate posts, each in an event without \"thread\"",
                None
            )
        );
    }

    #[test]
    fn a_post_without_parts_is_empty_as_a_whole() {
        assert_eq!(
            validate(&post(&[])),
            error(
                "empty-message",
                "the post has no parts; LinkedIn needs the message",
                None
            )
        );
    }
}
