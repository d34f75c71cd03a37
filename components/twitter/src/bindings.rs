//! WASI glue: exports `sps:social/platform` and implements [`Capabilities`] with
//! wasi:config/store (settings), the WASI clock (std `SystemTime`), wasi:random (`wstd::rand`)
//! and wasi:http/outgoing-handler (`wstd::http::Client`). No rules live here.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wstd::http::error::ErrorCode;
use wstd::http::{Client, Request};

use crate::x_api::{
    self, Capabilities, HttpErrorCode, HttpRequest, HttpResponse, SendPhase, TransportError,
    BETWEEN_BYTES_TIMEOUT_SECONDS, CONNECT_TIMEOUT_SECONDS, FIRST_BYTE_TIMEOUT_SECONDS,
};

wit_bindgen::generate!({
    path: "../../wit",
    world: "sps:social/platform-component",
    generate_all,
});

use exports::sps::social::platform::Guest;
use sps::social::types::{MessageError, PublishError, RetryHint};
use wasi::config::store;

struct Component;

impl Guest for Component {
    fn validate(message: String) -> Result<(), MessageError> {
        crate::weighted::validate(&message).map_err(|e| MessageError {
            code: e.code,
            message: e.message,
        })
    }

    fn publish(message: String) -> Result<String, PublishError> {
        x_api::publish(&mut Wasi, &message).map_err(to_wit)
    }
}

export!(Component);

fn to_wit(error: x_api::PublishError) -> PublishError {
    use x_api::PublishError as E;
    match error {
        E::MissingCredentials(m) => PublishError::MissingCredentials(m),
        E::Auth(m) => PublishError::Auth(m),
        E::Forbidden(m) => PublishError::Forbidden(m),
        E::DuplicateContent(m) => PublishError::DuplicateContent(m),
        E::RateLimited { retry_at, message } => {
            PublishError::RateLimited(RetryHint { retry_at, message })
        }
        E::UsageCapped { retry_at, message } => {
            PublishError::UsageCapped(RetryHint { retry_at, message })
        }
        E::Invalid(m) => PublishError::Invalid(m),
        E::Transient(m) => PublishError::Transient(m),
        E::UnknownOutcome(m) => PublishError::UnknownOutcome(m),
    }
}

/// The capabilities as WASI provides them.
struct Wasi;

impl Capabilities for Wasi {
    fn setting(&mut self, key: &str) -> Result<Option<String>, String> {
        store::get(key).map_err(|e| match e {
            store::Error::Upstream(m) => format!("upstream: {m}"),
            store::Error::Io(m) => format!("io: {m}"),
        })
    }

    fn now_unix_seconds(&mut self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    fn nonce(&mut self) -> String {
        x_api::nonce_from_random(wstd::rand::get_random_bytes)
    }

    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        wstd::runtime::block_on(send(request))
    }
}

async fn send(request: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let mut client = Client::new();
    client.set_connect_timeout(Duration::from_secs(CONNECT_TIMEOUT_SECONDS));
    client.set_first_byte_timeout(Duration::from_secs(FIRST_BYTE_TIMEOUT_SECONDS));
    client.set_between_bytes_timeout(Duration::from_secs(BETWEEN_BYTES_TIMEOUT_SECONDS));
    let response = match client.send(build(request)?).await {
        Ok(response) => response,
        // wstd checks the timeout options before handing the request to the host; a host
        // that does not support them gets the request without timeouts (nothing was sent).
        Err(e)
            if e.downcast_ref::<ErrorCode>().is_none()
                && e.to_string().contains("does not support") =>
        {
            Client::new()
                .send(build(request)?)
                .await
                .map_err(|e| transport_error(&e))?
        }
        Err(e) => return Err(transport_error(&e)),
    };
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            value
                .to_str()
                .ok()
                .map(|v| (name.as_str().to_string(), v.to_string()))
        })
        .collect();
    // The status decides the outcome; an unreadable body leaves only the status (a 2xx
    // without a readable id is then reported as an unknown outcome).
    let mut body = response.into_body();
    let body = body
        .contents()
        .await
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

