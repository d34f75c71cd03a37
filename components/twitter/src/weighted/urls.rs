//! The URLs that count 23 in the weighted length: twitter-text 3.x `extractUrlsWithIndices`
//! (twitter/twitter-text `js/src/extractUrlsWithIndices.js` and `js/src/regexp/extractUrl.js`
//! with its parts), re-expressed as a linear-time scanner instead of a backtracking regex.
//!
//! A match is `preceding-char? (https?://)? domain (:port)? (/path)? (?query)?`:
//! - the character before a URL must not be an ASCII letter or digit, `@`, `＠`, `$`, `#`,
//!   `＃` or an invalid character (`validUrlPrecedingChars`);
//! - the domain is `subdomain* domain-name tld`: labels of "domain characters" (anything but
//!   ASCII punctuation, spaces, invalid characters and directional marks), subdomains may
//!   hold `_`, and the greedy longest domain wins (`validDomain`);
//! - the top-level domain is a known one followed by neither an ASCII letter/digit nor `@`
//!   (`validGTLD`/`validCCTLD`), or a punycode label `xn--…` (`validPunycode`). twitter-text
//!   carries its own snapshot of the IANA list; here the list is the ICANN section of the
//!   Public Suffix List (`psl` crate, regenerated with each PSL release), and a ccTLD is a
//!   two-letter one (twitter-text also lists the IDN ccTLDs, which only matters for the
//!   "short domain" rule below);
//! - path and query characters as in `validUrlPath` (balanced parentheses up to one nested
//!   level, trailing punctuation left out) and `validUrlQueryChars`/`…EndingChars`;
//! - then `isValidUrl`: every host label at most 63 characters once punycode-encoded, and
//!   the URL (with `https://` added when it has no scheme) at most 4096 UTF-16 units;
//! - without a scheme: not after `-`, `_`, `.` or `/`; only the ASCII part of the host
//!   counts (`validAsciiDomain`); a bare `name.cc` (two-letter ccTLD, no path) is not a URL
//!   unless the ccTLD is `co` or `tv` (`invalidShortDomain`, `validSpecialShortDomain`);
//! - `https://t.co/slug` keeps only the slug (up to 40 characters, else it is not a URL).
//!
//! After a candidate (accepted or not) the scan resumes at its end, as the regex does.

// The scanner walks `chars` by position, each index checked against its length first;
// rewriting every step through `get` would hide the algorithm. A mistake would trap the
// component, which the host reports as `platform-component-failed`, not lose the post.
#![allow(clippy::indexing_slicing)]

use std::ops::Range;

use psl::Psl;

/// Longest URL, in UTF-16 units, with the scheme (`MAX_URL_LENGTH`).
const MAX_URL_LENGTH: usize = 4096;
/// Longest host label once punycode-encoded (`MAX_DOMAIN_LABEL_LENGTH`, RFC 1035).
const MAX_DOMAIN_LABEL_LENGTH: usize = 63;
/// Longest t.co slug (`MAX_TCO_SLUG_LENGTH`).
const MAX_TCO_SLUG_LENGTH: usize = 40;
/// Length of `https://`, assumed for URLs written without a scheme (`DEFAULT_PROTOCOL`).
const DEFAULT_PROTOCOL_LENGTH: usize = 8;
/// Longest top-level domain looked up, in characters (DNS labels are at most 63).
const MAX_TLD_CHARS: usize = 63;

/// Byte ranges of `text` (already NFC) that are URLs, ascending and disjoint.
pub(super) fn find_urls(text: &str) -> Vec<Range<usize>> {
    if !text.contains('.') {
        return Vec::new();
    }
    Scanner::new(text).scan()
}

/// One match of the URL pattern (char indices).
struct Candidate {
    start: usize,
    protocol_len: Option<usize>,
    domain: Range<usize>,
    has_path: bool,
    end: usize,
}

struct Scanner {
    chars: Vec<char>,
    /// Byte offset of each char, plus the text length at the end.
    bytes: Vec<usize>,
    /// For each position: the end of the longest `subdomain* domain-name tld` starting there.
    domain_end: Vec<Option<usize>>,
}

