//! Property tests (proptest) of the scheduler's `scheduledDate` parser (`date`) and
//! schedule-name rule (`name`). `request_properties.rs` covers the event parser.
//!
//! Each property states something the module documents and that holds exactly; the inputs
//! are arbitrary strings plus generators aimed at each module's edge cases.

// A test reports a failure by panicking; the workspace lints deny that only outside tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};
use proptest::prelude::*;
use sps_scheduler::date::{format, parse_scheduled_date, AT_FORMAT};
use sps_scheduler::name::{is_name_char, reference_hash, schedule_name, MAX_NAME_LEN};

// ---------------------------------------------------------------------------------------------
// date.rs: parse_scheduled_date and format
// ---------------------------------------------------------------------------------------------

/// The parts of a well-shaped `scheduledDate` text. Values range a little past the valid
/// ones (month 0-13, day 0-32, hour 0-24, minute 0-60, second 0-61, offset hour 0-25) so that
/// both refusals and acceptances are common.
#[derive(Debug, Clone)]
struct DateParts {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    fraction: Option<String>,
    /// `None`: no zone; `Some(None)`: `Z`; `Some(Some((sign, h, m)))`: `±HH:MM`.
    zone: Option<Option<(char, u32, u32)>>,
}

impl DateParts {
    fn text(&self) -> String {
        let mut text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if let Some(fraction) = &self.fraction {
            text.push('.');
            text.push_str(fraction);
        }
        match self.zone {
            None => {}
            Some(None) => text.push('Z'),
            Some(Some((sign, h, m))) => text.push_str(&format!("{sign}{h:02}:{m:02}")),
        }
        text
    }

    /// The instant the text names, computed independently of `date.rs`: `None` when the
    /// text names no valid date-time, leap seconds included.
    fn instant(&self) -> Option<DateTime<Utc>> {
        let offset_minutes = match self.zone {
            None | Some(None) => 0,
            Some(Some((sign, h, m))) => {
                if h > 23 || m > 59 {
                    return None;
                }
                let minutes = i64::from(h * 60 + m);
                if sign == '-' {
                    -minutes
                } else {
                    minutes
                }
            }
        };
        let local = NaiveDate::from_ymd_opt(self.year, self.month, self.day)?.and_hms_opt(
            self.hour,
            self.minute,
            self.second,
        )?;
        Some(local.and_utc() - TimeDelta::minutes(offset_minutes))
    }
}

fn date_parts(
    month: std::ops::RangeInclusive<u32>,
    day: std::ops::RangeInclusive<u32>,
    hour: std::ops::RangeInclusive<u32>,
    minute: std::ops::RangeInclusive<u32>,
    second: std::ops::RangeInclusive<u32>,
    offset_hour: std::ops::RangeInclusive<u32>,
) -> impl Strategy<Value = DateParts> {
    let zone = prop_oneof![
        Just(None),
        Just(Some(None)),
        (prop_oneof![Just('+'), Just('-')], offset_hour, 0..=59u32)
            .prop_map(|(s, h, m)| Some(Some((s, h, m)))),
    ];
    (
        (
            prop_oneof![3 => 0..=9999i32, 1 => prop_oneof![0..=2i32, 9997..=9999i32]],
            month,
            day,
        ),
        (hour, minute, second),
        prop::option::of("[0-9]{1,15}"),
        zone,
    )
        .prop_map(
            |((year, month, day), (hour, minute, second), fraction, zone)| DateParts {
                year,
                month,
                day,
                hour,
                minute,
                second,
                fraction,
                zone,
            },
        )
}

/// Mostly-valid parts (every value in range except possibly the day of the month).
fn valid_date_parts() -> impl Strategy<Value = DateParts> {
    date_parts(1..=12, 1..=31, 0..=23, 0..=59, 0..=59, 0..=23)
}

/// Parts reaching just past every range.
fn edgy_date_parts() -> impl Strategy<Value = DateParts> {
    date_parts(0..=13, 0..=32, 0..=24, 0..=60, 0..=61, 0..=25)
}

