//! Which characters a post may hold, beyond twitter-text's length rule: our own policy for
//! X, because twitter-text counts any code point, so a post of spaces or of control
//! characters has a valid length that X's API then refuses or renders as nothing.
//!
//! - Forbidden: twitter-text's invalid characters ([`super::INVALID_CHARACTERS`]), and every
//!   control character (Unicode general category Cc: U+0000-U+001F, U+007F-U+009F) except
//!   tab and newline ([`ALLOWED_CONTROLS`]), so NUL, carriage return and the C1 controls
//!   are refused.
//! - Blank: a message whose every character is Unicode `White_Space` (Rust's
//!   `char::is_whitespace`) or U+200B ZERO WIDTH SPACE ([`ZERO_WIDTH_SPACE`], which Unicode
//!   does not count as white space) shows nothing, so it is refused like an empty one.

use super::{MessageError, CODE_EMPTY_MESSAGE, CODE_INVALID_CHARACTERS, INVALID_CHARACTERS};

/// The control characters a post may hold: U+0009 tab and U+000A newline.
pub const ALLOWED_CONTROLS: [char; 2] = ['\t', '\n'];

/// U+200B ZERO WIDTH SPACE: not Unicode `White_Space`, but as invisible as it.
pub const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// `U+XXXX` (at least four hex digits, upper case).
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// The `invalid-characters` error for the first forbidden character of `text`, if any.
pub(super) fn forbidden(text: &str) -> Option<MessageError> {
    let (bad, why) = text.chars().find_map(|c| {
        if INVALID_CHARACTERS.contains(&c) {
            Some((
                c,
                "which X does not allow (U+FFFE, U+FEFF and U+FFFF are invalid)",
            ))
        } else if c.is_control() && !ALLOWED_CONTROLS.contains(&c) {
            Some((
                c,
                "a control character X does not allow (of the control characters only \
                 tab U+0009 and newline U+000A are)",
            ))
        } else {
            None
        }
    })?;
    Some(MessageError {
        code: CODE_INVALID_CHARACTERS.to_string(),
        message: format!("message contains {}, {why}", code_point(bad)),
    })
}

/// The `empty-message` error when `text` is not empty but blank: only white space and
/// zero-width spaces. The message names each distinct character, in order of appearance.
pub(super) fn blank(text: &str) -> Option<MessageError> {
    let mut seen: Vec<char> = Vec::new();
    for c in text.chars() {
        if !(c.is_whitespace() || c == ZERO_WIDTH_SPACE) {
            return None;
        }
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    if seen.is_empty() {
        return None;
    }
    let names: Vec<String> = seen.into_iter().map(code_point).collect();
    Some(MessageError {
        code: CODE_EMPTY_MESSAGE.to_string(),
        message: format!(
            "message holds only white space and zero-width spaces ({}); X needs at least 1 \
             other character",
            names.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::validate;
    use super::*;

    fn error(code: &str, message: &str) -> Result<(), MessageError> {
        Err(MessageError {
            code: code.to_string(),
            message: message.to_string(),
        })
    }

    #[test]
    fn blank_messages_are_empty_and_name_their_characters() {
        let cases = [
            ("   ", "U+0020"),
            ("\u{200b}", "U+200B"),
            (
                " \u{200b}\t\n \u{3000}",
                "U+0020, U+200B, U+0009, U+000A, U+3000",
            ),
            ("\u{a0}\u{2028}", "U+00A0, U+2028"),
        ];
        for (text, names) in cases {
            assert_eq!(
                validate(text),
                error(
                    "empty-message",
                    &format!(
                        "message holds only white space and zero-width spaces ({names}); X \
                         needs at least 1 other character"
                    )
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn white_space_around_text_is_kept() {
        assert_eq!(validate(" \u{200b}a\n"), Ok(()));
        assert_eq!(validate("line 1\n\tline 2"), Ok(()));
    }

    #[test]
    fn control_characters_other_than_tab_and_newline_are_named() {
        let cases = [
            ("a\u{0}b", "U+0000"),
            ("line\r\n", "U+000D"),
            ("\u{1b}[31mred", "U+001B"),
            ("del\u{7f}", "U+007F"),
            ("next\u{85}line", "U+0085"),
            ("c1 \u{9f}", "U+009F"),
            // A blank message with a control character: the character is the problem.
            (" \u{b} ", "U+000B"),
        ];
        for (text, name) in cases {
            assert_eq!(
                validate(text),
                error(
                    "invalid-characters",
                    &format!(
                        "message contains {name}, a control character X does not allow (of \
                         the control characters only tab U+0009 and newline U+000A are)"
                    )
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_first_forbidden_character_is_named() {
        assert_eq!(
            validate("a\u{feff}\u{0}"),
            error(
                "invalid-characters",
                "message contains U+FEFF, which X does not allow (U+FFFE, U+FEFF and U+FFFF are invalid)"
            )
        );
        assert_eq!(
            forbidden("a\u{0}\u{feff}").map(|e| e.message),
            Some(
                "message contains U+0000, a control character X does not allow (of the control \
                 characters only tab U+0009 and newline U+000A are)"
                    .to_string()
            )
        );
    }
}
