//! [`checked_base_url`]: the one check of a platform's `base_url` setting before anything
//! is sent to it (the host allows the component that URL's host only; this catches a
//! setting that could never work, for the operator to fix).

use crate::types::PublishError;

/// The setting every platform component reads its API's base URL from.
pub const SETTING_BASE_URL: &str = "base_url";

/// `base_url` without surrounding white space and trailing `/`s, when it is an absolute
/// `http`/`https` URL (scheme case-insensitive) with a host, without user information,
/// query, fragment, white space or control characters; a path prefix is kept
/// (`https://proxy.example/mastodon`).
///
/// # Errors
/// `transient("invalid setting base_url: <why>; it must be <what> http(s) URL")`, nothing
/// sent: `what` names the service for people (`the instance's`, `the PDS's`).
pub fn checked_base_url(base_url: &str, what: &str) -> Result<String, PublishError> {
    let invalid = |why: &str| {
        PublishError::Transient(format!(
            "invalid setting {SETTING_BASE_URL}: {why}; it must be {what} http(s) URL"
        ))
    };
    let trimmed = base_url.trim().trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        trimmed.get("https://".len()..)
    } else if lower.starts_with("http://") {
        trimmed.get("http://".len()..)
    } else {
        None
    };
    let Some(rest) = rest else {
        return Err(invalid("not an http or https URL"));
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() {
        return Err(invalid("no host"));
    }
    if authority.contains('@') {
        return Err(invalid("user information is not allowed in the URL"));
    }
    if rest.contains(['?', '#']) {
        return Err(invalid("it has a query or fragment"));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("it holds white space or control characters"));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usable_base_url_is_trimmed_and_an_unusable_one_is_named() {
        assert_eq!(
            checked_base_url(" HTTPS://api.example/prefix// ", "the API's"),
            Ok("HTTPS://api.example/prefix".to_string())
        );
        let why = |base: &str| match checked_base_url(base, "the API's") {
            Err(PublishError::Transient(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            why("api.example"),
            "invalid setting base_url: not an http or https URL; it must be the API's http(s) URL"
        );
        assert_eq!(
            why("https:///rest"),
            "invalid setting base_url: no host; it must be the API's http(s) URL"
        );
        assert_eq!(
            why("https://u:p@api.example"),
            "invalid setting base_url: user information is not allowed in the URL; it must be the API's http(s) URL"
        );
        assert_eq!(
            why("https://api.example/?x=1"),
            "invalid setting base_url: it has a query or fragment; it must be the API's http(s) URL"
        );
        assert_eq!(
            why("https://api.example/a b"),
            "invalid setting base_url: it holds white space or control characters; it must be the API's http(s) URL"
        );
    }
}
