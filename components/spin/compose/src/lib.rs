//! Composes the two components of the Spin app (`spin.toml`) with wac-graph:
//!
//! ```text
//! sps_http_app.wasm  (HTTP trigger)              sps_cron_app.wasm  (cron trigger)
//!   sps_spin_http     -> scheduling, platforms     sps_spin_cron   -> sending
//!   sps_scheduler     -> config (filtered),        sps_sender      -> platforms, events,
//!                        platforms, schedules,                        ledger, campaigns
//!                        events, ledger,
//!                        campaigns
//!   platforms chain: one sps_spin_platform_link per platform -> sps_<platform> (config
//!                    filtered, key-value scoped) ... -> sps_spin_no_platforms
//!   sps_spin_caps: schedules, events, ledger, campaigns on spin:sqlite (plans from the
//!                  Spin variable `campaigns`)
//! ```
//!
//! Spin plugs only a main component's imports (`[component.X.dependencies]`), never a
//! dependency's, so the scheduler's and sender's imports of `sps:social/*` are plugged here,
//! ahead of time. Each of our components is embedded byte for byte as a nested component
//! (wac-graph copies a package's bytes), so what Spin runs is what the host loads.
//! Everything left unplugged (WASI, `wasi:config/store`, `spin:sqlite`,
//! `wasi:http/outgoing-handler`) becomes an import of the composed app, supplied by Spin.
//!
//! Each nested component that reads settings sees only its own keys: its
//! `wasi:config/store` import goes through an instance of `sps_spin_config` whose `scope`
//! lists them for each account (`[account:]key[=variable]`); a platform component's
//! `wasi:keyvalue` imports go through the same instance, which prefixes every key with
//! `<platform>/<account>/`. A platform link's scope names its platform; it sets the
//! platform and the post's account in that filter (`sps:spin/account`) before each call.
//! Per platform the app instantiates five core modules with a linear memory each (the
//! platform, its filter, its link, and the generated scopes of the filter and the link);
//! Spin's pooling allocator allows 32 linear memories in one app instance
//! (`SPIN_WASMTIME_INSTANCE_MEMORIES`), so the HTTP app holds five platforms (four
//! ship; `spin up` refuses an app over the limit with "exceeds the configured maximum"). A scope is a tiny component
//! made here ([`scope_component`]) exporting `sps:spin/scope@0.1.0`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions, NodeId, PackageId};

const CONFIG: &str = "wasi:config/store@0.2.0-draft-2024-09-27";
const KV_STORE: &str = "wasi:keyvalue/store@0.2.0-draft2";
const KV_ATOMICS: &str = "wasi:keyvalue/atomics@0.2.0-draft2";
const SCOPE: &str = "sps:spin/scope@0.1.0";
const ACCOUNT: &str = "sps:spin/account@0.1.0";
const PLATFORM: &str = "sps:social/platform@0.3.0";
const PLATFORMS: &str = "sps:social/platforms@0.3.0";
const SCHEDULES: &str = "sps:social/schedules@0.3.0";
const EVENTS: &str = "sps:social/events@0.3.0";
const LEDGER: &str = "sps:social/ledger@0.3.0";
const CAMPAIGNS: &str = "sps:social/campaigns@0.3.0";
const SCHEDULING: &str = "sps:social/scheduling@0.3.0";
const SENDING: &str = "sps:social/sending@0.3.0";
const HTTP_HANDLER: &str = "wasi:http/incoming-handler@";
const CRON_EXPORT: &str = "handle-cron-event";

/// One platform component to compose: `sps_<name>.wasm`, and the `wasi:config/store`
/// keys it may read (the Spin variables of the same names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformPlan {
    /// The platform name (`twitter`), as events name it.
    pub name: String,
    /// Its setting keys, e.g. `x_api_key`.
    pub settings: Vec<String>,
}

