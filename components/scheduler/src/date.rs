//! The `scheduledDate` policy: accepted formats, conversion to UTC, the past-date rule and
//! the horizon.
//!
//! Accepted: `YYYY-MM-DDTHH:MM:SS` (UTC), optionally followed by a fraction `.d+` (truncated,
//! never rounded) and optionally by `Z` or a numeric offset `+HH:MM` / `-HH:MM` (converted to
//! UTC). Everything else is refused: a date alone, missing seconds, a space instead of `T`,
//! impossible dates (`2023-02-30`), `24:00:00`, leap seconds (`:60`), short years, trailing text.
//!
//! EventBridge Scheduler's one-time schedules take `at(yyyy-mm-ddThh:mm:ss)` with no zone
//! suffix and no fraction [AWS Scheduler User Guide, "Schedule types": one-time schedules], so
//! every date is normalised to that form in UTC. All parsing and arithmetic is done by chrono;
//! the process time zone never matters.

use chrono::{DateTime, Datelike, Months, NaiveDateTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;

use crate::reason::{Problem, Reason};

/// The `at(...)` body format and the format of `scheduledDate` in events and schedule inputs.
pub const AT_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// How far in the past (seconds) a `scheduledDate` may be and still be accepted; such a post
/// is scheduled to fire at once.
pub const PAST_TOLERANCE_SECONDS: i64 = 300;

/// How far ahead a `scheduledDate` may be, in calendar months after now: 120 (10 years).
/// Our own rule (EventBridge Scheduler states no limit for `at(...)`): a date further ahead
/// is a typo far more often than a plan, and without a bound a date in the year 9999 plus
/// the flexible window spilled into the year 10000.
pub const HORIZON_MONTHS: u32 = 120;

/// When a request's post fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// The requested date, in UTC, truncated to the second: what events and the schedule input
    /// carry as `scheduledDate`.
    pub scheduled_date: DateTime<Utc>,
    /// The schedule's `at`: the requested date, or now (truncated to the second) when the
    /// requested date is at most [`PAST_TOLERANCE_SECONDS`] in the past.
    pub at: DateTime<Utc>,
}

/// Format a UTC date-time as `YYYY-MM-DDTHH:MM:SS` (no zone suffix, no fraction).
pub fn format(date: DateTime<Utc>) -> String {
    date.format(AT_FORMAT).to_string()
}

/// Drop the fraction of a second (truncation, never rounding).
pub fn truncate_to_second(date: DateTime<Utc>) -> DateTime<Utc> {
    date.with_nanosecond(0).unwrap_or(date)
}

/// Where the zone designator of a well-shaped date-time text starts, or `None` when the text
/// does not have the shape `dddd-dd-ddTdd:dd:dd[.d+][Z|±dd:dd]`. Only the shape is checked
/// here; chrono checks the values.
fn zone_start(text: &str) -> Option<usize> {
    const SHAPE: &[u8; 19] = b"0000-00-00T00:00:00";
    let bytes = text.as_bytes();
    let head = bytes.get(..SHAPE.len())?;
    let head_ok = head.iter().zip(SHAPE).all(|(&b, &s)| {
        if s == b'0' {
            b.is_ascii_digit()
        } else {
            b == s
        }
    });
    if !head_ok {
        return None;
    }
    let mut pos = SHAPE.len();
    if bytes.get(pos) == Some(&b'.') {
        let digits = bytes
            .get(pos + 1..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        pos += 1 + digits;
    }
    let zone = bytes.get(pos..)?;
    let zone_ok = match zone {
        [] | [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] => {
            matches!(sign, b'+' | b'-') && [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())
        }
        _ => false,
    };
    zone_ok.then_some(pos)
}

/// Parse a `scheduledDate` into a UTC date-time truncated to the second (no `timeZone`:
/// a date without an offset is UTC).
///
/// # Errors
/// As [`parse_scheduled_date_in`].
pub fn parse_scheduled_date(text: &str) -> Result<DateTime<Utc>, Problem> {
    parse_scheduled_date_in(text, None)
}

/// Parse a `scheduledDate` into a UTC date-time truncated to the second. A date without an
/// offset is local time in `zone` (the request's `timeZone`, see [`crate::zone`]) or UTC
/// when `zone` is `None`; a `Z` or numeric offset wins over `zone`.
///
/// # Errors
/// A [`Reason::InvalidScheduledDate`] problem when the text is not one of the accepted forms,
/// names a date or time that does not exist (in `zone`, a time in a spring-forward gap), is
/// a leap second, or lies outside the years 0000-9999 once converted to UTC.
pub fn parse_scheduled_date_in(text: &str, zone: Option<Tz>) -> Result<DateTime<Utc>, Problem> {
    let invalid = |why: &str| {
        Problem::new(
            Reason::InvalidScheduledDate,
            format!("scheduledDate {text:?} {why}"),
        )
    };
    let Some(offset_at) = zone_start(text) else {
        return Err(invalid(
            "is not a UTC date-time of the form YYYY-MM-DDTHH:MM:SS \
             (optionally with a fraction and a Z or ±HH:MM offset)",
        ));
    };
    // chrono represents a leap second (`:60`) as a nanosecond value of one second or more.
    let leap = || invalid("is a leap second, which schedules cannot use");
    let date = if offset_at == text.len() {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|e| invalid(&format!("is not a valid date-time: {e}")))?;
        if naive.nanosecond() >= 1_000_000_000 {
            return Err(leap());
        }
        match zone {
            Some(zone) => crate::zone::local_to_utc(naive, zone, text)?,
            None => naive.and_utc(),
        }
    } else {
        DateTime::parse_from_rfc3339(text)
            .map(|date| date.with_timezone(&Utc))
            .map_err(|e| invalid(&format!("is not a valid date-time: {e}")))?
    };
    if date.nanosecond() >= 1_000_000_000 {
        return Err(leap());
    }
    if !(0..=9999).contains(&date.year()) {
        return Err(invalid("is outside the years 0000-9999 in UTC"));
    }
    Ok(truncate_to_second(date))
}