impl Scanner {
    fn new(text: &str) -> Scanner {
        let mut chars = Vec::with_capacity(text.len());
        let mut bytes = Vec::with_capacity(text.len() + 1);
        for (at, c) in text.char_indices() {
            chars.push(c);
            bytes.push(at);
        }
        bytes.push(text.len());
        let domain_end = longest_domains(&chars);
        Scanner {
            chars,
            bytes,
            domain_end,
        }
    }

    fn scan(&self) -> Vec<Range<usize>> {
        let mut urls = Vec::new();
        let mut from = 0;
        while let Some((before, candidate)) = self.next_candidate(from) {
            from = candidate.end;
            self.accept(&candidate, before, &mut urls);
        }
        urls
    }

    /// The leftmost candidate at or after `from`, with the character consumed before it
    /// (`None` when it starts the text).
    fn next_candidate(&self, from: usize) -> Option<(Option<char>, Candidate)> {
        for p in from..self.chars.len() {
            let c = self.chars[p];
            if is_valid_preceding_char(c) {
                if let Some(candidate) = self.candidate_at(p + 1) {
                    return Some((Some(c), candidate));
                }
            }
            if p == 0 {
                if let Some(candidate) = self.candidate_at(0) {
                    return Some((None, candidate));
                }
            }
        }
        None
    }

    fn candidate_at(&self, start: usize) -> Option<Candidate> {
        if let Some(len) = self.protocol_len_at(start) {
            if let Some(c) = self.candidate_from(start, Some(len)) {
                return Some(c);
            }
        }
        self.candidate_from(start, None)
    }

    fn candidate_from(&self, start: usize, protocol_len: Option<usize>) -> Option<Candidate> {
        let domain_start = start + protocol_len.unwrap_or(0);
        let domain_end = (*self.domain_end.get(domain_start)?)?;
        let n = self.chars.len();
        let mut at = domain_end;
        // port
        if self.char_is(at, ':') && self.chars.get(at + 1).is_some_and(char::is_ascii_digit) {
            at += 1;
            while self.chars.get(at).is_some_and(char::is_ascii_digit) {
                at += 1;
            }
        }
        // path
        let has_path = self.char_is(at, '/');
        if has_path {
            at = self.path_end(at + 1);
        }
        // query
        if self.char_is(at, '?') {
            if let Some(end) = self.query_end(at + 1) {
                at = end;
            }
        }
        debug_assert!(at <= n);
        Some(Candidate {
            start,
            protocol_len,
            domain: domain_start..domain_end,
            has_path,
            end: at,
        })
    }

    fn char_is(&self, at: usize, c: char) -> bool {
        self.chars.get(at) == Some(&c)
    }

    fn protocol_len_at(&self, at: usize) -> Option<usize> {
        let lower = |i: usize| self.chars.get(at + i).map(char::to_ascii_lowercase);
        let starts = |s: &str| s.chars().enumerate().all(|(i, c)| lower(i) == Some(c));
        if starts("https://") {
            Some(8)
        } else if starts("http://") {
            Some(7)
        } else {
            None
        }
    }

