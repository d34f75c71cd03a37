//! Shared test support: the fake X API, the local API client, the bad-input table, the
//! Spin app runner, the moto server and the AWS fixtures on it (feature `aws`), the crash test's harness,
//! and helpers to find the built components.
#![allow(dead_code)]

pub mod api;
#[cfg(feature = "aws")]
pub mod aws;
pub mod bad_inputs;
pub mod crash;
pub mod fake_x;
#[cfg(feature = "aws")]
pub mod moto;
pub mod serve;
pub mod spin;

use std::path::PathBuf;

/// The components the build put beside the host (see host/build.rs).
pub fn components_dir() -> PathBuf {
    PathBuf::from(env!("SPS_DEFAULT_COMPONENTS_DIR"))
}

/// The X credentials the fake X API accepts, as the secrets JSON.
pub const SECRETS_JSON: &str = r#"{"xApiKey":"test-consumer-key","xApiKeySecret":"test-consumer-secret","xBearerToken":"test-bearer","xAccessToken":"test-access-token","xAccessTokenSecret":"test-access-token-secret"}"#;

/// `YYYY-MM-DDTHH:MM:SS` of now plus `seconds`, UTC.
pub fn utc_in(seconds: i64) -> String {
    sps_host::caps::schedules::format_at(chrono::Utc::now() + chrono::Duration::seconds(seconds))
}

/// A precompiled-component cache shared by every test, so each component is compiled
/// once per build rather than once per test.
pub fn shared_cache_dir() -> PathBuf {
    components_dir().join("test-cache")
}
