//! Shared test support: the fake X API, the local API client, the bad-input table, the
//! Spin app runner, the moto server and the AWS fixtures on it (feature `aws`), the crash test's harness,
//! and helpers to find the built components.
#![allow(dead_code)]

pub mod api;
#[cfg(feature = "aws")]
pub mod aws;
pub mod bad_inputs;
pub mod browser;
pub mod campaigns;
pub mod cli;
pub mod crash;
pub mod fake_bluesky;
pub mod fake_linkedin;
pub mod fake_mastodon;
pub mod fake_x;
pub mod keyvalue;
pub mod ledger;
#[cfg(feature = "aws")]
pub mod moto;
pub mod receiver;
pub mod sdk;
pub mod serve;
pub mod spin;
pub mod venv;

use std::path::PathBuf;

/// The components the build put beside the host (see host/build.rs).
pub fn components_dir() -> PathBuf {
    PathBuf::from(env!("SPS_DEFAULT_COMPONENTS_DIR"))
}

/// The X credentials the fake X API accepts, as the secrets JSON.
pub const SECRETS_JSON: &str = r#"{"xApiKey":"test-consumer-key","xApiKeySecret":"test-consumer-secret","xBearerToken":"test-bearer","xAccessToken":"test-access-token","xAccessTokenSecret":"test-access-token-secret"}"#;

/// The files of the components embedded in `sps` (host/build.rs), sorted as the load
/// report and `/health` list them.
pub const COMPONENT_FILES: [&str; 6] = [
    "sps_bluesky.wasm",
    "sps_linkedin.wasm",
    "sps_mastodon.wasm",
    "sps_scheduler.wasm",
    "sps_sender.wasm",
    "sps_twitter.wasm",
];

/// The platform components embedded in `sps` (host/build.rs), sorted as the API lists them.
pub const PLATFORMS: [&str; 4] = ["bluesky", "linkedin", "mastodon", "twitter"];

/// The end of an `unsupported-platform` message of a host with [`PLATFORMS`] loaded.
pub const SUPPORTED: &str = "supported platforms: bluesky, linkedin, mastodon, twitter";

/// `YYYY-MM-DDTHH:MM:SS` of now plus `seconds`, UTC.
pub fn utc_in(seconds: i64) -> String {
    sps_host::caps::schedules::format_at(chrono::Utc::now() + chrono::Duration::seconds(seconds))
}

/// A precompiled-component cache shared by every test, so each component is compiled
/// once per build rather than once per test.
pub fn shared_cache_dir() -> PathBuf {
    components_dir().join("test-cache")
}

/// Copies the `.cwasm` files of the shared precompiled cache into `to` (none while the
/// cache is not there yet), so a test with a cache of its own does not compile the
/// components the cache already holds.
pub fn copy_shared_cache(to: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(shared_cache_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "cwasm") {
            let _ = std::fs::copy(&path, to.join(entry.file_name()));
        }
    }
}

/// Appends a custom section `name` holding `payload` to a component (binary format:
/// id 0, LEB128 size, name, bytes; both short enough for one-byte sizes), which changes
/// its digest and nothing else.
pub fn append_custom_section(wasm: &mut Vec<u8>, name: &str, payload: &[u8]) {
    let mut body = vec![u8::try_from(name.len()).expect("short name")];
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    wasm.push(0);
    wasm.push(u8::try_from(body.len()).expect("short section"));
    wasm.extend_from_slice(&body);
}

/// The detail of `Social Post Sent` for a single post that X (or the fake X) published as
/// `post_id`: `{"referenceNumber","postId","postIds","postUrl"}`.
pub fn sent_detail(reference: &str, post_id: impl std::fmt::Display) -> serde_json::Value {
    let id = post_id.to_string();
    serde_json::json!({
        "referenceNumber": reference,
        "postId": id,
        "postIds": [id],
        "postUrl": format!("https://x.com/i/web/status/{id}"),
    })
}

/// The sender's `sent` answer for a single post published as `post_id` on X.
pub fn sent_record(
    reference: &str,
    post_id: impl std::fmt::Display,
) -> sps_host::bindings::sending::Delivered {
    let id = post_id.to_string();
    sps_host::bindings::sending::Delivered::Sent(sps_host::bindings::sending::Sent {
        reference_number: reference.to_string(),
        post_url: Some(format!("https://x.com/i/web/status/{id}")),
        post_ids: vec![id.clone()],
        post_id: id,
    })
}
