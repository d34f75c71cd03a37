//! The checks EventBridge Scheduler makes on a one-time schedule, applied by the local
//! schedule stores [AWS Scheduler API reference: CreateSchedule `Name`,
//! `ScheduleExpression` `at(yyyy-mm-ddThh:mm:ss)`, `FlexibleTimeWindow`].

/// The form of the body of an `at(...)` expression, here always UTC.
pub const AT_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// Parses the body of an `at(...)` expression, `YYYY-MM-DDTHH:MM:SS` in UTC, to Unix
/// seconds.
///
/// # Errors
/// `at(...) is not of the form yyyy-mm-ddThh:mm:ss` (for `schedule-error::invalid`).
pub fn parse_at(at: &str) -> Result<i64, String> {
    chrono::NaiveDateTime::parse_from_str(at, AT_FORMAT)
        .ok()
        .filter(|_| at.len() == 19)
        .map(|t| t.and_utc().timestamp())
        .ok_or_else(|| format!("at({at}) is not of the form yyyy-mm-ddThh:mm:ss"))
}

/// Checks a schedule's fields: a name of 1-64 characters of `[0-9a-zA-Z-_.]`, `at` as
/// `YYYY-MM-DDTHH:MM:SS`, a flexible window of 0 (`OFF`) or 1-1440 minutes, and input
/// that is a JSON text. Returns `at` as Unix seconds.
///
/// # Errors
/// A sentence naming the first field that is wrong (for `schedule-error::invalid`).
pub fn validate(name: &str, at: &str, window_minutes: u32, input: &str) -> Result<i64, String> {
    let name_ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if !name_ok {
        return Err(format!(
            "schedule name {name:?} must be 1-64 characters of [0-9a-zA-Z-_.]"
        ));
    }
    let at = parse_at(at)?;
    if window_minutes > 1440 {
        return Err(format!(
            "flexible window of {window_minutes} minutes is outside 1-1440"
        ));
    }
    if serde_json::from_str::<serde_json::Value>(input).is_err() {
        return Err("input is not JSON text".to_string());
    }
    Ok(at)
}

/// Why an update of a schedule whose delivery is under way (leased) is refused
/// (`schedule-error::invalid`): the post may be going out right now, and changing it then
/// could publish both versions.
pub fn being_delivered(name: &str) -> String {
    format!("schedule {name} is being delivered right now; it can no longer be changed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_each_field() {
        assert_eq!(
            validate("twitter-a", "2030-10-23T08:48:00", 8, "{}"),
            Ok(1_918_975_680)
        );
        assert_eq!(
            validate("a b", "2030-10-23T08:48:00", 8, "{}"),
            Err("schedule name \"a b\" must be 1-64 characters of [0-9a-zA-Z-_.]".into())
        );
        assert_eq!(
            validate("a", "2030-10-23T08:48:00Z", 8, "{}"),
            Err("at(2030-10-23T08:48:00Z) is not of the form yyyy-mm-ddThh:mm:ss".into())
        );
        assert_eq!(
            validate("a", "2030-10-23T08:48:00", 1441, "{}"),
            Err("flexible window of 1441 minutes is outside 1-1440".into())
        );
        assert_eq!(
            validate("a", "2030-10-23T08:48:00", 0, "{"),
            Err("input is not JSON text".into())
        );
    }
}