    /// End of `validUrlPath*` after the `/` at `start - 1`: path characters and balanced
    /// parentheses, cut back to the last ending character or parenthesis group.
    fn path_end(&self, start: usize) -> usize {
        let mut at = start;
        let mut end = start;
        loop {
            match self.chars.get(at) {
                Some(&c) if is_path_char(c) => {
                    at += 1;
                    if is_path_ending_char(c) {
                        end = at;
                    }
                }
                Some('(') => match self.balanced_parens_end(at) {
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

    /// `validUrlBalancedParens` at `open` (a `(`): `(chars+)` or `(chars*(chars+)chars*)`.
    fn balanced_parens_end(&self, open: usize) -> Option<usize> {
        let run = |from: usize| {
            let mut i = from;
            while self.chars.get(i).copied().is_some_and(is_path_char) {
                i += 1;
            }
            i
        };
        let inner = run(open + 1);
        if inner > open + 1 && self.char_is(inner, ')') {
            return Some(inner + 1);
        }
        if !self.char_is(inner, '(') {
            return None;
        }
        let nested = run(inner + 1);
        if nested == inner + 1 || !self.char_is(nested, ')') {
            return None;
        }
        let tail = run(nested + 1);
        self.char_is(tail, ')').then_some(tail + 1)
    }

    /// End of `validUrlQueryChars* validUrlQueryEndingChars` after the `?` at `start - 1`.
    fn query_end(&self, start: usize) -> Option<usize> {
        let mut end = None;
        let mut at = start;
        while let Some(&c) = self.chars.get(at) {
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

    /// The post-checks of `extractUrlsWithIndices`; pushes the URL byte ranges it keeps.
    fn accept(&self, c: &Candidate, before: Option<char>, urls: &mut Vec<Range<usize>>) {
        let protocol_len = c.protocol_len.unwrap_or(DEFAULT_PROTOCOL_LENGTH);
        if !self.is_valid_host(c.domain.clone()) {
            return;
        }
        // As twitter-text's isValidUrl: the scheme's length is added even when the URL
        // already starts with it.
        let url_len: usize = self.chars[c.start..c.end]
            .iter()
            .map(|ch| ch.len_utf16())
            .sum();
        if protocol_len + url_len > MAX_URL_LENGTH {
            return;
        }
        if c.protocol_len.is_some() {
            match self.tco_end(c) {
                Some(None) => {}
                Some(Some(end)) => urls.push(self.bytes[c.start]..self.bytes[end]),
                None => urls.push(self.bytes[c.start]..self.bytes[c.end]),
            }
            return;
        }
        if matches!(before, Some('-' | '_' | '.' | '/')) {
            return;
        }
        let ascii = ascii_domains(&self.chars, c.domain.clone());
        let last = ascii.len().saturating_sub(1);
        for (i, domain) in ascii.iter().enumerate() {
            if c.has_path || !is_short_domain(&self.chars[domain.clone()]) {
                let end = if i == last && c.has_path {
                    c.end
                } else {
                    domain.end
                };
                urls.push(self.bytes[domain.start]..self.bytes[end]);
            }
        }
    }

    /// `idna.toAscii` of twitter-text: every label 1..=63 characters once punycode-encoded,
    /// and a host starting with `xn--` must hold an ASCII domain.
    fn is_valid_host(&self, domain: Range<usize>) -> bool {
        let host = &self.chars[domain.clone()];
        if host.starts_with(&['x', 'n', '-', '-']) && ascii_domains(&self.chars, domain).is_empty()
        {
            return false;
        }
        host.split(|c| *c == '.').all(|label| {
            let len = if label.is_ascii_only() {
                label.len()
            } else if label.len() > MAX_DOMAIN_LABEL_LENGTH {
                // Punycode never shortens a label, and "xn--" comes on top.
                return false;
            } else {
                match idna::punycode::encode(label) {
                    Some(encoded) => "xn--".len() + encoded.len(),
                    None => return false,
                }
            };
            (1..=MAX_DOMAIN_LABEL_LENGTH).contains(&len)
        })
    }

    /// For `http(s)://t.co/slug…`: `Some(Some(end))` keeps only up to the slug,
    /// `Some(None)` drops a slug longer than 40; `None` when the URL is not a t.co one.
    fn tco_end(&self, c: &Candidate) -> Option<Option<usize>> {
        let host_start = c.domain.start;
        let prefix = ['t', '.', 'c', 'o', '/'];
        let matches_prefix = prefix
            .iter()
            .enumerate()
            .all(|(i, p)| self.chars.get(host_start + i).map(char::to_ascii_lowercase) == Some(*p));
        if !matches_prefix {
            return None;
        }
        let slug_start = host_start + prefix.len();
        let mut slug_end = slug_start;
        while self
            .chars
            .get(slug_end)
            .is_some_and(char::is_ascii_alphanumeric)
        {
            slug_end += 1;
        }
        if slug_end == slug_start {
            return None;
        }
        if slug_end - slug_start > MAX_TCO_SLUG_LENGTH {
            Some(None)
        } else {
            Some(Some(slug_end))
        }
    }
}

/// Whether a slice of chars is all ASCII.
trait AsciiOnly {
    fn is_ascii_only(&self) -> bool;
}

impl AsciiOnly for [char] {
    fn is_ascii_only(&self) -> bool {
        self.iter().all(char::is_ascii)
    }
}

/// For each position, the end of the longest `validDomain` starting there: `subdomain*`
/// greedy (each subdomain label is fixed by its dot), then backing off one label at a time
/// until `domain-name tld` matches. Computed right to left in linear time.
fn longest_domains(chars: &[char]) -> Vec<Option<usize>> {
    let n = chars.len();
    // End of the run of subdomain characters (domain chars, `-`, `_`) / domain-name
    // characters (domain chars, `-`) starting at each position.
    let mut sub_run = vec![n; n + 1];
    let mut name_run = vec![n; n + 1];
    for i in (0..n).rev() {
        let c = chars[i];
        sub_run[i] = if is_domain_char(c) || c == '-' || c == '_' {
            sub_run[i + 1]
        } else {
            i
        };
        name_run[i] = if is_domain_char(c) || c == '-' {
            name_run[i + 1]
        } else {
            i
        };
    }
    // A label from i to its run end e: non-empty, starting and ending with a domain char,
    // followed by a dot. Returns the position after the dot.
    let label_then_dot = |i: usize, e: usize| -> Option<usize> {
        let ok = e > i
            && is_domain_char(chars[i])
            && is_domain_char(chars[e - 1])
            && chars.get(e) == Some(&'.');
        ok.then_some(e + 1)
    };
    let mut tld_memo: Vec<Option<Option<usize>>> = vec![None; n + 1];
    let mut tld_at =
        |at: usize| -> Option<usize> { *tld_memo[at].get_or_insert_with(|| tld_end(chars, at, n)) };
    let mut domain_end = vec![None; n + 1];
    for i in (0..n).rev() {
        let through_subdomain =
            label_then_dot(i, sub_run[i]).and_then(|next| domain_end.get(next).copied().flatten());
        domain_end[i] =
            through_subdomain.or_else(|| label_then_dot(i, name_run[i]).and_then(&mut tld_at));
    }
    domain_end
}

/// The end of the top-level domain starting at `start` (text ends at `limit`): the longest
/// known TLD followed by neither an ASCII letter/digit nor `@`, else a punycode label.
fn tld_end(chars: &[char], start: usize, limit: usize) -> Option<usize> {
    let mut best = None;
    let mut candidate = String::new();
    for k in start..limit.min(start + MAX_TLD_CHARS) {
        let c = chars[k];
        if !is_domain_char(c) {
            break;
        }
        candidate.extend(c.to_lowercase());
        let boundary = k + 1 >= limit || {
            let next = chars[k + 1];
            !(next.is_ascii_alphanumeric() || next == '@')
        };
        if boundary && is_known_tld(&candidate) {
            best = Some(k + 1);
        }
    }
    if best.is_some() {
        return best;
    }
    // validPunycode: xn--[-0-9a-z]+ (case-insensitive), no look-ahead.
    let prefix: String = chars[start..limit.min(start + 4)]
        .iter()
        .map(char::to_ascii_lowercase)
        .collect();
    if prefix != "xn--" {
        return None;
    }
    let mut end = start + 4;
    while end < limit && (chars[end].is_ascii_alphanumeric() || chars[end] == '-') {
        end += 1;
    }
    (end > start + 4).then_some(end)
}

/// Whether `tld` (lowercase, one label) is a top-level domain of the ICANN section of the
/// Public Suffix List. Asked as `x.<tld>` so that wildcard-only TLDs (`*.ck`) count too.
fn is_known_tld(tld: &str) -> bool {
    if tld.is_empty() || tld.contains('.') {
        return false;
    }
    let query = format!("x.{tld}");
    matches!(
        psl::List.suffix(query.as_bytes()).and_then(|s| s.typ()),
        Some(psl::Type::Icann)
    )
}

/// `validAsciiDomain` applied to the host `chars[domain]`, leftmost first: ASCII labels
/// (letters, digits, `-`, Latin accented letters) each followed by a dot, then a TLD.
fn ascii_domains(chars: &[char], domain: Range<usize>) -> Vec<Range<usize>> {
    // Labels of the host as char ranges.
    let mut labels = Vec::new();
    let mut from = domain.start;
    for i in domain.clone() {
        if chars[i] == '.' {
            labels.push(from..i);
            from = i + 1;
        }
    }
    labels.push(from..domain.end);
    let m = labels.len();
    // farthest[k]: end of the TLD reached from label k, passing through all-ASCII labels.
    let mut farthest: Vec<Option<usize>> = vec![None; m + 1];
    for k in (0..m).rev() {
        let label = labels[k].clone();
        let passes = k + 1 < m
            && !label.is_empty()
            && chars[label.clone()].iter().all(|c| is_ascii_label_char(*c));
        let through = if passes { farthest[k + 1] } else { None };
        farthest[k] = through.or_else(|| tld_end(chars, label.start, domain.end));
    }
    let mut found = Vec::new();
    let mut cursor = domain.start;
    for (k, label) in labels.iter().enumerate().take(m.saturating_sub(1)) {
        if label.end <= cursor {
            continue;
        }
        // Start of the all-ASCII tail of the label.
        let mut tail = label.end;
        while tail > label.start && is_ascii_label_char(chars[tail - 1]) {
            tail -= 1;
        }
        let start = tail.max(cursor);
        if start >= label.end {
            continue;
        }
        if let Some(end) = farthest[k + 1] {
            found.push(start..end);
            cursor = end;
        }
    }
    found
}

/// `invalidShortDomain` and not `validSpecialShortDomain`: exactly `name.cc` with a
/// two-letter ccTLD other than `co` and `tv`.
fn is_short_domain(domain: &[char]) -> bool {
    let Some(dot) = domain.iter().position(|c| *c == '.') else {
        return false;
    };
    let (name, tld) = (&domain[..dot], &domain[dot + 1..]);
    let name_ok = !name.is_empty()
        && is_domain_char(name[0])
        && is_domain_char(name[name.len() - 1])
        && name.iter().all(|c| is_domain_char(*c) || *c == '-');
    let tld: String = tld.iter().map(char::to_ascii_lowercase).collect();
    let cctld = tld.len() == 2 && tld.chars().all(|c| c.is_ascii_lowercase()) && is_known_tld(&tld);
    name_ok && cctld && tld != "co" && tld != "tv"
}

/// `validUrlPrecedingChars`: what may stand right before a URL.
fn is_valid_preceding_char(c: char) -> bool {
    !(c.is_ascii_alphanumeric()
        || matches!(c, '@' | '\u{ff20}' | '$' | '#' | '\u{ff03}')
        || is_invalid_char(c))
}

/// `validDomainChars`: not ASCII punctuation, not a space, not invalid, not directional.
fn is_domain_char(c: char) -> bool {
    !(c.is_ascii_punctuation() || is_space(c) || is_invalid_char(c) || is_directional_mark(c))
}

/// The characters of `validAsciiDomain` labels.
fn is_ascii_label_char(c: char) -> bool {
    c == '-' || c.is_ascii_alphanumeric() || is_latin_accent(c)
}

/// `validGeneralUrlPathChars`.
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || is_cyrillic(c)
        || is_latin_accent(c)
        || "!*';:=+,.$/%#[]-_~@|&\u{2013}".contains(c)
}

/// `validUrlPathEndingChars` (parenthesis groups are handled by the caller).
fn is_path_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_cyrillic(c) || is_latin_accent(c) || "+-=_#/".contains(c)
}

/// `validUrlQueryChars`.
fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!?*'@();:&=+$/%#[]-_.,~|".contains(c)
}

/// `validUrlQueryEndingChars`.
fn is_query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_&=#/".contains(c)
}

/// `spacesGroup`.
fn is_space(c: char) -> bool {
    matches!(c,
        '\u{9}'..='\u{d}' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{180e}'
        | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// `invalidChars`.
fn is_invalid_char(c: char) -> bool {
    matches!(c, '\u{fffe}' | '\u{feff}' | '\u{ffff}')
}

/// Directional marks (twitter-text Java `DIRECTIONAL_CHARACTERS`): never part of a host.
fn is_directional_mark(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `cyrillicLettersAndMarks`.
fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{400}'..='\u{4ff}')
}

/// `latinAccentChars`.
fn is_latin_accent(c: char) -> bool {
    matches!(c,
        '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{f6}' | '\u{f8}'..='\u{ff}' | '\u{100}'..='\u{24f}'
        | '\u{253}' | '\u{254}' | '\u{256}' | '\u{257}' | '\u{259}' | '\u{25b}' | '\u{263}'
        | '\u{268}' | '\u{26f}' | '\u{272}' | '\u{289}' | '\u{28b}' | '\u{2bb}'
        | '\u{300}'..='\u{36f}' | '\u{1e00}'..='\u{1eff}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weighted::weighted_length;

    /// The URLs of `text` as strings.
    fn urls(text: &str) -> Vec<&str> {
        find_urls(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn with_and_without_scheme() {
        assert_eq!(urls("Hi http://test.co"), vec!["http://test.co"]);
        assert_eq!(urls("see example.com now"), vec!["example.com"]);
        assert_eq!(
            urls("HTTPS://www.ExaMPLE.COM/index.html"),
            vec!["HTTPS://www.ExaMPLE.COM/index.html"]
        );
        assert_eq!(
            urls("a https://x.com/a and x.com"),
            vec!["https://x.com/a", "x.com"]
        );
        assert_eq!(
            urls("http://a.com,http://b.com"),
            vec!["http://a.com", "http://b.com"]
        );
    }

    #[test]
    fn top_level_domain_must_be_known() {
        assert_eq!(urls("example.sayrer"), Vec::<&str>::new());
        assert_eq!(urls("http://example.sayrer"), Vec::<&str>::new());
        assert_eq!(urls("http://192.168.0.1/index.html"), Vec::<&str>::new());
        assert_eq!(urls("example.xn--p1ai"), vec!["example.xn--p1ai"]);
        assert_eq!(
            urls("http://example.xn--unknown1"),
            vec!["http://example.xn--unknown1"]
        );
        assert_eq!(urls("http://example.ck/"), vec!["http://example.ck/"]);
        assert_eq!(urls("example.community"), vec!["example.community"]);
        assert_eq!(urls("example.com.au/x"), vec!["example.com.au/x"]);
        // the TLD is followed by a letter: not a TLD, back off to the shorter domain
        assert_eq!(urls("example.com.x"), vec!["example.com"]);
        assert_eq!(urls("example.comx"), Vec::<&str>::new());
        assert_eq!(urls("example.com@x"), Vec::<&str>::new());
    }

    #[test]
    fn unicode_hosts_need_a_scheme() {
        assert_eq!(urls("http://\u{2603}.net/"), vec!["http://\u{2603}.net/"]);
        assert_eq!(urls("\u{2603}.net"), Vec::<&str>::new());
        assert_eq!(
            urls("http://\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}"),
            vec!["http://\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}"]
        );
        // only the ASCII part of a host without scheme counts
        assert_eq!(urls("\u{65e5}\u{672c}example.com"), vec!["example.com"]);
        assert_eq!(weighted_length("\u{65e5}\u{672c}example.com"), 2 + 2 + 23);
    }

    #[test]
    fn preceding_character_rules() {
        assert_eq!(urls("user@example.com"), Vec::<&str>::new());
        assert_eq!(urls("$example.com #example.com"), Vec::<&str>::new());
        assert_eq!(urls("xhttp://example.com"), Vec::<&str>::new());
        assert_eq!(
            urls("-example.com _example.com /example.com .example.com"),
            Vec::<&str>::new()
        );
        assert_eq!(urls("(example.com)"), vec!["example.com"]);
        assert_eq!(urls("-http://example.com"), vec!["http://example.com"]);
        assert_eq!(urls("\u{202a}example.com\u{202c}"), vec!["example.com"]);
    }

    #[test]
    fn short_country_domains() {
        assert_eq!(urls("foo.jp"), Vec::<&str>::new());
        assert_eq!(urls("foo.jp/"), vec!["foo.jp/"]);
        assert_eq!(urls("www.foo.jp"), vec!["www.foo.jp"]);
        assert_eq!(urls("http://foo.jp"), vec!["http://foo.jp"]);
        assert_eq!(urls("t.co foo.tv"), vec!["t.co", "foo.tv"]);
    }

    #[test]
    fn ports_paths_and_queries() {
        assert_eq!(
            urls("http://example.com:8080/login.php"),
            vec!["http://example.com:8080/login.php"]
        );
        assert_eq!(urls("http://example.com:/x"), vec!["http://example.com"]);
        assert_eq!(
            urls("http://example.com/path."),
            vec!["http://example.com/path"]
        );
        assert_eq!(
            urls("http://example.com/path)"),
            vec!["http://example.com/path"]
        );
        assert_eq!(
            urls("https://en.wikipedia.org/wiki/Primer_(film)."),
            vec!["https://en.wikipedia.org/wiki/Primer_(film)"]
        );
        assert_eq!(
            urls("http://rdio.com/track/We_Up_(Album_Version_(Edited))/x"),
            vec!["http://rdio.com/track/We_Up_(Album_Version_(Edited))/x"]
        );
        assert_eq!(
            urls("http://example.com/a((b))"),
            vec!["http://example.com/a((b))"]
        );
        assert_eq!(
            urls("http://example.com/a(b c"),
            vec!["http://example.com/a"]
        );
        assert_eq!(
            urls("http://example.com/a(((b)))"),
            vec!["http://example.com/a"]
        );
        assert_eq!(
            urls("http://example.com?foo=bar!"),
            vec!["http://example.com?foo=bar"]
        );
        assert_eq!(urls("http://example.com?!"), vec!["http://example.com"]);
        assert_eq!(
            urls("http://example.com/#!/x"),
            vec!["http://example.com/#!/x"]
        );
        assert_eq!(
            urls("http://example.com/\u{420}\u{443}\u{441}"),
            vec!["http://example.com/\u{420}\u{443}\u{441}"]
        );
        // without a scheme, a query without a path is not part of the URL
        assert_eq!(urls("example.com?x=1"), vec!["example.com"]);
        assert_eq!(urls("example.com/?x=1"), vec!["example.com/?x=1"]);
        assert_eq!(weighted_length("example.com?x=1"), 23 + 4);
    }

    #[test]
    fn tco_links_keep_only_the_slug() {
        assert_eq!(urls("https://t.co/abcdef?x=1"), vec!["https://t.co/abcdef"]);
        assert_eq!(weighted_length("https://t.co/abcdef?x=1"), 23 + 4);
        let long = format!("https://t.co/{}", "a".repeat(41));
        assert_eq!(urls(&long), Vec::<&str>::new());
        let ok = format!("https://t.co/{}", "a".repeat(40));
        assert_eq!(urls(&ok), vec![ok.as_str()]);
    }

    #[test]
    fn host_label_and_url_length_limits() {
        let label63 = "a".repeat(63);
        let label64 = "a".repeat(64);
        assert_eq!(urls(&format!("{label63}.com")).len(), 1);
        assert_eq!(urls(&format!("{label64}.com")).len(), 0);
        assert_eq!(urls(&format!("http://{label64}.com")).len(), 0);
        // twitter-text adds the scheme's length to the URL's (which already holds it):
        // 8 + 4088 = 4096 is the longest accepted.
        let path = "p".repeat(4096 - 8 - "https://example.com/".len());
        assert_eq!(urls(&format!("https://example.com/{path}")).len(), 1);
        assert_eq!(urls(&format!("https://example.com/{path}p")).len(), 0);
        // without a scheme "https://" is counted
        let path = "p".repeat(4096 - "https://example.com/".len());
        assert_eq!(urls(&format!("example.com/{path}")).len(), 1);
        assert_eq!(urls(&format!("example.com/{path}p")).len(), 0);
    }

    #[test]
    fn punycode_host_must_hold_an_ascii_domain() {
        assert_eq!(urls("http://xn--n3h.com"), vec!["http://xn--n3h.com"]);
        assert_eq!(urls("http://xn--\u{2603}.com"), Vec::<&str>::new());
    }

    #[test]
    fn known_tlds() {
        for tld in [
            "com",
            "co",
            "jp",
            "ck",
            "onion",
            "\u{440}\u{444}",
            "\u{4e2d}\u{56fd}",
            "xn--p1ai",
        ] {
            assert!(is_known_tld(tld), "{tld}");
        }
        for tld in ["sayrer", "example", "localhost", "test", "co.uk", ""] {
            assert!(!is_known_tld(tld), "{tld}");
        }
    }
}
