//! Links, mentions and hashtags of a post's text as rich-text facet spans
//! (`app.bsky.richtext.facet`; docs.bsky.app "Links, mentions, and rich text"): Bluesky
//! shows a link, a mention or a tag only where a facet says so, and a facet's `index`
//! counts **UTF-8 bytes** (`byteStart` inclusive, `byteEnd` exclusive), not characters.
//!
//! [`detect`] follows the official client's detection (bluesky-social/atproto,
//! `packages/api/src/rich-text/detection.ts` and `util.ts`), with the differences noted:
//! - a **link** starts at the text's start, after white space or after `(`, with `http://`
//!   or `https://` (any case), and runs to the next white space; then one trailing
//!   `.`, `,`, `;`, `:`, `!` or `?` is dropped, then one trailing `)` when the link holds
//!   no `(`. Links without a scheme (`example.com`) are not detected here (the client
//!   checks those against a list of top-level domains); a link with nothing after `://`
//!   is none;
//! - a **mention** is `@` at the start, after white space or after `(`, then a handle:
//!   the longest run of ASCII letters, digits, `.` and `-` that ends on a word boundary,
//!   with the handle syntax of atproto.com/specs/handle (two labels or more, the last
//!   starting with a letter, not one of the disallowed top-level domains). The client
//!   checks the last label against its list of top-level domains; here the PDS decides:
//!   the handle is resolved to a DID (`com.atproto.identity.resolveHandle`) and one that
//!   does not resolve gets no facet;
//! - a **hashtag** is `#` (or the full-width `＃`) at the start or after white space,
//!   then the run of characters up to white space or a zero-width character (U+00AD,
//!   U+2060, U+200A to U+200D, U+20E2), not starting with U+FE0F, holding a character
//!   that is no digit and no punctuation; trailing punctuation is dropped and the tag
//!   must be 1 to 64 UTF-16 code units. The feature's tag has no `#`.
//!
//! Spans that overlap an earlier one are dropped (the client would keep both); the rest
//! come ordered by `byteStart`.

mod punctuation;

pub use punctuation::is_punctuation;

/// What a span stands for.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Feature {
    /// `app.bsky.richtext.facet#link`: the link's URL, as written.
    Link(String),
    /// `app.bsky.richtext.facet#mention` once resolved: the handle, lower case, without
    /// the `@` (the facet needs its DID).
    Mention(String),
    /// `app.bsky.richtext.facet#tag`: the tag without `#`.
    Tag(String),
}

/// One detected span of a text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Span {
    /// The UTF-8 byte offset of its first byte (`index.byteStart`).
    pub byte_start: usize,
    /// The UTF-8 byte offset just past it (`index.byteEnd`).
    pub byte_end: usize,
    /// What it stands for.
    pub feature: Feature,
}

/// White space as JavaScript's `\s` has it (Unicode White_Space and U+FEFF, not U+0085).
fn is_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// The zero-width characters that end a hashtag (`TAG_REGEX`).
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{2060}' | '\u{200a}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{20e2}'
    )
}

/// A word character of a JavaScript regular expression without `u`: `[A-Za-z0-9_]`.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The character before byte `at` of `text`.
fn before(text: &str, at: usize) -> Option<char> {
    text.get(..at).and_then(|head| head.chars().next_back())
}

/// Whether `rest` starts with `prefix`, ASCII case ignored.
fn starts_with_ignoring_case(rest: &str, prefix: &str) -> bool {
    rest.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Every span of `text` (module docs), ordered by `byte_start`, none overlapping.
pub fn detect(text: &str) -> Vec<Span> {
    let mut spans = mentions(text);
    spans.extend(links(text));
    spans.extend(tags(text));
    spans.sort_by_key(|s| (s.byte_start, s.byte_end));
    let mut kept: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        if kept
            .last()
            .is_some_and(|prev| prev.byte_end > span.byte_start)
        {
            continue;
        }
        kept.push(span);
    }
    kept
}

