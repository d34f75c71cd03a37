//! Property tests (proptest) of the scheduler's pure logic: the event parser (`request`), the
//! `scheduledDate` parser (`date`) and the schedule-name rule (`name`).
//!
//! Each property states something the module documents and that holds exactly; the inputs
//! are arbitrary strings and JSON values plus generators aimed at each module's edge cases.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use sps_scheduler::date::{format, parse_scheduled_date, AT_FORMAT};
use sps_scheduler::name::{is_name_char, reference_hash, schedule_name, MAX_NAME_LEN};
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

// ---------------------------------------------------------------------------------------------
// date.rs: parse_scheduled_date and format
// ---------------------------------------------------------------------------------------------

/// The parts of a well-shaped `scheduledDate` text. Values range a little past the valid
/// ones (month 0-13, day 0-32, hour 0-24, minute 0-60, second 0-61, offset hour 0-25) so that
/// both refusals and acceptances are common.
#[derive(Debug, Clone)]
struct DateParts {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    fraction: Option<String>,
    /// `None`: no zone; `Some(None)`: `Z`; `Some(Some((sign, h, m)))`: `±HH:MM`.
    zone: Option<Option<(char, u32, u32)>>,
}

impl DateParts {
    fn text(&self) -> String {
        let mut text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if let Some(fraction) = &self.fraction {
            text.push('.');
            text.push_str(fraction);
        }
        match self.zone {
            None => {}
            Some(None) => text.push('Z'),
            Some(Some((sign, h, m))) => text.push_str(&format!("{sign}{h:02}:{m:02}")),
        }
        text
    }

    /// The instant the text names, computed independently of `date.rs`: `None` when the
    /// text names no valid date-time, leap seconds included.
    fn instant(&self) -> Option<DateTime<Utc>> {
        let offset_minutes = match self.zone {
            None | Some(None) => 0,
            Some(Some((sign, h, m))) => {
                if h > 23 || m > 59 {
                    return None;
                }
                let minutes = i64::from(h * 60 + m);
                if sign == '-' {
                    -minutes
                } else {
                    minutes
                }
            }
        };
        let local = NaiveDate::from_ymd_opt(self.year, self.month, self.day)?.and_hms_opt(
            self.hour,
            self.minute,
            self.second,
        )?;
        Some(local.and_utc() - TimeDelta::minutes(offset_minutes))
    }
}

fn date_parts(
    month: std::ops::RangeInclusive<u32>,
    day: std::ops::RangeInclusive<u32>,
    hour: std::ops::RangeInclusive<u32>,
    minute: std::ops::RangeInclusive<u32>,
    second: std::ops::RangeInclusive<u32>,
    offset_hour: std::ops::RangeInclusive<u32>,
) -> impl Strategy<Value = DateParts> {
    let zone = prop_oneof![
        Just(None),
        Just(Some(None)),
        (prop_oneof![Just('+'), Just('-')], offset_hour, 0..=59u32)
            .prop_map(|(s, h, m)| Some(Some((s, h, m)))),
    ];
    (
        (
            prop_oneof![3 => 0..=9999i32, 1 => prop_oneof![0..=2i32, 9997..=9999i32]],
            month,
            day,
        ),
        (hour, minute, second),
        prop::option::of("[0-9]{1,15}"),
        zone,
    )
        .prop_map(
            |((year, month, day), (hour, minute, second), fraction, zone)| DateParts {
                year,
                month,
                day,
                hour,
                minute,
                second,
                fraction,
                zone,
            },
        )
}

/// Mostly-valid parts (every value in range except possibly the day of the month).
fn valid_date_parts() -> impl Strategy<Value = DateParts> {
    date_parts(1..=12, 1..=31, 0..=23, 0..=59, 0..=59, 0..=23)
}

/// Parts reaching just past every range.
fn edgy_date_parts() -> impl Strategy<Value = DateParts> {
    date_parts(0..=13, 0..=32, 0..=24, 0..=60, 0..=61, 0..=25)
}

