//! The mentions of a status, as Mastodon's `Extractor.extract_mentions_or_lists_with_indices`
//! finds them (mastodon/mastodon `app/lib/extractor.rb`) with `Account::MENTION_RE`
//! (`app/models/account.rb`):
//!
//! ```text
//! USERNAME_RE = /[a-z0-9_]+([.-]+[a-z0-9_]+)*/i
//! MENTION_RE  = %r{(?<![=/[:word:]])@((#{USERNAME_RE})(?:@[[:word:]]+([.-]+[[:word:]]+)*)?)}
//! ```
//!
//! A match is skipped when the text right after it starts with `@`, `＠`, a Latin accented
//! letter or `://` (twitter-text's `end_mention_match`, so `@noël` is not `@no`), or when
//! its domain is longer than 253 characters (`MAX_DOMAIN_LENGTH`). As Ruby's
//! `String#scan`, each search resumes at the end of the previous match, kept or not.
//!
//! `[[:word:]]` (Onigmo, Unicode: letters, marks, decimal numbers, connector punctuation)
//! is approximated by [`is_word`]: Unicode alphanumerics, `_`, the combining-mark blocks and
//! the connector punctuation characters.

use std::ops::Range;

/// Longest domain of a mention, characters (`Extractor::MAX_DOMAIN_LENGTH`).
const MAX_DOMAIN_LENGTH: usize = 253;

/// One mention: where it is (char indices, from its `@`) and its username (what the
/// length validator keeps: `@user@domain` counts as `@user`).
pub(super) struct Mention {
    /// The mention's chars, from the `@` to the end of the username or domain.
    pub(super) range: Range<usize>,
    /// The username, without `@` and domain.
    pub(super) username: String,
}

/// One match of `MENTION_RE` (char indices).
struct Match {
    start: usize,
    username: Range<usize>,
    /// The domain after the second `@`, when there is one.
    domain: Option<Range<usize>>,
    end: usize,
}

/// Every mention of `chars` the extractor keeps, in order.
pub(super) fn find_mentions(chars: &[char]) -> Vec<Mention> {
    // `return [] unless ... at_signs.match?(text)`
    if !chars.iter().any(|c| matches!(c, '@' | '\u{ff20}')) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(m) = next_match(chars, from) {
        from = m.end;
        if ends_badly(chars.get(m.end..).unwrap_or_default()) {
            continue;
        }
        if m.domain
            .as_ref()
            .is_some_and(|d| d.len() > MAX_DOMAIN_LENGTH)
        {
            continue;
        }
        found.push(Mention {
            range: m.start..m.end,
            username: chars.get(m.username).unwrap_or_default().iter().collect(),
        });
    }
    found
}

/// The leftmost match of `MENTION_RE` whose `@` is at or after `from`.
fn next_match(chars: &[char], from: usize) -> Option<Match> {
    for (i, &c) in chars.iter().enumerate().skip(from) {
        if c != '@' {
            continue;
        }
        // `(?<![=/[:word:]])`: the look-behind sees the whole text, not only from `from`.
        let before = i.checked_sub(1).and_then(|b| chars.get(b)).copied();
        if before.is_some_and(|b| b == '=' || b == '/' || is_word(b)) {
            continue;
        }
        let username_end = dotted_run(chars, i + 1, is_username_char);
        if username_end == i + 1 {
            continue;
        }
        // `(?:@[[:word:]]+([.-]+[[:word:]]+)*)?`
        let mut end = username_end;
        let mut domain = None;
        if chars.get(username_end) == Some(&'@') {
            let domain_end = dotted_run(chars, username_end + 1, is_word);
            if domain_end > username_end + 1 {
                domain = Some(username_end + 1..domain_end);
                end = domain_end;
            }
        }
        return Some(Match {
            start: i,
            username: i + 1..username_end,
            domain,
            end,
        });
    }
    None
}

/// The end of `C+([.-]+C+)*` from `start`, with `C` the characters `is_c` accepts (greedy;
/// `start` itself when no `C` is there).
fn dotted_run(chars: &[char], start: usize, is_c: fn(char) -> bool) -> usize {
    let run = |from: usize| {
        let mut at = from;
        while chars.get(at).copied().is_some_and(is_c) {
            at += 1;
        }
        at
    };
    let mut end = run(start);
    if end == start {
        return start;
    }
    loop {
        let mut dots = end;
        while chars.get(dots).is_some_and(|c| matches!(c, '.' | '-')) {
            dots += 1;
        }
        if dots == end {
            return end;
        }
        let after = run(dots);
        if after == dots {
            return end;
        }
        end = after;
    }
}

/// `[a-z0-9_]` of `USERNAME_RE` (case-insensitive).
fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// twitter-text's `end_mention_match`: `\A(?:[@＠]|[latin_accents]|://)`.
fn ends_badly(after: &[char]) -> bool {
    match after.first() {
        Some('@' | '\u{ff20}') => true,
        Some(&c) if is_latin_accent(c) => true,
        _ => after.starts_with(&[':', '/', '/']),
    }
}

/// twitter-text's `LATIN_ACCENTS` (regex.rb).
fn is_latin_accent(c: char) -> bool {
    matches!(c,
        '\u{c0}'..='\u{d6}'
        | '\u{d8}'..='\u{f6}'
        | '\u{f8}'..='\u{ff}'
        | '\u{100}'..='\u{24f}'
        | '\u{253}'..='\u{254}'
        | '\u{256}'..='\u{257}'
        | '\u{259}'
        | '\u{25b}'
        | '\u{263}'
        | '\u{268}'
        | '\u{26f}'
        | '\u{272}'
        | '\u{289}'
        | '\u{28b}'
        | '\u{2bb}'
        | '\u{300}'..='\u{36f}'
        | '\u{1e00}'..='\u{1eff}')
}

/// Onigmo's `[[:word:]]` for Unicode text (letters, marks, decimal numbers, connector
/// punctuation), approximated: alphanumerics, `_`, the combining-mark blocks and the
/// other connector punctuation characters.
fn is_word(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c,
            '_' | '\u{203f}'
            | '\u{2040}'
            | '\u{2054}'
            | '\u{fe33}'
            | '\u{fe34}'
            | '\u{fe4d}'..='\u{fe4f}'
            | '\u{ff3f}'
            | '\u{300}'..='\u{36f}'
            | '\u{1ab0}'..='\u{1aff}'
            | '\u{1dc0}'..='\u{1dff}'
            | '\u{20d0}'..='\u{20ff}'
            | '\u{fe20}'..='\u{fe2f}')
}
