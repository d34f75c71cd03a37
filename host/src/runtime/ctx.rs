//! The data of one Store: WASI state, the component's settings and outbound policy,
//! and handles to the shared backends.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::{Components, Runtime};
use crate::caps::http::OutboundPolicy;
use crate::caps::Backends;

/// Store data shared by all three worlds; a fresh one is made for every call.
pub struct Ctx {
    wasi: WasiCtx,
    table: ResourceTable,
    http: WasiHttpCtx,
    outbound: OutboundPolicy,
    pub(crate) limits: StoreLimits,
    /// `wasi:config/store` keys and values visible to this component.
    pub(crate) config: HashMap<String, String>,
    pub(crate) backends: Backends,
    /// The components loaded when the call began (a reload does not change them mid-call).
    pub(crate) components: Arc<Components>,
    pub(crate) runtime: Runtime,
    /// The `wasi:keyvalue` scope of a platform call, `<platform>/<account>`; `None` in any
    /// other call (the bucket cannot be opened).
    pub(crate) kv_scope: Option<String>,
}

impl Ctx {
    /// A Store's data with no environment, arguments or preopened directories,
    /// `memory_bytes` of linear memory at most, and the given settings and outbound hosts.
    pub(crate) fn new(
        runtime: Runtime,
        components: Arc<Components>,
        config: HashMap<String, String>,
        outbound: OutboundPolicy,
        memory_bytes: usize,
    ) -> Self {
        let wasi = wasmtime_wasi::WasiCtxBuilder::new()
            .inherit_stderr()
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            outbound,
            limits: StoreLimitsBuilder::new()
                .memory_size(memory_bytes)
                .instances(16)
                .tables(16)
                .memories(4)
                .trap_on_grow_failure(true)
                .build(),
            config,
            backends: runtime.backends().clone(),
            components,
            runtime,
            kv_scope: None,
        }
    }

    /// The table of this Store's resources.
    pub(crate) fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}

impl WasiView for Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for Ctx {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}
