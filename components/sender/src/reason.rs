//! Reason codes of the sender's `Social Post Failed` events and retry hints.

/// A machine-readable reason why a delivery did not end in a published post. The codes are
/// stable: they appear in `Social Post Failed` events (`reason`), failure reports and
/// retry-later hints (`code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// `invalid-input`: the schedule input is not the expected JSON object of four strings.
    InvalidInput,
    /// `unsupported-platform`: the input names a platform that is not loaded.
    UnsupportedPlatform,
    /// `missing-credentials`: the platform's credentials are not configured; nothing was sent.
    MissingCredentials,
    /// `auth-failed`: the platform rejected the credentials (X: HTTP 401).
    AuthFailed,
    /// `forbidden`: the platform refused the request (X: HTTP 403 other than duplicates).
    Forbidden,
    /// `duplicate-content`: the platform refused the post as a duplicate (X: HTTP 403).
    DuplicateContent,
    /// `rejected-by-platform`: the platform rejected the post's content or shape (X: HTTP 400).
    RejectedByPlatform,
    /// `rate-limited`: the platform rate-limited the request (X: HTTP 429).
    RateLimited,
    /// `usage-capped`: the account's usage cap is reached (X: HTTP 429, `usage-capped` type).
    UsageCapped,
    /// `platform-unavailable`: the request failed before the platform could act on it.
    PlatformUnavailable,
    /// `unknown-outcome`: the post may or may not have been published.
    UnknownOutcome,
    /// `ledger-unavailable`: the send ledger could not be used; nothing was sent.
    LedgerUnavailable,
    /// `events-unavailable`: an outcome event could not be published.
    EventsUnavailable,
    /// `expired`: the delivery came more than an hour after the moment the schedule was due;
    /// the post was not published.
    Expired,
    /// `delivery-failed`: the host gave up on the delivery without an outcome from the sender
    /// (it failed on the final delivery); the post may or may not have been published.
    DeliveryFailed,
    /// Part of a thread was published and the rest was not: on the final delivery, or at
    /// once when continuing could publish a part twice.
    ThreadIncomplete,
    /// `cancelled`: the post was cancelled before this delivery claimed it; nothing was
    /// published and no event is published (the cancel reported `Social Post Cancelled`).
    Cancelled,
    /// `campaigns-unavailable`: a metrics reading could not record its score (a retry-later
    /// hint only; readings report no event).
    CampaignsUnavailable,
}

impl Reason {
    /// Every reason, in declaration order.
    pub const ALL: [Reason; 18] = [
        Reason::InvalidInput,
        Reason::UnsupportedPlatform,
        Reason::MissingCredentials,
        Reason::AuthFailed,
        Reason::Forbidden,
        Reason::DuplicateContent,
        Reason::RejectedByPlatform,
        Reason::RateLimited,
        Reason::UsageCapped,
        Reason::PlatformUnavailable,
        Reason::UnknownOutcome,
        Reason::LedgerUnavailable,
        Reason::EventsUnavailable,
        Reason::Expired,
        Reason::DeliveryFailed,
        Reason::ThreadIncomplete,
        Reason::Cancelled,
        Reason::CampaignsUnavailable,
    ];

    /// The kebab-case code, e.g. `auth-failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::InvalidInput => "invalid-input",
            Reason::UnsupportedPlatform => "unsupported-platform",
            Reason::MissingCredentials => "missing-credentials",
            Reason::AuthFailed => "auth-failed",
            Reason::Forbidden => "forbidden",
            Reason::DuplicateContent => "duplicate-content",
            Reason::RejectedByPlatform => "rejected-by-platform",
            Reason::RateLimited => "rate-limited",
            Reason::UsageCapped => "usage-capped",
            Reason::PlatformUnavailable => "platform-unavailable",
            Reason::UnknownOutcome => "unknown-outcome",
            Reason::LedgerUnavailable => "ledger-unavailable",
            Reason::EventsUnavailable => "events-unavailable",
            Reason::Expired => "expired",
            Reason::DeliveryFailed => "delivery-failed",
            Reason::ThreadIncomplete => "thread-incomplete",
            Reason::Cancelled => "cancelled",
            Reason::CampaignsUnavailable => "campaigns-unavailable",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
                "invalid-input",
                "unsupported-platform",
                "missing-credentials",
                "auth-failed",
                "forbidden",
                "duplicate-content",
                "rejected-by-platform",
                "rate-limited",
                "usage-capped",
                "platform-unavailable",
                "unknown-outcome",
                "ledger-unavailable",
                "events-unavailable",
                "expired",
                "delivery-failed",
                "thread-incomplete",
                "cancelled",
                "campaigns-unavailable",
            ]
        );
        assert_eq!(Reason::AuthFailed.to_string(), "auth-failed");
    }
}
