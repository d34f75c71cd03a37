//! The log output of `sps` (tracing-subscriber on standard error): one line per event,
//! as text or as one JSON object per line, with RFC 3339 UTC timestamps.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `SPS_LOG_FORMAT` | `text` (`json` under AWS Lambda) | `text`, or `json` (tracing-subscriber's JSON formatter: `timestamp`, `level`, `fields`, `target`) |
//! | `RUST_LOG` | `info` | the filter ([`EnvFilter`] directives); the crates of [`QUIET`] stay at `warn` unless a directive names them |
//! | `NO_COLOR` | unset | when set and not empty, no ANSI colours ([no-color.org](https://no-color.org)); colours are only ever written to a terminal |

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

/// Crates whose debug and trace output is about their own internals (the compiler of the
/// components writes hundreds of megabytes at `trace` on a first start): kept at `warn`
/// unless a `RUST_LOG` directive names them (or a prefix of their name).
pub const QUIET: &[&str] = &[
    "wasmtime",
    "cranelift",
    "regalloc2",
    "hyper",
    "h2",
    "rustls",
    "tower",
    "aws_smithy",
    "aws_config",
    "aws_runtime",
    "aws_sdk",
    "aws_sigv4",
    "aws_credential_types",
    "ureq",
];

/// The log format (`SPS_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable lines: `<RFC 3339 time> <LEVEL> <target>: <message> <field>=<value>...`.
    Text,
    /// One JSON object per line (tracing-subscriber's JSON formatter).
    Json,
}

/// The logging configuration read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    /// Text or JSON.
    pub format: Format,
    /// The [`EnvFilter`] directives in use ([`filter_directives`]).
    pub directives: String,
    /// Whether ANSI colour codes are written.
    pub ansi: bool,
}

impl LogSettings {
    /// Reads `SPS_LOG_FORMAT`, `RUST_LOG` and `NO_COLOR` ([`Self::new`]); `in_lambda`
    /// makes JSON the default format.
    ///
    /// # Errors
    /// As [`Self::new`], and when a variable is not UTF-8.
    pub fn from_env(in_lambda: bool) -> anyhow::Result<Self> {
        let var = |name: &str| match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(anyhow::anyhow!("{name} is not UTF-8")),
        };
        Self::new(
            var("SPS_LOG_FORMAT")?.as_deref(),
            var("RUST_LOG")?.as_deref().unwrap_or_default(),
            std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            in_lambda,
            std::io::stderr().is_terminal(),
        )
    }

    /// The settings for `format` (`SPS_LOG_FORMAT`: `text`, `json`, or `None` for the
    /// default, JSON when `in_lambda`), `rust_log` ([`filter_directives`]) and `no_color`;
    /// colours only when `terminal` (standard error is one), the format is text and
    /// `no_color` is false.
    ///
    /// # Errors
    /// When `format` is neither `text` nor `json`.
    pub fn new(
        format: Option<&str>,
        rust_log: &str,
        no_color: bool,
        in_lambda: bool,
        terminal: bool,
    ) -> anyhow::Result<Self> {
        let format = match format {
            Some("text") => Format::Text,
            Some("json") => Format::Json,
            None if in_lambda => Format::Json,
            None => Format::Text,
            Some(other) => anyhow::bail!("SPS_LOG_FORMAT is {other:?}; expected text or json"),
        };
        Ok(Self {
            format,
            directives: filter_directives(rust_log),
            ansi: format == Format::Text && !no_color && terminal,
        })
    }

    /// Installs the global subscriber.
    ///
    /// # Errors
    /// When the directives are not a valid filter (the message quotes tracing's reason).
    pub fn init(&self) -> anyhow::Result<()> {
        let filter = EnvFilter::try_new(&self.directives).map_err(|e| {
            anyhow::anyhow!(
                "RUST_LOG is not a valid log filter ({}): {e}",
                self.directives
            )
        })?;
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(self.ansi)
            .with_writer(std::io::stderr);
        let installed = match self.format {
            Format::Text => builder.try_init(),
            Format::Json => builder.json().try_init(),
        };
        installed.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
    }
}

