//! WASI glue (wasm32 only): [`crate::Mastodon`] exported as `sps:social/platform` by the
//! shared [`sps_platform::export_platform!`]. No rules live here.

sps_platform::export_platform!(crate::Mastodon);
