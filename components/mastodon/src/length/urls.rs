//! The URLs that count `characters_reserved_per_url`: what Mastodon's
//! `StatusLengthValidator` extracts with `Extractor.extract_urls_with_indices(str,
//! extract_url_without_protocol: false)`, i.e. twitter-text's (Ruby) `valid_url` as
//! Mastodon redefines it (mastodon/mastodon `config/initializers/twitter_regex.rb`), keeping
//! only the matches that have a scheme. Re-expressed as a linear scanner.
//!
//! A match is `preceding-char (scheme://)? domain (:port)? (/path)? (?query)?`:
//! - the character before it must not be an ASCII letter or digit, `@`, `＠`, `$`, `#`, `＃`
//!   or U+FFFE/U+FEFF/U+FFFF (`valid_url_preceding_chars`), or the match starts the text;
//! - the scheme is one of Mastodon's: `http`, `https`, `dat`, `dweb`, `ipfs`, `ipns`,
//!   `ssb`, `gopher`, `gemini` (any case), then `://`;
//! - the domain is `subdomain* domain-name tld` (`valid_domain`): labels of domain
//!   characters (anything but ASCII punctuation, spaces and control and invalid
//!   characters), subdomains may hold `_`; the longest domain wins; the top-level domain is
//!   a known one not followed by an ASCII letter or digit, `@`, `+` or `-`, or a punycode
//!   label `xn--…`. twitter-text carries its own snapshot of the IANA list; here it is the
//!   ICANN section of the Public Suffix List (`psl` crate), internationalised TLDs such as
//!   `рф` looked up by their punycode;
//! - path (Mastodon's `valid_url_path`): characters other than white space, `<`, `>`,
//!   `(`, `)`, `?`, and balanced parentheses (one nested level), ending on a character
//!   that is not one of Mastodon's trailing punctuation ``()?!*"'「」<>;:=,.$%[]~&|@`` (or
//!   on `)` of a balanced group);
//! - query (`valid_url_query_chars`, `…_ending_chars`): `?`, then ASCII letters, digits,
//!   ``!?*'();:&=+$/%#[]-_.,~|@^`` and non-ASCII (`UCHARS`), ending on a letter, digit,
//!   ``_&=#/-`` or non-ASCII character;
//! - then `is_valid_domain`: each host label at most 63 characters once IDNA-encoded, and
//!   the URL at most 4,096 (its host counted encoded).
//!
//! As Ruby's `String#scan`, each search resumes at the end of the previous match, with or
//! without a scheme: a scheme-less match (not counted) hides a URL written inside it.
//!
//! Known differences, all rare in posts: the TLD list is the PSL's, not twitter-text's
//! snapshot; IDNA's mapping and checks beyond the label length are not applied; and
//! twitter-text's special case of `t.co` links is not applied.

use std::ops::Range;

use super::domains::longest_domains;
use super::punycode;

/// The schemes Mastodon links (`valid_url` in `twitter_regex.rb`), each with `://`.
const SCHEMES: [&str; 9] = [
    "https://",
    "http://",
    "dat://",
    "dweb://",
    "ipfs://",
    "ipns://",
    "ssb://",
    "gopher://",
    "gemini://",
];

/// Longest URL, characters (twitter-text `MAX_URL_LENGTH`).
const MAX_URL_LENGTH: usize = 4096;
/// Longest host label (RFC 1035; IDNA's `toASCII` refuses longer ones).
const MAX_LABEL_LENGTH: usize = 63;

/// One match of `valid_url` (char indices).
struct Candidate {
    /// Where the URL starts (after the preceding character).
    start: usize,
    /// Whether it starts with a scheme.
    has_scheme: bool,
    /// The host.
    domain: Range<usize>,
    /// Where it ends.
    end: usize,
}

/// Char ranges of `chars` that Mastodon counts as URLs, ascending and disjoint.
pub(super) fn find_urls(chars: &[char]) -> Vec<Range<usize>> {
    // `return [] unless text.index(":")` (a URL with a scheme has one).
    if !chars.contains(&':') {
        return Vec::new();
    }
    let domains = longest_domains(chars);
    let mut urls = Vec::new();
    let mut from = 0;
    while let Some(candidate) = next_candidate(chars, &domains, from) {
        from = candidate.end;
        if candidate.has_scheme && is_valid(chars, &candidate) {
            urls.push(candidate.start..candidate.end);
        }
    }
    urls
}

