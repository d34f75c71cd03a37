//! HTTP as the platform rules see it: plain request and response types that the rules are
//! written and tested against, the cases of wasi:http's `error-code` with the one decision
//! that matters for exactly-once posting (could the request have been sent?), and the time
//! limits of one exchange. The exchange itself is `wasi::send` (wasm32 only).

/// An HTTP request to send: method, absolute URL, headers (name, value) and body bytes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpRequest {
    /// `POST`.
    pub method: String,
    /// Absolute URL, for example `https://api.x.com/2/tweets`.
    pub url: String,
    /// Header names and values, in sending order; sent as they are, so a body of known
    /// size carries its `content-length` here.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// An HTTP response: status, headers (name, value; values that are not UTF-8 are left out
/// by the glue) and body bytes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HttpResponse {
    /// Status code, for example 201.
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Whether a failed exchange may have reached the platform.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SendPhase {
    /// The request was certainly not sent (DNS, connection refused, denied by the host,
    /// could not be built): retrying is safe.
    NotSent,
    /// The request may have been sent: the platform may have published the post.
    MaybeSent,
}

/// A failed HTTP exchange: when it failed and what the HTTP client said.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TransportError {
    /// Whether the request may have reached the platform.
    pub phase: SendPhase,
    /// The client's description of the failure.
    pub detail: String,
}

/// The time limits of one exchange, seconds (wasi:http's request options).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Timeouts {
    /// To connect.
    pub connect_seconds: u64,
    /// From sending the request to the first byte of the answer: a later answer is
    /// `unknown-outcome` (the post may exist).
    pub first_byte_seconds: u64,
    /// Between two chunks of the answer.
    pub between_bytes_seconds: u64,
}

impl Timeouts {
    /// The limits every platform component uses unless its [`crate::Platform`] says
    /// otherwise: 2 s to connect, 4 s to the first byte, 2 s between chunks. The host caps
    /// each at these values (host/src/caps/http.rs) and a platform call at 7 s in all;
    /// under Spin, whose calls have no wall-clock limit, these are the only bounds. 2 + 4 s stays below the 8 s a
    /// stopping `sps serve` waits for deliveries.
    pub const STANDARD: Timeouts = Timeouts {
        connect_seconds: 2,
        first_byte_seconds: 4,
        between_bytes_seconds: 2,
    };
}

/// The cases of wasi:http's `types.error-code` (WASI 0.2), so that the decision "sent or
/// not" is plain, tested code; the glue maps the generated type onto it one to one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HttpErrorCode {
    /// `DNS-timeout`
    DnsTimeout,
    /// `DNS-error`
    DnsError,
    /// `destination-not-found`
    DestinationNotFound,
    /// `destination-unavailable`
    DestinationUnavailable,
    /// `destination-IP-prohibited`
    DestinationIpProhibited,
    /// `destination-IP-unroutable`
    DestinationIpUnroutable,
    /// `connection-refused`
    ConnectionRefused,
    /// `connection-terminated`
    ConnectionTerminated,
    /// `connection-timeout`
    ConnectionTimeout,
    /// `connection-read-timeout`
    ConnectionReadTimeout,
    /// `connection-write-timeout`
    ConnectionWriteTimeout,
    /// `connection-limit-reached`
    ConnectionLimitReached,
    /// `TLS-protocol-error`
    TlsProtocolError,
    /// `TLS-certificate-error`
    TlsCertificateError,
    /// `TLS-alert-received`
    TlsAlertReceived,
    /// `HTTP-request-denied`
    HttpRequestDenied,
    /// `HTTP-request-length-required`
    HttpRequestLengthRequired,
    /// `HTTP-request-body-size`
    HttpRequestBodySize,
    /// `HTTP-request-method-invalid`
    HttpRequestMethodInvalid,
    /// `HTTP-request-URI-invalid`
    HttpRequestUriInvalid,
    /// `HTTP-request-URI-too-long`
    HttpRequestUriTooLong,
    /// `HTTP-request-header-section-size`
    HttpRequestHeaderSectionSize,
    /// `HTTP-request-header-size`
    HttpRequestHeaderSize,
    /// `HTTP-request-trailer-section-size`
    HttpRequestTrailerSectionSize,
    /// `HTTP-request-trailer-size`
    HttpRequestTrailerSize,
    /// `HTTP-response-incomplete`
    HttpResponseIncomplete,
    /// `HTTP-response-header-section-size`
    HttpResponseHeaderSectionSize,
    /// `HTTP-response-header-size`
    HttpResponseHeaderSize,
    /// `HTTP-response-body-size`
    HttpResponseBodySize,
    /// `HTTP-response-trailer-section-size`
    HttpResponseTrailerSectionSize,
    /// `HTTP-response-trailer-size`
    HttpResponseTrailerSize,
    /// `HTTP-response-transfer-coding`
    HttpResponseTransferCoding,
    /// `HTTP-response-content-coding`
    HttpResponseContentCoding,
    /// `HTTP-response-timeout`
    HttpResponseTimeout,
    /// `HTTP-upgrade-failed`
    HttpUpgradeFailed,
    /// `HTTP-protocol-error`
    HttpProtocolError,
    /// `loop-detected`
    LoopDetected,
    /// `configuration-error`
    ConfigurationError,
    /// `internal-error`
    InternalError,
}