/// Strings around the accepted shape: arbitrary text, shape-like character soup, and
/// well-shaped texts with one character changed or cut short.
fn date_like_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[T t][0-9]{2}:[0-9]{2}(:[0-9]{2})?(\\.[0-9]{0,4})?(Z|z|[+-][0-9]{1,2}:?[0-9]{0,2})?",
        "[0-9T:Z.+-]{0,30}",
        (edgy_date_parts(), any::<prop::sample::Index>(), any::<char>()).prop_map(
            |(parts, at, c)| {
                let mut chars: Vec<char> = parts.text().chars().collect();
                let i = at.index(chars.len());
                chars[i] = c;
                chars.into_iter().collect()
            }
        ),
        (edgy_date_parts(), any::<prop::sample::Index>()).prop_map(|(parts, at)| {
            let text = parts.text();
            text[..at.index(text.len() + 1).min(text.len())].to_owned()
        }),
    ]
}

/// Whether `text` is `YYYY-MM-DDTHH:MM:SS` exactly (ASCII digits, those separators).
fn has_at_shape(text: &str) -> bool {
    text.len() == 19
        && text.bytes().zip(b"0000-00-00T00:00:00").all(|(b, s)| {
            if *s == b'0' {
                b.is_ascii_digit()
            } else {
                b == *s
            }
        })
}

proptest! {
    /// Arbitrary text never makes the date parser panic; a refusal is always
    /// `invalid-scheduled-date` and names the input.
    #[test]
    fn parse_scheduled_date_never_panics(text in date_like_text()) {
        match parse_scheduled_date(&text) {
            Ok(date) => {
                prop_assert_eq!(date.nanosecond(), 0);
                prop_assert!((0..=9999).contains(&date.year()));
            }
            Err(p) => {
                prop_assert_eq!(&p.code, "invalid-scheduled-date");
                let quoted = format!("{text:?}");
                prop_assert!(p.message.contains(&quoted), "{}", p.message);
            }
        }
    }

    /// Every accepted date formats as `YYYY-MM-DDTHH:MM:SS` and that text parses back to the
    /// same instant (and formats to the same text again).
    #[test]
    fn accepted_dates_format_and_reparse(text in prop_oneof![
        date_like_text(),
        valid_date_parts().prop_map(|p| p.text()),
        edgy_date_parts().prop_map(|p| p.text()),
    ]) {
        if let Ok(date) = parse_scheduled_date(&text) {
            let formatted = format(date);
            prop_assert!(has_at_shape(&formatted), "{formatted}");
            prop_assert_eq!(
                chrono::NaiveDateTime::parse_from_str(&formatted, AT_FORMAT).map(|n| n.and_utc()),
                Ok(date)
            );
            prop_assert_eq!(parse_scheduled_date(&formatted), Ok(date));
            prop_assert_eq!(format(parse_scheduled_date(&formatted).unwrap()), formatted);
        }
    }

    /// A well-shaped text is accepted exactly when it names a real date-time (no leap second,
    /// offset within ±23:59) whose UTC year is 0000-9999, and then it is that instant with the
    /// fraction dropped.
    #[test]
    fn well_shaped_dates_parse_to_the_instant_they_name(
        parts in prop_oneof![valid_date_parts(), edgy_date_parts()]
    ) {
        let text = parts.text();
        let expected = parts.instant().filter(|d| (0..=9999).contains(&d.year()));
        let got = parse_scheduled_date(&text);
        match expected {
            Some(instant) => prop_assert_eq!(got, Ok(instant), "{}", text),
            None => prop_assert_eq!(
                got.map_err(|p| p.code),
                Err("invalid-scheduled-date".to_owned()),
                "{}",
                text
            ),
        }
    }

    /// Any UTC instant of the years 0000-9999, formatted, parses back to itself.
    #[test]
    fn formatted_instants_round_trip(
        seconds in DateTime::parse_from_rfc3339("0000-01-01T00:00:00Z").unwrap().timestamp()
            ..=DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z").unwrap().timestamp()
    ) {
        let date = DateTime::<Utc>::from_timestamp(seconds, 0).unwrap();
        let text = format(date);
        prop_assert!(has_at_shape(&text), "{text}");
        prop_assert_eq!(parse_scheduled_date(&text), Ok(date));
        prop_assert_eq!(parse_scheduled_date(&format!("{text}Z")), Ok(date));
        prop_assert_eq!(parse_scheduled_date(&format!("{text}+00:00")), Ok(date));
    }
}

// ---------------------------------------------------------------------------------------------
// name.rs: schedule_name
// ---------------------------------------------------------------------------------------------

