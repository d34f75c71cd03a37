//! WASI glue: exports `sps:social/platform` and implements [`Capabilities`] with
//! wasi:config/store (settings) and wasi:http/outgoing-handler (`sps_platform_http::wasi`).
//! No rules live here.

use sps_platform_http::wasi::Timeouts;

use crate::publish::{
    self, Capabilities, HttpRequest, HttpResponse, TransportError, BETWEEN_BYTES_TIMEOUT_SECONDS,
    CONNECT_TIMEOUT_SECONDS, FIRST_BYTE_TIMEOUT_SECONDS,
};
use crate::{rules, types};

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
        let to_wit = |e: types::PostError| MessageError {
            code: e.code,
            message: e.message,
            part: e.part,
        };
        let limits = rules::read_limits(|key| Wasi.setting(key)).map_err(to_wit)?;
        rules::validate(&from_wit(post), &limits).map_err(to_wit)
    }

    /// Mastodon keeps each `Idempotency-Key` for up to an hour and answers a repeated one
    /// with the status it created (docs.joinmastodon.org "methods/statuses").
    fn idempotent() -> bool {
        true
    }

    fn publish(
        post: Post,
        part: u32,
        earlier: Vec<PublishedPart>,
    ) -> Result<PublishedPart, PublishError> {
        let earlier: Vec<types::PublishedPart> = earlier
            .into_iter()
            .map(|p| types::PublishedPart {
                id: p.id,
                url: p.url,
                reply_ref: p.reply_ref,
            })
            .collect();
        publish::publish(&mut Wasi, &from_wit(post), part, &earlier)
            .map(|p| PublishedPart {
                id: p.id,
                url: p.url,
                reply_ref: p.reply_ref,
            })
            .map_err(to_wit)
    }
}

export!(Component);

fn from_wit(post: Post) -> types::Post {
    types::Post {
        parts: post.parts,
        account: post.account,
        idempotency_key: post.idempotency_key,
    }
}

fn to_wit(error: types::PublishError) -> PublishError {
    use types::PublishError as E;
    match error {
        E::MissingCredentials(m) => PublishError::MissingCredentials(m),
        E::Auth(m) => PublishError::Auth(m),
        E::Forbidden(m) => PublishError::Forbidden(m),
        E::RateLimited { retry_at, message } => {
            PublishError::RateLimited(RetryHint { retry_at, message })
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
