//! The local API's answers, exactly.

use super::*;

#[test]
fn scheduling_answers() {
    let created = Scheduling::Scheduled {
        reference_number: "r".into(),
        schedule_name: "twitter-r".into(),
        scheduled_date: "2030-10-23T08:48:00".into(),
        created: true,
    };
    assert_eq!(
        schedule_answer(&created),
        Answer {
            status: 201,
            body: json!({"status": "scheduled", "action": "created", "referenceNumber": "r",
                "scheduleName": "twitter-r", "scheduledDate": "2030-10-23T08:48:00"})
        }
    );
    let rejected = |code: &str| Scheduling::Rejected {
        code: code.into(),
        message: "m".into(),
        reference_number: None,
    };
    assert_eq!(schedule_answer(&rejected("invalid-json")).status, 400);
    assert_eq!(schedule_answer(&rejected("invalid-event")).status, 400);
    assert_eq!(
        schedule_answer(&rejected("message-too-long")),
        Answer {
            status: 422,
            body: json!({"status": "rejected", "reason": "message-too-long", "message": "m", "referenceNumber": null})
        }
    );
    assert_eq!(
        schedule_answer(&Scheduling::Retryable("down".into())),
        Answer {
            status: 503,
            body: json!({"status": "error", "reason": "unavailable", "message": "down"})
        }
    );
    assert_eq!(
        schedule_answer(&Scheduling::ComponentFailed("trap".into())).status,
        500
    );
}

#[test]
fn bodies_that_are_not_utf8_or_have_bad_entries_are_answered_at_once() {
    let PostEvents::Answer(a) = plan_post_events(b"{\"a\":\"\xff\"}") else {
        panic!("not answered")
    };
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body,
        rejection(
            "invalid-json",
            "the request body is not UTF-8 JSON: invalid utf-8 sequence of 1 bytes from index 6",
            None
        )
    );
    let PostEvents::Answer(a) = plan_post_events(br#"{"Entries":{}}"#) else {
        panic!("not answered")
    };
    assert_eq!(
        a,
        Answer {
            status: 400,
            body: json!({"status": "rejected", "reason": "invalid-event", "message": "Entries must be an array"})
        }
    );
    assert_eq!(
        plan_post_events(b"nope"),
        PostEvents::Single("nope".to_string())
    );
}

#[test]
fn put_events_answers_every_entry_in_order() {
    let body = br#"{"Entries":[
        {"Source":"s","DetailType":"Schedule Social Post","Detail":"{\"message\":\"m\"}"},
        {"Source":"s","DetailType":"Other","Detail":"{}"},
        {"Source":"s","DetailType":"Schedule Social Post"},
        {"Source":"s","DetailType":"Schedule Social Post","Detail":"{}"}]}"#;
    let PostEvents::PutEvents(plan) = plan_post_events(body) else {
        panic!("not PutEvents")
    };
    let events = plan.events();
    assert_eq!(events.len(), 2);
    let first: Value = serde_json::from_str(&events[0]).unwrap();
    assert_eq!(first["detail"], json!({"message": "m"}));
    assert_eq!(first["detail-type"], "Schedule Social Post");
    assert_eq!(first["source"], "s");
    let answer = plan.answer(vec![
        Scheduling::Rejected {
            code: "missing-field".into(),
            message: "m".into(),
            reference_number: Some("r".into()),
        },
        Scheduling::Retryable("down".into()),
    ]);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["FailedEntryCount"], 2);
    let entries = answer.body["Entries"].as_array().unwrap();
    assert_eq!(entries[0]["EventId"], first["id"]);
    assert_eq!(
        entries[0]["Outcome"],
        rejection("missing-field", "m", Some("r"))
    );
    assert_eq!(entries[1]["Outcome"], json!({"status": "no-matching-rule"}));
    assert_eq!(
        entries[2],
        json!({"ErrorCode": "InvalidArgument", "ErrorMessage": "Detail is required and must be a JSON string"})
    );
    assert_eq!(
        entries[3],
        json!({"ErrorCode": "InternalFailure", "ErrorMessage": "down",
            "Outcome": {"status": "error", "reason": "unavailable", "message": "down"}})
    );
}

#[test]
fn put_events_details_reach_the_scheduler_as_they_were_sent() {
    // Parsing and re-encoding would keep one "message" and hide the repeat.
    let body = br#"{"Entries":[
        {"Source":"s","DetailType":"Schedule Social Post","Detail":"{\"message\":\"a\", \"message\":\"b\"}"},
        {"Source":"s","DetailType":"Schedule Social Post","Detail":"not json"}]}"#;
    let PostEvents::PutEvents(plan) = plan_post_events(body) else {
        panic!("not PutEvents")
    };
    let events = plan.events();
    let id = |event: &str| {
        serde_json::from_str::<Value>(event).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        events,
        vec![
            format!(
                r#"{{"detail-type":"Schedule Social Post","id":"{}","source":"s","version":"0","detail":{{"message":"a", "message":"b"}}}}"#,
                id(&events[0])
            ),
            format!(
                r#"{{"detail-type":"Schedule Social Post","id":"{}","source":"s","version":"0","detail":"not json"}}"#,
                id(&events[1])
            ),
        ]
    );
}

#[test]
fn put_events_takes_at_most_ten_entries() {
    let body = |n: usize| {
        let entry = json!({"Source": "s", "DetailType": "Other", "Detail": "{}"});
        json!({"Entries": vec![entry; n]}).to_string().into_bytes()
    };
    let PostEvents::PutEvents(plan) = plan_post_events(&body(10)) else {
        panic!("10 entries are one PutEvents request")
    };
    assert_eq!(
        plan.answer(vec![]).body["Entries"].as_array().map(Vec::len),
        Some(10)
    );
    assert_eq!(
        plan_post_events(&body(0)),
        PostEvents::Answer(Answer {
            status: 400,
            body: json!({"status": "rejected", "reason": "invalid-event",
                "message": "Entries is empty; PutEvents takes 1 to 10 entries"})
        })
    );
    assert_eq!(
        plan_post_events(&body(11)),
        PostEvents::Answer(Answer {
            status: 400,
            body: json!({"status": "rejected", "reason": "invalid-event",
                "message": "Entries holds 11 entries; PutEvents takes at most 10, so none was scheduled"})
        })
    );
}
