//! Posts of a campaign: the optional `campaign` field, the slot a post books, and the
//! booking's release when the post is cancelled.
//!
//! With a `campaign` and no `scheduledDate` (or `"auto"`), the post books the campaign's
//! best free slot on its platform ([`sps_campaign::choose`]); with an explicit date the
//! date is kept and the slot it falls in counts as taken. A campaign's bookings on a
//! platform are one list with a version, replaced only if the version did not change
//! (`campaigns.replace-bookings`): of two posts booking at the same moment, one replaces
//! the list and the other reads it again and chooses among what is left, so no two posts
//! take one slot, and the gap and the daily cap hold. A post booked again (the same
//! reference) gives up its earlier slot; bookings more than [`KEEP_PAST_HOURS`] in the past
//! are dropped as the list is written.

use chrono::{DateTime, TimeDelta, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sps_campaign::{choose, free, slots, Learner, Plan};

use crate::reason::{Problem, Reason};
use crate::{Booking, Capabilities};

/// The `scheduledDate` that asks a campaign for its best free slot.
pub const AUTO_DATE: &str = "auto";

/// When a request asks to be posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested<'r> {
    /// At its own date, UTC.
    At(DateTime<Utc>),
    /// In the campaign `name`: at its own date (its slot counts as taken), or in the best
    /// free slot when `at` is `None`.
    Campaign {
        /// The campaign's name.
        name: &'r str,
        /// The request's own date, UTC.
        at: Option<DateTime<Utc>>,
    },
}

impl Requested<'_> {
    /// The request's own date, when it has one.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        match self {
            Requested::At(at) => Some(*at),
            Requested::Campaign { at, .. } => *at,
        }
    }
}

/// When the request asks to be posted: its date, UTC (in its `timeZone` when it has
/// one), in `campaign` when it names one; a post of a campaign without `scheduledDate`
/// (or with [`AUTO_DATE`]) asks for the best free slot.
///
/// # Errors
/// `missing-field` without a date outside a campaign; `invalid-scheduled-date` for a date
/// of no accepted form, and for [`AUTO_DATE`] outside a campaign (saying it needs one);
/// the errors of the `timeZone` field.
pub fn requested<'r>(
    request: &'r crate::request::Request,
    campaign: Option<&'r str>,
) -> Result<Requested<'r>, Problem> {
    use crate::request::field;
    let zone = request.time_zone()?;
    let parse = |text| crate::date::parse_scheduled_date_in(text, zone);
    match campaign {
        Some(name) => Ok(Requested::Campaign {
            name,
            at: request
                .optional_string(field::SCHEDULED_DATE)?
                .filter(|text| *text != AUTO_DATE)
                .map(parse)
                .transpose()?,
        }),
        None => {
            let text = request.required_string(field::SCHEDULED_DATE)?;
            if text == AUTO_DATE {
                return Err(Problem::new(
                    Reason::InvalidScheduledDate,
                    format!(
                        "scheduledDate {AUTO_DATE:?} asks a campaign for its best free slot: \
                         name the campaign in the field campaign"
                    ),
                ));
            }
            parse(text).map(Requested::At)
        }
    }
}

/// How many times a booking is tried when other posts of the campaign keep booking first.
pub const MAX_BOOKING_ROUNDS: usize = 200;

/// How long a past booking still counts (for the gap and the daily cap), hours: 48.
pub const KEEP_PAST_HOURS: i64 = 48;

pub use sps_campaign::plan::{is_campaign_name, MAX_CAMPAIGN_CHARS};

/// A bucket (0-167) as the byte the WIT carries.
fn bucket_u8(bucket: usize) -> u8 {
    u8::try_from(bucket).unwrap_or(u8::MAX)
}

/// The slot a post booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    /// The post's date: the slot's instant, or the request's own date.
    pub date: DateTime<Utc>,
    /// Why this slot, in words.
    pub slot: String,
    /// The hour-of-week bucket the post's score is recorded under (0-167): its slot's,
    /// else its own date's, in the campaign's time zone.
    pub bucket: u8,
}

/// Why a booking did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookFailure {
    /// The request cannot be booked as it is (`unknown-campaign`, `invalid-campaign`,
    /// `campaign-full`).
    Rejected(Problem),
    /// A capability failed, or other posts kept booking first; retrying may succeed.
    Retryable(String),
}

/// The campaign's plan.
///
/// # Errors
/// `unknown-campaign` when no plan has that name, `invalid-campaign` when it cannot be
/// read (the plan's own message), `Retryable` when the store failed.
pub fn plan<C: Capabilities + ?Sized>(caps: &mut C, name: &str) -> Result<Plan, BookFailure> {
    let json = caps
        .campaign_plan(name)
        .map_err(|e| BookFailure::Retryable(format!("could not read campaign {name}: {e}")))?
        .ok_or_else(|| {
            BookFailure::Rejected(Problem::new(
                Reason::UnknownCampaign,
                format!("no campaign is named {name:?}"),
            ))
        })?;
    Plan::parse(name, &json)
        .map_err(|e| BookFailure::Rejected(Problem::new(Reason::InvalidCampaign, e)))
}