/// The filter for `rust_log` (the value of `RUST_LOG`, empty when unset): `info` when
/// empty, then `<crate>=warn` for each crate of [`QUIET`] that no directive names.
///
/// `"trace"` gives `trace,wasmtime=warn,cranelift=warn,...`; `"info,wasmtime=debug"` keeps
/// `wasmtime` at debug; `"debug,wasmtime_wasi=trace"` traces `wasmtime_wasi` and keeps the
/// rest of wasmtime at warn.
pub fn filter_directives(rust_log: &str) -> String {
    let user = rust_log.trim();
    let mut directives = if user.is_empty() {
        "info".to_string()
    } else {
        user.to_string()
    };
    let named: Vec<&str> = user
        .split(',')
        .filter_map(|d| d.split_once('=').map(|(target, _)| target))
        .map(|target| target.split('[').next().unwrap_or_default().trim())
        .filter(|target| !target.is_empty())
        .collect();
    for quiet in QUIET {
        // A directive for a crate inside a quiet one (`wasmtime_wasi`) is more specific
        // than `wasmtime=warn` and wins for that crate alone (EnvFilter prefers the
        // longest matching target), so only a target the quiet crate starts with counts.
        let is_named = named.iter().any(|target| quiet.starts_with(target));
        if !is_named {
            directives.push_str(&format!(",{quiet}=warn"));
        }
    }
    directives
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_by_default_json_under_lambda_colour_only_on_a_terminal() {
        let settings = |format, no_color, in_lambda, terminal| {
            LogSettings::new(format, "", no_color, in_lambda, terminal)
                .map(|s| (s.format, s.ansi))
                .map_err(|e| e.to_string())
        };
        assert_eq!(settings(None, false, false, true), Ok((Format::Text, true)));
        assert_eq!(
            settings(None, false, false, false),
            Ok((Format::Text, false))
        );
        assert_eq!(settings(None, true, false, true), Ok((Format::Text, false)));
        assert_eq!(settings(None, false, true, true), Ok((Format::Json, false)));
        assert_eq!(
            settings(Some("text"), false, true, false),
            Ok((Format::Text, false))
        );
        assert_eq!(
            settings(Some("json"), false, false, true),
            Ok((Format::Json, false))
        );
        assert_eq!(
            settings(Some("JSON"), false, false, true),
            Err("SPS_LOG_FORMAT is \"JSON\"; expected text or json".to_string())
        );
    }

    const QUIET_WARN: &str = ",wasmtime=warn,cranelift=warn,regalloc2=warn,hyper=warn,h2=warn,rustls=warn,tower=warn,aws_smithy=warn,aws_config=warn,aws_runtime=warn,aws_sdk=warn,aws_sigv4=warn,aws_credential_types=warn,ureq=warn";

    #[test]
    fn the_default_is_info_with_the_quiet_crates_at_warn() {
        assert_eq!(filter_directives(""), format!("info{QUIET_WARN}"));
        assert_eq!(filter_directives("  "), format!("info{QUIET_WARN}"));
    }

    #[test]
    fn a_global_level_keeps_the_quiet_crates_at_warn() {
        assert_eq!(filter_directives("trace"), format!("trace{QUIET_WARN}"));
    }

    #[test]
    fn a_named_crate_keeps_the_level_it_was_given() {
        assert_eq!(
            filter_directives("debug,wasmtime_wasi=trace,hyper=info"),
            "debug,wasmtime_wasi=trace,hyper=info,wasmtime=warn,cranelift=warn,regalloc2=warn,h2=warn,rustls=warn,tower=warn,aws_smithy=warn,aws_config=warn,aws_runtime=warn,aws_sdk=warn,aws_sigv4=warn,aws_credential_types=warn,ureq=warn"
        );
    }
}