/// The leftmost match at or after `from`: a preceding character then a URL, or (only at
/// the start of the text) a URL alone.
fn next_candidate(chars: &[char], domains: &[Option<usize>], from: usize) -> Option<Candidate> {
    for (p, &c) in chars.iter().enumerate().skip(from) {
        if is_valid_preceding_char(c) {
            if let Some(candidate) = candidate_at(chars, domains, p + 1) {
                return Some(candidate);
            }
        }
        if p == 0 {
            if let Some(candidate) = candidate_at(chars, domains, 0) {
                return Some(candidate);
            }
        }
    }
    None
}

/// A URL starting at `start`: with a scheme when one is there and a domain follows it,
/// else without (the regex's optional scheme, tried first).
fn candidate_at(chars: &[char], domains: &[Option<usize>], start: usize) -> Option<Candidate> {
    if let Some(len) = scheme_len_at(chars, start) {
        if let Some(candidate) = candidate_from(chars, domains, start, len) {
            return Some(candidate);
        }
    }
    candidate_from(chars, domains, start, 0)
}

fn candidate_from(
    chars: &[char],
    domains: &[Option<usize>],
    start: usize,
    scheme_len: usize,
) -> Option<Candidate> {
    let domain_start = start + scheme_len;
    let domain_end = (*domains.get(domain_start)?)?;
    let mut at = domain_end;
    // `(?::(valid_port_number))?`
    if char_is(chars, at, ':') && chars.get(at + 1).is_some_and(char::is_ascii_digit) {
        at += 1;
        while chars.get(at).is_some_and(char::is_ascii_digit) {
            at += 1;
        }
    }
    // `(/valid_url_path*)?`
    if char_is(chars, at, '/') {
        at = path_end(chars, at + 1);
    }
    // `(\?valid_url_query_chars*valid_url_query_ending_chars)?`
    if char_is(chars, at, '?') {
        if let Some(end) = query_end(chars, at + 1) {
            at = end;
        }
    }
    Some(Candidate {
        start,
        has_scheme: scheme_len > 0,
        domain: domain_start..domain_end,
        end: at,
    })
}

fn char_is(chars: &[char], at: usize, c: char) -> bool {
    chars.get(at) == Some(&c)
}

/// The length of the scheme and `://` at `at`, any case.
fn scheme_len_at(chars: &[char], at: usize) -> Option<usize> {
    SCHEMES.iter().find_map(|scheme| {
        let matches = scheme
            .chars()
            .enumerate()
            .all(|(i, s)| chars.get(at + i).map(char::to_ascii_lowercase) == Some(s));
        matches.then_some(scheme.len())
    })
}

/// End of `valid_url_path*` after the `/` at `start - 1`: path characters and balanced
/// parentheses, cut back to the last ending character or parenthesis group.
fn path_end(chars: &[char], start: usize) -> usize {
    let mut at = start;
    let mut end = start;
    loop {
        match chars.get(at) {
            Some(&c) if is_path_char(c) => {
                at += 1;
                if is_path_ending_char(c) {
                    end = at;
                }
            }
            Some('(') => match balanced_parens_end(chars, at) {
                Some(after) => {
                    at = after;
                    end = after;
                }
                None => break,
            },
            _ => break,
        }
    }
    end
}

/// `valid_url_balanced_parens` at `open` (a `(`): `(chars+)` or `(chars*(chars+)chars*)`.
fn balanced_parens_end(chars: &[char], open: usize) -> Option<usize> {
    let run = |from: usize| {
        let mut i = from;
        while chars.get(i).copied().is_some_and(is_path_char) {
            i += 1;
        }
        i
    };
    let inner = run(open + 1);
    if inner > open + 1 && char_is(chars, inner, ')') {
        return Some(inner + 1);
    }
    if !char_is(chars, inner, '(') {
        return None;
    }
    let nested = run(inner + 1);
    if nested == inner + 1 || !char_is(chars, nested, ')') {
        return None;
    }
    let tail = run(nested + 1);
    char_is(chars, tail, ')').then_some(tail + 1)
}

