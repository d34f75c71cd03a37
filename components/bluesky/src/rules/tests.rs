//! Validation vectors with their exact counts.

use super::*;

fn post(parts: &[&str]) -> Post {
    Post {
        parts: parts.iter().map(|p| p.to_string()).collect(),
        account: "default".to_string(),
        idempotency_key: String::new(),
    }
}

fn too_long(message: &str) -> Result<(), PostError> {
    Err(PostError {
        code: "message-too-long".to_string(),
        message: message.to_string(),
        part: None,
    })
}

const FAMILY: &str = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}";

#[test]
fn the_count_is_of_grapheme_clusters() {
    let cases: [(&str, usize, usize, usize); 6] = [
        // (text, grapheme clusters, code points, UTF-8 bytes)
        ("Hello world!", 12, 12, 12),
        // Man, ZWJ, woman, ZWJ, girl, ZWJ, boy: one family of 25 bytes.
        (FAMILY, 1, 7, 25),
        // e + U+0301 COMBINING ACUTE ACCENT is one é; precomposed é is one too.
        ("Cafe\u{301} au lait", 12, 13, 14),
        ("Caf\u{e9}", 4, 4, 5),
        // Two combining marks on one letter.
        ("a\u{301}\u{323}", 1, 3, 5),
        // Thumbs up with a skin tone, then a flag.
        ("\u{1f44d}\u{1f3fd}\u{1f1eb}\u{1f1f7}", 2, 4, 16),
    ];
    for (text, graphemes, code_points, bytes) in cases {
        assert_eq!(text.graphemes(true).count(), graphemes, "{text:?}");
        assert_eq!(text.chars().count(), code_points, "{text:?}");
        assert_eq!(text.len(), bytes, "{text:?}");
        assert_eq!(validate_text(text), Ok(()), "{text:?}");
    }
}

#[test]
fn three_hundred_clusters_pass_and_three_hundred_and_one_do_not() {
    assert_eq!(validate_text(&"a".repeat(300)), Ok(()));
    assert_eq!(
        validate_text(&"a".repeat(301)),
        too_long("message is 301 characters; Bluesky allows at most 300")
    );
    // 300 accented letters written as e + U+0301: 600 code points, 900 bytes, 300 clusters.
    assert_eq!(validate_text(&"e\u{301}".repeat(300)), Ok(()));
    assert_eq!(
        validate_text(&"e\u{301}".repeat(301)),
        too_long("message is 301 characters; Bluesky allows at most 300")
    );
    // 120 families: 120 clusters but 3000 bytes, the most allowed; 121 are 3025 bytes.
    assert_eq!(validate_text(&FAMILY.repeat(120)), Ok(()));
    assert_eq!(
        validate_text(&FAMILY.repeat(121)),
        too_long("message is 3025 bytes in UTF-8; Bluesky allows at most 3000")
    );
    // Over both limits: the clusters are named.
    assert_eq!(
        validate_text(&FAMILY.repeat(301)),
        too_long("message is 301 characters; Bluesky allows at most 300")
    );
}

#[test]
fn empty_and_blank_texts_are_refused_naming_the_white_space() {
    let empty = |message: &str| {
        Err(PostError {
            code: "empty-message".to_string(),
            message: message.to_string(),
            part: None,
        })
    };
    assert_eq!(
        validate_text(""),
        empty("message is empty; Bluesky needs at least 1 character")
    );
    assert_eq!(
        validate_text(" \n \u{3000}"),
        empty(
            "message holds only white space (U+0020, U+000A, U+3000); Bluesky needs at least \
             1 other character"
        )
    );
    // A zero-width space is not white space: it is a character.
    assert_eq!(validate_text("\u{200b}"), Ok(()));
}

#[test]
fn the_first_failing_part_is_named() {
    assert_eq!(validate(&post(&["one", "two", "three"])), Ok(()));
    let long = "b".repeat(301);
    assert_eq!(
        validate(&post(&["one", &long, ""])),
        Err(PostError {
            code: "message-too-long".to_string(),
            message: "message is 301 characters; Bluesky allows at most 300".to_string(),
            part: Some(1),
        })
    );
    assert_eq!(
        validate(&post(&["one", "two", " "])),
        Err(PostError {
            code: "empty-message".to_string(),
            message: "message holds only white space (U+0020); Bluesky needs at least 1 other \
                      character"
                .to_string(),
            part: Some(2),
        })
    );
    assert_eq!(
        validate(&post(&[])),
        Err(PostError {
            code: "empty-message".to_string(),
            message: "the post has no parts; Bluesky needs at least the message".to_string(),
            part: None,
        })
    );
    // 26 parts, the most the scheduler sends, are a thread Bluesky takes.
    let parts: Vec<String> = (0..26).map(|i| format!("part {i}")).collect();
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    assert_eq!(validate(&post(&refs)), Ok(()));
}
