//! EventBridge's PutEvents, as the local runtimes answer it: the AWS JSON 1.1 wire
//! protocol on `POST /` (what the AWS SDKs and CLI send to an `--endpoint-url`) and the
//! same request as a plain JSON body on `POST /events`.
//!
//! The rules follow the Amazon EventBridge API Reference (PutEvents,
//! PutEventsRequestEntry, PutEventsResultEntry, Common Errors) and the User Guide's
//! "Calculating PutEvents event entry size":
//!
//! - 1 to [`MAX_ENTRIES`] entries; more, none or a missing `Entries` refuse the whole
//!   request (`ValidationException`), so nothing is scheduled;
//! - the entries' total size (UTF-8 bytes of `Source`, `DetailType`, `Detail` and each
//!   `Resources` string, 14 bytes for a `Time`) must be under [`MAX_ENTRIES_BYTES`];
//! - a member of the wrong JSON type refuses the request (`SerializationException`);
//! - an entry without `Source`, `DetailType` or `Detail` fails with `InvalidArgument`, one
//!   whose `Detail` is not a JSON object, or holds a key twice (the scheduler's
//!   `invalid-json`), with `MalformedDetail`; the other entries still go;
//! - every accepted entry gets an `EventId`. A `Schedule Social Post` entry runs the
//!   scheduler, and so does a `Cancel Social Post` entry (which it cancels); so does
//!   another detail-type whose detail names a `referenceNumber`, which
//!   the scheduler rejects as `unsupported-detail-type` with a `Social Post Failed` for
//!   that reference; one naming no reference matches no rule and nothing happens. A
//!   rejection is not an entry failure (on AWS it arrives later as that event); a failed
//!   capability or component is `InternalFailure`, which the SDKs retry.
//!
//! `EventBusName` is accepted and ignored: the local runtime has one bus.

use serde_json::{json, Map, Value};

use crate::api::{schedule_answer, Answer, Scheduling};

/// The `X-Amz-Target` of PutEvents (AWS JSON 1.1: `<service prefix>.<operation>`).
pub const TARGET: &str = "AWSEvents.PutEvents";

/// The `Content-Type` of AWS JSON 1.1 requests and answers.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The most entries one request may carry (PutEvents: `Entries`, 1-10 items).
pub const MAX_ENTRIES: usize = 10;

/// The entries' total size must be less than this, bytes (256 KB; User Guide,
/// "Calculating PutEvents event entry size").
pub const MAX_ENTRIES_BYTES: usize = 256 * 1024;

/// A PutEvents request read entry by entry: run the scheduler on [`Self::events`], then
/// answer with [`Self::answer`] (`POST /`) or [`Self::answer_with_outcomes`]
/// (`POST /events`).
#[derive(Debug, Clone, PartialEq)]
pub struct PutEvents {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
enum Entry {
    /// Failed without scheduling: `ErrorCode`, `ErrorMessage`.
    Failed(&'static str, String),
    /// To run the scheduler on: the EventBridge event built from the entry.
    Schedule { event_id: String, event: String },
    /// Accepted, and no rule matches it: another detail-type naming no reference.
    Unmatched { event_id: String },
}

/// Why a whole request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The body is not JSON, not an object, or `Entries` is not a list
    /// (`SerializationException`).
    Malformed(String),
    /// `Entries` is missing, empty, holds more than [`MAX_ENTRIES`], or the entries are
    /// [`MAX_ENTRIES_BYTES`] or more (`ValidationException`).
    Invalid(String),
}

impl Refusal {
    /// The AWS JSON 1.1 error answer: 400 `{"__type","message"}`.
    pub fn aws_answer(&self) -> Answer {
        let (kind, message) = match self {
            Self::Malformed(m) => ("SerializationException", m),
            Self::Invalid(m) => ("ValidationException", m),
        };
        aws_error(400, kind, message)
    }