/// The learner's seed for a post: the first 8 bytes of the SHA-256 of its reference, so a
/// post's draw is the same on every retry and in tests.
fn seed(reference: &str) -> u64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(reference.as_bytes());
    let mut bytes = [0_u8; 8];
    bytes.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    u64::from_be_bytes(bytes)
}

/// Books the post `reference` on `platform` in campaign `name`: at `requested` when
/// given, else in the best free slot after now, the learner's draw seeded by the
/// reference ([`seed`]).
///
/// # Errors
/// As [`plan`]; `campaign-full` when no slot is free in the next 90 days; `Retryable`
/// when the bookings cannot be read or written, or other posts kept booking first for
/// [`MAX_BOOKING_ROUNDS`] rounds.
pub fn book<C: Capabilities + ?Sized>(
    caps: &mut C,
    name: &str,
    platform: &str,
    reference: &str,
    requested: Option<DateTime<Utc>>,
) -> Result<Booked, BookFailure> {
    let plan = plan(caps, name)?;
    let retryable = |e: String| BookFailure::Retryable(format!("campaign {name}: {e}"));
    let mut learner = Learner::default();
    if requested.is_none() {
        for (bucket, score) in caps.campaign_scores(name, platform).map_err(retryable)? {
            learner.record(usize::from(bucket), score);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed(reference));
    for _ in 0..MAX_BOOKING_ROUNDS {
        let now = caps.now();
        let (version, current) = caps.bookings(name, platform).map_err(retryable)?;
        let keep_from = now - TimeDelta::hours(KEEP_PAST_HOURS);
        let mut others: Vec<Booking> = current
            .into_iter()
            .filter(|b| b.reference != reference && b.at >= keep_from)
            .collect();
        let taken: Vec<DateTime<Utc>> = others.iter().map(|b| b.at).collect();
        let (booked, at) = match requested {
            Some(date) => match slots::slot_of(&plan, date) {
                // The slot the requested date falls in counts as taken.
                Some(slot) => (
                    Booked {
                        date,
                        slot: format!(
                            "{} (the slot the requested date falls in)",
                            slot.describe(&plan)
                        ),
                        bucket: bucket_u8(slot.bucket()),
                    },
                    slot.at,
                ),
                None => (
                    Booked {
                        date,
                        slot: "the requested date (no slot of the campaign before it that day)"
                            .to_string(),
                        bucket: bucket_u8(slots::bucket_at(&plan, date)),
                    },
                    date,
                ),
            },
            None => {
                let open = free(&plan, now, &taken);
                let Some(choice) = choose(&plan, &open, &learner, &mut rng) else {
                    return Err(BookFailure::Rejected(Problem::new(
                        Reason::CampaignFull,
                        format!(
                            "campaign {name:?} has no free slot on {platform} in the next {} \
                             days: every slot is booked, or closed by the gap, the daily cap \
                             or a skip date",
                            slots::HORIZON_DAYS
                        ),
                    )));
                };
                let at = choice.slot.at;
                (
                    Booked {
                        date: at,
                        slot: choice.reason,
                        bucket: bucket_u8(choice.slot.bucket()),
                    },
                    at,
                )
            }
        };
        others.push(Booking {
            reference: reference.to_string(),
            at,
        });
        if caps
            .replace_bookings(name, platform, version, &others)
            .map_err(retryable)?
        {
            return Ok(booked);
        }
    }
    Err(BookFailure::Retryable(format!(
        "campaign {name}: other posts kept booking first for {MAX_BOOKING_ROUNDS} rounds"
    )))
}

/// The campaign named in a schedule's input (the scheduler's `campaign` beside the target
/// input), if any.
pub fn of_input(input: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Input {
        campaign: Option<String>,
    }
    serde_json::from_str::<Input>(input).ok()?.campaign
}

/// Gives up the booking of `reference` in campaign `name` on `platform` (a cancelled
/// post), if it has one.
///
/// # Errors
/// A sentence when the bookings cannot be read or written.
pub fn release<C: Capabilities + ?Sized>(
    caps: &mut C,
    name: &str,
    platform: &str,
    reference: &str,
) -> Result<(), String> {
    for _ in 0..MAX_BOOKING_ROUNDS {
        let (version, current) = caps.bookings(name, platform)?;
        if !current.iter().any(|b| b.reference == reference) {
            return Ok(());
        }
        let rest: Vec<Booking> = current
            .into_iter()
            .filter(|b| b.reference != reference)
            .collect();
        if caps.replace_bookings(name, platform, version, &rest)? {
            return Ok(());
        }
    }
    Err(format!(
        "campaign {name}: other posts kept booking first for {MAX_BOOKING_ROUNDS} rounds"
    ))
}
