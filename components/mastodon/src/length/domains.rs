//! Where a host name ends in running text: twitter-text's (Ruby) `valid_domain`
//! (`valid_subdomain* valid_domain_name (valid_gTLD | valid_ccTLD | valid_punycode)`), for
//! the URL scanner of [`super::urls`].

use super::punycode;

/// Longest top-level domain looked up, characters.
const MAX_TLD_CHARS: usize = 63;

/// For each position, the end of the longest `valid_domain` starting there:
/// `valid_subdomain*` greedy (each label runs to its dot), backing off one label at a time
/// until `valid_domain_name` and a TLD match. Computed right to left in linear time.
pub(super) fn longest_domains(chars: &[char]) -> Vec<Option<usize>> {
    let n = chars.len();
    // End of the run of subdomain characters (domain chars, `-`, `_`) and of domain-name
    // characters (domain chars, `-`) starting at each position.
    let mut sub_run = vec![n; n + 1];
    let mut name_run = vec![n; n + 1];
    for (i, &c) in chars.iter().enumerate().rev() {
        let next_sub = sub_run.get(i + 1).copied().unwrap_or(n);
        let next_name = name_run.get(i + 1).copied().unwrap_or(n);
        if let Some(slot) = sub_run.get_mut(i) {
            *slot = if is_domain_char(c) || c == '-' || c == '_' {
                next_sub
            } else {
                i
            };
        }
        if let Some(slot) = name_run.get_mut(i) {
            *slot = if is_domain_char(c) || c == '-' {
                next_name
            } else {
                i
            };
        }
    }
    // A label from `i` to its run's end `e`: not empty, first and last a domain character,
    // then a dot. The position after the dot.
    let label_then_dot = |i: usize, e: usize| -> Option<usize> {
        let first = chars.get(i).copied().is_some_and(is_domain_char);
        let last = e
            .checked_sub(1)
            .and_then(|l| chars.get(l))
            .copied()
            .is_some_and(is_domain_char);
        (e > i && first && last && chars.get(e) == Some(&'.')).then_some(e + 1)
    };
    let mut domain_end: Vec<Option<usize>> = vec![None; n + 1];
    for i in (0..n).rev() {
        let through_subdomain = sub_run
            .get(i)
            .and_then(|&e| label_then_dot(i, e))
            .and_then(|next| domain_end.get(next).copied().flatten());
        let end = through_subdomain.or_else(|| {
            name_run
                .get(i)
                .and_then(|&e| label_then_dot(i, e))
                .and_then(|next| tld_end(chars, next))
        });
        if let Some(slot) = domain_end.get_mut(i) {
            *slot = end;
        }
    }
    domain_end
}

/// The end of the top-level domain starting at `start`: the longest known TLD followed by
/// neither an ASCII letter or digit nor `@`, `+`, `-` (`valid_gTLD`, `valid_ccTLD`), else a
/// punycode label (`valid_punycode`, `xn--[-0-9a-z]+`).
fn tld_end(chars: &[char], start: usize) -> Option<usize> {
    let mut best = None;
    let mut candidate = String::new();
    for (k, &c) in chars.iter().enumerate().skip(start).take(MAX_TLD_CHARS) {
        if !is_domain_char(c) {
            break;
        }
        candidate.extend(c.to_lowercase());
        let boundary = chars
            .get(k + 1)
            .is_none_or(|&next| !(next.is_ascii_alphanumeric() || matches!(next, '@' | '+' | '-')));
        if boundary && is_known_tld(&candidate) {
            best = Some(k + 1);
        }
    }
    if best.is_some() {
        return best;
    }
    let prefix: String = chars
        .iter()
        .skip(start)
        .take(4)
        .map(char::to_ascii_lowercase)
        .collect();
    if prefix != "xn--" {
        return None;
    }
    let mut end = start + 4;
    while chars
        .get(end)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '-')
    {
        end += 1;
    }
    (end > start + 4).then_some(end)
}

/// Whether `tld` (lower case, one label) is a top-level domain of the ICANN section of the
/// Public Suffix List, which holds internationalised ones in punycode (`рф` as
/// `xn--p1ai`); asked as `x.<tld>` so that wildcard-only TLDs (`*.ck`) count too.
fn is_known_tld(tld: &str) -> bool {
    if tld.is_empty() || tld.contains('.') {
        return false;
    }
    let query = if tld.is_ascii() {
        format!("x.{tld}")
    } else {
        match punycode::encode(tld) {
            Some(code) => format!("x.xn--{code}"),
            None => return false,
        }
    };
    matches!(
        psl::suffix(query.as_bytes()).and_then(|s| s.typ()),
        Some(psl::Type::Icann)
    )
}

/// twitter-text's `DOMAIN_VALID_CHARS`: not ASCII punctuation, not a space or control
/// character (`SPACE_CHARS`, `CTRL_CHARS`, `UNICODE_SPACES`), not U+FFFE/U+FEFF/U+FFFF.
fn is_domain_char(c: char) -> bool {
    !(c.is_ascii_punctuation()
        || c.is_ascii_control()
        || matches!(
            c,
            ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{180e}' | '\u{2000}'
                ..='\u{200a}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{202f}'
                    | '\u{205f}'
                    | '\u{3000}'
                    | '\u{fffe}'
                    | '\u{feff}'
                    | '\u{ffff}'
        ))
}