/// Strings around the accepted shape: arbitrary text, shape-like character soup, and
/// well-shaped texts with one character changed or cut short.
fn date_like_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[T t][0-9]{2}:[0-9]{2}(:[0-9]{2})?(\\.[0-9]{0,4})?(Z|z|[+-][0-9]{1,2}:?[0-9]{0,2})?",
        "[0-9T:Z.+-]{0,30}",
        (edgy_date_parts(), any::<prop::sample::Index>(), any::<char>()).prop_map(
            |(parts, at, c)| {
                let mut chars: Vec<char> = parts.text().chars().collect();
                let i = at.index(chars.len());
                chars[i] = c;
                chars.into_iter().collect()
            }
        ),
        (edgy_date_parts(), any::<prop::sample::Index>()).prop_map(|(parts, at)| {
            let text = parts.text();
            text[..at.index(text.len() + 1).min(text.len())].to_owned()
        }),
    ]
}

/// Whether `text` is `YYYY-MM-DDTHH:MM:SS` exactly (ASCII digits, those separators).
fn has_at_shape(text: &str) -> bool {
    text.len() == 19
        && text.bytes().zip(b"0000-00-00T00:00:00").all(|(b, s)| {
            if *s == b'0' {
                b.is_ascii_digit()
            } else {
                b == *s
            }
        })
}

proptest! {
    /// Arbitrary text never makes the date parser panic; a refusal is always
    /// `invalid-scheduled-date` and names the input.
    #[test]
    fn parse_scheduled_date_never_panics(text in date_like_text()) {
        match parse_scheduled_date(&text) {
            Ok(date) => {
                prop_assert_eq!(date.nanosecond(), 0);
                prop_assert!((0..=9999).contains(&date.year()));
            }
            Err(p) => {
                prop_assert_eq!(&p.code, "invalid-scheduled-date");
                let quoted = format!("{text:?}");
                prop_assert!(p.message.contains(&quoted), "{}", p.message);
            }
        }
    }

    /// Every accepted date formats as `YYYY-MM-DDTHH:MM:SS` and that text parses back to the
    /// same instant (and formats to the same text again).
    #[test]
    fn accepted_dates_format_and_reparse(text in prop_oneof![
        date_like_text(),
        valid_date_parts().prop_map(|p| p.text()),
        edgy_date_parts().prop_map(|p| p.text()),
    ]) {
        if let Ok(date) = parse_scheduled_date(&text) {
            let formatted = format(date);
            prop_assert!(has_at_shape(&formatted), "{formatted}");
            prop_assert_eq!(
                chrono::NaiveDateTime::parse_from_str(&formatted, AT_FORMAT).map(|n| n.and_utc()),
                Ok(date)
            );
            prop_assert_eq!(parse_scheduled_date(&formatted), Ok(date));
            prop_assert_eq!(format(parse_scheduled_date(&formatted).unwrap()), formatted);
        }
    }

    /// A well-shaped text is accepted exactly when it names a real date-time (no leap second,
    /// offset within ±23:59) whose UTC year is 0000-9999, and then it is that instant with the
    /// fraction dropped.
    #[test]
    fn well_shaped_dates_parse_to_the_instant_they_name(
        parts in prop_oneof![valid_date_parts(), edgy_date_parts()]
    ) {
        let text = parts.text();
        let expected = parts.instant().filter(|d| (0..=9999).contains(&d.year()));
        let got = parse_scheduled_date(&text);
        match expected {
            Some(instant) => prop_assert_eq!(got, Ok(instant), "{}", text),
            None => prop_assert_eq!(
                got.map_err(|p| p.code),
                Err("invalid-scheduled-date".to_owned()),
                "{}",
                text
            ),
        }
    }

    /// Any UTC instant of the years 0000-9999, formatted, parses back to itself.
    #[test]
    fn formatted_instants_round_trip(
        seconds in DateTime::parse_from_rfc3339("0000-01-01T00:00:00Z").unwrap().timestamp()
            ..=DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z").unwrap().timestamp()
    ) {
        let date = DateTime::<Utc>::from_timestamp(seconds, 0).unwrap();
        let text = format(date);
        prop_assert!(has_at_shape(&text), "{text}");
        prop_assert_eq!(parse_scheduled_date(&text), Ok(date));
        prop_assert_eq!(parse_scheduled_date(&format!("{text}Z")), Ok(date));
        prop_assert_eq!(parse_scheduled_date(&format!("{text}+00:00")), Ok(date));
    }
}

// ---------------------------------------------------------------------------------------------
// name.rs: schedule_name
// ---------------------------------------------------------------------------------------------

