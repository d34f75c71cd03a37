//! The answer for a platform that is not loaded, given by every host's `platforms`
//! capability (the wasmtime host's `host/src/caps/platforms.rs` and the Spin app's platforms
//! chain), so the scheduler's rejection reads the same everywhere.

/// The reason code of a message for a platform that is not loaded.
pub const UNSUPPORTED_PLATFORM: &str = "unsupported-platform";

/// How [`unsupported`] messages begin.
pub const UNSUPPORTED_PREFIX: &str = "platform ";

/// `platform "x" is not supported; supported platforms: a, b`.
pub fn unsupported(platform: &str, supported: &[String]) -> String {
    format!(
        "platform {platform:?} is not supported; supported platforms: {}",
        supported.join(", ")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_the_supported_platforms() {
        assert_eq!(
            super::unsupported("x", &["twitter".to_string()]),
            "platform \"x\" is not supported; supported platforms: twitter"
        );
        assert_eq!(
            super::unsupported("x", &[]),
            "platform \"x\" is not supported; supported platforms: "
        );
    }
}
