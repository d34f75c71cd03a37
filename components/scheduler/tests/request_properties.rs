//! Property tests (proptest) of the scheduler's event parser (`request`): arbitrary text and
//! JSON never make it panic, it classifies every value as the envelope/bare-detail rule says,
//! and an accepted request gives back exactly its fields. `date_and_name_properties.rs`
//! covers the `scheduledDate` parser and the schedule-name rule.
//!
//! Each property states something the module documents and that holds exactly; the inputs
//! are arbitrary strings and JSON values plus generators aimed at the parser's edge cases.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use sps_scheduler::request::{field, parse_event, Request, DETAIL_TYPE, MAX_REFERENCE_CHARS};

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Whether `request::reference` accepts this string: 1 to `MAX_REFERENCE_CHARS` characters.
fn valid_reference(s: &str) -> bool {
    (1..=MAX_REFERENCE_CHARS).contains(&s.chars().count())
}

/// JSON leaves. With `floats`, finite `f64` numbers too (their text form need not re-parse to
/// the same bits, so properties comparing values use `floats = false`).
fn json_leaf(floats: bool) -> BoxedStrategy<Value> {
    let base = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        // the keys and the detail-type value the parser looks at, as values too
        prop_oneof![Just("detail"), Just("detail-type"), Just(DETAIL_TYPE)]
            .prop_map(|s| Value::String(s.to_owned())),
    ];
    if floats {
        prop_oneof![
            5 => base,
            1 => any::<f64>()
                .prop_filter_map("finite", Number::from_f64)
                .prop_map(Value::Number),
        ]
        .boxed()
    } else {
        base.boxed()
    }
}

/// Object keys: arbitrary strings, biased towards the names the parser and the detail use.
fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        1 => prop_oneof![
            Just("detail"),
            Just("detail-type"),
            Just(field::REFERENCE_NUMBER),
            Just(field::MESSAGE),
            Just(field::PLATFORM),
            Just(field::SCHEDULED_DATE),
        ]
        .prop_map(str::to_owned),
    ]
}

