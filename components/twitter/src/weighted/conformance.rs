//! The official twitter-text conformance vectors for tweet length: `conformance/validate.yml`
//! of twitter/twitter-text (Apache-2.0; the copy read is the one maintained with the Rust
//! port in sayrer/twitter-text, identical to upstream for these sections), sections
//! `WeightedTweetsCounterTest` (config v2, 20 cases), `WeightedTweetsWithDiscountedEmojiCounterTest`
//! (config v3, 22 cases) and `UnicodeDirectionalMarkerCounterTest` (config v3, 2 cases), plus
//! the entries of the older `lengths` section whose value is the same under config v3.
//!
//! Each case keeps the YAML description; texts are spelled with escapes (the YAML texts hold
//! ZWJ and other invisible characters) and long repetitive texts are built with `repeat`, with
//! their UTF-16 length (the YAML's `displayRangeEnd + 1`) checked so the text is the one of
//! the file.

use super::{weigh, INVALID_CHARACTERS, MAX_WEIGHTED_LENGTH};

/// One conformance case.
pub(super) struct Case {
    pub(super) description: &'static str,
    pub(super) text: String,
    /// `expected.weightedLength`.
    pub(super) weighted: u64,
    /// `expected.valid`.
    pub(super) valid: bool,
    /// `expected.displayRangeEnd + 1`: the UTF-16 length of the original text.
    pub(super) utf16_len: usize,
}

fn case(
    description: &'static str,
    text: impl Into<String>,
    weighted: u64,
    valid: bool,
    display_range_end: usize,
) -> Case {
    Case {
        description,
        text: text.into(),
        weighted,
        valid,
        utf16_len: display_range_end + 1,
    }
}

/// 故人西辞黄鹤楼… : 160 CJK characters (10 lines of 16).
const POEM: &str = "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。遥知兄弟登高处，遍插茱萸少一人。";

const FAMILY: &str = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}";
const HIRAGANA10: &str = "あいうえおかきくけこ";

fn xs(groups: usize) -> String {
    "xxxxxxxxxx-".repeat(groups)
}

fn long_invalid_urls() -> String {
    let host = format!("https://{}.com/foo", "somesuperlongurl".repeat(249));
    format!("Long url with invalid domain labels and a short url: {host} {host} {host} https://validurl.com")
}

fn cjk_with_url(host_chars: &str) -> String {
    format!(
        "{} http://{}{host_chars}.com",
        HIRAGANA10.repeat(12),
        HIRAGANA10.repeat(5)
    )
}

const PUNCTUATION_TAIL: &str = " \u{2010} \u{2011} \u{2012} \u{2013} \u{2014} \u{2015} \u{2016}  \u{2017} \u{2018} \u{2019} \u{201a} \u{201b} \u{201c} \u{201d} \u{201e} \u{201f} \u{2032} \u{2033} \u{2034} \u{2035} \u{2036} \u{2037}";

/// Cases shared by the v2 and v3 sections (same text, same expected values).
fn common_head() -> Vec<Case> {
    vec![
        case("Regular Tweet with url", "Hi http://test.co", 26, true, 16),
        case("Just url", "http://test.co", 23, true, 13),
        case(
            "Long tweet, overflow at char index 280",
            format!("285 chars-{}", xs(25)),
            285,
            false,
            284,
        ),
        case(
            "Long tweet with url in the middle, overflow at char index 284",
            format!("285 chars- http://www.twitter.com/jack {}", xs(24)),
            299,
            false,
            302,
        ),
        case(
            "Long tweet with url at the end, overflow at char index 265",
            format!("{} http://www.twitter.com/jack ", xs(24)),
            289,
            false,
            292,
        ),
        case(
            "10 url string, no overflow",
            "https://www.twitter.com/aloha ".repeat(10),
            240,
            true,
            299,
        ),
    ]
}

