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

#[cfg(test)]
mod tests {
    use super::*;

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
