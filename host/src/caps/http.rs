//! `wasi:http/outgoing-handler`: outbound HTTP, allowed only to the hosts a component
//! is configured for (deny when the list is empty), like Spin's
//! `allowed_outbound_hosts`.

use std::future::Future;
use std::time::Duration;

use wasmtime_wasi_http::{RequestOptions, WasiHttpHooks};

/// How long a platform request may take to connect, and to send the first byte of its
/// answer, unless the component asks for less.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// See [`DEFAULT_CONNECT_TIMEOUT`].
pub const DEFAULT_FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(30);

/// The outbound hosts one Store may call, as `scheme://host:port` origins
/// (`https://api.x.com:443`). Built from base URLs with [`OutboundPolicy::allow_url`].
#[derive(Debug, Clone, Default)]
pub struct OutboundPolicy {
    allowed: Vec<String>,
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
        let options = with_default_timeouts(options);
        Box::new(async move {
            use http_body_util::BodyExt;
            if !allowed {
                tracing::warn!(uri = %request.uri(), "outbound HTTP request denied: host not allowed");
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

/// The component's request options, with the host's defaults where it set none.
fn with_default_timeouts(options: Option<RequestOptions>) -> RequestOptions {
    let mut options = options.unwrap_or_default();
    options.connect_timeout = options.connect_timeout.or(Some(DEFAULT_CONNECT_TIMEOUT));
    options.first_byte_timeout = options
        .first_byte_timeout
        .or(Some(DEFAULT_FIRST_BYTE_TIMEOUT));
    options.between_bytes_timeout = options
        .between_bytes_timeout
        .or(Some(DEFAULT_FIRST_BYTE_TIMEOUT));
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> http::Uri {
        s.parse().unwrap_or_default()
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
