//! Emoji sequences for the weighted length (config v3 `emojiParsingEnabled`).
//!
//! twitter-text 3.x finds emoji with twemoji-parser (Twitter's own emoji list) and counts
//! each match as one character of the default weight (2). Here the list is the `emojis`
//! crate (the Unicode emoji list, currently Unicode 18.0, which also maps unqualified and
//! minimally-qualified forms such as `1\u{20e3}` or `\u{263a}`), matched longest-first
//! inside each extended grapheme cluster (an emoji sequence never spans two clusters:
//! modifiers, ZWJ sequences, keycaps, tag sequences and flag pairs each form one cluster).
//!
//! One rule from twemoji-parser's tests ("Twemoji 2.5": copyright, registered, trademark
//! "without VS16 is not emoji") matters for the weight: a lone code point that weighs 1 on
//! its own (`©`, `®`) is text, not an emoji; with U+FE0F it is an emoji. For every other
//! lone code point the two readings weigh the same (2), so no further exception is needed.

use super::{code_point_weight, EMOJI_WEIGHT};

/// The longest emoji sequence in code points (for example a kiss with two skin tones:
/// person, modifier, ZWJ, heart, VS16, ZWJ, kiss mark, ZWJ, person, modifier = 10). The
/// search stops there, so a cluster of many combining marks costs linear time.
pub(super) const MAX_EMOJI_CHARS: usize = 16;

/// The weighted length of one extended grapheme cluster.
pub(super) fn weigh_cluster(cluster: &str) -> u64 {
    let mut total = 0;
    let mut rest = cluster;
    while let Some(first) = rest.chars().next() {
        match longest_emoji_prefix(rest) {
            Some(len) => {
                total += EMOJI_WEIGHT;
                rest = &rest[len..];
            }
            None => {
                total += code_point_weight(first);
                rest = &rest[first.len_utf8()..];
            }
        }
    }
    total
}

/// The byte length of the longest emoji sequence at the start of `text`, if any.
fn longest_emoji_prefix(text: &str) -> Option<usize> {
    let mut best = None;
    for (count, (at, c)) in text.char_indices().take(MAX_EMOJI_CHARS).enumerate() {
        let end = at + c.len_utf8();
        if count == 0 && code_point_weight(c) == 1 {
            // `©` or `®` without VS16: text (twemoji-parser); digits, `#`, `*` alone are
            // not in the list anyway.
            continue;
        }
        if emojis::get(&text[..end]).is_some() {
            best = Some(end);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weighted::weighted_length;

    #[test]
    fn no_listed_emoji_is_longer_than_the_search_window() {
        let longest = emojis::iter()
            .flat_map(|e| std::iter::once(e).chain(e.skin_tones().into_iter().flatten()))
            .map(|e| e.as_str().chars().count())
            .max();
        assert_eq!(longest.map(|n| n <= MAX_EMOJI_CHARS), Some(true));
    }

    #[test]
    fn every_listed_emoji_weighs_two() {
        for e in emojis::iter()
            .flat_map(|e| std::iter::once(e).chain(e.skin_tones().into_iter().flatten()))
        {
            assert_eq!(weighted_length(e.as_str()), 2, "{:?}", e.as_str());
        }
    }

    #[test]
    fn sequences_count_once() {
        let cases = [
            // family: man ZWJ woman ZWJ girl ZWJ boy
            (
                "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}",
                2,
            ),
            // waving hand + medium skin tone
            ("\u{1f44b}\u{1f3fd}", 2),
            // flags: US, GB (two regional-indicator pairs)
            ("\u{1f1fa}\u{1f1f8}\u{1f1ec}\u{1f1e7}", 4),
            // an odd regional indicator stays one character
            ("\u{1f1fa}\u{1f1f8}\u{1f1ec}", 4),
            // keycap with and without VS16
            ("1\u{fe0f}\u{20e3}", 2),
            ("#\u{20e3}", 2),
            // England: black flag + tag sequence
            (
                "\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}",
                2,
            ),
            // heart on fire (ZWJ sequence starting with a text-default symbol)
            ("\u{2764}\u{fe0f}\u{200d}\u{1f525}", 2),
        ];
        for (text, w) in cases {
            assert_eq!(weighted_length(text), w, "{text:?}");
        }
    }

    #[test]
    fn copyright_and_registered_need_vs16() {
        assert_eq!(weighted_length("\u{a9}"), 1);
        assert_eq!(weighted_length("\u{ae}"), 1);
        assert_eq!(weighted_length("\u{a9}\u{fe0f}"), 2);
        assert_eq!(weighted_length("\u{ae}\u{fe0f}"), 2);
        // text presentation selector: the symbol stays text, the selector weighs 2
        assert_eq!(weighted_length("\u{a9}\u{fe0e}"), 3);
        assert_eq!(weighted_length("\u{2122}"), 2);
    }

    #[test]
    fn digits_hash_and_star_alone_are_text() {
        assert_eq!(weighted_length("#1 *"), 4);
        assert_eq!(weighted_length("2023"), 4);
    }

    #[test]
    fn unknown_zwj_sequence_splits_into_known_parts() {
        // "man astronaut" (U+1F468 U+200D U+1F680) is listed: one emoji.
        assert_eq!(weighted_length("\u{1f468}\u{200d}\u{1f680}"), 2);
        // cat + ZWJ + pile of poo is not listed: cat (2) + ZWJ (1) + poo (2).
        assert_eq!(weighted_length("\u{1f431}\u{200d}\u{1f4a9}"), 5);
        // an emoji followed by a combining mark: emoji (2) + mark (1)
        assert_eq!(weighted_length("\u{1f600}\u{301}"), 3);
        // modifier after a letter: letter (1) + modifier (2)
        assert_eq!(weighted_length("a\u{1f3fd}"), 3);
    }

    #[test]
    fn long_cluster_of_marks_is_linear() {
        // NFC composes e + U+0301 into U+00E9; the other 99 999 marks stay (weight 1 each).
        let text = format!("e{}", "\u{301}".repeat(100_000));
        assert_eq!(weighted_length(&text), 100_000);
    }
}