/// What to compose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The directory with `sps_scheduler.wasm`, `sps_sender.wasm`, `sps_<platform>.wasm`
    /// and the `sps_spin_*.wasm` glue (the wasm32-wasip2 release output).
    pub components_dir: PathBuf,
    /// The scheduler's setting keys (`flexible_window_minutes`).
    pub scheduler_settings: Vec<String>,
    /// The platform components, in the order of the chain.
    pub platforms: Vec<PlatformPlan>,
}

/// A component that exports `sps:spin/scope@0.1.0` whose `names` returns `names`.
///
/// The core module keeps the answer in its data segment: at offset 0 the list's pointer
/// and length, then one (pointer, length) pair per string, then the strings' UTF-8 bytes,
/// as the canonical ABI lifts a `list<string>` result [Component Model, CanonicalABI.md:
/// flat results over one value are returned through a pointer].
///
/// # Errors
/// When the names do not fit in one 64 KiB page.
pub fn scope_component(names: &[String]) -> anyhow::Result<Vec<u8>> {
    let count = u32::try_from(names.len())?;
    let mut data: Vec<u8> = Vec::new();
    data.extend(8u32.to_le_bytes());
    data.extend(count.to_le_bytes());
    let mut offset = 8 + 8 * count;
    for name in names {
        let len = u32::try_from(name.len())?;
        data.extend(offset.to_le_bytes());
        data.extend(len.to_le_bytes());
        offset += len;
    }
    for name in names {
        data.extend(name.as_bytes());
    }
    if data.len() > 65_536 {
        bail!("the scope {names:?} does not fit in one page");
    }
    let escaped: String = data.iter().map(|b| format!("\\{b:02x}")).collect();
    let wat = format!(
        r#"(component
  (core module $m
    (memory (export "memory") 1)
    (data (i32.const 0) "{escaped}")
    (func (export "names") (result i32) i32.const 0))
  (core instance $i (instantiate $m))
  (func $names (result (list string)) (canon lift (core func $i "names") (memory (core memory $i "memory"))))
  (instance $scope (export "names" (func $names)))
  (export "{SCOPE}" (instance $scope)))"#
    );
    Ok(wat::parse_str(wat)?)
}

/// The graph being built, with the packages registered so far.
struct Builder<'a> {
    graph: CompositionGraph,
    plan: &'a Plan,
    scopes: usize,
}