/// Platform names as the loaded platforms have them: lowercase letters and digits, no `-` or
/// `.`, short enough that `{platform}.{52-char hash}` fits in 64 characters.
fn platform() -> impl Strategy<Value = String> {
    prop_oneof![Just("twitter".to_owned()), "[a-z][a-z0-9]{0,10}"]
}

/// References of every kind: arbitrary text, valid name characters of every length around
/// the 64-character limit, and hash-looking texts.
fn reference() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-zA-Z._-]{0,70}",
        "[0-9a-zA-Z._ /:+é-]{0,70}",
        "[a-z2-7]{52}",
        any::<String>().prop_map(|s| reference_hash(&s)),
    ]
}

/// Pairs of distinct references, including pairs that a "readable" mapping (invalid
/// characters replaced by `-` or `_`, case folded, cut to the length limit, the hash form
/// written out) would send to the same name.
fn distinct_references() -> impl Strategy<Value = (String, String)> {
    let name_chars = "[0-9a-zA-Z._-]{1,60}";
    prop_oneof![
        // arbitrary pairs
        (reference(), reference()),
        // one character replaced by a character that is not allowed
        (
            name_chars,
            any::<prop::sample::Index>(),
            prop_oneof![
                Just(' '),
                Just('/'),
                Just(':'),
                Just('é'),
                Just('\u{0}'),
                any::<char>()
            ],
        )
            .prop_map(|(valid, at, c)| {
                let mut chars: Vec<char> = valid.chars().collect();
                let i = at.index(chars.len());
                chars[i] = c;
                (valid, chars.into_iter().collect())
            }),
        // invalid characters dropped, or replaced by `-` / `_`
        ("[0-9a-zA-Z]{0,20}", "[ /:+é]{1,3}", "[0-9a-zA-Z]{0,20}").prop_flat_map(|(a, bad, b)| {
            let raw = format!("{a}{bad}{b}");
            prop_oneof![
                Just((raw.clone(), format!("{a}{b}"))),
                Just((
                    raw.clone(),
                    format!("{a}{}{b}", "-".repeat(bad.chars().count()))
                )),
                Just((raw, format!("{a}{}{b}", "_".repeat(bad.chars().count())))),
            ]
        }),
        // the same text in another case
        name_chars.prop_map(|s| (s.clone(), s.to_ascii_uppercase())),
        name_chars.prop_map(|s| (s.clone(), s.to_ascii_lowercase())),
        // long references sharing their first 56+ characters (cut to the limit they collide)
        (
            "[0-9a-zA-Z._-]{56,70}",
            "[0-9a-zA-Z._-]{1,8}",
            "[0-9a-zA-Z._-]{1,8}"
        )
            .prop_map(|(common, x, y)| (format!("{common}{x}"), format!("{common}{y}"))),
        // a reference next to its own hash, or the hash with the hashed form's `.`
        reference().prop_map(|r| {
            let h = reference_hash(&r);
            (r, h)
        }),
        reference().prop_map(|r| {
            let h = reference_hash(&r);
            (r, format!(".{h}"))
        }),
        // empty against anything
        reference().prop_map(|r| (String::new(), r)),
    ]
    .prop_filter("distinct", |(a, b)| a != b)
}

proptest! {
    /// Every name is 1-64 characters of `[0-9a-zA-Z-_.]`, starts with the platform followed
    /// by `-` (the reference as-is) or `.` (its hash), and is the same on every call.
    #[test]
    fn schedule_names_are_valid_and_deterministic(p in platform(), r in reference()) {
        let name = schedule_name(&p, &r);
        prop_assert!((1..=MAX_NAME_LEN).contains(&name.chars().count()), "{name}");
        prop_assert!(name.chars().all(is_name_char), "{name}");
        prop_assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "{name}"
        );
        prop_assert_eq!(&schedule_name(&p, &r), &name);
        let as_is = format!("{p}-{r}");
        let hashed = format!("{p}.{}", reference_hash(&r));
        prop_assert!(name == as_is || name == hashed, "{name}");
        let usable = !r.is_empty() && r.chars().all(is_name_char) && as_is.len() <= MAX_NAME_LEN;
        prop_assert_eq!(name == as_is, usable);
    }

    /// Distinct references on one platform never share a name.
    #[test]
    fn distinct_references_get_distinct_names(
        p in platform(),
        (a, b) in distinct_references(),
    ) {
        prop_assert_ne!(schedule_name(&p, &a), schedule_name(&p, &b), "{:?} vs {:?}", a, b);
    }
}
