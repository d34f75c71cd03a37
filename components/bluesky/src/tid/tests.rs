//! TIDs against atproto.com/specs/tid, and the pinning of a part's record key.

use super::*;
use crate::fake::{Fake, NOW};

const KEY: &str = "4327f138593c72fbdb5fff2b18d4f21e4272884193e209031333ac8a6bd381b1";

#[test]
fn the_encoding_is_the_specs() {
    // "The TID corresponding to integer zero is 2222222222222."
    assert_eq!(encode(0), "2222222222222");
    assert_eq!(tid(0, 0), "2222222222222");
    // The spec's example TID: 2023-06-30T15:03:01.887007Z, clock identifier 6.
    assert_eq!(decode("3jzfcijpj2z2a"), Some((1_688_137_381_887_007, 6)));
    assert_eq!(tid(1_688_137_381_887_007, 6), "3jzfcijpj2z2a");
    // A timestamp and clock identifier as @atcute/tid writes them.
    assert_eq!(tid(1_724_171_495_793_000, 512), "3l25zusnsfck2");
    assert_eq!(decode("3l25zusnsfctk"), Some((1_724_171_495_793_000, 816)));
    // The largest: 53 bits of microseconds and clock identifier 1023, the top bit 0.
    assert_eq!(tid(MAX_MICROS, MAX_CLOCK_ID), "bzzzzzzzzzzzz");
    assert_eq!(decode("bzzzzzzzzzzzz"), Some((MAX_MICROS, MAX_CLOCK_ID)));
    // The syntax takes any 64-bit value: j is the first character's largest.
    assert!(is_valid("jzzzzzzzzzzzz"));
}

#[test]
fn only_the_tid_syntax_decodes() {
    for bad in [
        "",
        "3jzfcijpj2z2",   // 12 characters
        "3jzfcijpj2z2aa", // 14
        "kjzfcijpj2z2a",  // first character past j: the top bit set
        "3jzfcijpj2z21",  // 1 is not in the alphabet
        "3JZFCIJPJ2Z2A",  // upper case
        "3jzfcijpj2z2\u{e9}",
    ] {
        assert_eq!(decode(bad), None, "{bad:?}");
        assert!(!is_valid(bad), "{bad:?}");
    }
    assert!(is_valid("3jzfcijpj2z2a"));
}

#[test]
fn a_parts_key_comes_from_the_post_key_the_part_and_the_first_attempt() {
    // Checked with Python's hashlib at 2026-12-06T06:30:00Z: the clock identifier is the
    // first two bytes of SHA-256("<key>/<part>") & 1023; the sub-second part the first
    // four of SHA-256("<key>") % 900,000 (632,490), plus 1,000 per part.
    assert_eq!(first_attempt_tid(NOW, KEY, 0), "3n3y6ylvg7etj");
    assert_eq!(
        decode("3n3y6ylvg7etj"),
        Some((NOW * 1_000_000 + 632_490, 815))
    );
    assert_eq!(first_attempt_tid(NOW, KEY, 1), "3n3y6ylvh6mzk");
    assert_eq!(
        decode("3n3y6ylvh6mzk"),
        Some((NOW * 1_000_000 + 633_490, 1008))
    );
    assert_eq!(first_attempt_tid(NOW, KEY, 2), "3n3y6ylvi5u5r");
    // A thread's keys sort in the order of its parts.
    assert!("3n3y6ylvg7etj" < "3n3y6ylvh6mzk" && "3n3y6ylvh6mzk" < "3n3y6ylvi5u5r");
    assert_eq!(pin_key(KEY, 2), format!("rkey/{KEY}/2"));
}

#[test]
fn the_first_attempt_pins_the_key_and_later_ones_read_it_back() {
    let mut caps = Fake::new(&[]);
    assert_eq!(pinned(&mut caps, KEY, 0).as_deref(), Ok("3n3y6ylvg7etj"));
    assert_eq!(
        caps.kv_text(&format!("rkey/{KEY}/0")).as_deref(),
        Some("3n3y6ylvg7etj")
    );
    // An hour later: the same key.
    caps.now = NOW + 3600;
    assert_eq!(pinned(&mut caps, KEY, 0).as_deref(), Ok("3n3y6ylvg7etj"));
    assert_eq!(caps.kv.len(), 1);
    // Another part is pinned at its own first attempt.
    let later = first_attempt_tid(NOW + 3600, KEY, 1);
    assert_eq!(pinned(&mut caps, KEY, 1), Ok(later));
    // A stored value that is no TID is replaced.
    caps.kv
        .insert(format!("rkey/{KEY}/2"), b"not a tid".to_vec());
    let fresh = first_attempt_tid(NOW + 3600, KEY, 2);
    assert_eq!(pinned(&mut caps, KEY, 2), Ok(fresh.clone()));
    assert_eq!(caps.kv_text(&format!("rkey/{KEY}/2")), Some(fresh));
}

#[test]
fn a_key_value_store_that_fails_is_transient() {
    let mut caps = Fake::new(&[]);
    caps.break_kv("");
    assert_eq!(
        pinned(&mut caps, KEY, 3),
        Err(PublishError::Transient(
            "could not pin the record key of part 3 in the key-value store (key-value store: \
             disk gone); nothing was sent"
                .to_string()
        ))
    );
}

#[test]
fn a_taken_key_is_replaced_once() {
    let mut caps = Fake::new(&[]);
    let taken = pinned(&mut caps, KEY, 0).unwrap();
    caps.now = NOW + 5;
    assert_eq!(repin(&mut caps, KEY, 0, &taken), Ok(()));
    let fresh = caps.kv_text(&format!("rkey/{KEY}/0")).unwrap();
    assert_ne!(fresh, taken);
    let (micros, _) = decode(&fresh).unwrap();
    assert_eq!(micros / 1_000_000, NOW + 5);
    // A second attempt that saw the same clash changes nothing more.
    assert_eq!(repin(&mut caps, KEY, 0, &taken), Ok(()));
    assert_eq!(caps.kv_text(&format!("rkey/{KEY}/0")), Some(fresh));
}