/// `WeightedTweetsCounterTest` (config v2: no emoji parsing).
pub(super) fn weighted_tweets_counter_test() -> Vec<Case> {
    let mut cases = common_head();
    cases.extend([
        case("160 CJK char, overflow at char index 140", POEM, 320, false, 159),
        case("160 emoji char, overflow at char index 140", "\u{1f637}".repeat(160), 320, false, 319),
        case("3 latin char + 160 CJK char, overflow at char index 141", format!("the{POEM}"), 323, false, 162),
        case("'Á' is normalized into 1 char", "A\u{301}B", 2, true, 2),
        case("שּׁ is normalized into 3 chars", "A\u{fb2c}", 4, true, 1),
        case(
            "282 chars with a normalized character within valid range but outside 280",
            format!("282 chars-{}xxxxxA\u{301}x", xs(24)),
            281,
            false,
            281,
        ),
        case(
            "Count a mix of single byte single word, and double word unicode characters",
            format!("H\u{1f431}\u{263a}{FAMILY}"),
            16,
            true,
            14,
        ),
        case(
            "Count unicode emoji chars inside the basic multilingual plane",
            "\u{1f637}\u{1f47e}\u{1f621}\u{1f525}\u{1f4a9}",
            10,
            true,
            9,
        ),
        case(
            "Count unicode emoji chars outside the basic multilingual plane with skin tone modifiers",
            "\u{1f64b}\u{1f3fd}\u{1f468}\u{200d}\u{1f3a4}",
            9,
            true,
            8,
        ),
        case(
            "Handle General Punctuation Characters with visible spaces(u2000-200A)",
            format!("This is a tweet with general punctuation characters: \u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{200b}\u{200c}\u{200d}{PUNCTUATION_TAIL}"),
            112,
            true,
            111,
        ),
        case("Handle long url with invalid domain labels and short url", long_invalid_urls(), 12079, false, 12075),
        case(
            "Handle a 64 character domain without protocol",
            format!("{}s.com", "randomurl".repeat(7)),
            68,
            true,
            67,
        ),
        case(
            "Do not allow > 140 CJK characters by virtue of CJK chars greater than 63 punycode encoded chars in the host",
            cjk_with_url("あいう"),
            358,
            false,
            184,
        ),
        case(
            "Allow > 140 CJK characters by virtue of CJK chars less than 63 punycode encoded chars in the host",
            cjk_with_url("あい"),
            264,
            true,
            183,
        ),
    ]);
    cases
}

/// `WeightedTweetsWithDiscountedEmojiCounterTest` (config v3).
pub(super) fn weighted_tweets_with_discounted_emoji_counter_test() -> Vec<Case> {
    let mut cases = common_head();
    cases.extend([
        case("160 CJK char, overflow at char index 140", POEM, 320, false, 159),
        case("160 emoji char, overflow at char index 140", "\u{1f637}".repeat(160), 320, false, 319),
        case("3 latin char + 160 CJK char, overflow at char index 141", format!("the{POEM}"), 323, false, 162),
        case(
            "282 chars with a normalized character within valid range but outside 280",
            format!("282 chars-{}xxxxxA\u{301}x", xs(24)),
            281,
            false,
            281,
        ),
        case(
            "Count a mix of single byte single word, and double word unicode characters",
            format!("H\u{1f431}\u{263a}{FAMILY}"),
            7,
            true,
            14,
        ),
        case(
            "Count unicode emoji chars inside the basic multilingual plane",
            "\u{1f637}\u{1f47e}\u{1f621}\u{1f525}\u{1f4a9}",
            10,
            true,
            9,
        ),
        case(
            "Count unicode emoji chars outside the basic multilingual plane with skin tone modifiers",
            "\u{1f64b}\u{1f3fd}\u{1f468}\u{200d}\u{1f3a4}",
            4,
            true,
            8,
        ),
        case(
            "Handle General Punctuation Characters with visible spaces(u2000-200A), no ZWJ/ZWNJ",
            format!("This is a tweet with general punctuation characters: \u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{200b}{PUNCTUATION_TAIL}"),
            110,
            true,
            109,
        ),
        case("Handle long url with invalid domain labels and short url", long_invalid_urls(), 12079, false, 12075),
        case(
            "Handle a 64 character domain without protocol",
            format!("{}s.com", "randomurl".repeat(7)),
            68,
            true,
            67,
        ),
        case(
            "Do not allow > 140 CJK characters by virtue of CJK chars greater than 63 punycode encoded chars in the host",
            cjk_with_url("あいう"),
            358,
            false,
            184,
        ),
        case(
            "Allow > 140 CJK characters by virtue of CJK chars less than 63 punycode encoded chars in the host",
            cjk_with_url("あい"),
            264,
            true,
            183,
        ),
        case("140 family emoji", FAMILY.repeat(140), 280, true, 1539),
        case("Emoji with a leading character in the latin range is counted as 2", "1\u{20e3}", 2, true, 1),
        case(
            "Unicode 10.0 emoji",
            "Unicode 10.0 emoji: \u{1f92a}; \u{1f9d5}; \u{1f9d5}\u{1f3fe}; \u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}",
            34,
            true,
            47,
        ),
        case("Unicode 9.0 emoji", "Unicode 9.0 emoji: \u{1f920}; \u{1f483}; \u{1f483}\u{1f3fe}", 29, true, 30),
    ]);
    cases
}

