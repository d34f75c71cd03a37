//! The WASI side (wasm32 only) of what [`crate::export_platform!`] implements: [`send`]
//! over wasi:http/outgoing-handler through `wstd` (with the mapping of wasi:http's
//! `error-code` onto [`HttpErrorCode`]), the clock ([`now_unix_seconds`]) and nonces from
//! wasi:random ([`nonce`]). Settings come from wasi:config/store, whose bindings the
//! macro generates in each component.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wstd::http::error::ErrorCode;
use wstd::http::{Client, Request};

use crate::{HttpErrorCode, HttpRequest, HttpResponse, SendPhase, Timeouts, TransportError};

/// The current time, Unix seconds (UTC), from the WASI clock (std's `SystemTime`); 0 if
/// the clock is before 1970.
pub fn now_unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A fresh nonce ([`crate::nonce_from_random`]) from wasi:random (`wstd::rand`).
pub fn nonce() -> String {
    crate::nonce_from_random(wstd::rand::get_random_bytes)
}

/// Sends `request` with wasi:http's outgoing handler and reads the whole answer, blocking
/// the component until it is in. The status decides the outcome; an unreadable body
/// leaves only the status.
///
/// # Errors
/// A [`TransportError`] whose phase says whether the request may have been sent.
pub fn send(request: &HttpRequest, timeouts: Timeouts) -> Result<HttpResponse, TransportError> {
    wstd::runtime::block_on(send_async(request, timeouts))
}

async fn send_async(
    request: &HttpRequest,
    timeouts: Timeouts,
) -> Result<HttpResponse, TransportError> {
    let mut client = Client::new();
    client.set_connect_timeout(Duration::from_secs(timeouts.connect_seconds));
    client.set_first_byte_timeout(Duration::from_secs(timeouts.first_byte_seconds));
    client.set_between_bytes_timeout(Duration::from_secs(timeouts.between_bytes_seconds));
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
    // without a readable post id is then an unknown outcome for the platform).
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
