//! The optional `thread` and `account` fields of a request.

use serde_json::Value;
use sps_contract::input::type_name;

use super::{field, invalid_field, Request};
use crate::reason::{Problem, Reason};

/// The most replies a `thread` may hold: 25. Our own rule, so a thread stays far inside
/// EventBridge's 256 KB entry and a delivery's time limit (each part is one platform call).
pub const MAX_THREAD_PARTS: usize = 25;

pub use sps_contract::input::MAX_ACCOUNT_CHARS;

impl Request {
    /// The `thread`: empty when absent or null.
    ///
    /// # Errors
    /// [`Reason::InvalidField`] when it is not an array of 1 to [`MAX_THREAD_PARTS`] strings
    /// (the message names the index of the first part that is not a string).
    pub fn thread(&self) -> Result<Vec<String>, Problem> {
        let items = match self.detail.get(field::THREAD) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(Problem::new(
                    Reason::InvalidField,
                    format!(
                        "thread must be an array of strings, not {}",
                        type_name(other)
                    ),
                ))
            }
        };
        if items.is_empty() || items.len() > MAX_THREAD_PARTS {
            return Err(Problem::new(
                Reason::InvalidField,
                format!(
                    "thread has {} parts; it must have 1 to {MAX_THREAD_PARTS} (leave it out \
                     for a single post)",
                    items.len()
                ),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(Problem::new(
                    Reason::InvalidField,
                    format!("thread[{i}] must be a string, not {}", type_name(other)),
                )),
            })
            .collect()
    }

    /// The `account`: `None` when absent or null (the platform's `default` account).
    ///
    /// # Errors
    /// [`Reason::InvalidField`] when it is not a string of 1 to [`MAX_ACCOUNT_CHARS`]
    /// characters of `[a-z0-9_]` beginning with a letter (the form every host can name in
    /// its settings: a secrets file key, a Spin variable, a Secrets Manager JSON key).
    pub fn account(&self) -> Result<Option<&str>, Problem> {
        let account = match self.detail.get(field::ACCOUNT) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s,
            Some(other) => return Err(invalid_field(field::ACCOUNT, other)),
        };
        if sps_contract::input::is_account_name(account) {
            Ok(Some(account))
        } else {
            Err(Problem::new(
                Reason::InvalidField,
                format!(
                    "account {account:?} is not an account name: 1 to {MAX_ACCOUNT_CHARS} \
                     characters of a-z, 0-9 and _, beginning with a letter"
                ),
            ))
        }
    }
}