/// The links of `text` (module docs).
fn links(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut from = 0;
    for (start, _) in text.char_indices() {
        if start < from || !before(text, start).is_none_or(|c| is_space(c) || c == '(') {
            continue;
        }
        let rest = text.get(start..).unwrap_or_default();
        let scheme = if starts_with_ignoring_case(rest, "https://") {
            "https://".len()
        } else if starts_with_ignoring_case(rest, "http://") {
            "http://".len()
        } else {
            continue;
        };
        let run = rest.find(is_space).unwrap_or(rest.len());
        from = start + run;
        let mut uri = rest.get(..run).unwrap_or_default();
        if uri.ends_with(['.', ',', ';', ':', '!', '?']) {
            uri = uri.get(..uri.len() - 1).unwrap_or_default();
        }
        if uri.ends_with(')') && !uri.contains('(') {
            uri = uri.get(..uri.len() - 1).unwrap_or_default();
        }
        if uri.len() > scheme {
            out.push(Span {
                byte_start: start,
                byte_end: start + uri.len(),
                feature: Feature::Link(uri.to_string()),
            });
        }
    }
    out
}

/// The top-level domains a handle may not have (atproto.com/specs/handle).
const DISALLOWED_TLDS: [&str; 8] = [
    "alt",
    "arpa",
    "example",
    "internal",
    "invalid",
    "local",
    "localhost",
    "onion",
];

/// Whether `handle` has the handle syntax (atproto.com/specs/handle): at most 253
/// characters, two labels or more of 1 to 63 ASCII letters, digits and `-`, none starting
/// or ending with `-`, the last starting with a letter and not a disallowed one.
pub fn is_handle(handle: &str) -> bool {
    let labels: Vec<&str> = handle.split('.').collect();
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let Some(last) = labels.last() else {
        return false;
    };
    handle.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| label_ok(l))
        && last.starts_with(|c: char| c.is_ascii_alphabetic())
        && !DISALLOWED_TLDS.contains(&last.to_ascii_lowercase().as_str())
}

/// The mentions of `text` (module docs).
fn mentions(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for (at, c) in text.char_indices() {
        if c != '@' || !before(text, at).is_none_or(|c| is_space(c) || c == '(') {
            continue;
        }
        let rest = text.get(at + 1..).unwrap_or_default();
        let run = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let bytes = rest.as_bytes();
        // The longest prefix of the run that ends on a word boundary (`(\b)` after the
        // greedy run; the end of the text is a non-word character).
        let boundary = (1..=run).rev().find(|&len| {
            let last = bytes.get(len - 1).map(|&b| char::from(b));
            let next = rest.get(len..).and_then(|r| r.chars().next());
            last.is_some_and(is_word) != next.is_some_and(is_word)
        });
        let Some(len) = boundary else {
            continue;
        };
        let handle = rest.get(..len).unwrap_or_default();
        if is_handle(handle) {
            out.push(Span {
                byte_start: at,
                byte_end: at + 1 + len,
                feature: Feature::Mention(handle.to_ascii_lowercase()),
            });
        }
    }
    out
}

/// The hashtags of `text` (module docs).
fn tags(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for (hash, c) in text.char_indices() {
        if !(c == '#' || c == '\u{ff03}') || !before(text, hash).is_none_or(is_space) {
            continue;
        }
        let body = hash + c.len_utf8();
        let rest = text.get(body..).unwrap_or_default();
        let run = rest
            .find(|c: char| is_space(c) || is_zero_width(c))
            .unwrap_or(rest.len());
        let run = rest.get(..run).unwrap_or_default();
        if run.starts_with('\u{fe0f}')
            || !run
                .chars()
                .any(|c| !c.is_ascii_digit() && !is_punctuation(c))
        {
            continue;
        }
        let tag = run.trim_end_matches(is_punctuation);
        let units = tag.encode_utf16().count();
        if (1..=64).contains(&units) {
            out.push(Span {
                byte_start: hash,
                byte_end: body + tag.len(),
                feature: Feature::Tag(tag.to_string()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
