//! The schedule's target input: the JSON text the scheduler stores in the schedule and the
//! sender receives when it fires, `{"referenceNumber", "message", "platform", "scheduledDate"}`
//! (all strings), with `"thread"` (a list of strings, the replies) and `"account"` (a string)
//! only when the event had them, so inputs written before threads and accounts read the
//! same; when reading, other keys are ignored.

use serde::Serialize;
use serde_json::Value;

/// A post to send: the schedule's target input. The scheduler writes it with
/// [`to_json`](crate::events::to_json); the sender reads it with [`parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetInput {
    /// The post's reference (its identity).
    pub reference_number: String,
    /// The post text.
    pub message: String,
    /// The platform name, e.g. `twitter`.
    pub platform: String,
    /// The normalised requested date, UTC, `YYYY-MM-DDTHH:MM:SS` (the sender only uses it as
    /// part of the ledger key).
    pub scheduled_date: String,
    /// The thread's replies, posted after `message` in order (empty for a single post).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thread: Vec<String>,
    /// The account that posts, when the event named one (else [`DEFAULT_ACCOUNT`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// The account a post without `account` is posted from.
pub const DEFAULT_ACCOUNT: &str = "default";

/// The longest account name, in characters: 32.
pub const MAX_ACCOUNT_CHARS: usize = 32;

/// Whether `name` can name an account: 1 to [`MAX_ACCOUNT_CHARS`] characters of `a-z`,
/// `0-9` and `_`, beginning with a letter (the form every host can name in its settings:
/// a secrets file key, a Spin variable, a Secrets Manager JSON key). The scheduler refuses
/// an event's `account` otherwise; the hosts warn of a configured account that is not one.
pub fn is_account_name(name: &str) -> bool {
    name.len() <= MAX_ACCOUNT_CHARS
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl TargetInput {
    /// The texts to publish in order: the message, then the thread's replies.
    pub fn parts(&self) -> Vec<String> {
        std::iter::once(self.message.clone())
            .chain(self.thread.iter().cloned())
            .collect()
    }

    /// The account that posts: `account`, or [`DEFAULT_ACCOUNT`].
    pub fn account(&self) -> &str {
        self.account.as_deref().unwrap_or(DEFAULT_ACCOUNT)
    }
}

/// Why an input cannot be used (reason code `invalid-input`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    /// `referenceNumber` when the input is an object whose `referenceNumber` is a string, so
    /// that the failure can be reported for it.
    pub reference_number: Option<String>,
    /// Human-readable explanation.
    pub message: String,
}

