//! One table of bad inputs and the exact answers the local API gives them, run against
//! `sps serve` (tests/serve.rs) and `spin up` (tests/spin.rs): both runtimes must answer
//! each the same (README, "Reason codes").

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use super::api::post_bytes;

/// A body and the status and JSON answer it must get.
pub struct Case {
    /// What the case is.
    pub name: &'static str,
    /// The `POST /events` body.
    pub body: Vec<u8>,
    /// The expected status.
    pub status: u16,
    /// The expected answer.
    pub answer: Value,
}

fn event(detail: Value, detail_type: &str) -> Vec<u8> {
    json!({"detail-type": detail_type, "source": "test", "detail": detail})
        .to_string()
        .into_bytes()
}

/// The README event with reference `bad`, `changes` applied (a null removes a field).
fn readme(changes: Value) -> Vec<u8> {
    let mut detail = json!({"message": "Hello world!", "platform": "twitter",
        "scheduledDate": "2030-10-23T08:48:00", "referenceNumber": "bad"});
    for (key, value) in changes.as_object().cloned().unwrap_or_default() {
        if value.is_null() {
            detail.as_object_mut().map(|d| d.remove(&key));
        } else {
            detail[key] = value;
        }
    }
    event(detail, "Schedule Social Post")
}

/// Stands for the `referenceNumber` of a rejection reported under a generated reference: the
/// answer must hold a UUID v4 there.
pub const GENERATED: &str = "<a generated UUID v4>";

/// A PutEvents body of 11 README events (reference `bad`).
fn eleven_entries() -> Vec<u8> {
    let detail = json!({"message": "Hello world!", "platform": "twitter",
        "scheduledDate": "2030-10-23T08:48:00", "referenceNumber": "bad"});
    let entry = json!({"Source": "test", "DetailType": "Schedule Social Post", "Detail": detail.to_string()});
    json!({"Entries": vec![entry; 11]}).to_string().into_bytes()
}

fn rejected(status: u16, reason: &str, message: &str, reference: Option<&str>) -> (u16, Value) {
    (
        status,
        json!({"status": "rejected", "reason": reason, "message": message, "referenceNumber": reference}),
    )
}