/// Decide when a post for `requested` (UTC, whole seconds) fires, given the current time.
///
/// `now` is truncated to the second first. Then: `requested < now - 300 s` is refused;
/// `now - 300 s <= requested <= now` fires at once (`at = now`); later dates up to
/// [`HORIZON_MONTHS`] calendar months after `now` (the same day and time of month, or the
/// month's last day when it has no such day) fire at `requested`; later ones are refused.
///
/// # Errors
/// A [`Reason::ScheduledDateInPast`] problem when `requested` is more than
/// [`PAST_TOLERANCE_SECONDS`] before `now`; a [`Reason::ScheduledDateTooFar`] problem when
/// it is after the horizon.
pub fn plan(requested: DateTime<Utc>, now: DateTime<Utc>) -> Result<Timing, Problem> {
    let now = truncate_to_second(now);
    let earliest = now
        .checked_sub_signed(TimeDelta::seconds(PAST_TOLERANCE_SECONDS))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    if requested < earliest {
        return Err(Problem::new(
            Reason::ScheduledDateInPast,
            format!(
                "scheduledDate {} is more than {} seconds in the past (now {})",
                format(requested),
                PAST_TOLERANCE_SECONDS,
                format(now)
            ),
        ));
    }
    let latest = now
        .checked_add_months(Months::new(HORIZON_MONTHS))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    if requested > latest {
        return Err(Problem::new(
            Reason::ScheduledDateTooFar,
            format!(
                "scheduledDate {} is more than {} years ahead: the latest accepted is {} \
                 (now {})",
                format(requested),
                HORIZON_MONTHS / 12,
                format(latest),
                format(now)
            ),
        ));
    }
    Ok(Timing {
        scheduled_date: requested,
        at: requested.max(now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(text, AT_FORMAT)
            .map(|n| n.and_utc())
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    #[test]
    fn accepted_forms_are_normalised_to_utc_seconds() {
        let cases = [
            ("2023-10-23T08:48:00", "2023-10-23T08:48:00"),
            ("2023-10-23T08:48:00Z", "2023-10-23T08:48:00"),
            ("2023-10-23T08:48:00.999Z", "2023-10-23T08:48:00"),
            ("2023-10-23T08:48:00.5", "2023-10-23T08:48:00"),
            ("2023-10-23T08:48:59.999999999999", "2023-10-23T08:48:59"),
            ("2023-10-23T08:48:00+02:00", "2023-10-23T06:48:00"),
            ("2023-10-23T08:48:00-05:30", "2023-10-23T14:18:00"),
            ("2023-10-23T08:48:00.123+02:00", "2023-10-23T06:48:00"),
            ("2023-10-23T08:48:00+00:00", "2023-10-23T08:48:00"),
            ("2023-10-23T08:48:00-00:00", "2023-10-23T08:48:00"),
            ("2023-01-01T01:00:00+02:00", "2022-12-31T23:00:00"),
            ("2024-02-29T12:00:00", "2024-02-29T12:00:00"),
            ("2023-12-31T23:59:59", "2023-12-31T23:59:59"),
            ("0000-01-01T00:00:00", "0000-01-01T00:00:00"),
            ("9999-12-31T23:59:59", "9999-12-31T23:59:59"),
        ];
        for (input, expected) in cases {
            let parsed = parse_scheduled_date(input);
            assert_eq!(parsed.map(format), Ok(expected.to_owned()), "{input}");
        }
    }

    #[test]
    fn refused_forms_give_invalid_scheduled_date() {
        let cases = [
            "",
            "2023-10-23",
            "2023-10-23T08:48",
            "2023-10-23 08:48:00",
            "2023-10-23t08:48:00",
            "2023-10-23T08:48:00z",
            "2023-02-30T08:48:00",
            "2023-02-29T08:48:00",
            "2023-13-01T08:48:00",
            "2023-00-10T08:48:00",
            "2023-10-00T08:48:00",
            "2023-10-23T24:00:00",
            "2023-10-23T23:60:00",
            "2023-10-23T23:59:60",
            "2016-12-31T23:59:60Z",
            "23-10-23T08:48:00",
            "+2023-10-23T08:48:00",
            "12023-10-23T08:48:00",
            "2023-10-23T08:48:00.",
            "2023-10-23T08:48:00.Z",
            "2023-10-23T08:48:00 ",
            " 2023-10-23T08:48:00",
            "2023-10-23T08:48:00junk",
            "2023-10-23T08:48:00ZZ",
            "2023-10-23T08:48:00+02",
            "2023-10-23T08:48:00+0200",
            "2023-10-23T08:48:00+2:00",
            "2023-10-23T08:48:00+02:60",
            "2023-10-23T08:48:00+24:00",
            "2023-10-23T08:48:00UTC",
            "2023-1-23T08:48:00",
            "2023-10-23T8:48:00",
            "２０２３-10-23T08:48:00",
            "0000-01-01T00:30:00+01:00",
            "9999-12-31T23:30:00-01:00",
            "1698050880",
        ];
        for input in cases {
            let code = parse_scheduled_date(input).map_err(|p| p.code);
            assert_eq!(code, Err("invalid-scheduled-date".to_owned()), "{input:?}");
        }
    }

    #[test]
    fn invalid_message_names_the_input() {
        assert_eq!(
            parse_scheduled_date("2023-10-23").map_err(|p| p.message),
            Err(
                "scheduledDate \"2023-10-23\" is not a UTC date-time of the form \
                 YYYY-MM-DDTHH:MM:SS (optionally with a fraction and a Z or ±HH:MM offset)"
                    .to_owned()
            )
        );
        assert_eq!(
            parse_scheduled_date("2023-10-23T23:59:60").map_err(|p| p.message),
            Err("scheduledDate \"2023-10-23T23:59:60\" is a leap second, which schedules cannot use"
                .to_owned())
        );
    }

    #[test]
    fn past_boundary_is_exactly_300_seconds() {
        let now = utc("2026-01-01T12:00:00");
        let cases = [
            ("2026-01-01T11:54:59", None),
            ("2026-01-01T11:55:00", Some("2026-01-01T12:00:00")),
            ("2026-01-01T11:59:59", Some("2026-01-01T12:00:00")),
            ("2026-01-01T12:00:00", Some("2026-01-01T12:00:00")),
            ("2026-01-01T12:00:01", Some("2026-01-01T12:00:01")),
            ("2027-06-01T00:00:00", Some("2027-06-01T00:00:00")),
        ];
        for (requested, at) in cases {
            let requested = utc(requested);
            let got = plan(requested, now);
            match at {
                Some(at) => assert_eq!(
                    got,
                    Ok(Timing {
                        scheduled_date: requested,
                        at: utc(at)
                    })
                ),
                None => assert_eq!(
                    got,
                    Err(Problem::new(
                        Reason::ScheduledDateInPast,
                        "scheduledDate 2026-01-01T11:54:59 is more than 300 seconds in the past \
                         (now 2026-01-01T12:00:00)"
                    ))
                ),
            }
        }
    }

    #[test]
    fn now_fraction_is_truncated_before_comparing() {
        let now = utc("2026-01-01T12:00:00") + TimeDelta::milliseconds(999);
        let requested = utc("2026-01-01T11:55:00");
        assert_eq!(
            plan(requested, now),
            Ok(Timing {
                scheduled_date: requested,
                at: utc("2026-01-01T12:00:00")
            })
        );
    }

    #[test]
    fn horizon_is_exactly_120_calendar_months() {
        // (now, requested, the latest date accepted when `requested` is past it); 29
        // February plus ten years is the last day of February.
        let cases = [
            ("2026-12-01T17:00:00", "2036-12-01T17:00:00", None),
            (
                "2026-12-01T17:00:00",
                "2036-12-01T17:00:01",
                Some("2036-12-01T17:00:00"),
            ),
            (
                "2026-12-01T17:00:00",
                "9999-12-31T23:59:59",
                Some("2036-12-01T17:00:00"),
            ),
            ("2028-02-29T08:00:00", "2038-02-28T08:00:00", None),
            (
                "2028-02-29T08:00:00",
                "2038-03-01T00:00:00",
                Some("2038-02-28T08:00:00"),
            ),
        ];
        for (now, requested, latest) in cases {
            let want = match latest {
                None => Ok(Timing {
                    scheduled_date: utc(requested),
                    at: utc(requested),
                }),
                Some(latest) => Err(Problem::new(
                    Reason::ScheduledDateTooFar,
                    format!(
                        "scheduledDate {requested} is more than 10 years ahead: the latest \
                         accepted is {latest} (now {now})"
                    ),
                )),
            };
            assert_eq!(plan(utc(requested), utc(now)), want, "{requested}");
        }
    }

    #[test]
    fn extreme_now_does_not_panic() {
        let requested = utc("2026-01-01T12:00:00");
        let code = |now| plan(requested, now).map_err(|p| p.code);
        assert_eq!(
            code(DateTime::<Utc>::MIN_UTC),
            Err("scheduled-date-too-far".to_owned())
        );
        assert_eq!(
            code(DateTime::<Utc>::MAX_UTC),
            Err("scheduled-date-in-past".to_owned())
        );
    }
}
