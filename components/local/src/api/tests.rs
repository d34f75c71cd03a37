//! The local API's answers, exactly.

use super::*;

#[test]
fn scheduling_answers() {
    let created = Scheduling::Scheduled {
        reference_number: "r".into(),
        schedule_name: "twitter-r".into(),
        scheduled_date: "2030-10-23T08:48:00".into(),
        created: true,
        campaign: None,
    };
    assert_eq!(
        schedule_answer(&created),
        Answer {
            status: 201,
            body: json!({"status": "scheduled", "action": "created", "referenceNumber": "r",
                "scheduleName": "twitter-r", "scheduledDate": "2030-10-23T08:48:00"})
        }
    );
    let booked = Scheduling::Scheduled {
        reference_number: "r".into(),
        schedule_name: "twitter-r".into(),
        scheduled_date: "2030-10-23T08:30:00".into(),
        created: false,
        campaign: Some(("launch".into(), "Wed 2030-10-23 09:30 Europe/Berlin".into())),
    };
    assert_eq!(
        schedule_answer(&booked),
        Answer {
            status: 200,
            body: json!({"status": "scheduled", "action": "updated", "referenceNumber": "r",
                "scheduleName": "twitter-r", "scheduledDate": "2030-10-23T08:30:00",
                "campaign": "launch", "slot": "Wed 2030-10-23 09:30 Europe/Berlin"})
        }
    );
    let cancelled = Scheduling::Cancelled {
        reference_number: "r".into(),
        schedule_name: "twitter-r".into(),
    };
    assert_eq!(
        schedule_answer(&cancelled),
        Answer {
            status: 200,
            body: json!({"status": "cancelled", "referenceNumber": "r", "scheduleName": "twitter-r"})
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
    assert_eq!(
        plan_post_events(b"nope"),
        PostEvents::Single("nope".to_string())
    );
}

#[test]
fn put_events_on_post_events_answer_with_each_outcome() {
    let body = br#"{"Entries":[
        {"Source":"s","DetailType":"Schedule Social Post","Detail":"{\"message\":\"m\"}"},
        {"Source":"s","DetailType":"Schedule Social Post"},
        {"Source":"s","DetailType":"Schedule Social Post","Detail":"{}"}]}"#;
    let PostEvents::PutEvents(plan) = plan_post_events(body) else {
        panic!("not PutEvents")
    };
    let events = plan.events();
    assert_eq!(events.len(), 2);
    let first: Value = serde_json::from_str(&events[0]).unwrap();
    let answer = plan.answer_with_outcomes(vec![
        Scheduling::Rejected {
            code: "missing-field".into(),
            message: "m".into(),
            reference_number: Some("r".into()),
        },
        Scheduling::Retryable("down".into()),
    ]);
    assert_eq!(
        answer,
        Answer {
            status: 200,
            body: json!({"FailedEntryCount": 2, "Entries": [
                {"EventId": first["id"], "Outcome": rejection("missing-field", "m", Some("r"))},
                {"ErrorCode": "InvalidArgument",
                 "ErrorMessage": "Parameter Detail is not valid. Reason: Detail is a required argument."},
                {"ErrorCode": "InternalFailure", "ErrorMessage": "down",
                 "Outcome": {"status": "error", "reason": "unavailable", "message": "down"}},
            ]})
        }
    );
}

#[test]
fn put_events_on_post_events_are_refused_whole_as_aws_refuses_them() {
    let body = |n: usize| {
        let entry = json!({"Source": "s", "DetailType": "Other", "Detail": "{}"});
        json!({"Entries": vec![entry; n]}).to_string().into_bytes()
    };
    let refused = |message: &str| {
        PostEvents::Answer(Answer {
            status: 400,
            body: json!({"status": "rejected", "reason": "invalid-event", "message": message}),
        })
    };
    assert_eq!(
        plan_post_events(&body(0)),
        refused("1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1")
    );
    assert_eq!(
        plan_post_events(&body(11)),
        refused("1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10")
    );
    assert_eq!(
        plan_post_events(br#"{"Entries":{}}"#),
        refused("Entries must be a list of PutEventsRequestEntry objects")
    );
}
