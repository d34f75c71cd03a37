//! PutEvents as the AWS JSON 1.1 protocol answers it, exactly.

use super::*;

fn planned(body: &Value) -> PutEvents {
    plan(body.to_string().as_bytes()).unwrap()
}

/// How many entries the request's answer holds.
fn answered(plan: PutEvents) -> usize {
    plan.entries.len()
}

fn id(event: &str) -> String {
    serde_json::from_str::<Value>(event).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn every_entry_is_answered_in_order_with_the_api_references_shapes() {
    let plan = planned(&json!({"Entries": [
        {"Source": "s", "DetailType": "Schedule Social Post", "Detail": "{\"message\":\"m\"}"},
        {"DetailType": "Schedule Social Post", "Detail": "{}"},
        {"Source": "s", "Detail": "{}"},
        {"Source": "s", "DetailType": "Schedule Social Post", "Detail": ""},
        {"Source": "s", "DetailType": "Schedule Social Post", "Detail": "not json"},
        {"Source": "s", "DetailType": "Schedule Social Post", "Detail": "[1]"},
        {"Source": "s", "DetailType": "Other", "Detail": "{\"referenceNumber\":\"r\"}"},
        {"Source": "s", "DetailType": "Other", "Detail": "{}"},
        {"Source": "s", "DetailType": "Schedule Social Post", "Detail": "{}"},
    ]}));
    let events = plan.events();
    assert_eq!(events.len(), 3);
    let PutEvents { entries } = plan.clone();
    let Entry::Unmatched {
        event_id: unmatched,
    } = &entries[7]
    else {
        panic!("not unmatched: {:?}", entries[7])
    };
    let answer = plan.clone().answer(vec![
        Scheduling::Rejected {
            code: "missing-field".into(),
            message: "m".into(),
            reference_number: Some("r".into()),
        },
        Scheduling::Rejected {
            code: "unsupported-detail-type".into(),
            message: "m".into(),
            reference_number: None,
        },
        Scheduling::ComponentFailed("trap".into()),
    ]);
    let required = |name: &str| {
        json!({"ErrorCode": "InvalidArgument",
            "ErrorMessage": format!("Parameter {name} is not valid. Reason: {name} is a required argument.")})
    };
    let malformed = json!({"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."});
    assert_eq!(
        answer,
        Answer {
            status: 200,
            body: json!({"FailedEntryCount": 6, "Entries": [
                {"EventId": id(&events[0])},
                required("Source"),
                required("DetailType"),
                required("Detail"),
                malformed,
                malformed,
                {"EventId": id(&events[1])},
                {"EventId": unmatched},
                {"ErrorCode": "InternalFailure", "ErrorMessage": "trap"},
            ]})
        }
    );
    // A detail the scheduler cannot read as JSON (a key twice) fails its entry.
    let duplicate = |code: &str| Scheduling::Rejected {
        code: code.into(),
        message: "the key \"message\" appears twice".into(),
        reference_number: None,
    };
    let answer = plan.answer(vec![
        duplicate("invalid-json"),
        duplicate("invalid-json"),
        duplicate("invalid-json"),
    ]);
    assert_eq!(answer.body["FailedEntryCount"], 8);
    assert_eq!(
        answer.body["Entries"][0],
        json!({"ErrorCode": "MalformedDetail", "ErrorMessage": "the key \"message\" appears twice"})
    );
}

#[test]
fn members_of_the_wrong_type_refuse_the_request() {
    let refused = |entry: Value| plan(json!({"Entries": [entry]}).to_string().as_bytes()).err();
    let malformed = |m: &str| Some(Refusal::Malformed(m.to_string()));
    assert_eq!(
        refused(json!("x")),
        malformed("Entries[0]: an entry must be a PutEventsRequestEntry object")
    );
    assert_eq!(
        refused(json!({"Source": 5})),
        malformed("Entries[0]: Source must be a string")
    );
    assert_eq!(
        refused(json!({"Source": "s", "DetailType": "d", "Detail": {"a": 1}})),
        malformed("Entries[0]: Detail must be a string")
    );
    assert_eq!(
        refused(json!({"Resources": "r"})),
        malformed("Entries[0]: Resources must be a list of strings")
    );
    assert_eq!(
        refused(json!({"Resources": [1]})),
        malformed("Entries[0]: Resources must be a list of strings")
    );
    assert_eq!(
        refused(json!({"Time": true})),
        malformed("Entries[0]: Time must be a timestamp")
    );
    // boto3 sends Time as epoch seconds.
    assert_eq!(refused(json!({"Time": 1.7e9, "Source": null})), None);
}

#[test]
fn details_reach_the_scheduler_as_they_were_sent() {
    // Parsing and re-encoding would keep one "message" and hide the repeat.
    let plan = planned(&json!({"Entries": [
        {"Source": "s", "DetailType": "Schedule Social Post",
         "Detail": "{\"message\":\"a\", \"message\":\"b\"}", "Time": "2030-01-01T00:00:00Z",
         "EventBusName": "default", "Resources": ["arn:aws:x"]},
    ]}));
    let events = plan.events();
    assert_eq!(
        events,
        vec![format!(
            r#"{{"detail-type":"Schedule Social Post","id":"{}","source":"s","time":"2030-01-01T00:00:00Z","version":"0","detail":{{"message":"a", "message":"b"}}}}"#,
            id(&events[0])
        )]
    );
}

#[test]
fn whole_requests_are_refused_with_aws_errors() {
    let entries = |n: usize| {
        let entry = json!({"Source": "s", "DetailType": "Other", "Detail": "{}"});
        json!({"Entries": vec![entry; n]})
    };
    assert_eq!(
        plan(entries(10).to_string().as_bytes()).map(answered),
        Ok(10)
    );
    let refused = |body: &[u8]| plan(body).err().map(|r| r.aws_answer());
    let error = |kind: &str, message: &str| Some(aws_error(400, kind, message));
    assert_eq!(
        refused(entries(11).to_string().as_bytes()),
        error("ValidationException", "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10")
    );
    assert_eq!(
        refused(entries(0).to_string().as_bytes()),
        error("ValidationException", "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1")
    );
    assert_eq!(
        refused(b"{}"),
        error("ValidationException", "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null")
    );
    assert_eq!(
        refused(br#"{"Entries": "x"}"#),
        error(
            "SerializationException",
            "Entries must be a list of PutEventsRequestEntry objects"
        )
    );
    assert_eq!(
        refused(b"[1]"),
        error(
            "SerializationException",
            "the request body must be a JSON object"
        )
    );
    assert_eq!(
        refused(b"{"),
        error(
            "SerializationException",
            "the request body is not JSON: EOF while parsing an object at line 1 column 1"
        )
    );
}

#[test]
fn the_entries_total_size_must_be_under_256_kb() {
    // 14 (Time) + 1 (Source) + 5 (DetailType) + 2 ("{}") + resources + the padding.
    let body = |detail_len: usize| {
        let pad = "a".repeat(detail_len);
        json!({"Entries": [
            {"Source": "s", "DetailType": "Other", "Detail": "{}", "Time": "2030-01-01T00:00:00Z",
             "Resources": ["r"]},
            {"Source": "s", "DetailType": "Other", "Detail": format!("{{\"p\":\"{pad}\"}}")},
        ]})
        .to_string()
    };
    // The first entry is 14 + 1 + 5 + 2 + 1 = 23 bytes; the second 1 + 5 + 8 + padding.
    let under = MAX_ENTRIES_BYTES - 1 - 23 - 14;
    assert_eq!(plan(body(under).as_bytes()).map(answered), Ok(2));
    assert_eq!(
        plan(body(under + 1).as_bytes()).err(),
        Some(Refusal::Invalid(
            "Total size of the entries in the request is over the limit: 262144 bytes, which must be less than 262144".to_string()
        ))
    );
}

#[test]
fn other_targets_are_unknown_operations() {
    assert_eq!(
        unknown_operation(Some("AWSEvents.ListRules")),
        aws_error(
            400,
            "UnknownOperationException",
            "the operation AWSEvents.ListRules is not supported here; this endpoint answers AWSEvents.PutEvents only"
        )
    );
    assert_eq!(
        unknown_operation(None).body["message"],
        "X-Amz-Target is missing; this endpoint answers AWSEvents.PutEvents only"
    );
    // A request is judged by its target before its body.
    assert_eq!(
        plan_request(Some("AWSEvents.ListRules"), b"{").err(),
        Some(unknown_operation(Some("AWSEvents.ListRules")))
    );
    assert_eq!(
        plan_request(Some(TARGET), b"{}").err(),
        plan(b"{}").err().map(|r| r.aws_answer())
    );
    assert_eq!(
        plan_request(
            Some(TARGET),
            br#"{"Entries":[{"Source":"s","DetailType":"d","Detail":"{}"}]}"#
        )
        .map(answered),
        Ok(1)
    );
}

#[test]
fn a_cancel_entry_reaches_the_scheduler_even_without_a_reference() {
    let plan = planned(&json!({"Entries": [
        {"Source": "s", "DetailType": "Cancel Social Post", "Detail": "{\"platform\":\"twitter\"}"},
        {"Source": "s", "DetailType": "Other", "Detail": "{\"platform\":\"twitter\"}"},
    ]}));
    let events = plan.events();
    assert_eq!(events.len(), 1);
    let event: Value = serde_json::from_str(&events[0]).unwrap();
    assert_eq!(
        (&event["detail-type"], &event["detail"]),
        (
            &json!("Cancel Social Post"),
            &json!({"platform": "twitter"})
        )
    );
    assert!(crate::api::is_cancel_request(&events[0]));
}
