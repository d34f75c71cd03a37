//! WASI glue (wasm32 only): [`crate::Bluesky`] exported as `sps:social/platform` by the
//! shared [`sps_platform::export_platform!`]. No rules live here.

sps_platform::export_platform!(crate::Bluesky);