/// The JSON type of `value` in words, for messages (`"a string"`, `"null"`, ...).
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parse the schedule input.
///
/// # Errors
/// [`InvalidInput`] when `text` is not JSON, not an object, or one of the four fields is
/// missing or not a string (checked in the order `referenceNumber`, `message`, `platform`,
/// `scheduledDate`; the first problem is reported).
pub fn parse(text: &str) -> Result<TargetInput, InvalidInput> {
    let value: Value = serde_json::from_str(text).map_err(|e| InvalidInput {
        reference_number: None,
        message: format!("schedule input is not valid JSON: {e}"),
    })?;
    let Value::Object(object) = value else {
        return Err(InvalidInput {
            reference_number: None,
            message: format!(
                "schedule input must be a JSON object, not {}",
                type_name(&value)
            ),
        });
    };
    let reference = match object.get("referenceNumber") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let string = |name: &str| match object.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        None => Err(InvalidInput {
            reference_number: reference.clone(),
            message: format!("schedule input has no {name}"),
        }),
        Some(other) => Err(InvalidInput {
            reference_number: reference.clone(),
            message: format!(
                "schedule input {name} must be a string, not {}",
                type_name(other)
            ),
        }),
    };
    let invalid = |message: String| InvalidInput {
        reference_number: reference.clone(),
        message,
    };
    let thread = match object.get("thread") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(invalid(format!(
                    "schedule input thread[{i}] must be a string, not {}",
                    type_name(other)
                ))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(invalid(format!(
                "schedule input thread must be an array, not {}",
                type_name(other)
            )))
        }
    };
    let account = match object.get("account") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(invalid(format!(
                "schedule input account must be a string, not {}",
                type_name(other)
            )))
        }
    };
    Ok(TargetInput {
        reference_number: string("referenceNumber")?,
        message: string("message")?,
        platform: string("platform")?,
        scheduled_date: string("scheduledDate")?,
        thread,
        account,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::to_json;

    #[test]
    fn valid_input() {
        assert_eq!(
            parse(
                r#"{"referenceNumber":"r","message":"m","platform":"twitter","scheduledDate":"2026-01-01T00:00:00","extra":1}"#
            ),
            Ok(TargetInput {
                reference_number: "r".to_owned(),
                message: "m".to_owned(),
                platform: "twitter".to_owned(),
                scheduled_date: "2026-01-01T00:00:00".to_owned(),
                thread: Vec::new(),
                account: None,
            })
        );
    }

    #[test]
    fn thread_and_account_read_back_and_stay_out_when_absent() {
        let input = TargetInput {
            reference_number: "r".to_owned(),
            message: "one".to_owned(),
            platform: "twitter".to_owned(),
            scheduled_date: "2026-01-01T00:00:00".to_owned(),
            thread: vec!["two".to_owned(), "three".to_owned()],
            account: Some("work".to_owned()),
        };
        let text = to_json(&input);
        assert_eq!(
            text.as_deref(),
            Ok(concat!(
                r#"{"referenceNumber":"r","message":"one","platform":"twitter","#,
                r#""scheduledDate":"2026-01-01T00:00:00","thread":["two","three"],"account":"work"}"#
            ))
        );
        assert_eq!(text.map(|t| parse(&t)), Ok(Ok(input.clone())));
        assert_eq!(input.parts(), ["one", "two", "three"]);
        assert_eq!(input.account(), "work");
        let single = TargetInput {
            thread: Vec::new(),
            account: None,
            ..input
        };
        assert_eq!(single.parts(), ["one"]);
        assert_eq!(single.account(), "default");
    }

    #[test]
    fn account_names_are_lowercase_letters_digits_and_underscores_from_a_letter() {
        for good in ["default", "brand", "b", "brand_2", &"a".repeat(32)] {
            assert!(is_account_name(good), "{good}");
        }
        for bad in [
            "",
            "Brand",
            "my brand",
            "1brand",
            "_brand",
            "br-and",
            &"a".repeat(33),
        ] {
            assert!(!is_account_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_thread_or_account_of_the_wrong_type_is_invalid() {
        let base =
            r#""referenceNumber":"r","message":"m","platform":"twitter","scheduledDate":"d""#;
        let cases = [
            (
                r#""thread":"x""#,
                "schedule input thread must be an array, not a string",
            ),
            (
                r#""thread":["a",1]"#,
                "schedule input thread[1] must be a string, not a number",
            ),
            (
                r#""account":null"#,
                "schedule input account must be a string, not null",
            ),
        ];
        for (extra, message) in cases {
            let text = format!("{{{base},{extra}}}");
            assert_eq!(
                parse(&text),
                Err(InvalidInput {
                    reference_number: Some("r".to_owned()),
                    message: message.to_owned(),
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn invalid_inputs() {
        let cases: [(&str, Option<&str>, &str); 8] = [
            (
                "",
                None,
                "schedule input is not valid JSON: EOF while parsing a value at line 1 column 0",
            ),
            (
                "[]",
                None,
                "schedule input must be a JSON object, not an array",
            ),
            (
                "null",
                None,
                "schedule input must be a JSON object, not null",
            ),
            (
                r#"{"message":"m","platform":"twitter","scheduledDate":"d"}"#,
                None,
                "schedule input has no referenceNumber",
            ),
            (
                r#"{"referenceNumber":7,"message":"m","platform":"twitter","scheduledDate":"d"}"#,
                None,
                "schedule input referenceNumber must be a string, not a number",
            ),
            (
                r#"{"referenceNumber":"r","platform":"twitter","scheduledDate":"d"}"#,
                Some("r"),
                "schedule input has no message",
            ),
            (
                r#"{"referenceNumber":"r","message":"m","platform":null,"scheduledDate":"d"}"#,
                Some("r"),
                "schedule input platform must be a string, not null",
            ),
            (
                r#"{"referenceNumber":"r","message":"m","platform":"twitter","scheduledDate":1}"#,
                Some("r"),
                "schedule input scheduledDate must be a string, not a number",
            ),
        ];
        for (text, reference, message) in cases {
            assert_eq!(
                parse(text),
                Err(InvalidInput {
                    reference_number: reference.map(str::to_owned),
                    message: message.to_owned(),
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn written_input_reads_back() {
        let input = TargetInput {
            reference_number: "r \"1\"".to_owned(),
            message: "héllo\nworld".to_owned(),
            platform: "twitter".to_owned(),
            scheduled_date: "2026-01-01T00:00:00".to_owned(),
            thread: Vec::new(),
            account: None,
        };
        let text = to_json(&input);
        assert_eq!(
            text.as_deref(),
            Ok(concat!(
                r#"{"referenceNumber":"r \"1\"","message":"héllo\nworld","#,
                r#""platform":"twitter","scheduledDate":"2026-01-01T00:00:00"}"#
            ))
        );
        assert_eq!(text.map(|t| parse(&t)), Ok(Ok(input)));
    }
}
