//! Reason codes of the scheduler's own rejections.
//!
//! Platform validation errors (`empty-message`, `message-too-long`, `invalid-characters`, ...)
//! are not listed here: their code is passed through exactly as the platform component gave it.

/// A machine-readable reason why a request cannot be scheduled. The codes are stable: they are
/// published in `Social Post Failed` events (`reason`) and returned in rejections (`code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// `invalid-json`: the event text is not JSON.
    InvalidJson,
    /// `invalid-event`: the JSON is not an object, or an envelope's `detail` is missing or not
    /// an object.
    InvalidEvent,
    /// `unsupported-detail-type`: the envelope's `detail-type` is not `Schedule Social Post`.
    UnsupportedDetailType,
    /// `missing-field`: a required field (`message`, `platform`, `scheduledDate`) is absent or null.
    MissingField,
    /// `invalid-field`: a field has the wrong JSON type (every field is a string).
    InvalidField,
    /// `unsupported-platform`: `platform` is not one of the loaded platforms (case-sensitive).
    UnsupportedPlatform,
    /// `invalid-scheduled-date`: `scheduledDate` is not a valid `YYYY-MM-DDTHH:MM:SS` date-time.
    InvalidScheduledDate,
    /// `scheduled-date-in-past`: `scheduledDate` is more than 300 seconds before now.
    ScheduledDateInPast,
    /// `scheduled-date-too-far`: `scheduledDate` is more than 10 years (120 calendar months)
    /// after now ([`crate::date::HORIZON_MONTHS`]).
    ScheduledDateTooFar,
    /// `invalid-time-zone`: `timeZone` is not an IANA time zone name ([`crate::zone`]).
    InvalidTimeZone,
    /// `unknown-campaign`: no campaign has the event's `campaign` name.
    UnknownCampaign,
    /// `invalid-campaign`: the campaign's plan cannot be read (the message says why).
    InvalidCampaign,
    /// `campaign-full`: the campaign has no free slot on the platform in the next 90 days.
    CampaignFull,
    /// `schedule-not-found`: a cancel found no pending post of that reference and
    /// platform ([`crate::cancel`]).
    ScheduleNotFound,
    /// `already-sent`: a cancel came after every part of the post was published.
    AlreadySent,
    /// `already-sending`: a cancel came while a delivery holds the post's claim.
    AlreadySending,
    /// `schedule-rejected`: the schedule store refused the schedule as it is
    /// (`schedule-error::invalid`): EventBridge Scheduler's ValidationException, or, locally,
    /// an update of a post whose delivery is under way.
    ScheduleRejected,
}

impl Reason {
    /// Every reason, in declaration order (for tests and documentation).
    pub const ALL: [Reason; 17] = [
        Reason::InvalidJson,
        Reason::InvalidEvent,
        Reason::UnsupportedDetailType,
        Reason::MissingField,
        Reason::InvalidField,
        Reason::UnsupportedPlatform,
        Reason::InvalidScheduledDate,
        Reason::ScheduledDateInPast,
        Reason::ScheduledDateTooFar,
        Reason::InvalidTimeZone,
        Reason::UnknownCampaign,
        Reason::InvalidCampaign,
        Reason::CampaignFull,
        Reason::ScheduleNotFound,
        Reason::AlreadySent,
        Reason::AlreadySending,
        Reason::ScheduleRejected,
    ];

    /// The kebab-case code as it appears in events and rejections, e.g. `invalid-json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::InvalidJson => "invalid-json",
            Reason::InvalidEvent => "invalid-event",
            Reason::UnsupportedDetailType => "unsupported-detail-type",
            Reason::MissingField => "missing-field",
            Reason::InvalidField => "invalid-field",
            Reason::UnsupportedPlatform => "unsupported-platform",
            Reason::InvalidScheduledDate => "invalid-scheduled-date",
            Reason::ScheduledDateInPast => "scheduled-date-in-past",
            Reason::ScheduledDateTooFar => "scheduled-date-too-far",
            Reason::InvalidTimeZone => "invalid-time-zone",
            Reason::UnknownCampaign => "unknown-campaign",
            Reason::InvalidCampaign => "invalid-campaign",
            Reason::CampaignFull => "campaign-full",
            Reason::ScheduleNotFound => "schedule-not-found",
            Reason::AlreadySent => "already-sent",
            Reason::AlreadySending => "already-sending",
            Reason::ScheduleRejected => "schedule-rejected",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason a request cannot be scheduled: a reason code and a sentence for people.
///
/// `code` is a [`Reason`] code, or a platform's validation code passed through as-is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Machine-readable reason code, e.g. `missing-field` or `message-too-long`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl Problem {
    /// A problem with one of the scheduler's own reason codes.
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        Problem {
            code: reason.as_str().to_owned(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Reason;

    #[test]
    fn codes_are_exact() {
        let codes: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            codes,
            [
                "invalid-json",
                "invalid-event",
                "unsupported-detail-type",
                "missing-field",
                "invalid-field",
                "unsupported-platform",
                "invalid-scheduled-date",
                "scheduled-date-in-past",
                "scheduled-date-too-far",
                "invalid-time-zone",
                "unknown-campaign",
                "invalid-campaign",
                "campaign-full",
                "schedule-not-found",
                "already-sent",
                "already-sending",
                "schedule-rejected",
            ]
        );
        assert_eq!(Reason::MissingField.to_string(), "missing-field");
    }
}
