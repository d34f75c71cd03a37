//! The settings of platform components other than `twitter` (whose documented names are
//! `SPS_X_API_BASE_URL` and the secrets file's X keys), from one generic scheme, so a
//! new platform component needs no host change:
//!
//! - `SPS_PLATFORM_<NAME>_BASE_URL`: the component's base URL, given to it as `base_url`,
//!   and the only host it may call;
//! - `SPS_PLATFORM_<NAME>_<KEY>`: any other setting, given to it as `<key>` (lowercase);
//! - credentials per account: under `sps serve` in the secrets file under
//!   `platforms.<name>.<account>` ([`crate::local::secrets_file`]); on AWS in the Secrets
//!   Manager secret `<SPS_PLATFORM_SECRET_PREFIX><name>` (`aws::secrets`).
//!
//! The same variables serve `sps serve` and both Lambda functions. A variable whose value is
//! empty or blank counts as unset (a CloudFormation parameter left empty, say).
//!
//! `<NAME>` is the platform name in capitals (`sps_mastodon.wasm` is `MASTODON`): letters
//! and digits, so the first `_` after it starts the key.

use std::collections::HashMap;

use crate::caps::http::OutboundPolicy;
use crate::runtime::PlatformSettings;

/// The prefix of every generic platform setting.
pub const PREFIX: &str = "SPS_PLATFORM_";

/// The documented names of the base URLs of the platforms this project ships, each the
/// same as `SPS_PLATFORM_<NAME>_BASE_URL` (which wins when both are set), and the base URL
/// used when neither is set (the platform's public API; none for Mastodon, whose instance
/// is the user's).
pub const BASE_URL_ALIASES: &[(&str, &str, Option<&str>)] = &[
    (
        "SPS_LINKEDIN_API_BASE_URL",
        "SPS_PLATFORM_LINKEDIN_BASE_URL",
        Some("https://api.linkedin.com"),
    ),
    (
        "SPS_MASTODON_INSTANCE_URL",
        "SPS_PLATFORM_MASTODON_BASE_URL",
        None,
    ),
    (
        "SPS_BLUESKY_PDS_URL",
        "SPS_PLATFORM_BLUESKY_BASE_URL",
        Some("https://bsky.social"),
    ),
];