    /// The message alone.
    pub fn message(&self) -> &str {
        match self {
            Self::Malformed(m) | Self::Invalid(m) => m,
        }
    }
}

/// An AWS JSON 1.1 error answer: `status` with `{"__type": kind, "message"}`.
pub fn aws_error(status: u16, kind: &str, message: &str) -> Answer {
    Answer {
        status,
        body: json!({"__type": kind, "message": message}),
    }
}

/// The answer to `POST /` whose `X-Amz-Target` is not [`TARGET`] (or missing): 400
/// `UnknownOperationException`, naming the operation.
pub fn unknown_operation(target: Option<&str>) -> Answer {
    let message = match target {
        Some(target) => format!(
            "the operation {target} is not supported here; this endpoint answers {TARGET} only"
        ),
        None => format!("X-Amz-Target is missing; this endpoint answers {TARGET} only"),
    };
    aws_error(400, "UnknownOperationException", &message)
}

/// A validation message in AWS's words: `1 validation error detected: Value <value> at
/// 'entries' failed to satisfy constraint: <constraint>`.
fn entries_constraint(value: &str, constraint: &str) -> Refusal {
    Refusal::Invalid(format!(
        "1 validation error detected: Value {value} at 'entries' failed to satisfy constraint: {constraint}"
    ))
}

/// Reads a `POST /` request: its `X-Amz-Target` (when the header is there and is text)
/// must be [`TARGET`], its body a PutEvents request ([`plan`]).
///
/// # Errors
/// The AWS JSON 1.1 answer to give at once: [`unknown_operation`] for another target,
/// [`Refusal::aws_answer`] for a request refused whole. Nothing of it is scheduled.
pub fn plan_request(target: Option<&str>, body: &[u8]) -> Result<PutEvents, Answer> {
    if target != Some(TARGET) {
        return Err(unknown_operation(target));
    }
    plan(body).map_err(|refusal| refusal.aws_answer())
}

/// Reads a PutEvents request body `{"Entries":[{"Source","DetailType","Detail","Time",
/// "Resources","EventBusName"}]}`.
///
/// # Errors
/// A [`Refusal`] of the whole request: nothing of it is scheduled.
pub fn plan(body: &[u8]) -> Result<PutEvents, Refusal> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| Refusal::Malformed(format!("the request body is not JSON: {e}")))?;
    let Some(request) = request.as_object() else {
        return Err(Refusal::Malformed(
            "the request body must be a JSON object".to_string(),
        ));
    };
    plan_entries(request)
}

/// [`plan`] of a request already parsed.
///
/// # Errors
/// As [`plan`].
pub fn plan_entries(request: &Map<String, Value>) -> Result<PutEvents, Refusal> {
    let entries = match request.get("Entries") {
        None | Some(Value::Null) => {
            return Err(entries_constraint("null", "Member must not be null"))
        }
        Some(Value::Array(entries)) => entries,
        Some(_) => {
            return Err(Refusal::Malformed(
                "Entries must be a list of PutEventsRequestEntry objects".to_string(),
            ))
        }
    };
    if entries.is_empty() {
        return Err(entries_constraint(
            "'[]'",
            "Member must have length greater than or equal to 1",
        ));
    }
    if entries.len() > MAX_ENTRIES {
        return Err(entries_constraint(
            "'[PutEventsRequestEntry]'",
            &format!("Member must have length less than or equal to {MAX_ENTRIES}"),
        ));
    }
    if let Some((index, problem)) = entries
        .iter()
        .enumerate()
        .find_map(|(i, e)| member_type_problem(e).map(|p| (i, p)))
    {
        return Err(Refusal::Malformed(format!("Entries[{index}]: {problem}")));
    }
    let size: usize = entries.iter().map(entry_size).sum();
    if size >= MAX_ENTRIES_BYTES {
        return Err(Refusal::Invalid(format!(
            "Total size of the entries in the request is over the limit: {size} bytes, \
             which must be less than {MAX_ENTRIES_BYTES}"
        )));
    }
    Ok(PutEvents {
        entries: entries.iter().map(plan_entry).collect(),
    })
}

/// What is wrong with the JSON types of an entry's members, if anything: an entry is an
/// object; `Source`, `DetailType`, `Detail`, `EventBusName` and `TraceHeader` are
/// strings, `Resources` a list of strings, `Time` a timestamp (the epoch seconds the SDKs
/// send, or a string). AWS refuses a mistyped member as a `SerializationException`.
fn member_type_problem(entry: &Value) -> Option<String> {
    let Some(entry) = entry.as_object() else {
        return Some("an entry must be a PutEventsRequestEntry object".to_string());
    };
    for (key, value) in entry {
        let fits = match key.as_str() {
            "Source" | "DetailType" | "Detail" | "EventBusName" | "TraceHeader" => {
                value.is_string() || value.is_null()
            }
            "Resources" => {
                value.is_null()
                    || value
                        .as_array()
                        .is_some_and(|r| r.iter().all(Value::is_string))
            }
            "Time" => value.is_number() || value.is_string() || value.is_null(),
            _ => true,
        };
        if !fits {
            let wanted = match key.as_str() {
                "Resources" => "a list of strings",
                "Time" => "a timestamp",
                _ => "a string",
            };
            return Some(format!("{key} must be {wanted}"));
        }
    }
    None
}

/// An entry's size as EventBridge counts it: 14 bytes for a `Time`, the UTF-8 bytes of
/// `Source`, `DetailType`, `Detail` and each `Resources` string.
fn entry_size(entry: &Value) -> usize {
    let text = |key: &str| entry.get(key).and_then(Value::as_str).map_or(0, str::len);
    let time = if entry.get("Time").is_some_and(|t| !t.is_null()) {
        14
    } else {
        0
    };
    let resources: usize = entry
        .get("Resources")
        .and_then(Value::as_array)
        .map_or(0, |r| {
            r.iter().filter_map(Value::as_str).map(str::len).sum()
        });
    time + text("Source") + text("DetailType") + text("Detail") + resources
}

