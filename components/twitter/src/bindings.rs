//! WASI glue: exports `sps:social/platform` and implements [`Capabilities`] with
//! wasi:config/store (settings), the WASI clock (std `SystemTime`), wasi:random (`wstd::rand`)
//! and wasi:http/outgoing-handler (`sps_platform_http::wasi`). No rules live here.

use std::time::{SystemTime, UNIX_EPOCH};

use sps_platform_http::wasi::Timeouts;

use crate::x_api::{
    self, Capabilities, HttpRequest, HttpResponse, TransportError, BETWEEN_BYTES_TIMEOUT_SECONDS,
    CONNECT_TIMEOUT_SECONDS, FIRST_BYTE_TIMEOUT_SECONDS,
};

wit_bindgen::generate!({
    path: "../../wit",
    world: "sps:social/platform-component",
    generate_all,
});

use exports::sps::social::platform::Guest;
use sps::social::types::{MessageError, Post, PublishError, PublishedPart, RetryHint};
use wasi::config::store;

struct Component;

impl Guest for Component {
    fn validate(post: Post) -> Result<(), MessageError> {
        x_api::validate(&from_wit(post)).map_err(|e| MessageError {
            code: e.code,
            message: e.message,
            part: e.part,
        })
    }

    /// X has no idempotency key: a repeated `POST /2/tweets` makes a second post
    /// (docs.x.com, "Manage Posts").
    fn idempotent() -> bool {
        false
    }

    fn publish(
        post: Post,
        part: u32,
        earlier: Vec<PublishedPart>,
    ) -> Result<PublishedPart, PublishError> {
        let earlier: Vec<x_api::PublishedPart> = earlier
            .into_iter()
            .map(|p| x_api::PublishedPart {
                id: p.id,
                url: p.url,
                reply_ref: p.reply_ref,
            })
            .collect();
        x_api::publish(&mut Wasi, &from_wit(post), part, &earlier)
            .map(|p| PublishedPart {
                id: p.id,
                url: p.url,
                reply_ref: p.reply_ref,
            })
            .map_err(to_wit)
    }
}

export!(Component);

fn from_wit(post: Post) -> x_api::Post {
    x_api::Post {
        parts: post.parts,
        account: post.account,
        idempotency_key: post.idempotency_key,
    }
}

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
        sps_platform_http::wasi::send(
            request,
            Timeouts {
                connect_seconds: CONNECT_TIMEOUT_SECONDS,
                first_byte_seconds: FIRST_BYTE_TIMEOUT_SECONDS,
                between_bytes_seconds: BETWEEN_BYTES_TIMEOUT_SECONDS,
            },
        )
    }
}
