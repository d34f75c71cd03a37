//! Moments in messages and logs: RFC 3339 in UTC with whole seconds
//! (`2026-12-01T19:33:20Z`), never raw Unix seconds, so a person reads them as they are;
//! and the instant a local time in a time zone stands for ([`local_instant`]).

/// `unix_seconds` (seconds since 1970-01-01T00:00:00Z) as RFC 3339 UTC with whole seconds,
/// or `None` beyond the years chrono represents (about ±262,000).
pub fn rfc3339(unix_seconds: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(unix_seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// As [`rfc3339`] for an unsigned moment (WIT `u64` times); one beyond chrono's range (a
/// hostile or broken value) is written `<n> (Unix seconds)` rather than dropped.
pub fn describe(unix_seconds: u64) -> String {
    i64::try_from(unix_seconds)
        .ok()
        .and_then(rfc3339)
        .unwrap_or_else(|| format!("{unix_seconds} (Unix seconds)"))
}

/// The instant the local date-time `local` stands for in `zone`, by EventBridge Scheduler's
/// rule for a schedule's time zone [AWS Scheduler User Guide, "Schedule types", "Daylight
/// savings time on EventBridge Scheduler"]: a time that exists twice (the clocks go back)
/// is its first instant, as EventBridge Scheduler runs such a schedule once; a time in a
/// spring-forward gap is `None`, as EventBridge Scheduler skips it. The scheduler's
/// `timeZone` and a campaign's slots both follow it, so local and AWS agree.
pub fn local_instant(
    zone: chrono_tz::Tz,
    local: chrono::NaiveDateTime,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{LocalResult, TimeZone as _};
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
            Some(t.with_timezone(&chrono::Utc))
        }
        LocalResult::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_time_is_its_first_instant_and_none_in_a_gap() {
        let local =
            |text: &str| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").unwrap();
        let berlin = chrono_tz::Europe::Berlin;
        let at = |text: &str| local_instant(berlin, local(text)).map(|t| t.to_rfc3339());
        assert_eq!(
            at("2027-10-31T02:30:00").as_deref(),
            Some("2027-10-31T00:30:00+00:00")
        );
        assert_eq!(at("2027-03-28T02:30:00"), None);
        assert_eq!(
            at("2027-06-01T09:30:00").as_deref(),
            Some("2027-06-01T07:30:00+00:00")
        );
    }

    #[test]
    fn moments_are_rfc3339_utc_with_whole_seconds() {
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            rfc3339(1_796_139_751).as_deref(),
            Some("2026-12-01T15:42:31Z")
        );
        assert_eq!(describe(1_700_040_000), "2023-11-15T09:20:00Z");
    }

    #[test]
    fn a_moment_chrono_cannot_represent_is_written_as_unix_seconds() {
        assert_eq!(rfc3339(i64::MAX), None);
        assert_eq!(
            describe(18_446_744_073_709_551_605),
            "18446744073709551605 (Unix seconds)"
        );
    }
}
