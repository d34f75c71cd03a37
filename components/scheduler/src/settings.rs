//! Operator settings of the scheduler, read from `wasi:config/store` (Spin variable style keys).

/// The `wasi:config/store` key of the flexible time window, in whole minutes.
pub const FLEXIBLE_WINDOW_KEY: &str = "flexible_window_minutes";

/// The flexible time window when the setting is absent, in minutes (the original project's 8).
pub const DEFAULT_FLEXIBLE_WINDOW_MINUTES: u32 = 8;

/// The largest flexible time window EventBridge Scheduler accepts, in minutes
/// [AWS Scheduler API reference, FlexibleTimeWindow: `MaximumWindowInMinutes` 1-1440].
pub const MAX_FLEXIBLE_WINDOW_MINUTES: u32 = 1440;

/// The flexible time window in minutes from the raw setting: absent -> 8; otherwise a decimal
/// whole number 0..=1440 (surrounding whitespace ignored), where 0 means `OFF`.
///
/// # Errors
/// `invalid setting flexible_window_minutes: ...` when the value is not such a number (an
/// operator error, reported as retryable by the flow).
pub fn flexible_window_minutes(raw: Option<&str>) -> Result<u32, String> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_FLEXIBLE_WINDOW_MINUTES);
    };
    let text = raw.trim();
    let parsed = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u32>().ok()
    } else {
        None
    };
    match parsed {
        Some(minutes) if minutes <= MAX_FLEXIBLE_WINDOW_MINUTES => Ok(minutes),
        _ => Err(format!(
            "invalid setting {FLEXIBLE_WINDOW_KEY}: {raw:?} is not a whole number of minutes \
             from 0 to {MAX_FLEXIBLE_WINDOW_MINUTES}"
        )),
    }
}

/// The `wasi:config/store` key of the delay of a campaign post's metrics reading, seconds.
pub const METRICS_DELAY_KEY: &str = "metrics_delay_seconds";

/// The delay of a metrics reading when the setting is absent: 24 hours, in seconds.
pub const DEFAULT_METRICS_DELAY_SECONDS: u64 = 24 * 3600;

/// The longest delay of a metrics reading, seconds: 30 days.
pub const MAX_METRICS_DELAY_SECONDS: u64 = 30 * 24 * 3600;

/// The delay of a metrics reading after the latest moment its post is sent without
/// retries (its time plus the flexible time window), seconds: absent -> 86400; otherwise a
/// decimal whole number 0..=2592000.
///
/// # Errors
/// `invalid setting metrics_delay_seconds: ...` when the value is not such a number.
pub fn metrics_delay_seconds(raw: Option<&str>) -> Result<u64, String> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_METRICS_DELAY_SECONDS);
    };
    let text = raw.trim();
    match text.parse::<u64>() {
        Ok(seconds)
            if text.bytes().all(|b| b.is_ascii_digit()) && seconds <= MAX_METRICS_DELAY_SECONDS =>
        {
            Ok(seconds)
        }
        _ => Err(format!(
            "invalid setting {METRICS_DELAY_KEY}: {raw:?} is not a whole number of seconds \
             from 0 to {MAX_METRICS_DELAY_SECONDS}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metrics_delay_is_a_day_unless_set() {
        assert_eq!(metrics_delay_seconds(None), Ok(86_400));
        assert_eq!(metrics_delay_seconds(Some(" 2 ")), Ok(2));
        assert_eq!(
            metrics_delay_seconds(Some("-1")),
            Err(
                "invalid setting metrics_delay_seconds: \"-1\" is not a whole number of \
                 seconds from 0 to 2592000"
                    .to_string()
            )
        );
        assert!(metrics_delay_seconds(Some("2592001")).is_err());
    }

    #[test]
    fn values() {
        assert_eq!(flexible_window_minutes(None), Ok(8));
        assert_eq!(flexible_window_minutes(Some("0")), Ok(0));
        assert_eq!(flexible_window_minutes(Some("15")), Ok(15));
        assert_eq!(flexible_window_minutes(Some(" 15\n")), Ok(15));
        assert_eq!(flexible_window_minutes(Some("1440")), Ok(1440));
        assert_eq!(flexible_window_minutes(Some("007")), Ok(7));
        for bad in [
            "",
            " ",
            "1441",
            "-1",
            "+5",
            "1.5",
            "ten",
            "99999999999",
            "8m",
            "0x10",
        ] {
            assert_eq!(
                flexible_window_minutes(Some(bad)),
                Err(format!(
                    "invalid setting flexible_window_minutes: {bad:?} is not a whole number of \
                     minutes from 0 to 1440"
                )),
                "{bad:?}"
            );
        }
    }
}
