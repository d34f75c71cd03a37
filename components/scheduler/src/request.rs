//! Reading a "Schedule Social Post" request: the EventBridge envelope and its detail fields.
//!
//! The input is the JSON text of either a full EventBridge event (an object with `detail-type`
//! and `detail`) [Amazon EventBridge User Guide, "Amazon EventBridge events": event structure]
//! or of the bare detail object. This module only reads JSON; the scheduling rules live in
//! [`crate::flow`].

use serde_json::{Map, Value};
use sps_contract::input::type_name;

use crate::reason::{Problem, Reason};
use crate::strict_json::{self, JsonError};

mod thread;
pub use thread::{MAX_ACCOUNT_CHARS, MAX_THREAD_PARTS};

/// The only `detail-type` the scheduler handles.
pub const DETAIL_TYPE: &str = sps_contract::events::SCHEDULE_DETAIL_TYPE;

/// The longest `referenceNumber`, in characters (Unicode scalar values): 1,024. Our own
/// rule: the reference is carried in the schedule's input and in every outcome event, and
/// an EventBridge entry may be at most 256 KB [Amazon EventBridge User Guide, "PutEvents"
/// entry size]; 1,024 characters take at most 6 KiB even JSON-escaped (`\uXXXX`), which
/// leaves the entry's room to the message.
pub const MAX_REFERENCE_CHARS: usize = 1024;

/// Detail field names (camelCase, as users send them).
pub mod field {
    /// The optional post identity (a JSON string).
    pub const REFERENCE_NUMBER: &str = "referenceNumber";
    /// The post text (a JSON string).
    pub const MESSAGE: &str = "message";
    /// The platform name, e.g. `twitter` (a JSON string).
    pub const PLATFORM: &str = "platform";
    /// The post time (a JSON string, see [`crate::date`]).
    pub const SCHEDULED_DATE: &str = "scheduledDate";
    /// The optional thread: replies posted after the message (a JSON array of strings).
    pub const THREAD: &str = "thread";
    /// The optional account that posts (a JSON string).
    pub const ACCOUNT: &str = "account";
    /// The optional IANA time zone of a `scheduledDate` without an offset (a JSON string,
    /// see [`crate::zone`]).
    pub const TIME_ZONE: &str = "timeZone";
    /// The optional campaign the post belongs to (a JSON string).
    pub const CAMPAIGN: &str = "campaign";
}

/// A request whose JSON shape is usable: its detail object, and the envelope's `detail-type`
/// when the input was an envelope that had one.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The envelope's `detail-type` value (any JSON type), `None` for a bare detail or an
    /// envelope without `detail-type`.
    pub detail_type: Option<Value>,
    /// The detail object.
    pub detail: Map<String, Value>,
}

/// Parse the event text.
///
/// An object with a `detail` or a `detail-type` key is an envelope, whose `detail` must be an
/// object; any other object is the bare detail.
///
/// # Errors
/// [`Reason::InvalidJson`] when `text` is not JSON, or when an object in it, at any depth,
/// holds a key twice (see [`strict_json`]); [`Reason::InvalidEvent`] when it is not an
/// object, or is an envelope whose `detail` is missing or not an object.
pub fn parse_event(text: &str) -> Result<Request, Problem> {
    let value = strict_json::parse(text).map_err(|e| {
        let message = match e {
            JsonError::Syntax(e) => format!("event is not valid JSON: {e}"),
            duplicate => format!(
                "event JSON is ambiguous: {duplicate}; each key may appear only once in an object"
            ),
        };
        Problem::new(Reason::InvalidJson, message)
    })?;
    let Value::Object(mut object) = value else {
        return Err(Problem::new(
            Reason::InvalidEvent,
            format!("event must be a JSON object, not {}", type_name(&value)),
        ));
    };
    if !object.contains_key("detail") && !object.contains_key("detail-type") {
        return Ok(Request {
            detail_type: None,
            detail: object,
        });
    }
    match object.remove("detail") {
        Some(Value::Object(detail)) => Ok(Request {
            detail_type: object.remove("detail-type"),
            detail,
        }),
        None => Err(Problem::new(
            Reason::InvalidEvent,
            "event has a detail-type but no detail",
        )),
        Some(other) => Err(Problem::new(
            Reason::InvalidEvent,
            format!(
                "event detail must be a JSON object, not {}",
                type_name(&other)
            ),
        )),
    }
}

impl Request {
    /// Check the envelope's `detail-type` of a scheduling request.
    ///
    /// # Errors
    /// [`Reason::UnsupportedDetailType`] when a `detail-type` is present and is not exactly
    /// the string [`DETAIL_TYPE`].
    pub fn check_detail_type(&self) -> Result<(), Problem> {
        self.check_detail_type_is(DETAIL_TYPE)
    }