/// The table.
pub fn cases() -> Vec<Case> {
    let bad = Some("bad");
    let table: Vec<(&'static str, Vec<u8>, (u16, Value))> = vec![
        ("not JSON", b"nope".to_vec(), rejected(400, "invalid-json", "event is not valid JSON: expected ident at line 1 column 2", None)),
        ("not UTF-8", b"{\"detail-type\":\"Schedule Social Post\",\"detail\":{\"message\":\"caf\xe9\"}}".to_vec(),
            rejected(400, "invalid-json", "the request body is not UTF-8 JSON: invalid utf-8 sequence of 1 bytes from index 62", None)),
        ("not an object", b"\"x\"".to_vec(), rejected(400, "invalid-event", "event must be a JSON object, not a string", None)),
        // serde_json alone would keep the last detail-type and schedule this.
        ("detail-type twice", br#"{"detail-type":"Nope","detail-type":"Schedule Social Post","source":"test","detail":{"message":"Hello world!","platform":"twitter","scheduledDate":"2030-10-23T08:48:00","referenceNumber":"bad"}}"#.to_vec(),
            rejected(400, "invalid-json", "event JSON is ambiguous: the key \"detail-type\" appears twice in one object (line 1, column 35); each key may appear only once in an object", None)),
        ("a detail field twice", br#"{"detail-type":"Schedule Social Post","detail":{"message":"Hello world!","platform":"twitter","message":"Bye"}}"#.to_vec(),
            rejected(400, "invalid-json", "event JSON is ambiguous: the key \"message\" appears twice in one object (line 1, column 103); each key may appear only once in an object", None)),
        ("no detail", br#"{"detail-type":"Schedule Social Post","source":"test"}"#.to_vec(),
            rejected(400, "invalid-event", "event has a detail-type but no detail", None)),
        ("another detail-type", event(json!({"message": "m", "referenceNumber": "bad"}), "Nope"),
            rejected(422, "unsupported-detail-type", "detail-type \"Nope\" is not supported; expected \"Schedule Social Post\"", bad)),
        ("no message", readme(json!({"message": null})), rejected(422, "missing-field", "message is required", bad)),
        ("a number as message", readme(json!({"message": 5})), rejected(422, "invalid-field", "message must be a string, not a number", bad)),
        ("an empty referenceNumber", readme(json!({"referenceNumber": ""})),
            rejected(422, "invalid-field", "referenceNumber must not be empty; leave it out to have one generated", Some(GENERATED))),
        ("a referenceNumber of 1,025 characters", readme(json!({"referenceNumber": "r".repeat(1025)})),
            rejected(422, "invalid-field", "referenceNumber is 1025 characters long; at most 1024 are allowed", Some(GENERATED))),
        ("platform in another case", readme(json!({"platform": "Twitter"})),
            rejected(422, "unsupported-platform", &format!("platform \"Twitter\" is not supported; {}", super::SUPPORTED), bad)),
        ("a date of another form", readme(json!({"scheduledDate": "23/10/2030"})),
            rejected(422, "invalid-scheduled-date", "scheduledDate \"23/10/2030\" is not a UTC date-time of the form YYYY-MM-DDTHH:MM:SS (optionally with a fraction and a Z or ±HH:MM offset)", bad)),
        ("an unknown timeZone", readme(json!({"timeZone": "Europe/Atlantis"})),
            rejected(422, "invalid-time-zone", "timeZone \"Europe/Atlantis\" is not an IANA time zone name (for example Europe/Berlin, America/New_York or UTC; names are case-sensitive)", bad)),
        ("a local time in Berlin's spring-forward gap", readme(json!({"timeZone": "Europe/Berlin", "scheduledDate": "2030-03-31T02:30:00"})),
            rejected(422, "invalid-scheduled-date", "scheduledDate \"2030-03-31T02:30:00\" does not exist in Europe/Berlin: the clocks skip it when they go forward, and EventBridge Scheduler skips a schedule at such a time; the first local time after the gap is 2030-03-31T03:00:00", bad)),
        ("281 weighted characters", readme(json!({"message": "a".repeat(281)})),
            rejected(422, "message-too-long", "message is 281 weighted characters; X allows at most 280", bad)),
        ("an empty message", readme(json!({"message": ""})),
            rejected(422, "empty-message", "message is empty; X needs at least 1 weighted character", bad)),
        ("U+FEFF in the message", readme(json!({"message": "a\u{feff}b"})),
            rejected(422, "invalid-characters", "message contains U+FEFF, which X does not allow (U+FFFE, U+FEFF and U+FFFF are invalid)", bad)),
        ("a message of spaces and a zero-width space", readme(json!({"message": "  \u{200b} "})),
            rejected(422, "empty-message", "message holds only white space and zero-width spaces (U+0020, U+200B); X needs at least 1 other character", bad)),
        ("NUL in the message", readme(json!({"message": "a\u{0}b"})),
            rejected(422, "invalid-characters", "message contains U+0000, a control character X does not allow (of the control characters only tab U+0009 and newline U+000A are)", bad)),
        ("Entries not an array", br#"{"Entries":{}}"#.to_vec(),
            (400, json!({"status": "rejected", "reason": "invalid-event", "message": "Entries must be a list of PutEventsRequestEntry objects"}))),
        // Eleven good entries: over AWS's limit of 10, so none is scheduled.
        ("11 PutEvents entries", eleven_entries(),
            (400, json!({"status": "rejected", "reason": "invalid-event", "message": "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10"}))),
        ("no PutEvents entries", br#"{"Entries":[]}"#.to_vec(),
            (400, json!({"status": "rejected", "reason": "invalid-event", "message": "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1"}))),
        // Exactly one byte over 2 MiB, so the whole body is read before the answer.
        ("a body over 2 MiB", vec![b' '; (2 << 20) + 1],
            rejected(413, "invalid-request", "the request body cannot be read: Failed to buffer the request body: length limit exceeded", None)),
    ];
    table
        .into_iter()
        .map(|(name, body, (status, answer))| Case {
            name,
            body,
            status,
            answer,
        })
        .collect()
}