impl Builder<'_> {
    fn package(&mut self, file: &str) -> anyhow::Result<PackageId> {
        let path = self.plan.components_dir.join(file);
        let name = format!("sps:{}", file.trim_end_matches(".wasm").replace('_', "-"));
        let package = Package::from_file(&name, None, &path, self.graph.types_mut())
            .with_context(|| format!("cannot read the component {}", path.display()))?;
        Ok(self.graph.register_package(package)?)
    }

    fn instance(&mut self, file: &str) -> anyhow::Result<NodeId> {
        let package = self.package(file)?;
        Ok(self.graph.instantiate(package))
    }

    /// An instance of one of our components, refused when it imports anything its world
    /// does not grant ([`sps_contract::worlds`]): every import the composer does not plug
    /// goes to Spin, which would otherwise hand it Spin's variables (every credential) or
    /// the network.
    fn checked(&mut self, file: &str, world: &[&str]) -> anyhow::Result<NodeId> {
        let package = self.package(file)?;
        let ty = self.graph[package].ty();
        let imports = self.graph.types()[ty].imports.keys().map(String::as_str);
        if let Some(name) = sps_contract::worlds::first_not_granted(imports, world) {
            bail!(
                "{} imports {name}, which its world does not grant; it is not composed",
                self.plan.components_dir.join(file).display()
            );
        }
        Ok(self.graph.instantiate(package))
    }

    /// Plugs `export` of `from` into the import `import` of `to`.
    fn plug(&mut self, to: NodeId, import: &str, from: NodeId, export: &str) -> anyhow::Result<()> {
        let alias = self
            .graph
            .alias_instance_export(from, export)
            .with_context(|| format!("no export {export}"))?;
        self.graph
            .set_instantiation_argument(to, import, alias)
            .with_context(|| format!("cannot plug {export} into {import}"))?;
        Ok(())
    }

    /// An instance of the generated scope component for `names`.
    fn scope(&mut self, names: &[String]) -> anyhow::Result<NodeId> {
        self.scopes += 1;
        let bytes = scope_component(names)?;
        let name = format!("sps:scope-{}", self.scopes);
        let package = Package::from_bytes(&name, None, bytes, self.graph.types_mut())?;
        let id = self.graph.register_package(package)?;
        Ok(self.graph.instantiate(id))
    }

    /// A filter instance (`sps_spin_config`) holding only `keys`.
    fn config(&mut self, filter: PackageId, keys: &[String]) -> anyhow::Result<NodeId> {
        let scope = self.scope(keys)?;
        let config = self.graph.instantiate(filter);
        self.plug(config, SCOPE, scope, SCOPE)?;
        Ok(config)
    }

    /// Plugs the `wasi:keyvalue` imports of the platform component `component` (those it
    /// has) into its filter `filter`, whose own imports go to Spin's store.
    fn keyvalue(&mut self, component: NodeId, filter: NodeId) -> anyhow::Result<()> {
        let imports: Vec<String> = match self.graph[component].package() {
            Some(package) => {
                let ty = self.graph[package].ty();
                self.graph.types()[ty].imports.keys().cloned().collect()
            }
            None => Vec::new(),
        };
        for name in [KV_STORE, KV_ATOMICS] {
            if imports.iter().any(|i| i == name) {
                self.plug(component, name, filter, name)?;
            }
        }
        Ok(())
    }

    /// The platforms chain; returns the instance whose `platforms` export serves them all.
    fn platforms(&mut self, filter: PackageId) -> anyhow::Result<NodeId> {
        let mut chain = self.instance("sps_spin_no_platforms.wasm")?;
        let link = self.package("sps_spin_platform_link.wasm")?;
        for platform in &self.plan.platforms {
            let config = self.config(filter, &platform.settings)?;
            let file = format!("sps_{}.wasm", platform.name);
            let component = self.checked(&file, sps_contract::worlds::PLATFORM_IMPORTS)?;
            self.plug(component, CONFIG, config, CONFIG)?;
            self.keyvalue(component, config)?;
            let name = self.scope(std::slice::from_ref(&platform.name))?;
            let next = self.graph.instantiate(link);
            self.plug(next, SCOPE, name, SCOPE)?;
            self.plug(next, ACCOUNT, config, ACCOUNT)?;
            self.plug(next, PLATFORM, component, PLATFORM)?;
            self.plug(next, PLATFORMS, chain, PLATFORMS)?;
            chain = next;
        }
        Ok(chain)
    }

    fn encode(self) -> anyhow::Result<Vec<u8>> {
        Ok(self.graph.encode(EncodeOptions::default())?)
    }
}

fn builder(plan: &Plan) -> Builder<'_> {
    Builder {
        graph: CompositionGraph::new(),
        plan,
        scopes: 0,
    }
}

/// The HTTP trigger's app: `sps_spin_http` in front of the scheduler, exporting its
/// `wasi:http/incoming-handler`.
///
/// # Errors
/// When a component is missing or does not fit its place (wac-graph's type check).
pub fn compose_http(plan: &Plan) -> anyhow::Result<Vec<u8>> {
    let mut b = builder(plan);
    let filter = b.package("sps_spin_config.wasm")?;
    let caps = b.instance("sps_spin_caps.wasm")?;
    let platforms = b.platforms(filter)?;
    let scheduler_config = b.config(filter, &plan.scheduler_settings)?;
    let scheduler = b.checked(
        "sps_scheduler.wasm",
        sps_contract::worlds::SCHEDULER_IMPORTS,
    )?;
    b.plug(scheduler, CONFIG, scheduler_config, CONFIG)?;
    b.plug(scheduler, PLATFORMS, platforms, PLATFORMS)?;
    b.plug(scheduler, SCHEDULES, caps, SCHEDULES)?;
    b.plug(scheduler, EVENTS, caps, EVENTS)?;
    b.plug(scheduler, LEDGER, caps, LEDGER)?;
    b.plug(scheduler, CAMPAIGNS, caps, CAMPAIGNS)?;
    let http = b.instance("sps_spin_http.wasm")?;
    b.plug(http, SCHEDULING, scheduler, SCHEDULING)?;
    b.plug(http, PLATFORMS, platforms, PLATFORMS)?;
    let handler = http_handler_export(&b, http)?;
    let export = b.graph.alias_instance_export(http, &handler)?;
    b.graph.export(export, handler)?;
    b.encode()
}

