//! Counting vectors built from Mastodon's rules (`StatusLengthValidator`, `Extractor`,
//! `Account::MENTION_RE`, Mastodon's `twitter_regex.rb`), each with its exact count and why.

use super::*;

/// The count with Mastodon's 23 per URL.
fn count(text: &str) -> u64 {
    countable_length(text, DEFAULT_CHARACTERS_RESERVED_PER_URL)
}

fn error(code: &str, message: &str) -> Result<(), MessageError> {
    Err(MessageError {
        code: code.to_string(),
        message: message.to_string(),
    })
}

#[test]
fn plain_text_counts_its_grapheme_clusters_not_its_code_points() {
    let cases: [(&str, u64, usize); 12] = [
        // (text, Mastodon's count, code points)
        ("Hello world!", 12, 12),
        // U+1F44D U+1F3FD: thumbs up with a skin tone, one cluster.
        ("\u{1f44d}\u{1f3fd}", 1, 2),
        // Man, ZWJ, woman, ZWJ, girl, ZWJ, boy: one family.
        (
            "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}",
            1,
            7,
        ),
        // Two regional indicators: one flag.
        ("\u{1f1eb}\u{1f1f7}", 1, 2),
        // Keycap sequence 1, U+FE0F, U+20E3.
        ("1\u{fe0f}\u{20e3}", 1, 3),
        // e + U+0301 COMBINING ACUTE ACCENT is one é.
        ("Cafe\u{301} au lait", 12, 13),
        // Two combining marks on one letter.
        ("a\u{301}\u{323}", 1, 3),
        // CJK and kana count 1 each (not 2 as on X).
        ("日本語のテキスト", 8, 8),
        // Precomposed Hangul, then the same syllable as three conjoining jamo.
        ("한국어", 3, 3),
        ("\u{1100}\u{1161}\u{11a8}", 1, 3),
        // CR LF is one cluster.
        ("a\r\nb", 3, 4),
        // A zero-width space is not white space for Ruby's blank?: it counts.
        ("\u{200b}", 1, 1),
    ];
    for (text, expected, code_points) in cases {
        assert_eq!(text.chars().count(), code_points, "{text:?}");
        assert_eq!(count(text), expected, "{text:?}");
    }
}

#[test]
fn a_url_with_a_scheme_counts_the_reserved_characters_whatever_its_length() {
    let cases: [(&str, u64); 14] = [
        ("https://example.com", 23),
        // "Read " 5 + 23 + " today" 6.
        (
            "Read https://example.com/a/very/long/path?with=query&and=more today",
            34,
        ),
        // Scheme and host in any case.
        ("HTTPS://EXAMPLE.ORG/x", 23),
        // Mastodon's other schemes (twitter_regex.rb).
        ("gemini://example.org/page", 23),
        ("dat://example.com", 23),
        // Two URLs: 23 + " and " 5 + 23.
        ("https://a.example.com and http://b.example.org/x", 51),
        // Trailing punctuation is not part of the path: 23 + ".".
        ("https://example.com/path.", 24),
        // Balanced parentheses belong to the path: "(see " 5 + 23 + ")" 1.
        (
            "(see https://en.wikipedia.org/wiki/Rust_(programming_language))",
            29,
        ),
        // A query must end on a letter, digit or _&=#/-: 23 + "!".
        ("https://example.com/search?q=mastodon!", 24),
        // A lone "?" is no query: 23 + "?".
        ("https://example.com/?", 24),
        // A port is part of the URL.
        ("https://example.com:8443/x", 23),
        // Internationalised top-level domains (IANA's `рф`, `みんな`).
        ("https://пример.рф/статья", 23),
        ("gemini://example.みんな", 23),
        // The placeholder's last "x" takes the following combining mark into its cluster:
        // the count is 23, not 24.
        ("https://example.com\u{301}", 23),
    ];
    for (text, expected) in cases {
        assert_eq!(count(text), expected, "{text:?}");
    }
}

#[test]
fn what_mastodon_does_not_take_for_a_url_counts_in_full() {
    let cases: [(&str, u64); 9] = [
        // No scheme: `extract_url_without_protocol: false`.
        ("example.com", 11),
        ("www.example.com/page", 20),
        // A scheme Mastodon does not link.
        ("ftp://example.com/file", 22),
        // No known top-level domain.
        ("https://localhost:3000/x", 24),
        ("http://192.168.0.1/admin", 24),
        // A host label over 63 characters (IDNA refuses it): 8 + 64 + 4.
        (
            "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
            76,
        ),
        // Right after a letter (`valid_url_preceding_chars`).
        ("xhttps://example.com", 20),
        // After `@` or `#`.
        ("#https://example.com", 20),
        // A URL written inside a scheme-less match is hidden by it: the search resumes
        // after "example.com/see:https://example.org" as a whole.
        ("example.com/see:https://example.org", 35),
    ];
    for (text, expected) in cases {
        assert_eq!(text.chars().count(), expected as usize, "{text:?}");
        assert_eq!(count(text), expected, "{text:?}");
    }
}

