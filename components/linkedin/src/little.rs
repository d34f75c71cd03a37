//! LinkedIn's "little" text format, the format of a post's `commentary` in the Posts API
//! (learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format;
//! Post Schema: "commentary — little text — The user generated commentary for the post").
//!
//! little gives meaning to a few characters (mentions `@[Name](urn:li:person:1)`, hashtags
//! `#tag`, templates `{hashtag|\#|tag}`); the page says "Characters reserved for little
//! elements must be escaped to be treated as plaintext", and its Text element lists them:
//! `\ | { } @ [ ] ( ) < > # * _ ~`, each escaped by a backslash. An unescaped one is not
//! refused: LinkedIn cuts the post's text at the first one (DESIGN.md section 3), so a post
//! "succeeds" with only its beginning shown.
//!
//! This component publishes the event's text as written, so it escapes every reserved
//! character ([`escape`]): a `#word` or an `@name` is shown as typed, not turned into a
//! hashtag link or a mention.

/// The characters little reserves, each escaped by a backslash to stand for itself
/// (little text format page, "Text"): `\ | { } @ [ ] ( ) < > # * _ ~`.
pub const RESERVED: [char; 15] = [
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

/// Whether little reserves `c` ([`RESERVED`]).
pub fn is_reserved(c: char) -> bool {
    RESERVED.contains(&c)
}

/// `text` as little text that LinkedIn shows exactly as `text`: a backslash before each
/// [`RESERVED`] character, every other character unchanged (URLs included: `_`, `(`, `#`
/// in a URL are escaped like any other, and LinkedIn shows the URL as written).
pub fn escape(text: &str) -> String {
    let reserved = text.chars().filter(|c| is_reserved(*c)).count();
    let mut out = String::with_capacity(text.len() + reserved);
    for c in text.chars() {
        if is_reserved(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_character_gets_one_backslash() {
        let cases = [
            ("\\", "\\\\"),
            ("|", "\\|"),
            ("{", "\\{"),
            ("}", "\\}"),
            ("@", "\\@"),
            ("[", "\\["),
            ("]", "\\]"),
            ("(", "\\("),
            (")", "\\)"),
            ("<", "\\<"),
            (">", "\\>"),
            ("#", "\\#"),
            ("*", "\\*"),
            ("_", "\\_"),
            ("~", "\\~"),
        ];
        assert_eq!(
            cases.len(),
            RESERVED.len(),
            "one case per reserved character"
        );
        for (text, escaped) in cases {
            assert_eq!(escape(text), escaped, "{text:?}");
        }
        assert_eq!(
            escape(r"\|{}@[]()<>#*_~"),
            r"\\\|\{\}\@\[\]\(\)\<\>\#\*\_\~"
        );
    }

    #[test]
    fn text_without_reserved_characters_is_unchanged() {
        let text = "Hello world! Ça va? 1+1=2; \"quotes\", 'apostrophes', $5 & 50% off.\nNew line\t😀 日本語 - / : = ? ^ ` ' \"";
        assert_eq!(escape(text), text);
        assert_eq!(escape(""), "");
    }

    #[test]
    fn a_url_is_escaped_where_it_holds_reserved_characters() {
        assert_eq!(
            escape("https://example.com/a_b/(c)?q=1&r=~x#frag"),
            r"https://example.com/a\_b/\(c\)?q=1&r=\~x\#frag"
        );
        assert_eq!(
            escape("see https://www.linkedin.com/feed/"),
            "see https://www.linkedin.com/feed/"
        );
    }

    #[test]
    fn a_mention_or_hashtag_like_text_stays_plain_text() {
        assert_eq!(
            escape("Hi @[Eddy](urn:li:person:1234) #hashtag"),
            r"Hi \@\[Eddy\]\(urn:li:person:1234\) \#hashtag"
        );
        assert_eq!(escape("mail me@example.com"), r"mail me\@example.com");
        assert_eq!(escape("{hashtag|\\#|tag}"), r"\{hashtag\|\\\#\|tag\}");
    }

    #[test]
    fn a_backslash_is_doubled_and_never_escapes_what_follows() {
        assert_eq!(escape(r"C:\temp\new"), r"C:\\temp\\new");
        // An escaped-looking sequence in the input is text too: both characters escaped.
        assert_eq!(escape(r"\#"), r"\\\#");
        assert_eq!(escape("a\\"), "a\\\\");
    }
}
