//! Facet spans with their exact UTF-8 byte ranges (checked with Python's
//! `str.encode().find`), beside the character offsets they are not.

use super::*;

fn link(start: usize, end: usize, uri: &str) -> Span {
    Span {
        byte_start: start,
        byte_end: end,
        feature: Feature::Link(uri.to_string()),
    }
}

fn mention(start: usize, end: usize, handle: &str) -> Span {
    Span {
        byte_start: start,
        byte_end: end,
        feature: Feature::Mention(handle.to_string()),
    }
}

fn tag(start: usize, end: usize, tag: &str) -> Span {
    Span {
        byte_start: start,
        byte_end: end,
        feature: Feature::Tag(tag.to_string()),
    }
}

#[test]
fn offsets_are_utf8_bytes_not_characters() {
    // "Café" has a 2-byte é, the family emoji is 25 bytes in 7 code points, "voilà" a
    // 2-byte à: the link starts at character 20 but at byte 40.
    let text =
        "Caf\u{e9} \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466} voil\u{e0}: \
                https://example.com/a?b=1. See @alice.bsky.social and #rust!";
    assert_eq!(text.len(), 100);
    assert_eq!(text.chars().count(), 80);
    assert_eq!(text.chars().position(|c| c == 'h'), Some(20));
    let spans = detect(text);
    assert_eq!(
        spans,
        vec![
            link(40, 65, "https://example.com/a?b=1"),
            mention(71, 89, "alice.bsky.social"),
            tag(94, 99, "rust"),
        ]
    );
    for span in &spans {
        assert!(text.is_char_boundary(span.byte_start));
        assert!(text.is_char_boundary(span.byte_end));
    }
    assert_eq!(&text[40..65], "https://example.com/a?b=1");
    assert_eq!(&text[71..89], "@alice.bsky.social");
    assert_eq!(&text[94..99], "#rust");
}

#[test]
fn links_lose_trailing_punctuation_as_the_official_client_does() {
    let cases: [(&str, Vec<Span>); 9] = [
        (
            "https://example.com",
            vec![link(0, 19, "https://example.com")],
        ),
        // One of .,;:!? then a ")" without "(".
        (
            "(see https://example.com/x).",
            vec![link(5, 26, "https://example.com/x")],
        ),
        (
            "https://en.wikipedia.org/wiki/Rust_(programming_language)",
            vec![link(
                0,
                57,
                "https://en.wikipedia.org/wiki/Rust_(programming_language)",
            )],
        ),
        (
            "HTTP://EXAMPLE.ORG/X!",
            vec![link(0, 20, "HTTP://EXAMPLE.ORG/X")],
        ),
        // Only one punctuation mark goes.
        (
            "https://example.com/x?!",
            vec![link(0, 22, "https://example.com/x?")],
        ),
        (
            "a https://a.example b\thttp://b.example/p;",
            vec![
                link(2, 19, "https://a.example"),
                link(22, 40, "http://b.example/p"),
            ],
        ),
        // No scheme, something glued before it, or nothing after "://": no link.
        ("example.com www.example.com", vec![]),
        ("xhttps://example.com", vec![]),
        ("http:// https://. ftp://example.com", vec![]),
    ];
    for (text, expected) in cases {
        assert_eq!(detect(text), expected, "{text:?}");
    }
}

#[test]
fn mentions_are_handles_at_a_word_boundary() {
    let cases: [(&str, Vec<Span>); 8] = [
        (
            "@alice.bsky.social",
            vec![mention(0, 18, "alice.bsky.social")],
        ),
        // A trailing dot is not part of the handle; case is folded.
        (
            "Hi @Bob.Example.COM.",
            vec![mention(3, 19, "bob.example.com")],
        ),
        ("(@carol.test)", vec![mention(1, 12, "carol.test")]),
        // Accented letters before it shift the bytes: "Grüße " is 8 bytes in 6 characters.
        (
            "Gr\u{fc}\u{df}e @dan.bsky.social",
            vec![mention(8, 24, "dan.bsky.social")],
        ),
        // Not after a word, not a single label, not a disallowed or numeric TLD.
        ("mail me@example.com or @localhost", vec![]),
        ("@foo.example @bar.local @host.123", vec![]),
        // The boundary backtracks to "alice.bsky.", which is no handle.
        ("@alice.bsky.social_x", vec![]),
        ("@-bad.example.com @ok-.com", vec![]),
    ];
    for (text, expected) in cases {
        assert_eq!(detect(text), expected, "{text:?}");
    }
    assert!(is_handle("alice.bsky.social"));
    assert!(is_handle("xn--ls8h.test"));
    assert!(!is_handle("alice"));
    assert!(!is_handle(&format!("{}.com", "a".repeat(64))));
}

#[test]
fn hashtags_are_not_all_digits_and_lose_trailing_punctuation() {
    // "日本語 " is 10 bytes; 、 (U+3001) is punctuation; ＃ (U+FF03) is 3 bytes.
    let text = "日本語 #タグ、 #123 #1a ＃全角 #\u{fe0f}x #a\u{200b}b a#b #";
    assert_eq!(
        detect(text),
        vec![
            tag(10, 17, "タグ"),
            tag(26, 29, "1a"),
            tag(30, 39, "全角"),
            tag(46, 48, "a"),
        ]
    );
    // 64 UTF-16 code units at most.
    let long = format!("#{}", "t".repeat(64));
    assert_eq!(detect(&long), vec![tag(0, 65, &"t".repeat(64))]);
    assert_eq!(detect(&format!("#{}", "t".repeat(65))), vec![]);
    assert_eq!(detect("#!!!"), vec![]);
    // "+" is a symbol, not punctuation.
    assert_eq!(
        detect("#c++ #a.b."),
        vec![tag(0, 4, "c++"), tag(5, 9, "a.b")]
    );
}

#[test]
fn overlapping_spans_keep_the_earlier() {
    // A tag that runs into a link after "(": the tag is kept, the link dropped.
    assert_eq!(
        detect("#tag(https://example.com"),
        vec![tag(0, 24, "tag(https://example.com")]
    );
    assert_eq!(detect("plain text"), vec![]);
}