/// One entry: its required fields, then the EventBridge event the scheduler gets. A
/// `Detail` is put into the event as the text it is, so the scheduler judges exactly what
/// was sent (re-encoding would silently drop a repeated key, which the scheduler refuses).
fn plan_entry(entry: &Value) -> Entry {
    let text = |key: &str| {
        entry
            .get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let required = |name: &str| {
        Entry::Failed(
            "InvalidArgument",
            format!("Parameter {name} is not valid. Reason: {name} is a required argument."),
        )
    };
    let Some(source) = text("Source") else {
        return required("Source");
    };
    let Some(detail_type) = text("DetailType") else {
        return required("DetailType");
    };
    let Some(detail) = text("Detail") else {
        return required("Detail");
    };
    let Some(parsed) = serde_json::from_str::<Value>(detail)
        .ok()
        .filter(Value::is_object)
    else {
        return Entry::Failed("MalformedDetail", "Detail is malformed.".to_string());
    };
    let event_id = uuid::Uuid::new_v4().to_string();
    if detail_type != crate::api::SCHEDULE_DETAIL_TYPE
        && detail_type != crate::api::CANCEL_DETAIL_TYPE
        && !parsed.get("referenceNumber").is_some_and(Value::is_string)
    {
        return Entry::Unmatched { event_id };
    }
    let mut head = Map::new();
    for (key, value) in [
        ("version", Some("0")),
        ("id", Some(event_id.as_str())),
        ("detail-type", Some(detail_type)),
        ("source", Some(source)),
        ("time", text("Time")),
    ] {
        if let Some(value) = value {
            head.insert(key.to_string(), Value::String(value.to_string()));
        }
    }
    let head = Value::Object(head).to_string();
    // `head` is a JSON object's text, so it ends in `}`: the detail goes before it.
    let fields = head.strip_suffix('}').unwrap_or(&head);
    Entry::Schedule {
        event: format!("{fields},\"detail\":{detail}}}"),
        event_id,
    }
}

impl PutEvents {
    /// The events to run the scheduler on, in order (EventBridge event JSON text).
    pub fn events(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Schedule { event, .. } => Some(event.clone()),
                Entry::Failed(..) | Entry::Unmatched { .. } => None,
            })
            .collect()
    }

    /// The PutEvents answer exactly as the API Reference shapes it, for `POST /`: 200
    /// `{"FailedEntryCount","Entries":[{"EventId"} | {"ErrorCode","ErrorMessage"}]}`, one
    /// per entry in order. `results` are the scheduling results of [`Self::events`], in
    /// the same order; a missing one counts as a component failure.
    pub fn answer(self, results: Vec<Scheduling>) -> Answer {
        self.answer_as(results, false)
    }

    /// [`Self::answer`] with each scheduled entry's scheduling answer as `Outcome`
    /// (`POST /events`, README "Local API").
    pub fn answer_with_outcomes(self, results: Vec<Scheduling>) -> Answer {
        self.answer_as(results, true)
    }

    fn answer_as(self, results: Vec<Scheduling>, outcomes: bool) -> Answer {
        let mut results = results.into_iter();
        let mut failed = 0;
        let mut answered = Vec::with_capacity(self.entries.len());
        for entry in self.entries {
            let value = match entry {
                Entry::Failed(code, message) => {
                    failed += 1;
                    json!({"ErrorCode": code, "ErrorMessage": message})
                }
                Entry::Unmatched { event_id } if outcomes => {
                    json!({"EventId": event_id, "Outcome": {"status": "no-matching-rule"}})
                }
                Entry::Unmatched { event_id } => json!({"EventId": event_id}),
                Entry::Schedule { event_id, .. } => {
                    let result = results.next().unwrap_or_else(|| {
                        Scheduling::ComponentFailed("the entry was not scheduled".to_string())
                    });
                    let outcome = schedule_answer(&result).body;
                    let message = outcome.get("message").cloned().unwrap_or(Value::Null);
                    let mut value = match &result {
                        Scheduling::Retryable(_) | Scheduling::ComponentFailed(_) => {
                            failed += 1;
                            json!({"ErrorCode": "InternalFailure", "ErrorMessage": message})
                        }
                        // JSON the scheduler cannot read (a key twice) names no reference,
                        // so no Social Post Failed could tell the producer: fail the entry.
                        Scheduling::Rejected { code, .. } if code == "invalid-json" => {
                            failed += 1;
                            json!({"ErrorCode": "MalformedDetail", "ErrorMessage": message})
                        }
                        _ => json!({"EventId": event_id}),
                    };
                    if let (true, Some(fields)) = (outcomes, value.as_object_mut()) {
                        fields.insert("Outcome".to_string(), outcome);
                    }
                    value
                }
            };
            answered.push(value);
        }
        Answer {
            status: 200,
            body: json!({"FailedEntryCount": failed, "Entries": answered}),
        }
    }
}

#[cfg(test)]
mod tests;
