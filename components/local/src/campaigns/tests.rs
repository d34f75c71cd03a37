#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn bookings_round_trip_through_their_stored_text() {
    let booked = vec![StoredBooking {
        reference: "p1".into(),
        at: "2026-03-02T08:30:00".into(),
    }];
    let text = bookings_to_json(&booked);
    assert_eq!(text, r#"[{"reference":"p1","at":"2026-03-02T08:30:00"}]"#);
    assert_eq!(bookings_from_json(&text).unwrap(), booked);
    assert_eq!(
        bookings_from_json(r#"[{"reference":"p1"}]"#).unwrap_err(),
        "stored bookings are not a list of bookings: missing field `at` at line 1 column 19"
    );
}

#[test]
fn plans_are_read_from_one_shape() {
    let plans = parse_plans(
        "the variable",
        r#"{"campaigns": {"launch": {"timeZone": "UTC"}}}"#,
    )
    .unwrap();
    assert_eq!(plans["launch"], json!({"timeZone": "UTC"}));
    assert!(parse_plans("the variable", "  ").unwrap().is_empty());
    assert_eq!(
        parse_plans("the variable", "{").unwrap_err(),
        "the variable is not JSON: EOF while parsing an object at line 1 column 1"
    );
    assert_eq!(
        parse_plans("the variable", r#"{"launch": {}}"#).unwrap_err(),
        "the variable has no object \"campaigns\""
    );
}

#[test]
fn the_view_lists_bookings_in_time_order() {
    let late = StoredBooking {
        reference: "late".into(),
        at: "2026-03-03T08:30:00".into(),
    };
    let early = StoredBooking {
        reference: "early".into(),
        at: "2026-03-02T08:30:00".into(),
    };
    let view = campaign_view(
        "launch",
        &json!({"timeZone": "UTC"}),
        &[("twitter".into(), vec![late, early])],
    );
    assert_eq!(
        view,
        json!({"name": "launch", "plan": {"timeZone": "UTC"}, "booked": {"twitter": [
            {"referenceNumber": "early", "at": "2026-03-02T08:30:00"},
            {"referenceNumber": "late", "at": "2026-03-03T08:30:00"}]}})
    );
}