/// End of `valid_url_query_chars* valid_url_query_ending_chars` after the `?` at
/// `start - 1`; `None` when no ending character follows it.
fn query_end(chars: &[char], start: usize) -> Option<usize> {
    let mut end = None;
    let mut at = start;
    while let Some(&c) = chars.get(at) {
        if !is_query_char(c) {
            break;
        }
        at += 1;
        if is_query_ending_char(c) {
            end = Some(at);
        }
    }
    end
}

/// `is_valid_domain`: every host label at most 63 characters once IDNA-encoded
/// (`xn--` and its punycode for a label of other scripts), and the URL at most 4,096
/// characters counting its host encoded.
fn is_valid(chars: &[char], candidate: &Candidate) -> bool {
    let Some(host) = chars.get(candidate.domain.clone()) else {
        return false;
    };
    let mut length = candidate.end - candidate.start;
    for label in host.split(|c| *c == '.') {
        let encoded = if label.iter().all(char::is_ascii) {
            label.len()
        } else {
            let lower: String = label.iter().flat_map(|c| c.to_lowercase()).collect();
            match punycode::encode(&lower) {
                Some(code) => "xn--".len() + code.len(),
                None => return false,
            }
        };
        if encoded > MAX_LABEL_LENGTH {
            return false;
        }
        length += encoded.saturating_sub(label.len());
    }
    length <= MAX_URL_LENGTH
}

/// `valid_url_preceding_chars`: what may stand right before a URL.
fn is_valid_preceding_char(c: char) -> bool {
    !(c.is_ascii_alphanumeric()
        || matches!(
            c,
            '@' | '\u{ff20}' | '$' | '#' | '\u{ff03}' | '\u{fffe}' | '\u{feff}' | '\u{ffff}'
        ))
}

/// Mastodon's `valid_general_url_path_chars`: `[^\p{White_Space}<>()?]`.
fn is_path_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '?'))
}

/// Mastodon's `valid_url_path_ending_chars` (a path character that may end a path).
fn is_path_ending_char(c: char) -> bool {
    is_path_char(c)
        && !matches!(
            c,
            '!' | '*'
                | '"'
                | '\''
                | '「'
                | '」'
                | ';'
                | ':'
                | '='
                | ','
                | '.'
                | '$'
                | '%'
                | '['
                | ']'
                | '~'
                | '&'
                | '|'
                | '@'
        )
}

/// Mastodon's `UCHARS`: the non-ASCII characters a query may hold.
fn is_uchar(c: char) -> bool {
    matches!(c,
        '\u{a0}'..='\u{d7ff}'
        | '\u{f900}'..='\u{fdcf}'
        | '\u{fdf0}'..='\u{ffef}'
        | '\u{10000}'..='\u{1fffd}'
        | '\u{20000}'..='\u{2fffd}'
        | '\u{30000}'..='\u{3fffd}'
        | '\u{40000}'..='\u{4fffd}'
        | '\u{50000}'..='\u{5fffd}'
        | '\u{60000}'..='\u{6fffd}'
        | '\u{70000}'..='\u{7fffd}'
        | '\u{80000}'..='\u{8fffd}'
        | '\u{90000}'..='\u{9fffd}'
        | '\u{a0000}'..='\u{afffd}'
        | '\u{b0000}'..='\u{bfffd}'
        | '\u{c0000}'..='\u{cfffd}'
        | '\u{d0000}'..='\u{dfffd}'
        | '\u{e1000}'..='\u{efffd}'
        | '\u{e000}'..='\u{f8ff}'
        | '\u{f0000}'..='\u{ffffd}'
        | '\u{100000}'..='\u{10fffd}')
}

/// Mastodon's `valid_url_query_chars`.
fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!?*'();:&=+$/%#[]-_.,~|@^".contains(c) || is_uchar(c)
}

/// Mastodon's `valid_url_query_ending_chars`.
fn is_query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_&=#/-".contains(c) || is_uchar(c)
}