impl HttpErrorCode {
    /// Whether the request may have reached the server when the HTTP client reports this
    /// code. Only failures that happen before any request byte leaves (name resolution,
    /// connecting, certificate check, the host's own refusal or request checks) are
    /// `NotSent`; everything else, including TLS alerts and protocol errors that can occur
    /// mid-exchange, is `MaybeSent`.
    pub fn phase(self) -> SendPhase {
        use HttpErrorCode::*;
        match self {
            DnsTimeout
            | DnsError
            | DestinationNotFound
            | DestinationUnavailable
            | DestinationIpProhibited
            | DestinationIpUnroutable
            | ConnectionRefused
            | ConnectionTimeout
            | ConnectionLimitReached
            | TlsCertificateError
            | HttpRequestDenied
            | HttpRequestLengthRequired
            | HttpRequestMethodInvalid
            | HttpRequestUriInvalid
            | HttpRequestUriTooLong
            | HttpRequestHeaderSectionSize
            | HttpRequestHeaderSize
            | ConfigurationError => SendPhase::NotSent,
            ConnectionTerminated
            | ConnectionReadTimeout
            | ConnectionWriteTimeout
            | TlsProtocolError
            | TlsAlertReceived
            | HttpRequestBodySize
            | HttpRequestTrailerSectionSize
            | HttpRequestTrailerSize
            | HttpResponseIncomplete
            | HttpResponseHeaderSectionSize
            | HttpResponseHeaderSize
            | HttpResponseBodySize
            | HttpResponseTrailerSectionSize
            | HttpResponseTrailerSize
            | HttpResponseTransferCoding
            | HttpResponseContentCoding
            | HttpResponseTimeout
            | HttpUpgradeFailed
            | HttpProtocolError
            | LoopDetected
            | InternalError => SendPhase::MaybeSent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_phases() {
        use HttpErrorCode::*;
        let not_sent = [
            DnsTimeout,
            DnsError,
            DestinationNotFound,
            DestinationUnavailable,
            DestinationIpProhibited,
            DestinationIpUnroutable,
            ConnectionRefused,
            ConnectionTimeout,
            ConnectionLimitReached,
            TlsCertificateError,
            HttpRequestDenied,
            HttpRequestLengthRequired,
            HttpRequestMethodInvalid,
            HttpRequestUriInvalid,
            HttpRequestUriTooLong,
            HttpRequestHeaderSectionSize,
            HttpRequestHeaderSize,
            ConfigurationError,
        ];
        let maybe_sent = [
            ConnectionTerminated,
            ConnectionReadTimeout,
            ConnectionWriteTimeout,
            TlsProtocolError,
            TlsAlertReceived,
            HttpRequestBodySize,
            HttpRequestTrailerSectionSize,
            HttpRequestTrailerSize,
            HttpResponseIncomplete,
            HttpResponseHeaderSectionSize,
            HttpResponseHeaderSize,
            HttpResponseBodySize,
            HttpResponseTrailerSectionSize,
            HttpResponseTrailerSize,
            HttpResponseTransferCoding,
            HttpResponseContentCoding,
            HttpResponseTimeout,
            HttpUpgradeFailed,
            HttpProtocolError,
            LoopDetected,
            InternalError,
        ];
        assert_eq!(
            not_sent.len() + maybe_sent.len(),
            39,
            "every wasi:http error-code case"
        );
        for code in not_sent {
            assert_eq!(code.phase(), SendPhase::NotSent, "{code:?}");
        }
        for code in maybe_sent {
            assert_eq!(code.phase(), SendPhase::MaybeSent, "{code:?}");
        }
    }

    #[test]
    fn headers_are_found_in_any_case() {
        let response = HttpResponse {
            status: 201,
            headers: vec![("X-Restli-Id".to_string(), "urn:li:share:1".to_string())],
            body: Vec::new(),
        };
        assert_eq!(response.header("x-restli-id"), Some("urn:li:share:1"));
        assert_eq!(response.header("x-other"), None);
    }
}