    /// Check the envelope's `detail-type` against `expected` (a bare detail has none and
    /// passes).
    ///
    /// # Errors
    /// [`Reason::UnsupportedDetailType`] when a `detail-type` is present and is not exactly
    /// the string `expected`.
    pub fn check_detail_type_is(&self, expected: &str) -> Result<(), Problem> {
        match &self.detail_type {
            None => Ok(()),
            Some(Value::String(s)) if s == expected => Ok(()),
            Some(other) => Err(Problem::new(
                Reason::UnsupportedDetailType,
                format!("detail-type {other} is not supported; expected \"{expected}\""),
            )),
        }
    }

    /// The `referenceNumber`: `Ok(None)` when absent or null (the caller generates one).
    ///
    /// # Errors
    /// [`Reason::InvalidField`] when present and not a string, when `""`, or when longer than
    /// [`MAX_REFERENCE_CHARS`] characters.
    pub fn reference(&self) -> Result<Option<&str>, Problem> {
        match self.detail.get(field::REFERENCE_NUMBER) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Err(Problem::new(
                Reason::InvalidField,
                "referenceNumber must not be empty; leave it out to have one generated",
            )),
            Some(Value::String(s)) => match s.chars().count() {
                n if n > MAX_REFERENCE_CHARS => Err(Problem::new(
                    Reason::InvalidField,
                    format!(
                        "referenceNumber is {n} characters long; at most {MAX_REFERENCE_CHARS} \
                         are allowed"
                    ),
                )),
                _ => Ok(Some(s)),
            },
            Some(other) => Err(invalid_field(field::REFERENCE_NUMBER, other)),
        }
    }

    /// An optional string field of the detail: `None` when absent or null.
    ///
    /// # Errors
    /// [`Reason::InvalidField`] when present and not a string.
    pub fn optional_string(&self, name: &str) -> Result<Option<&str>, Problem> {
        match self.detail.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(invalid_field(name, other)),
        }
    }

    /// The `campaign`: `None` when absent or null.
    ///
    /// # Errors
    /// [`Reason::InvalidField`] when not a string of 1 to 64 characters of `A-Z a-z 0-9
    /// - _ .` ([`crate::campaign::is_campaign_name`]).
    pub fn campaign(&self) -> Result<Option<&str>, Problem> {
        match self.optional_string(field::CAMPAIGN)? {
            Some(name) if !crate::campaign::is_campaign_name(name) => Err(Problem::new(
                Reason::InvalidField,
                format!(
                    "campaign {name:?} is not a campaign name: 1 to {} characters of A-Z, a-z, \
                     0-9, -, _ and .",
                    crate::campaign::MAX_CAMPAIGN_CHARS
                ),
            )),
            other => Ok(other),
        }
    }

    /// A required string field of the detail.
    ///
    /// # Errors
    /// [`Reason::MissingField`] (`"{name} is required"`) when absent or null;
    /// [`Reason::InvalidField`] when not a string.
    pub fn required_string(&self, name: &str) -> Result<&str, Problem> {
        match self.detail.get(name) {
            None | Some(Value::Null) => Err(Problem::new(
                Reason::MissingField,
                format!("{name} is required"),
            )),
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(invalid_field(name, other)),
        }
    }
}

