//! `wasi:http/outgoing-handler`: outbound HTTP, allowed only to the hosts a component
//! is configured for (deny when the list is empty), like Spin's
//! `allowed_outbound_hosts`.

use std::future::Future;
use std::time::Duration;

use wasmtime_wasi_http::{RequestOptions, WasiHttpHooks};

/// The longest a platform request may take to connect (name resolution, TCP and TLS);
/// a component that asks for more, or for nothing, gets this.
pub const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest a platform may take, after the request was sent, to send the first byte
/// of its answer. A request that times out here may have been acted on: the platform
/// component reports `unknown-outcome`.
pub const MAX_FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(4);
/// The longest pause between two chunks of a platform's answer.
pub const MAX_BETWEEN_BYTES_TIMEOUT: Duration = Duration::from_secs(2);

/// The caps on a platform component's HTTP timeouts: a component that asks for more, or
/// for nothing, gets these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// Connecting (name resolution, TCP and TLS).
    pub connect: Duration,
    /// From the request sent to the answer's first byte.
    pub first_byte: Duration,
    /// Between two chunks of the answer.
    pub between_bytes: Duration,
}

impl Default for HttpTimeouts {
    /// [`MAX_CONNECT_TIMEOUT`], [`MAX_FIRST_BYTE_TIMEOUT`], [`MAX_BETWEEN_BYTES_TIMEOUT`].
    fn default() -> Self {
        Self {
            connect: MAX_CONNECT_TIMEOUT,
            first_byte: MAX_FIRST_BYTE_TIMEOUT,
            between_bytes: MAX_BETWEEN_BYTES_TIMEOUT,
        }
    }
}

/// The outbound hosts one Store may call, as `scheme://host:port` origins
/// (`https://api.x.com:443`). Built from base URLs with [`OutboundPolicy::allow_url`].
#[derive(Debug, Clone, Default)]
pub struct OutboundPolicy {
    allowed: Vec<String>,
    timeouts: HttpTimeouts,
}

impl OutboundPolicy {
    /// A policy that denies every request.
    pub fn deny_all() -> Self {
        Self::default()
    }

    /// Also allow the origin of `url` (`https://api.x.com` allows
    /// `https://api.x.com:443`).
    ///
    /// # Errors
    /// When `url` is not an absolute http(s) URL.
    pub fn allow_url(mut self, url: &str) -> anyhow::Result<Self> {
        let uri: http::Uri = url
            .parse()
            .map_err(|e| anyhow::anyhow!("{url:?} is not a URL: {e}"))?;
        let origin = origin(&uri).ok_or_else(|| {
            anyhow::anyhow!("{url:?} must be an absolute http:// or https:// URL")
        })?;
        self.allowed.push(origin);
        Ok(self)
    }

    /// The same policy with these timeout caps.
    pub fn with_timeouts(mut self, timeouts: HttpTimeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Whether a request to `uri` may go out.
    pub fn allows(&self, uri: &http::Uri) -> bool {
        origin(uri).is_some_and(|o| self.allowed.contains(&o))
    }
}

/// `scheme://host:port` of an absolute http(s) URI, lowercase, with the default port
/// made explicit.
fn origin(uri: &http::Uri) -> Option<String> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri.port_u16().unwrap_or(default_port);
    Some(format!("{scheme}://{host}:{port}"))
}

impl WasiHttpHooks for OutboundPolicy {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<wasmtime_wasi_http::WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        drop(fut);
        let allowed = self.allows(request.uri());
        let options = capped(options, self.timeouts);
        Box::new(async move {
            use http_body_util::BodyExt;
            if !allowed {
                tracing::warn!(uri = %request.uri(), "outbound HTTP request denied: host not allowed");
                // Take the body the component writes before answering, so it always learns
                // of the denial (HTTP-request-denied: nothing was sent) rather than, when its
                // write comes second, of a body whose reader went away (a reset, which it
                // would have to treat as "maybe sent").
                let _ = request.into_body().collect().await;
                return Err(wasmtime_wasi_http::Error::HttpRequestDenied);
            }
            let (response, io) =
                wasmtime_wasi_http::default_send_request(request, Some(options)).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

/// The component's request options, each timeout capped at `caps`, which also apply
/// where the component set none.
fn capped(options: Option<RequestOptions>, caps: HttpTimeouts) -> RequestOptions {
    let cap = |asked: Option<Duration>, max: Duration| Some(asked.map_or(max, |d| d.min(max)));
    let mut options = options.unwrap_or_default();
    options.connect_timeout = cap(options.connect_timeout, caps.connect);
    options.first_byte_timeout = cap(options.first_byte_timeout, caps.first_byte);
    options.between_bytes_timeout = cap(options.between_bytes_timeout, caps.between_bytes);
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> http::Uri {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn timeouts_are_capped_at_the_hosts_maximum() {
        let asked = RequestOptions {
            connect_timeout: Some(Duration::from_secs(10)),
            first_byte_timeout: Some(Duration::from_millis(500)),
            between_bytes_timeout: None,
        };
        let got = capped(Some(asked), HttpTimeouts::default());
        assert_eq!(
            (
                got.connect_timeout,
                got.first_byte_timeout,
                got.between_bytes_timeout
            ),
            (
                Some(Duration::from_secs(2)),
                Some(Duration::from_millis(500)),
                Some(Duration::from_secs(2))
            )
        );
        let none = capped(None, HttpTimeouts::default());
        assert_eq!(none.first_byte_timeout, Some(Duration::from_secs(4)));
    }

    #[test]
    fn empty_policy_denies_everything() {
        assert!(!OutboundPolicy::deny_all().allows(&uri("https://api.x.com/2/tweets")));
    }

    #[test]
    fn allows_only_the_configured_origin() -> anyhow::Result<()> {
        let p = OutboundPolicy::deny_all().allow_url("https://api.x.com")?;
        assert!(p.allows(&uri("https://api.x.com/2/tweets")));
        assert!(p.allows(&uri("https://API.X.com:443/2/tweets")));
        assert!(!p.allows(&uri("http://api.x.com/2/tweets")));
        assert!(!p.allows(&uri("https://api.x.com:8443/2/tweets")));
        assert!(!p.allows(&uri("https://evil.example/2/tweets")));
        let local = OutboundPolicy::deny_all().allow_url("http://127.0.0.1:9000")?;
        assert!(local.allows(&uri("http://127.0.0.1:9000/2/tweets")));
        assert!(!local.allows(&uri("http://127.0.0.1:9001/2/tweets")));
        Ok(())
    }

    #[test]
    fn rejects_a_relative_base_url() {
        let err = OutboundPolicy::deny_all()
            .allow_url("/2/tweets")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("\"/2/tweets\" must be an absolute http:// or https:// URL")
        );
    }
}