fn build(request: &HttpRequest) -> Result<Request<Vec<u8>>, TransportError> {
    let mut builder = Request::builder()
        .method(request.method.as_str())
        .uri(request.url.as_str());
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(request.body.clone())
        .map_err(|e| TransportError {
            phase: SendPhase::NotSent,
            detail: format!("could not build the request: {e}"),
        })
}

/// Classify a wstd error: a wasi:http `error-code` by its case, anything else (stream
/// errors while sending the body or reading the answer) as possibly sent.
fn transport_error(error: &wstd::http::Error) -> TransportError {
    let phase = match error.downcast_ref::<ErrorCode>() {
        Some(code) => error_code(code).phase(),
        None => SendPhase::MaybeSent,
    };
    TransportError {
        phase,
        detail: format!("{error:#}"),
    }
}

/// wasi:http `error-code` onto its plain mirror.
fn error_code(code: &ErrorCode) -> HttpErrorCode {
    use HttpErrorCode as H;
    match code {
        ErrorCode::DnsTimeout => H::DnsTimeout,
        ErrorCode::DnsError(_) => H::DnsError,
        ErrorCode::DestinationNotFound => H::DestinationNotFound,
        ErrorCode::DestinationUnavailable => H::DestinationUnavailable,
        ErrorCode::DestinationIpProhibited => H::DestinationIpProhibited,
        ErrorCode::DestinationIpUnroutable => H::DestinationIpUnroutable,
        ErrorCode::ConnectionRefused => H::ConnectionRefused,
        ErrorCode::ConnectionTerminated => H::ConnectionTerminated,
        ErrorCode::ConnectionTimeout => H::ConnectionTimeout,
        ErrorCode::ConnectionReadTimeout => H::ConnectionReadTimeout,
        ErrorCode::ConnectionWriteTimeout => H::ConnectionWriteTimeout,
        ErrorCode::ConnectionLimitReached => H::ConnectionLimitReached,
        ErrorCode::TlsProtocolError => H::TlsProtocolError,
        ErrorCode::TlsCertificateError => H::TlsCertificateError,
        ErrorCode::TlsAlertReceived(_) => H::TlsAlertReceived,
        ErrorCode::HttpRequestDenied => H::HttpRequestDenied,
        ErrorCode::HttpRequestLengthRequired => H::HttpRequestLengthRequired,
        ErrorCode::HttpRequestBodySize(_) => H::HttpRequestBodySize,
        ErrorCode::HttpRequestMethodInvalid => H::HttpRequestMethodInvalid,
        ErrorCode::HttpRequestUriInvalid => H::HttpRequestUriInvalid,
        ErrorCode::HttpRequestUriTooLong => H::HttpRequestUriTooLong,
        ErrorCode::HttpRequestHeaderSectionSize(_) => H::HttpRequestHeaderSectionSize,
        ErrorCode::HttpRequestHeaderSize(_) => H::HttpRequestHeaderSize,
        ErrorCode::HttpRequestTrailerSectionSize(_) => H::HttpRequestTrailerSectionSize,
        ErrorCode::HttpRequestTrailerSize(_) => H::HttpRequestTrailerSize,
        ErrorCode::HttpResponseIncomplete => H::HttpResponseIncomplete,
        ErrorCode::HttpResponseHeaderSectionSize(_) => H::HttpResponseHeaderSectionSize,
        ErrorCode::HttpResponseHeaderSize(_) => H::HttpResponseHeaderSize,
        ErrorCode::HttpResponseBodySize(_) => H::HttpResponseBodySize,
        ErrorCode::HttpResponseTrailerSectionSize(_) => H::HttpResponseTrailerSectionSize,
        ErrorCode::HttpResponseTrailerSize(_) => H::HttpResponseTrailerSize,
        ErrorCode::HttpResponseTransferCoding(_) => H::HttpResponseTransferCoding,
        ErrorCode::HttpResponseContentCoding(_) => H::HttpResponseContentCoding,
        ErrorCode::HttpResponseTimeout => H::HttpResponseTimeout,
        ErrorCode::HttpUpgradeFailed => H::HttpUpgradeFailed,
        ErrorCode::HttpProtocolError => H::HttpProtocolError,
        ErrorCode::LoopDetected => H::LoopDetected,
        ErrorCode::ConfigurationError => H::ConfigurationError,
        ErrorCode::InternalError(_) => H::InternalError,
    }
}