/// `UnicodeDirectionalMarkerCounterTest` (config v3).
pub(super) fn unicode_directional_marker_counter_test() -> Vec<Case> {
    vec![
        case("Handle invalid characters", "ABC\u{202a}\u{ffff}ABC\u{fffe}", 12, false, 8),
        case(
            "Tweet text containing directional characters should be considered valid",
            "\u{2066}\u{202a}http://foobar.\u{67e}\u{627}\u{6a9}\u{633}\u{62a}\u{627}\u{646}/\u{202c}\u{2069}",
            31,
            true,
            25,
        ),
    ]
}

/// The `lengths` section entries whose expected value is the same under config v3 (the
/// section predates weighting: its non-ASCII entries count code points, config v1).
pub(super) fn lengths_v3_compatible() -> Vec<(&'static str, &'static str, u64)> {
    vec![
        ("Count the number of characters", "This is a test.", 15),
        (
            "Count a URL starting with http:// as 23 characters",
            "http://test.com",
            23,
        ),
        (
            "Count a URL starting with https:// as 23 characters",
            "https://test.com",
            23,
        ),
        (
            "Count a URL without protocol as 23 characters",
            "test.com",
            23,
        ),
        (
            "Count multiple URLs correctly",
            "Test https://test.com test https://test.com test.com test",
            86,
        ),
    ]
}

/// twitter-text's validity: no invalid character and 0 < weighted length <= 280.
fn twitter_text_valid(text: &str, weighted: u64) -> bool {
    !text.chars().any(|c| INVALID_CHARACTERS.contains(&c))
        && weighted > 0
        && weighted <= MAX_WEIGHTED_LENGTH
}

fn check(section: &str, cases: &[Case], emoji_parsing: bool) {
    for c in cases {
        let utf16: usize = c.text.chars().map(char::len_utf16).sum();
        assert_eq!(
            utf16, c.utf16_len,
            "{section}: {}: text differs from the YAML",
            c.description
        );
        let weighted = weigh(&c.text, emoji_parsing);
        assert_eq!(weighted, c.weighted, "{section}: {}", c.description);
        assert_eq!(
            twitter_text_valid(&c.text, weighted),
            c.valid,
            "{section}: {}",
            c.description
        );
        if emoji_parsing {
            assert_eq!(
                super::validate(&c.text).is_ok(),
                c.valid,
                "{section}: {}",
                c.description
            );
        }
    }
}

#[test]
fn poem_is_160_characters() {
    assert_eq!(POEM.chars().count(), 160);
}

#[test]
fn weighted_tweets_counter_test_v2() {
    let cases = weighted_tweets_counter_test();
    assert_eq!(cases.len(), 20);
    check("WeightedTweetsCounterTest", &cases, false);
}

#[test]
fn weighted_tweets_with_discounted_emoji_counter_test_v3() {
    let cases = weighted_tweets_with_discounted_emoji_counter_test();
    assert_eq!(cases.len(), 22);
    check("WeightedTweetsWithDiscountedEmojiCounterTest", &cases, true);
}

#[test]
fn unicode_directional_marker_counter_test_v3() {
    let cases = unicode_directional_marker_counter_test();
    assert_eq!(cases.len(), 2);
    check("UnicodeDirectionalMarkerCounterTest", &cases, true);
}

#[test]
fn lengths_section_entries_valid_under_v3() {
    for (description, text, expected) in lengths_v3_compatible() {
        assert_eq!(
            super::weighted_length(text),
            expected,
            "lengths: {description}"
        );
    }
}
