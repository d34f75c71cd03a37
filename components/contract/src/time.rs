//! Moments in messages and logs: RFC 3339 in UTC with whole seconds
//! (`2026-12-01T19:33:20Z`), never raw Unix seconds, so a person reads them as they are.

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

#[cfg(test)]
mod tests {
    use super::*;

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