/// Arbitrary JSON values, nested up to a few levels.
fn json_value(floats: bool) -> impl Strategy<Value = Value> {
    json_leaf(floats).prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(json_key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Top-level events: arbitrary values, and objects that are envelopes (with `detail` and/or
/// `detail-type`) whose parts are arbitrary values.
fn json_event(floats: bool) -> impl Strategy<Value = Value> {
    let envelope = (
        prop::option::of(json_value(floats)),
        prop::option::of(json_value(floats)),
        prop::collection::btree_map(json_key(), json_value(floats), 0..4),
    )
        .prop_map(|(detail, detail_type, rest)| {
            let mut object: Map<String, Value> = rest.into_iter().collect();
            object.remove("detail");
            object.remove("detail-type");
            if let Some(d) = detail {
                object.insert("detail".to_owned(), d);
            }
            if let Some(t) = detail_type {
                object.insert("detail-type".to_owned(), t);
            }
            Value::Object(object)
        });
    prop_oneof![json_value(floats), envelope]
}

/// Strings that look like JSON events, so that the parser gets past the first byte often.
fn json_like_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[{}\\[\\]\":,a-z0-9 \\\\-]{0,40}",
        json_event(true).prop_flat_map(|v| {
            let text = v.to_string();
            let len = text.len();
            // a prefix of a valid event, cut at a char boundary
            (Just(text), 0..=len).prop_map(|(text, cut)| {
                let mut cut = cut;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text[..cut].to_owned()
            })
        }),
    ]
}

// ---------------------------------------------------------------------------------------------
// request.rs: parse_event
// ---------------------------------------------------------------------------------------------

/// What `parse_event` must answer for a JSON value, from the rule in its documentation.
fn expected_shape(value: &Value) -> Result<(Option<Value>, Map<String, Value>), &'static str> {
    let Value::Object(object) = value else {
        return Err("invalid-event");
    };
    if !object.contains_key("detail") && !object.contains_key("detail-type") {
        return Ok((None, object.clone()));
    }
    match object.get("detail") {
        Some(Value::Object(detail)) => Ok((object.get("detail-type").cloned(), detail.clone())),
        _ => Err("invalid-event"),
    }
}

proptest! {
    /// Arbitrary text never makes the parser panic; a refusal is `invalid-json` or
    /// `invalid-event` with a message.
    #[test]
    fn parse_event_never_panics_on_arbitrary_text(text in json_like_text()) {
        match parse_event(&text) {
            Ok(_) => prop_assert!(serde_json::from_str::<Value>(&text).is_ok()),
            Err(p) => {
                prop_assert!(p.code == "invalid-json" || p.code == "invalid-event", "{}", p.code);
                prop_assert!(!p.message.is_empty());
                // serde_json keeps the last of a repeated key; parse_event refuses it.
                let is_json = serde_json::from_str::<Value>(&text).is_ok();
                let repeated = p.message.starts_with("event JSON is ambiguous: the key ");
                prop_assert_eq!(p.code == "invalid-json", !is_json || repeated);
            }
        }
    }

    /// Any JSON value (floats included) is parsed without panicking into exactly what the
    /// envelope/bare-detail rule says; the field accessors never panic on the result.
    #[test]
    fn parse_event_classifies_arbitrary_json(value in json_event(true)) {
        let text = value.to_string();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        let got = parse_event(&text);
        match (expected_shape(&reparsed), got) {
            (Ok((detail_type, detail)), Ok(request)) => {
                prop_assert_eq!(&request.detail_type, &detail_type);
                prop_assert_eq!(&request.detail, &detail);
                // the accessors never panic, and agree with the detail's JSON types
                match (detail.get(field::REFERENCE_NUMBER), request.reference()) {
                    (None | Some(Value::Null), Ok(None)) => {}
                    (Some(Value::String(s)), Ok(Some(r))) if valid_reference(s) => {
                        prop_assert_eq!(s.as_str(), r);
                    }
                    (Some(Value::String(s)), Err(p)) if !valid_reference(s) => {
                        prop_assert_eq!(p.code, "invalid-field");
                    }
                    (Some(v), Err(p)) if !v.is_string() && !v.is_null() => {
                        prop_assert_eq!(p.code, "invalid-field");
                    }
                    (v, r) => prop_assert!(false, "reference {:?} gave {:?}", v, r),
                }
                for name in [field::MESSAGE, field::PLATFORM, field::SCHEDULED_DATE] {
                    match (detail.get(name), request.required_string(name)) {
                        (None | Some(Value::Null), Err(p)) => {
                            prop_assert_eq!(p.code, "missing-field");
                        }
                        (Some(Value::String(s)), Ok(r)) => prop_assert_eq!(s.as_str(), r),
                        (Some(v), Err(p)) if !v.is_string() && !v.is_null() => {
                            prop_assert_eq!(p.code, "invalid-field");
                        }
                        (v, r) => prop_assert!(false, "{} {:?} gave {:?}", name, v, r),
                    }
                }
                let detail_type_ok = match &detail_type {
                    None => true,
                    Some(Value::String(s)) => s == DETAIL_TYPE,
                    Some(_) => false,
                };
                match request.check_detail_type() {
                    Ok(()) => prop_assert!(detail_type_ok),
                    Err(p) => {
                        prop_assert!(!detail_type_ok);
                        prop_assert_eq!(p.code, "unsupported-detail-type");
                    }
                }
            }
            (Err(code), Err(p)) => prop_assert_eq!(p.code, code),
            (expected, got) => prop_assert!(false, "expected {:?}, got {:?}", expected, got),
        }
    }

    /// An accepted request (envelope with the supported detail-type, envelope without one, or
    /// bare detail) gives back exactly the fields it was built from, extra fields included.
    #[test]
    fn accepted_request_round_trips_its_fields(
        reference in any::<String>().prop_filter("1-1,024 characters", |r| valid_reference(r)),
        (message, platform, date) in any::<(String, String, String)>(),
        extra in prop::collection::btree_map(any::<String>(), json_value(false), 0..4),
        form in 0..3u8,
    ) {
        let mut detail: Map<String, Value> = extra.into_iter().collect();
        if form == 2 {
            // a bare detail must not look like an envelope
            detail.remove("detail");
            detail.remove("detail-type");
        }
        for (name, value) in [
            (field::REFERENCE_NUMBER, &reference),
            (field::MESSAGE, &message),
            (field::PLATFORM, &platform),
            (field::SCHEDULED_DATE, &date),
        ] {
            detail.insert(name.to_owned(), Value::String(value.clone()));
        }
        let event = match form {
            0 => serde_json::json!({
                "version": "0",
                "source": "test",
                "detail-type": DETAIL_TYPE,
                "detail": Value::Object(detail.clone()),
            }),
            1 => serde_json::json!({ "detail": Value::Object(detail.clone()) }),
            _ => Value::Object(detail.clone()),
        };
        let request = parse_event(&event.to_string()).unwrap();
        let detail_type = (form == 0).then(|| Value::String(DETAIL_TYPE.to_owned()));
        prop_assert_eq!(&request, &Request { detail_type, detail });
        prop_assert_eq!(request.check_detail_type(), Ok(()));
        prop_assert_eq!(request.reference(), Ok(Some(reference.as_str())));
        prop_assert_eq!(request.required_string(field::MESSAGE), Ok(message.as_str()));
        prop_assert_eq!(request.required_string(field::PLATFORM), Ok(platform.as_str()));
        prop_assert_eq!(request.required_string(field::SCHEDULED_DATE), Ok(date.as_str()));
    }

    /// Any detail-type other than the exact string is refused as `unsupported-detail-type`.
    #[test]
    fn other_detail_types_are_unsupported(detail_type in json_value(true)) {
        prop_assume!(detail_type.as_str() != Some(DETAIL_TYPE));
        let event = serde_json::json!({ "detail-type": detail_type, "detail": {} });
        let request = parse_event(&event.to_string()).unwrap();
        prop_assert_eq!(
            request.check_detail_type().map_err(|p| p.code),
            Err("unsupported-detail-type".to_owned())
        );
    }
}
