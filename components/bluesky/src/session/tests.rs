//! Sessions: what is stored, which stored session fits the settings.

use super::*;

fn session(did: &str, handle: &str) -> Session {
    Session {
        access_jwt: "a".to_string(),
        refresh_jwt: "r".to_string(),
        did: did.to_string(),
        handle: handle.to_string(),
    }
}

#[test]
fn a_stored_session_fits_the_identifier_that_names_it() {
    let alice = session("did:plc:alice", "alice.bsky.social");
    assert!(alice.fits("alice.bsky.social"));
    assert!(alice.fits("@Alice.Bsky.Social"));
    assert!(alice.fits("did:plc:alice"));
    assert!(alice.fits("alice@example.com"));
    assert!(!alice.fits("bob.bsky.social"));
    assert!(!alice.fits("did:plc:bob"));
    // A handle that does not verify tells nothing.
    assert!(session("did:plc:alice", "handle.invalid").fits("alice.bsky.social"));
    assert!(session("did:plc:alice", "").fits("alice.bsky.social"));
    assert!(!session("did:plc:alice", "handle.invalid").fits("did:plc:bob"));
}

#[test]
fn the_stored_form_has_the_four_fields_and_debug_shows_no_token() {
    let alice = Session {
        access_jwt: "access.jwt".to_string(),
        refresh_jwt: "refresh.jwt".to_string(),
        did: "did:plc:alice".to_string(),
        handle: "alice.test".to_string(),
    };
    assert_eq!(
        String::from_utf8(alice.to_bytes()).unwrap(),
        r#"{"accessJwt":"access.jwt","refreshJwt":"refresh.jwt","did":"did:plc:alice","handle":"alice.test"}"#
    );
    assert_eq!(Session::from_answer(&alice.to_bytes()), Some(alice.clone()));
    assert_eq!(
        format!("{alice:?}"),
        r#"Session { did: "did:plc:alice", handle: "alice.test", .. }"#
    );
    for bad in [
        r#"{"accessJwt":"","refreshJwt":"r","did":"did:plc:a"}"#,
        r#"{"accessJwt":"a","refreshJwt":"r","did":"alice"}"#,
        r#"{"accessJwt":"a","did":"did:plc:a"}"#,
        "not json",
    ] {
        assert_eq!(Session::from_answer(bad.as_bytes()), None, "{bad}");
    }
}
