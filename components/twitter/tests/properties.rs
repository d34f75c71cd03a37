//! Property tests (proptest) of the twitter component's pure logic: the OAuth percent-encoder
//! (`oauth::percent_encode`) and X's weighted length (`weighted::weighted_length`,
//! `weighted::validate`).
//!
//! Each property holds exactly. The weighted-length ones that relate two strings are stated
//! only where the rule can be followed by hand: the appended text starts after whitespace,
//! which no URL, emoji sequence, grapheme cluster or NFC composition crosses.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use sps_twitter::oauth::{percent_encode, signing_key};
use sps_twitter::weighted::{
    code_point_weight, validate, weighted_length, CODE_EMPTY_MESSAGE, CODE_INVALID_CHARACTERS,
    CODE_MESSAGE_TOO_LONG, EMOJI_WEIGHT, INVALID_CHARACTERS, MAX_WEIGHTED_LENGTH, URL_WEIGHT,
};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// RFC 3986 unreserved characters: what OAuth leaves unescaped.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-decode with the `percent-encoding` crate; `Err` when the bytes are not UTF-8.
fn decode(encoded: &str) -> Result<String, std::str::Utf8Error> {
    percent_decode_str(encoded)
        .decode_utf8()
        .map(|s| s.into_owned())
}

/// Strings for the encoder: arbitrary Unicode, printable ASCII (all the reserved
/// characters), and bytes around the unreserved set.
fn encoder_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        "[A-Za-z0-9._~%+&=-]{0,40}",
        prop::collection::vec(any::<char>(), 0..20).prop_map(|v| v.into_iter().collect()),
    ]
}

proptest! {
    /// Every output character is an unreserved one or part of a `%XX` escape with uppercase
    /// hex digits.
    #[test]
    fn percent_encode_leaves_only_unreserved_and_uppercase_escapes(s in encoder_input()) {
        let encoded = percent_encode(&s);
        let bytes = encoded.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                prop_assert!(i + 3 <= bytes.len(), "truncated escape in {encoded}");
                for &h in &bytes[i + 1..i + 3] {
                    prop_assert!(h.is_ascii_digit() || (b'A'..=b'F').contains(&h), "{encoded}");
                }
                i += 3;
            } else {
                prop_assert!(is_unreserved(bytes[i]), "{encoded}");
                i += 1;
            }
        }
    }

    /// The encoding is exactly: each unreserved byte as itself, every other byte of the UTF-8
    /// text as `%XX` (uppercase hex).
    #[test]
    fn percent_encode_escapes_exactly_the_reserved_bytes(s in encoder_input()) {
        let expected: String = s
            .bytes()
            .map(|b| {
                if is_unreserved(b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        prop_assert_eq!(percent_encode(&s), expected);
    }

    /// Percent-decoding (the `percent-encoding` crate) gives back the original string.
    #[test]
    fn percent_decode_round_trips(s in encoder_input()) {
        let encoded = percent_encode(&s);
        prop_assert_eq!(decode(&encoded), Ok(s));
    }

    /// Text of unreserved characters only is left as it is, and only such text is.
    #[test]
    fn percent_encode_is_identity_exactly_on_unreserved_text(s in encoder_input()) {
        prop_assert_eq!(percent_encode(&s) == s, s.bytes().all(is_unreserved));
    }

    /// The signing key `enc(consumer secret)&enc(token secret)` splits back at its only `&`.
    #[test]
    fn signing_key_splits_back_into_its_secrets(a in encoder_input(), b in encoder_input()) {
        let key = signing_key(&a, &b);
        prop_assert_eq!(key.matches('&').count(), 1);
        let (left, right) = key.split_once('&').unwrap();
        prop_assert_eq!(decode(left), Ok(a));
        prop_assert_eq!(decode(right), Ok(b));
    }
}

// ---------------------------------------------------------------------------------------------
// weighted.rs
// ---------------------------------------------------------------------------------------------

/// Whitespace characters (all in twitter-text's `spacesGroup`, all NFC-stable, none of them
/// joins a grapheme cluster with what follows).
const WHITESPACE: [char; 7] = [' ', '\t', '\n', '\r', '\u{b}', '\u{a0}', '\u{3000}'];

fn whitespace() -> impl Strategy<Value = char> {
    prop::sample::select(&WHITESPACE[..])
}

/// Text around the URL rules: letters, dots, slashes, scheme and TLD pieces, parentheses,
/// query characters, `@`/`#`, whitespace and a few non-ASCII characters.
fn url_like_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        "[a-zA-Z0-9]{1,6}",
        Just(".".to_owned()),
        Just("/".to_owned()),
        Just(" ".to_owned()),
        Just("http://".to_owned()),
        Just("https://".to_owned()),
        Just("HTTPS://".to_owned()),
        Just("t.co/".to_owned()),
        Just("xn--".to_owned()),
        prop::sample::select(
            &[
                ".com",
                ".co",
                ".tv",
                ".jp",
                ".uk",
                ".org",
                ".xyz",
                ".みんな"
            ][..]
        )
        .prop_map(str::to_owned),
        "[-_:?#@$&=+!()\\[\\]',~%*|]{1,3}",
        prop::sample::select(
            &["é", "ü", "я", "日本", "😀", "\u{200f}", "\u{feff}", "＠", "\u{301}"][..]
        )
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

/// Arbitrary Unicode and the URL-shaped text above.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        url_like_text(),
        prop::collection::vec(any::<char>(), 0..64).prop_map(|v| v.into_iter().collect()),
    ]
}