/// The platforms' settings named by `vars` (environment variables, name and value), by
/// platform name; `twitter` is left out (it has its own names), and so is a variable whose
/// value is empty or blank.
///
/// # Errors
/// When a `..._BASE_URL` is not an absolute http(s) URL (the message names the variable).
pub fn from_vars(
    vars: impl IntoIterator<Item = (String, String)>,
) -> anyhow::Result<HashMap<String, PlatformSettings>> {
    let mut platforms: HashMap<String, PlatformSettings> = HashMap::new();
    // Each variable as (the name the user set, the generic name it stands for, value).
    let vars: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .collect();
    let is_set = |name: &str| vars.iter().any(|(v, _)| v == name);
    let mut named: Vec<(String, String, String)> = vars
        .iter()
        .filter_map(
            |(var, value)| match BASE_URL_ALIASES.iter().find(|(alias, ..)| alias == var) {
                Some((_, generic, _)) if is_set(generic) => None,
                Some((_, generic, _)) => Some((var.clone(), generic.to_string(), value.clone())),
                None => Some((var.clone(), var.clone(), value.clone())),
            },
        )
        .collect();
    for (alias, generic, default) in BASE_URL_ALIASES {
        if let Some(default) = default.filter(|_| !is_set(alias) && !is_set(generic)) {
            named.push((
                generic.to_string(),
                generic.to_string(),
                default.to_string(),
            ));
        }
    }
    for (set_as, var, value) in named {
        let Some((name, key)) = var
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('_'))
        else {
            continue;
        };
        // `<NAME>` is a platform name (loader::is_platform_name) in capitals.
        let platform = name.to_ascii_lowercase();
        let valid = !key.is_empty()
            && name == platform.to_ascii_uppercase()
            && crate::runtime::loader::is_platform_name(&platform);
        if !valid || platform == "twitter" {
            continue;
        }
        let settings = platforms.entry(platform).or_default();
        let key = key.to_ascii_lowercase();
        if key == "base_url" {
            settings.outbound = OutboundPolicy::deny_all()
                .allow_url(&value)
                .map_err(|e| anyhow::anyhow!("{set_as}: {e}"))?;
            settings
                .config
                .insert(key, value.trim_end_matches('/').to_string());
        } else {
            settings.config.insert(key, value);
        }
    }
    Ok(platforms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn each_platform_gets_its_keys_and_its_base_url_as_the_allowed_host() -> anyhow::Result<()> {
        let platforms = from_vars(vars(&[
            (
                "SPS_PLATFORM_MASTODON_BASE_URL",
                "https://mastodon.example/",
            ),
            ("SPS_PLATFORM_MASTODON_CHARACTERS_RESERVED_PER_URL", "23"),
            ("SPS_PLATFORM_TWITTER_BASE_URL", "https://ignored.example"),
            ("SPS_PLATFORM_bad_KEY", "x"),
            ("SPS_PLATFORM_NOKEY", "x"),
            ("HOME", "/root"),
        ]))?;
        let mut names: Vec<&String> = platforms.keys().collect();
        names.sort();
        // bluesky and linkedin with their default base URLs.
        assert_eq!(names, ["bluesky", "linkedin", "mastodon"]);
        let mastodon = &platforms["mastodon"];
        let mut config: Vec<(&String, &String)> = mastodon.config.iter().collect();
        config.sort();
        assert_eq!(
            config,
            [
                (
                    &"base_url".to_string(),
                    &"https://mastodon.example".to_string()
                ),
                (
                    &"characters_reserved_per_url".to_string(),
                    &"23".to_string()
                ),
            ]
        );
        let allows = |uri: &str| mastodon.outbound.allows(&uri.parse().expect("uri"));
        assert!(allows("https://mastodon.example/api/v1/statuses"));
        assert!(!allows("https://other.example/"));
        Ok(())
    }

    #[test]
    fn the_documented_names_are_aliases_of_the_generic_base_url() -> anyhow::Result<()> {
        let platforms = from_vars(vars(&[
            ("SPS_MASTODON_INSTANCE_URL", "https://m.example/"),
            ("SPS_LINKEDIN_API_BASE_URL", "https://alias.example"),
            ("SPS_PLATFORM_LINKEDIN_BASE_URL", "https://generic.example"),
        ]))?;
        let base = |p: &str| platforms[p].config.get("base_url").cloned();
        assert_eq!(base("mastodon").as_deref(), Some("https://m.example"));
        assert_eq!(base("linkedin").as_deref(), Some("https://generic.example"));
        assert_eq!(base("bluesky").as_deref(), Some("https://bsky.social"));
        // Unset, the platforms with a public API get it; Mastodon gets none.
        let defaults = from_vars(Vec::new())?;
        let mut names: Vec<&String> = defaults.keys().collect();
        names.sort();
        assert_eq!(names, ["bluesky", "linkedin"]);
        assert_eq!(
            defaults["linkedin"]
                .config
                .get("base_url")
                .map(String::as_str),
            Some("https://api.linkedin.com")
        );
        assert!(defaults["linkedin"]
            .outbound
            .allows(&"https://api.linkedin.com/rest/posts".parse()?));
        let err = from_vars(vars(&[("SPS_MASTODON_INSTANCE_URL", "mastodon.example")]))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref()
                .map(|e| e.starts_with("SPS_MASTODON_INSTANCE_URL: ")),
            Some(true),
            "{err:?}"
        );
        Ok(())
    }

    #[test]
    fn an_empty_variable_counts_as_unset() -> anyhow::Result<()> {
        // As a CloudFormation parameter left empty sets it.
        let platforms = from_vars(vars(&[
            ("SPS_MASTODON_INSTANCE_URL", ""),
            ("SPS_PLATFORM_BLUESKY_BASE_URL", " "),
            ("SPS_PLATFORM_LINKEDIN_LINKEDIN_VERSION", ""),
        ]))?;
        let mut names: Vec<&String> = platforms.keys().collect();
        names.sort();
        assert_eq!(names, ["bluesky", "linkedin"]);
        assert_eq!(
            platforms["bluesky"]
                .config
                .get("base_url")
                .map(String::as_str),
            Some("https://bsky.social")
        );
        assert_eq!(platforms["linkedin"].config.len(), 1);
        Ok(())
    }

    #[test]
    fn a_base_url_that_is_no_url_is_refused_naming_the_variable() {
        let err = from_vars(vars(&[("SPS_PLATFORM_BSKY_BASE_URL", "bsky.social")]))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref()
                .map(|e| e.starts_with("SPS_PLATFORM_BSKY_BASE_URL: ")),
            Some(true),
            "{err:?}"
        );
    }
}
