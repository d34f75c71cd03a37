//! What each of our component worlds may import (wit/components.wit), for the hosts that
//! check a component before using it: the wasmtime host's loader (`host/src/runtime/loader.rs`)
//! and the Spin app's composer (`components/spin/compose`). A component that imports
//! anything else is refused, so a swapped component cannot reach a capability its world
//! does not grant (another platform's credentials through Spin's variables, say).

/// Imports every component may have: what Rust's standard library uses (name prefixes).
pub const COMMON_IMPORTS: &[&str] = &[
    "wasi:cli/",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:filesystem/",
];

/// The `wasi:config/store` version every host supplies (the draft Spin implements).
pub const CONFIG_STORE: &str = "wasi:config/store@0.2.0-draft-2024-09-27";

/// The `wasi:keyvalue` version every host supplies to platform components (the draft
/// Spin implements).
pub const KEYVALUE_VERSION: &str = "0.2.0-draft2";

/// Imports of the world `sps:social/scheduler` (without `@version`).
pub const SCHEDULER_IMPORTS: &[&str] = &[
    "wasi:config/store",
    "sps:social/types",
    "sps:social/platforms",
    "sps:social/schedules",
    "sps:social/events",
    "sps:social/ledger",
    "sps:social/campaigns",
];

/// Imports of the world `sps:social/sender` (without `@version`).
pub const SENDER_IMPORTS: &[&str] = &[
    "sps:social/types",
    "sps:social/platforms",
    "sps:social/events",
    "sps:social/ledger",
    "sps:social/campaigns",
];

/// Imports of the world `sps:social/platform-component`, plus outbound HTTP (without
/// `@version`).
pub const PLATFORM_IMPORTS: &[&str] = &[
    "wasi:config/store",
    "wasi:keyvalue/store",
    "wasi:keyvalue/atomics",
    "sps:social/types",
    "wasi:http/outgoing-handler",
    "wasi:http/types",
];

/// The first of `imports` (interface names such as `wasi:io/streams@0.2.6`) that neither
/// [`COMMON_IMPORTS`] nor `world` grants (compared without the `@version`), or a
/// `wasi:config/store` of another version than [`CONFIG_STORE`], or a `wasi:keyvalue`
/// interface of another version than [`KEYVALUE_VERSION`].
pub fn first_not_granted<'a>(
    imports: impl IntoIterator<Item = &'a str>,
    world: &[&str],
) -> Option<&'a str> {
    imports.into_iter().find(|name| {
        let unversioned = name.split('@').next().unwrap_or(name);
        let granted = COMMON_IMPORTS.iter().any(|p| unversioned.starts_with(p))
            || world.contains(&unversioned);
        let keyvalue_version = unversioned.starts_with("wasi:keyvalue/")
            && name.split_once('@').map(|(_, v)| v) != Some(KEYVALUE_VERSION);
        !granted
            || (unversioned == "wasi:config/store" && *name != CONFIG_STORE)
            || keyvalue_version
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_the_world_and_the_standard_library_only() {
        let scheduler = [
            "wasi:io/streams@0.2.6",
            "wasi:config/store@0.2.0-draft-2024-09-27",
            "sps:social/schedules@0.3.0",
        ];
        assert_eq!(first_not_granted(scheduler, SCHEDULER_IMPORTS), None);
        assert_eq!(
            first_not_granted(
                ["wasi:io/poll@0.2.0", "fermyon:spin/variables@2.0.0"],
                SCHEDULER_IMPORTS
            ),
            Some("fermyon:spin/variables@2.0.0")
        );
        assert_eq!(
            first_not_granted(["wasi:http/outgoing-handler@0.2.6"], SENDER_IMPORTS),
            Some("wasi:http/outgoing-handler@0.2.6")
        );
        assert_eq!(
            first_not_granted(["wasi:config/store@0.2.0-draft"], PLATFORM_IMPORTS),
            Some("wasi:config/store@0.2.0-draft")
        );
        assert_eq!(
            first_not_granted(["wasi:keyvalue/atomics@0.2.0-draft2"], PLATFORM_IMPORTS),
            None
        );
        assert_eq!(
            first_not_granted(["wasi:keyvalue/store@0.2.0-draft"], PLATFORM_IMPORTS),
            Some("wasi:keyvalue/store@0.2.0-draft")
        );
        assert_eq!(
            first_not_granted(["wasi:keyvalue/store@0.2.0-draft2"], SENDER_IMPORTS),
            Some("wasi:keyvalue/store@0.2.0-draft2")
        );
        assert_eq!(
            first_not_granted(["wasi:config/store@0.2.0-draft-2024-09-27"], SENDER_IMPORTS),
            Some("wasi:config/store@0.2.0-draft-2024-09-27")
        );
    }
}