/// `YYYY-MM-DDTHH:MM:SS`, as the messages give dates.
fn at(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Posts every case to `base` and asserts its exact answer; then the dates judged against
/// the server's clock (more than five minutes past, more than ten years ahead), whose
/// messages name the server's current time (checked to be within a minute of this test's
/// clock) and are otherwise exact.
pub fn assert_all(base: &str) {
    for case in cases() {
        let (status, mut answer) = post_bytes(base, &case.body);
        if case.answer["referenceNumber"] == GENERATED {
            let reference = answer["referenceNumber"].as_str().unwrap_or_default();
            let version = uuid::Uuid::parse_str(reference).map(|u| u.get_version_num());
            assert_eq!(version, Ok(4), "case: {}: {answer}", case.name);
            answer["referenceNumber"] = json!(GENERATED);
        }
        assert_eq!(
            (status, &answer),
            (case.status, &case.answer),
            "case: {}",
            case.name
        );
    }
    // (scheduledDate, reason, the message given the server's now)
    type Dated = (&'static str, &'static str, fn(NaiveDateTime) -> String);
    let dated: [Dated; 2] = [
        ("2023-10-23T08:48:00", "scheduled-date-in-past", |now| {
            format!(
                "scheduledDate 2023-10-23T08:48:00 is more than 300 seconds in the past (now {})",
                at(now)
            )
        }),
        ("9999-12-31T23:59:59", "scheduled-date-too-far", |now| {
            let latest = now.checked_add_months(chrono::Months::new(120));
            format!("scheduledDate 9999-12-31T23:59:59 is more than 10 years ahead: the latest accepted is {} (now {})", at(latest.expect("in range")), at(now))
        }),
    ];
    for (date, reason, message) in dated {
        let (status, answer) = post_bytes(base, &readme(json!({"scheduledDate": date})));
        let text = answer["message"].as_str().unwrap_or_default();
        let now = text
            .rsplit_once("(now ")
            .and_then(|(_, rest)| rest.strip_suffix(')'))
            .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").ok())
            .unwrap_or_else(|| panic!("unexpected message {text:?}"));
        assert!(
            (chrono::Utc::now().naive_utc() - now).num_seconds().abs() < 60,
            "{text}"
        );
        let want = rejected(422, reason, &message(now), Some("bad"));
        assert_eq!((status, answer), want, "scheduledDate {date}");
    }
}

/// The methods and paths around the API answer as axum answers them: HEAD is GET without a
/// body, another method gets 405 with `Allow`, and a path with a trailing slash is unknown.
/// `root_allows` is the `Allow` of `/`: `sps serve` also serves the page there (`GET`).
pub fn assert_routes(base: &str, root_allows: &str) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let head = agent.head(&format!("{base}/health")).call().expect("HEAD");
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(
        head.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert_eq!(
        head.into_body().read_to_vec().expect("body"),
        Vec::<u8>::new()
    );
    for (path, allow) in [
        ("/", root_allows),
        ("/events", "POST,GET,HEAD"),
        ("/schedules", "GET,HEAD"),
        ("/health", "GET,HEAD"),
    ] {
        let r = agent
            .delete(&format!("{base}{path}"))
            .call()
            .expect("DELETE");
        assert_eq!(r.status().as_u16(), 405, "{path}");
        assert_eq!(
            r.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{path}"
        );
    }
    for path in ["/events/", "/health/", "/nope"] {
        let r = agent.get(&format!("{base}{path}")).call().expect("GET");
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    let r = agent
        .post(&format!("{base}/events/"))
        .send("{}")
        .expect("POST");
    assert_eq!(r.status().as_u16(), 404);
}