/// The name of the `wasi:http/incoming-handler@0.2.x` export of the instance `http`.
fn http_handler_export(b: &Builder<'_>, http: NodeId) -> anyhow::Result<String> {
    let Some(package) = b.graph[http].package() else {
        bail!("the HTTP glue is not an instantiation");
    };
    let world = b.graph[package].ty();
    b.graph.types()[world]
        .exports
        .keys()
        .find(|name| name.starts_with(HTTP_HANDLER))
        .cloned()
        .context("sps_spin_http.wasm exports no wasi:http/incoming-handler")
}

/// The cron trigger's app: `sps_spin_cron` in front of the sender, exporting
/// `handle-cron-event` (world `fermyon:spin-cron/spin-cron@2.0.0`).
///
/// # Errors
/// When a component is missing or does not fit its place (wac-graph's type check).
pub fn compose_cron(plan: &Plan) -> anyhow::Result<Vec<u8>> {
    let mut b = builder(plan);
    let filter = b.package("sps_spin_config.wasm")?;
    let caps = b.instance("sps_spin_caps.wasm")?;
    let platforms = b.platforms(filter)?;
    let sender = b.checked("sps_sender.wasm", sps_contract::worlds::SENDER_IMPORTS)?;
    b.plug(sender, PLATFORMS, platforms, PLATFORMS)?;
    b.plug(sender, EVENTS, caps, EVENTS)?;
    b.plug(sender, LEDGER, caps, LEDGER)?;
    b.plug(sender, CAMPAIGNS, caps, CAMPAIGNS)?;
    let cron = b.instance("sps_spin_cron.wasm")?;
    b.plug(cron, SENDING, sender, SENDING)?;
    let export = b.graph.alias_instance_export(cron, CRON_EXPORT)?;
    b.graph.export(export, CRON_EXPORT)?;
    b.encode()
}

/// The SHA-256 (lowercase hex) of each nested component of a composed app, in order.
///
/// # Errors
/// When `app` is not a valid component.
pub fn nested_component_digests(app: &[u8]) -> anyhow::Result<Vec<String>> {
    use sha2::Digest as _;
    let mut digests = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(app) {
        if let wasmparser::Payload::ComponentSection {
            unchecked_range, ..
        } = payload?
        {
            let start = usize::try_from(unchecked_range.start)?;
            let end = usize::try_from(unchecked_range.end)?;
            let bytes = app
                .get(start..end)
                .context("a nested component lies outside the app")?;
            digests.push(hex(&sha2::Sha256::digest(bytes)));
        }
    }
    Ok(digests)
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes both apps into `out_dir` as `sps_http_app.wasm` and `sps_cron_app.wasm`;
/// returns their paths.
///
/// # Errors
/// When composing or writing fails.
pub fn write_apps(plan: &Plan, out_dir: &Path) -> anyhow::Result<[PathBuf; 2]> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let http = out_dir.join("sps_http_app.wasm");
    let cron = out_dir.join("sps_cron_app.wasm");
    for (path, bytes) in [(&http, compose_http(plan)?), (&cron, compose_cron(plan)?)] {
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok([http, cron])
}

/// The names of the imports of the component `bytes` (its world's imports, such as
/// `wasi:http/outgoing-handler@0.2.12`).
///
/// # Errors
/// When `bytes` is not a valid component.
pub fn import_names(bytes: &[u8]) -> anyhow::Result<Vec<String>> {
    let mut types = wac_graph::types::Types::default();
    let package = Package::from_bytes("sps:inspected", None, bytes, &mut types)?;
    Ok(types[package.ty()].imports.keys().cloned().collect())
}
