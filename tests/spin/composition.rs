//! How the Spin apps are composed: they nest the very component files the host loads, and
//! only the platform components can reach the network.

use sha2::Digest as _;

use super::support;

/// The SHA-256 of the host's components are found among the nested components of the
/// apps Spin runs: the scheduler in the HTTP app, the sender in the cron app, every
/// platform in both.
pub fn the_apps_nest_the_hosts_component_bytes() {
    let built = support::spin::build_app();
    let digest = |file: &str| {
        let bytes = std::fs::read(support::components_dir().join(file)).expect("component");
        sps_spin_compose::hex(&sha2::Sha256::digest(bytes))
    };
    let nested = |app: &str| {
        let bytes = std::fs::read(built.join(app)).expect("app");
        sps_spin_compose::nested_component_digests(&bytes).expect("digests")
    };
    let (http, cron) = (nested("sps_http_app.wasm"), nested("sps_cron_app.wasm"));
    let (scheduler, sender) = (digest("sps_scheduler.wasm"), digest("sps_sender.wasm"));
    assert!(
        http.contains(&scheduler),
        "scheduler {scheduler} not in {http:?}"
    );
    assert!(cron.contains(&sender), "sender {sender} not in {cron:?}");
    // Every platform component, in both apps (the HTTP app's only validate).
    for platform in support::PLATFORMS {
        let file = digest(&format!("sps_{platform}.wasm"));
        assert!(http.contains(&file), "{platform} {file} not in {http:?}");
        assert!(cron.contains(&file), "{platform} {file} not in {cron:?}");
    }
    assert!(!cron.contains(&scheduler) && !http.contains(&sender));
}

/// Only the platform components can reach the network: of every component the apps nest,
/// only the four platforms import `wasi:http/outgoing-handler`, and the HTTP app, whose
/// platform instances only validate, is granted no outbound host in spin.toml.
pub fn only_the_platform_component_imports_outgoing_http() {
    support::spin::build_app();
    let dir = support::components_dir();
    let outgoing = |bytes: &[u8]| {
        sps_spin_compose::import_names(bytes)
            .expect("imports")
            .iter()
            .any(|name| name.starts_with("wasi:http/outgoing-handler@"))
    };
    let mut importers = Vec::new();
    for file in [
        "sps_scheduler.wasm",
        "sps_sender.wasm",
        "sps_bluesky.wasm",
        "sps_linkedin.wasm",
        "sps_mastodon.wasm",
        "sps_twitter.wasm",
        "sps_spin_caps.wasm",
        "sps_spin_config.wasm",
        "sps_spin_platform_link.wasm",
        "sps_spin_no_platforms.wasm",
        "sps_spin_http.wasm",
        "sps_spin_cron.wasm",
    ] {
        if outgoing(&std::fs::read(dir.join(file)).expect("component")) {
            importers.push(file);
        }
    }
    assert_eq!(
        importers,
        [
            "sps_bluesky.wasm",
            "sps_linkedin.wasm",
            "sps_mastodon.wasm",
            "sps_twitter.wasm"
        ]
    );
    let manifest =
        std::fs::read_to_string(support::spin::root().join("spin.toml")).expect("spin.toml");
    let http = manifest
        .split("[component.sps-http]")
        .nth(1)
        .expect("sps-http");
    let http = http.split("[component.sps-cron]").next().expect("section");
    assert!(http.contains("allowed_outbound_hosts = []"), "{http}");
}