#[test]
fn a_remote_mention_counts_as_its_local_part() {
    let cases: [(&str, u64); 10] = [
        // "@alice hi".
        ("@alice@mastodon.example hi", 9),
        // A local mention is counted as written.
        ("@alice hi", 9),
        // Dots in the username and the domain; "!" ends it: "Hi @Alice.Smith!".
        ("Hi @Alice.Smith@social.example.org!", 16),
        // A domain of other scripts ([[:word:]]): "@bob".
        ("@bob@例え.テスト", 4),
        // A mention and a URL: "@alice" 6 + " see " 5 + 23.
        ("@alice@example.social see https://example.com/a", 34),
        // Inside a URL's path the URL wins (and "/" is no place for a mention): 23.
        ("https://mastodon.social/@alice@other.example", 23),
        // An e-mail address is no mention (a word character before "@"): in full.
        ("mail bob@example.com", 20),
        // `end_mention_match`: "@noël" is not "@no": in full.
        ("@noël@example.com", 17),
        // Followed by another "@": in full.
        ("@alice@example.com@x", 20),
        // After "=": in full.
        ("=@alice@example.com", 19),
    ];
    for (text, expected) in cases {
        assert_eq!(count(text), expected, "{text:?}");
    }
}

#[test]
fn a_mention_whose_domain_is_over_253_characters_counts_in_full() {
    let domain = format!("{}.example", "a".repeat(245));
    assert_eq!(domain.len(), 253);
    assert_eq!(count(&format!("@bob@{domain}")), 4);
    let longer = format!("a{domain}");
    assert_eq!(count(&format!("@bob@{longer}")), 259);
}

#[test]
fn blank_text_counts_zero() {
    assert_eq!(count(""), 0);
    assert_eq!(count(" \n\t\u{3000}"), 0);
}

#[test]
fn the_reserved_characters_per_url_are_a_parameter() {
    assert_eq!(countable_length("https://example.com/x", 10), 10);
    assert_eq!(countable_length("https://example.com/x", 1), 1);
    // "a " + "" + " b".
    assert_eq!(countable_length("a https://example.com/x b", 0), 4);
    assert_eq!(countable_length("a https://example.com/x b", 1), 5);
    assert_eq!(
        countable_length("a https://example.com/x b", 10_000),
        10_004
    );
}

#[test]
fn validate_refuses_nul_then_empty_then_blank_then_too_long() {
    let limits = Limits::default();
    assert_eq!(
        validate("a\0b", &limits),
        error(
            "invalid-characters",
            "message contains U+0000, which a Mastodon instance cannot store (PostgreSQL text \
             holds no NUL character)"
        )
    );
    assert_eq!(
        validate("", &limits),
        error(
            "empty-message",
            "message is empty; Mastodon needs at least 1 character"
        )
    );
    assert_eq!(
        validate(" \t \u{3000}\n", &limits),
        error(
            "empty-message",
            "message holds only white space (U+0020, U+0009, U+3000, U+000A); Mastodon needs \
             at least 1 other character"
        )
    );
    assert_eq!(validate(&"a".repeat(500), &limits), Ok(()));
    assert_eq!(
        validate(&"a".repeat(501), &limits),
        error(
            "message-too-long",
            "message is 501 characters; this Mastodon instance allows at most 500"
        )
    );
}

#[test]
fn the_limit_applies_to_the_count_not_to_code_points_or_bytes() {
    let limits = Limits::default();
    // 500 thumbs up with a skin tone: 1,000 code points, 4,000 bytes, 500 characters.
    assert_eq!(validate(&"\u{1f44d}\u{1f3fd}".repeat(500), &limits), Ok(()));
    assert_eq!(
        validate(&"\u{1f44d}\u{1f3fd}".repeat(501), &limits).map_err(|e| e.message),
        Err("message is 501 characters; this Mastodon instance allows at most 500".to_string())
    );
    // 477 characters and a URL of 600: 477 + 23 = 500.
    let url = format!("https://example.com/{}", "p".repeat(580));
    let text = format!("{} {url}", "a".repeat(476));
    assert_eq!(url.chars().count(), 600);
    assert_eq!(count(&text), 500);
    assert_eq!(validate(&text, &limits), Ok(()));
    // The same with a remote mention of 28 characters standing for "@alice" (6).
    let mention = "@alice@a-rather-long.example";
    let text = format!("{} {mention}", "a".repeat(493));
    assert_eq!(count(&text), 500);
    assert_eq!(validate(&text, &limits), Ok(()));
    assert_eq!(
        validate(&format!("a{text}"), &limits).map_err(|e| e.message),
        Err("message is 501 characters; this Mastodon instance allows at most 500".to_string())
    );
}

#[test]
fn a_large_text_of_many_candidates_is_counted_quickly() {
    // 20,000 domains and URLs back to back: the scanner is linear.
    let text = "\u{e9}.example.com/x https://a.example.org/(b) @c@d.example ".repeat(4_000);
    let started = std::time::Instant::now();
    // Per repetition: "\u{e9}.example.com/x " (no scheme: in full) 16, the URL 23, " " 1,
    // "@c" 2, " " 1: 43.
    assert_eq!(count(&text), 43 * 4_000);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
