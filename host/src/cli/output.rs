//! What the client commands print: tables (comfy-table, no borders, so they read and grep
//! well in a terminal) or the server's JSON, one document per line.

use std::io::Write as _;

use comfy_table::{presets, Table};
use serde_json::Value;

use super::Failure;

/// Prints `text` and a newline on standard output.
///
/// # Errors
/// [`Failure::Closed`] when the reader closed it (a pipe into `head`).
pub fn line(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|_| Failure::Closed)
}

/// Prints a table of `rows` under `header`.
///
/// # Errors
/// As [`line`].
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> Result<(), Failure> {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_header(header.to_vec());
    for row in rows {
        table.add_row(row);
    }
    line(&table.trim_fmt())
}

/// Prints `value` as one line of JSON.
///
/// # Errors
/// As [`line`].
pub fn json(value: &Value) -> Result<(), Failure> {
    line(&value.to_string())
}

/// The string at `key` of `value`, or "" (for table cells).
pub fn text(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The first `max` characters of `text` on one line, with `…` when cut.
pub fn first_words(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The longest summary of an event in a table, characters.
pub const MAX_SUMMARY_CHARS: usize = 100;

/// The words an outcome event's detail says (at most [`MAX_SUMMARY_CHARS`]): the date for `Post Scheduled`, the post id
/// for `Social Post Sent`, the reason and its message for `Social Post Failed`.
pub fn event_summary(detail_type: &str, detail: &Value) -> String {
    let summary = match detail_type {
        "Post Scheduled" => format!("for {}", text(detail, "scheduledDate")),
        "Social Post Sent" => match text(detail, "postUrl") {
            url if url.is_empty() => text(detail, "postId"),
            url => url,
        },
        "Social Post Failed" => format!(
            "{} ({}): {}",
            text(detail, "reason"),
            text(detail, "stage"),
            text(detail, "reasonMessage")
        ),
        "Social Post Cancelled" => format!("on {}", text(detail, "platform")),
        _ => detail.to_string(),
    };
    first_words(&summary, MAX_SUMMARY_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_texts_are_cut_on_one_line() {
        assert_eq!(first_words("Hello\n  world", 20), "Hello world");
        assert_eq!(first_words("abcdefghij", 5), "abcd…");
    }

    #[test]
    fn events_are_summed_up_in_words() {
        assert_eq!(
            event_summary(
                "Social Post Failed",
                &json!({"reason": "already-sent", "stage": "cancelling", "reasonMessage": "m"})
            ),
            "already-sent (cancelling): m"
        );
        assert_eq!(
            event_summary("Social Post Sent", &json!({"postId": "1", "postUrl": null})),
            "1"
        );
    }
}