/// Any text that ends in whitespace.
fn text_ending_in_whitespace() -> impl Strategy<Value = String> {
    (any_text(), whitespace()).prop_map(|(mut s, w)| {
        s.push(w);
        s
    })
}

/// Characters that weigh exactly their code point weight in any context: not `.` (no URL
/// can form), not a combining mark, joiner or emoji component, NFC-stable.
fn plain_char() -> impl Strategy<Value = char> {
    prop_oneof![
        // printable ASCII except `.`, `#`, `*` and digits (keycap emoji bases) are allowed too:
        // alone they are text
        prop::char::range(' ', '-'),
        prop::char::range('/', '~'),
        // Latin-1 letters (precomposed, NFC-stable; weight 1)
        prop::char::range('\u{c0}', '\u{ff}'),
        // CJK unified ideographs (weight 2, never emoji)
        prop::char::range('\u{4e00}', '\u{9fff}'),
        // Hiragana (weight 2); U+3099-309A are combining, left out
        prop::char::range('\u{3041}', '\u{3096}'),
    ]
}

/// Single-code-point emoji with default emoji presentation (the Emoticons block).
fn emoticon() -> impl Strategy<Value = char> {
    prop::char::range('\u{1f600}', '\u{1f64f}')
}

proptest! {
    /// Arbitrary Unicode never makes the counter or the validator panic, and validation
    /// follows its documented order: forbidden characters (twitter-text's invalid ones, and
    /// control characters other than tab and newline), then empty (length 0, or only white
    /// space and U+200B), then too long.
    #[test]
    fn weighted_length_never_panics_and_validate_agrees(s in any_text()) {
        let length = weighted_length(&s);
        let forbidden = |c: char| {
            INVALID_CHARACTERS.contains(&c) || (c.is_control() && c != '\t' && c != '\n')
        };
        let blank = s.chars().all(|c| c.is_whitespace() || c == '\u{200b}');
        let expected = if s.chars().any(forbidden) {
            Err(CODE_INVALID_CHARACTERS)
        } else if length == 0 || blank {
            Err(CODE_EMPTY_MESSAGE)
        } else if length > MAX_WEIGHTED_LENGTH {
            Err(CODE_MESSAGE_TOO_LONG)
        } else {
            Ok(())
        };
        prop_assert_eq!(validate(&s).map_err(|e| e.code), expected.map_err(str::to_owned));
    }

    /// The length is 0 exactly for the empty string: every cluster weighs at least 1.
    #[test]
    fn only_the_empty_string_weighs_zero(s in any_text()) {
        prop_assert_eq!(weighted_length(&s) == 0, s.is_empty());
    }

    /// Canonically equivalent texts weigh the same (the text is NFC-normalised first).
    #[test]
    fn canonically_equivalent_texts_weigh_the_same(s in any_text()) {
        let length = weighted_length(&s);
        prop_assert_eq!(weighted_length(&s.nfc().collect::<String>()), length);
        prop_assert_eq!(weighted_length(&s.nfd().collect::<String>()), length);
    }

    /// Without a `.` there is no URL, so the length lies between the number of grapheme
    /// clusters (each weighs at least 1) and twice the number of code points (each code
    /// point weighs at most 2, an emoji sequence 2 whatever its length), both after NFC.
    #[test]
    fn text_without_dots_is_bounded_by_clusters_and_code_points(s in any_text()) {
        let s: String = s.chars().filter(|c| *c != '.').collect();
        let nfc: String = s.nfc().collect();
        let length = weighted_length(&s);
        let clusters = nfc.graphemes(true).count() as u64;
        let code_points = nfc.chars().count() as u64;
        prop_assert!(clusters <= length, "{clusters} > {length} for {s:?}");
        prop_assert!(length <= 2 * code_points, "{length} > 2 * {code_points} for {s:?}");
    }

    /// Plain text (no `.`, no emoji, no combining marks) weighs the sum of its code point
    /// weights: 1 for ASCII and Latin-1, 2 for CJK and kana.
    #[test]
    fn plain_text_weighs_the_sum_of_its_code_points(
        chars in prop::collection::vec(plain_char(), 0..300)
    ) {
        let s: String = chars.iter().collect();
        let expected: u64 = chars.iter().map(|c| code_point_weight(*c)).sum();
        prop_assert_eq!(weighted_length(&s), expected);
        // the plain characters hold no control character; only spaces make a text blank
        let blank = chars.iter().all(|c| *c == ' ');
        prop_assert_eq!(
            validate(&s).is_ok(),
            !blank && (1..=MAX_WEIGHTED_LENGTH).contains(&expected)
        );
    }

    /// After whitespace, an ASCII letter or digit adds exactly 1.
    #[test]
    fn ascii_letter_after_whitespace_adds_one(
        s in text_ending_in_whitespace(),
        c in prop_oneof![prop::char::range('a', 'z'), prop::char::range('A', 'Z'), prop::char::range('0', '9')],
    ) {
        let mut longer = s.clone();
        longer.push(c);
        prop_assert_eq!(weighted_length(&longer), weighted_length(&s) + 1);
    }

    /// After whitespace, more whitespace adds exactly its code point weight (1 for these).
    #[test]
    fn whitespace_after_whitespace_adds_its_weight(
        s in text_ending_in_whitespace(),
        w in whitespace(),
    ) {
        let mut longer = s.clone();
        longer.push(w);
        prop_assert_eq!(weighted_length(&longer), weighted_length(&s) + code_point_weight(w));
    }

    /// After whitespace, a word of plain characters adds exactly the sum of their weights.
    #[test]
    fn plain_word_after_whitespace_adds_its_weights(
        s in text_ending_in_whitespace(),
        word in prop::collection::vec(plain_char(), 1..20),
    ) {
        let word: String = word.into_iter().collect();
        let expected: u64 = word.chars().map(code_point_weight).sum();
        prop_assert_eq!(weighted_length(&format!("{s}{word}")), weighted_length(&s) + expected);
    }

    /// After whitespace, an emoticon adds exactly the emoji weight (2).
    #[test]
    fn emoticon_after_whitespace_adds_two(s in text_ending_in_whitespace(), e in emoticon()) {
        let mut longer = s.clone();
        longer.push(e);
        prop_assert_eq!(weighted_length(&longer), weighted_length(&s) + EMOJI_WEIGHT);
    }

    /// After whitespace (or at the start), an `https://` URL with an ASCII path counts 23,
    /// whatever its length.
    #[test]
    fn url_after_whitespace_adds_23(
        s in prop_oneof![Just(String::new()), text_ending_in_whitespace()],
        scheme in prop::sample::select(&["http://", "https://", "HTTPS://"][..]),
        host in "[a-z][a-z0-9]{0,20}",
        tld in prop::sample::select(&["com", "org", "net", "io", "xyz"][..]),
        path in "[a-zA-Z0-9/_-]{0,200}",
    ) {
        let url = format!("{scheme}{host}.{tld}/{path}");
        prop_assert_eq!(weighted_length(&format!("{s}{url}")), weighted_length(&s) + URL_WEIGHT);
    }
}
