//! X's problem object (docs.x.com "Response codes and errors": RFC 7807 style `title`,
//! `detail`, `type`, and v2 `errors[].message`), read from an error answer to describe it.

use serde_json::Value;
use sps_platform::shorten;

/// X's problem object (RFC 7807 style) fields we report, plus v2 `errors[].message`.
#[derive(Default, Debug)]
pub(super) struct Problem {
    title: Option<String>,
    detail: Option<String>,
    kind: Option<String>,
    messages: Vec<String>,
}

impl Problem {
    /// The fields of X's error body `body`; none when it is not JSON.
    pub(super) fn parse(body: &[u8]) -> Problem {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return Problem::default();
        };
        let text = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(shorten)
        };
        let messages = value
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| text(e.get("message")).or_else(|| text(e.get("detail"))))
                    .collect()
            })
            .unwrap_or_default();
        Problem {
            title: text(value.get("title")),
            detail: text(value.get("detail")),
            kind: text(value.get("type")),
            messages,
        }
    }

    /// `HTTP 403 Forbidden: detail (error; error)`.
    pub(super) fn describe(&self, status: u16) -> String {
        let mut out = format!("HTTP {status}");
        if let Some(title) = &self.title {
            out.push(' ');
            out.push_str(title);
        }
        if let Some(detail) = self
            .detail
            .as_ref()
            .filter(|d| Some(*d) != self.title.as_ref())
        {
            out.push_str(": ");
            out.push_str(detail);
        }
        let extra: Vec<&str> = self
            .messages
            .iter()
            .filter(|m| Some(*m) != self.detail.as_ref() && Some(*m) != self.title.as_ref())
            .map(String::as_str)
            .collect();
        if !extra.is_empty() {
            out.push_str(&format!(" ({})", extra.join("; ")));
        }
        out
    }

    /// Whether X's texts say the post is a duplicate (X's 403 for duplicate content).
    pub(super) fn mentions_duplicate(&self) -> bool {
        self.title
            .iter()
            .chain(&self.detail)
            .chain(&self.messages)
            .any(|t| t.to_lowercase().contains("duplicate"))
    }

    /// Whether the problem `type` ends in `usage-capped`.
    pub(super) fn is_usage_capped(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|k| k.trim_end_matches('/').ends_with("usage-capped"))
    }
}
