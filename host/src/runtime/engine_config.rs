//! The one wasmtime configuration of the host. It is shared with `build.rs`, which
//! precompiles the embedded components with it (feature `precompiled`), because
//! wasmtime accepts precompiled code only from an engine with the same settings
//! (wasmtime docs, `Engine::precompile_component` and `Component::deserialize`).

/// The engine configuration: Cranelift with its defaults, plus epoch interruption (each
/// Store gets an epoch deadline). `build.rs` adds `Config::target` for the function's
/// architecture; the runtime uses the host's.
pub fn engine_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.epoch_interruption(true);
    config
}