/// The `invalid-field` problem of field `name` holding `value`.
fn invalid_field(name: &str, value: &Value) -> Problem {
    Problem::new(
        Reason::InvalidField,
        format!("{name} must be a string, not {}", type_name(value)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code<T: std::fmt::Debug>(r: Result<T, Problem>) -> String {
        match r {
            Ok(v) => format!("ok: {v:?}"),
            Err(p) => p.code,
        }
    }

    #[test]
    fn envelope_and_bare_detail() {
        let envelope = parse_event(
            r#"{"detail-type":"Schedule Social Post","source":"test","detail":{"message":"hi"}}"#,
        );
        assert_eq!(
            envelope,
            Ok(Request {
                detail_type: Some(json!("Schedule Social Post")),
                detail: json!({"message": "hi"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            })
        );
        let bare = parse_event(r#"{"message":"hi","platform":"twitter"}"#);
        assert_eq!(
            bare,
            Ok(Request {
                detail_type: None,
                detail: json!({"message": "hi", "platform": "twitter"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            })
        );
        // An envelope without detail-type is accepted.
        assert_eq!(
            parse_event(r#"{"detail":{}}"#),
            Ok(Request {
                detail_type: None,
                detail: Map::new()
            })
        );
    }

    #[test]
    fn shape_errors() {
        let cases = [
            ("", "invalid-json"),
            ("not json", "invalid-json"),
            ("{\"detail\":", "invalid-json"),
            ("{} trailing", "invalid-json"),
            (r#"{"detail":{},"detail":{}}"#, "invalid-json"),
            ("null", "invalid-event"),
            ("[]", "invalid-event"),
            ("\"text\"", "invalid-event"),
            ("42", "invalid-event"),
            (r#"{"detail-type":"Schedule Social Post"}"#, "invalid-event"),
            (r#"{"detail-type":"Other"}"#, "invalid-event"),
            (r#"{"detail":null}"#, "invalid-event"),
            (r#"{"detail":"{}"}"#, "invalid-event"),
            (r#"{"detail":[1]}"#, "invalid-event"),
        ];
        for (text, expected) in cases {
            assert_eq!(code(parse_event(text)), expected, "{text}");
        }
        assert_eq!(
            parse_event("[]").map_err(|p| p.message),
            Err("event must be a JSON object, not an array".to_owned())
        );
        // The last key would win in serde_json, making this a "Schedule Social Post".
        let twice = r#"{"detail-type":"Nope","detail-type":"Schedule Social Post","detail":{}}"#;
        assert_eq!(
            parse_event(twice),
            Err(Problem::new(
                Reason::InvalidJson,
                "event JSON is ambiguous: the key \"detail-type\" appears twice in one object \
                 (line 1, column 35); each key may appear only once in an object"
            ))
        );
        assert_eq!(
            parse_event(r#"{"detail":7}"#).map_err(|p| p.message),
            Err("event detail must be a JSON object, not a number".to_owned())
        );
    }

    #[test]
    fn detail_type_check() {
        let check = |text: &str| parse_event(text).and_then(|r| r.check_detail_type());
        assert_eq!(check(r#"{"detail":{}}"#), Ok(()));
        assert_eq!(
            check(r#"{"detail-type":"Schedule Social Post","detail":{}}"#),
            Ok(())
        );
        assert_eq!(
            check(r#"{"detail-type":"schedule social post","detail":{}}"#),
            Err(Problem::new(
                Reason::UnsupportedDetailType,
                "detail-type \"schedule social post\" is not supported; expected \"Schedule Social Post\""
            ))
        );
        assert_eq!(
            code(check(r#"{"detail-type":null,"detail":{}}"#)),
            "unsupported-detail-type"
        );
        assert_eq!(
            code(check(r#"{"detail-type":5,"detail":{}}"#)),
            "unsupported-detail-type"
        );
    }

    #[test]
    fn fields() {
        let request = |detail: Value| Request {
            detail_type: None,
            detail: detail.as_object().cloned().unwrap_or_default(),
        };
        assert_eq!(request(json!({})).reference(), Ok(None));
        assert_eq!(
            request(json!({"referenceNumber": null})).reference(),
            Ok(None)
        );
        assert_eq!(
            request(json!({"referenceNumber": ""})).reference(),
            Err(Problem::new(
                Reason::InvalidField,
                "referenceNumber must not be empty; leave it out to have one generated"
            ))
        );
        // The limit counts characters, not bytes: 1,024 of U+00E9 are 2,048 bytes.
        let longest = "\u{e9}".repeat(MAX_REFERENCE_CHARS);
        assert_eq!(
            request(json!({"referenceNumber": longest})).reference(),
            Ok(Some(longest.as_str()))
        );
        assert_eq!(
            request(json!({"referenceNumber": "r".repeat(1025)})).reference(),
            Err(Problem::new(
                Reason::InvalidField,
                "referenceNumber is 1025 characters long; at most 1024 are allowed"
            ))
        );
        assert_eq!(
            request(json!({"referenceNumber": 42})).reference(),
            Err(Problem::new(
                Reason::InvalidField,
                "referenceNumber must be a string, not a number"
            ))
        );
        assert_eq!(
            request(json!({})).required_string("message"),
            Err(Problem::new(Reason::MissingField, "message is required"))
        );
        assert_eq!(
            request(json!({"message": null})).required_string("message"),
            Err(Problem::new(Reason::MissingField, "message is required"))
        );
        assert_eq!(
            request(json!({"message": ["a"]})).required_string("message"),
            Err(Problem::new(
                Reason::InvalidField,
                "message must be a string, not an array"
            ))
        );
        assert_eq!(
            request(json!({"message": "hi"})).required_string("message"),
            Ok("hi")
        );
    }
}