/// Platform names as the loaded platforms have them: lowercase letters and digits, no `-` or
/// `.`, short enough that `{platform}.{52-char hash}` fits in 64 characters.
fn platform() -> impl Strategy<Value = String> {
    prop_oneof![Just("twitter".to_owned()), "[a-z][a-z0-9]{0,10}"]
}

/// References of every kind: arbitrary text, valid name characters of every length around
/// the 64-character limit, and hash-looking texts.
fn reference() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-zA-Z._-]{0,70}",
        "[0-9a-zA-Z._ /:+é-]{0,70}",
        "[a-z2-7]{52}",
        any::<String>().prop_map(|s| reference_hash(&s)),
    ]
}

/// Pairs of distinct references, including pairs that a "readable" mapping (invalid
/// characters replaced by `-` or `_`, case folded, cut to the length limit, the hash form
/// written out) would send to the same name.
fn distinct_references() -> impl Strategy<Value = (String, String)> {
    let name_chars = "[0-9a-zA-Z._-]{1,60}";
    prop_oneof![
        // arbitrary pairs
        (reference(), reference()),
        // one character replaced by a character that is not allowed
        (
            name_chars,
            any::<prop::sample::Index>(),
            prop_oneof![
                Just(' '),
                Just('/'),
                Just(':'),
                Just('é'),
                Just('\u{0}'),
                any::<char>()
            ],
        )
            .prop_map(|(valid, at, c)| {
                let mut chars: Vec<char> = valid.chars().collect();
                let i = at.index(chars.len());
                chars[i] = c;
                (valid, chars.into_iter().collect())
            }),
        // invalid characters dropped, or replaced by `-` / `_`
        ("[0-9a-zA-Z]{0,20}", "[ /:+é]{1,3}", "[0-9a-zA-Z]{0,20}").prop_flat_map(|(a, bad, b)| {
            let raw = format!("{a}{bad}{b}");
            prop_oneof![
                Just((raw.clone(), format!("{a}{b}"))),
                Just((
                    raw.clone(),
                    format!("{a}{}{b}", "-".repeat(bad.chars().count()))
                )),
                Just((raw, format!("{a}{}{b}", "_".repeat(bad.chars().count())))),
            ]
        }),
        // the same text in another case
        name_chars.prop_map(|s| (s.clone(), s.to_ascii_uppercase())),
        name_chars.prop_map(|s| (s.clone(), s.to_ascii_lowercase())),
        // long references sharing their first 56+ characters (cut to the limit they collide)
        (
            "[0-9a-zA-Z._-]{56,70}",
            "[0-9a-zA-Z._-]{1,8}",
            "[0-9a-zA-Z._-]{1,8}"
        )
            .prop_map(|(common, x, y)| (format!("{common}{x}"), format!("{common}{y}"))),
        // a reference next to its own hash, or the hash with the hashed form's `.`
        reference().prop_map(|r| {
            let h = reference_hash(&r);
            (r, h)
        }),
        reference().prop_map(|r| {
            let h = reference_hash(&r);
            (r, format!(".{h}"))
        }),
        // empty against anything
        reference().prop_map(|r| (String::new(), r)),
    ]
    .prop_filter("distinct", |(a, b)| a != b)
}

proptest! {
    /// Every name is 1-64 characters of `[0-9a-zA-Z-_.]`, starts with the platform followed
    /// by `-` (the reference as-is) or `.` (its hash), and is the same on every call.
    #[test]
    fn schedule_names_are_valid_and_deterministic(p in platform(), r in reference()) {
        let name = schedule_name(&p, &r);
        prop_assert!((1..=MAX_NAME_LEN).contains(&name.chars().count()), "{name}");
        prop_assert!(name.chars().all(is_name_char), "{name}");
        prop_assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "{name}"
        );
        prop_assert_eq!(&schedule_name(&p, &r), &name);
        let as_is = format!("{p}-{r}");
        let hashed = format!("{p}.{}", reference_hash(&r));
        prop_assert!(name == as_is || name == hashed, "{name}");
        let usable = !r.is_empty() && r.chars().all(is_name_char) && as_is.len() <= MAX_NAME_LEN;
        prop_assert_eq!(name == as_is, usable);
    }

    /// Distinct references on one platform never share a name.
    #[test]
    fn distinct_references_get_distinct_names(
        p in platform(),
        (a, b) in distinct_references(),
    ) {
        prop_assert_ne!(schedule_name(&p, &a), schedule_name(&p, &b), "{:?} vs {:?}", a, b);
    }
}
