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
        &[("twitter".into(), vec![(33, 0.5), (9, 0.25), (33, 0.25)])],
    );
    assert_eq!(
        view,
        json!({"name": "launch", "plan": {"timeZone": "UTC"}, "booked": {"twitter": [
            {"referenceNumber": "early", "at": "2026-03-02T08:30:00"},
            {"referenceNumber": "late", "at": "2026-03-03T08:30:00"}]},
            "scores": {"twitter": [
                {"hourOfWeek": 9, "bucket": "Mon 09:00", "posts": 1, "meanScore": 0.25},
                {"hourOfWeek": 33, "bucket": "Tue 09:00", "posts": 2, "meanScore": 0.375}]}})
    );
}

#[test]
fn only_finite_scores_of_real_buckets_are_recorded() {
    assert_eq!(check_score(167, 0.0), Ok(()));
    assert_eq!(
        check_score(168, 1.0).unwrap_err(),
        "a score is a finite number of 0 or more in an hour-of-week bucket 0-167, not 1 in bucket 168"
    );
    assert_eq!(
        check_score(3, f64::NAN).unwrap_err(),
        "a score is a finite number of 0 or more in an hour-of-week bucket 0-167, not NaN in bucket 3"
    );
    assert!(check_score(3, -0.5).is_err());
}

#[test]
fn a_plan_put_through_the_api_is_checked_as_a_post_would_check_it() {
    let plan = br#"{"timeZone": "UTC", "slots": [{"days": ["mon"], "times": ["09:30"]}]}"#;
    assert_eq!(
        check_plan("launch", plan).unwrap(),
        json!({"timeZone": "UTC", "slots": [{"days": ["mon"], "times": ["09:30"]}]})
    );
    assert_eq!(
        check_plan("a b", plan).unwrap_err().body,
        json!({"status": "rejected", "reason": "invalid-campaign", "referenceNumber": null,
            "message": "\"a b\" cannot name a campaign: 1 to 64 characters of a-z, A-Z, 0-9, - _ ."})
    );
    let wrong = check_plan("launch", br#"{"timeZone": "Mars/Olympus", "slots": []}"#).unwrap_err();
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.body["message"],
        "campaign \"launch\": timeZone \"Mars/Olympus\" is not an IANA time zone name"
    );
}
