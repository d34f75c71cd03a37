//! [`export_platform!`]: the whole WASI glue of a platform component, in one line of its
//! `bindings.rs`.

/// Exports a [`Platform`](crate::Platform) as the component's `sps:social/platform`
/// (world `sps:social/platform-component`, wasm32 only). Invoke it once, in a module of its
/// own (the component's `bindings.rs`, declared under `#[cfg(target_arch = "wasm32")]`),
/// with the type that implements the platform:
///
/// ```text
/// sps_platform::export_platform!(crate::Mastodon);
/// ```
///
/// It expands to
/// - `wit_bindgen::generate!` of the world from `../../wit` (relative to the invoking
///   crate, so the component lives in `components/<name>/`), with `generate_all` and this
///   crate's copy of wit-bindgen as the runtime (the component needs no dependency but
///   `sps-platform`);
/// - the `Guest` implementation, converting the WIT types to the plain ones of
///   [`crate::types`] and back one to one (`validate` reads settings from
///   wasi:config/store);
/// - the [`Capabilities`](crate::Capabilities) given to `publish`: wasi:config/store for
///   settings (a store error reads `upstream: …` or `io: …`), the WASI clock
///   (`wasi::now_unix_seconds`), wasi:random (`wasi::nonce`) and wasi:http (`wasi::send`
///   within the platform's [`TIMEOUTS`](crate::Platform::TIMEOUTS));
/// - `export!` of it all.
///
/// The module gets the generated modules `exports`, `sps` and `wasi` and the private
/// items `Component` and `Wasi`. No rules live there.
#[macro_export]
macro_rules! export_platform {
    ($platform:ty) => {
        $crate::__private::wit_bindgen::generate!({
            path: "../../wit",
            world: "sps:social/platform-component",
            generate_all,
            runtime_path: "::sps_platform::__private::wit_bindgen::rt",
        });

        /// The exported `sps:social/platform`.
        struct Component;

        impl exports::sps::social::platform::Guest for Component {
            fn validate(
                post: sps::social::types::Post,
            ) -> ::core::result::Result<(), sps::social::types::MessageError> {
                <$platform as $crate::Platform>::validate(&post_from_wit(post), &mut Wasi)
                .map_err(|e| sps::social::types::MessageError {
                    code: e.code,
                    message: e.message,
                    part: e.part,
                })
            }

            fn lengths(
                post: sps::social::types::Post,
            ) -> ::core::result::Result<
                ::std::vec::Vec<sps::social::types::PartLength>,
                sps::social::types::MessageError,
            > {
                <$platform as $crate::Platform>::lengths(&post_from_wit(post), &mut Wasi)
                    .map(|lengths| {
                        lengths
                            .into_iter()
                            .map(|l| sps::social::types::PartLength {
                                length: l.length,
                                limit: l.limit,
                            })
                            .collect()
                    })
                    .map_err(|e| sps::social::types::MessageError {
                        code: e.code,
                        message: e.message,
                        part: e.part,
                    })
            }

            fn publish(
                post: sps::social::types::Post,
                part: u32,
                earlier: ::std::vec::Vec<sps::social::types::PublishedPart>,
            ) -> ::core::result::Result<
                sps::social::types::PublishedPart,
                sps::social::types::PublishError,
            > {
                let earlier: ::std::vec::Vec<$crate::PublishedPart> = earlier
                    .into_iter()
                    .map(|p| $crate::PublishedPart {
                        id: p.id,
                        url: p.url,
                        reply_ref: p.reply_ref,
                    })
                    .collect();
                let post = post_from_wit(post);
                <$platform as $crate::Platform>::publish(&post, part, &earlier, &mut Wasi)
                    .map(|p| sps::social::types::PublishedPart {
                        id: p.id,
                        url: p.url,
                        reply_ref: p.reply_ref,
                    })
                    .map_err(publish_error_to_wit)
            }

            fn idempotent() -> bool {
                <$platform as $crate::Platform>::idempotent()
            }

            fn metrics(
                account: ::std::string::String,
                post_id: ::std::string::String,
            ) -> ::core::result::Result<
                ::core::option::Option<sps::social::types::Engagement>,
                sps::social::types::PublishError,
            > {
                <$platform as $crate::Platform>::metrics(&account, &post_id, &mut Wasi)
                    .map(|found| {
                        found.map(|e| sps::social::types::Engagement {
                            likes: e.likes,
                            reposts: e.reposts,
                            replies: e.replies,
                            impressions: e.impressions,
                        })
                    })
                    .map_err(publish_error_to_wit)
            }
        }

        /// A plain publish error as the WIT one, case for case.
        fn publish_error_to_wit(error: $crate::PublishError) -> sps::social::types::PublishError {
            use sps::social::types::{PublishError as W, RetryHint};
            use $crate::PublishError as E;
            match error {
                E::MissingCredentials(m) => W::MissingCredentials(m),
                E::Auth(m) => W::Auth(m),
                E::Forbidden(m) => W::Forbidden(m),
                E::DuplicateContent(m) => W::DuplicateContent(m),
                E::RateLimited { retry_at, message } => {
                    W::RateLimited(RetryHint { retry_at, message })
                }
                E::UsageCapped { retry_at, message } => {
                    W::UsageCapped(RetryHint { retry_at, message })
                }
                E::Invalid(m) => W::Invalid(m),
                E::Transient(m) => W::Transient(m),
                E::UnknownOutcome(m) => W::UnknownOutcome(m),
            }
        }

        export!(Component);

        /// The plain post of a WIT `post`.
        fn post_from_wit(post: sps::social::types::Post) -> $crate::Post {
            $crate::Post {
                parts: post.parts,
                account: post.account,
                idempotency_key: post.idempotency_key,
            }
        }

        /// The capabilities as WASI provides them.
        struct Wasi;

        impl Wasi {
            /// The setting `key` from wasi:config/store.
            fn store_get(key: &str) -> ::core::result::Result<Option<String>, String> {
                use wasi::config::store;
                store::get(key).map_err(|e| match e {
                    store::Error::Upstream(m) => format!("upstream: {m}"),
                    store::Error::Io(m) => format!("io: {m}"),
                })
            }

            /// The bucket `default` of wasi:keyvalue/store (the host scopes it to this
            /// platform and the post's account).
            fn bucket() -> ::core::result::Result<wasi::keyvalue::store::Bucket, String> {
                wasi::keyvalue::store::open("default").map_err(Wasi::kv_error)
            }

            /// A wasi:keyvalue error in words.
            fn kv_error(error: wasi::keyvalue::store::Error) -> String {
                use wasi::keyvalue::store::Error as E;
                match error {
                    E::NoSuchStore => "key-value store: no such store".to_string(),
                    E::AccessDenied => "key-value store: access denied".to_string(),
                    E::Other(m) => format!("key-value store: {m}"),
                }
            }
        }

        impl $crate::Capabilities for Wasi {
            fn setting(&mut self, key: &str) -> ::core::result::Result<Option<String>, String> {
                Wasi::store_get(key)
            }

            fn now_unix_seconds(&mut self) -> u64 {
                $crate::wasi::now_unix_seconds()
            }

            fn nonce(&mut self) -> String {
                $crate::wasi::nonce()
            }

            fn send(
                &mut self,
                request: &$crate::HttpRequest,
            ) -> ::core::result::Result<$crate::HttpResponse, $crate::TransportError> {
                $crate::wasi::send(request, <$platform as $crate::Platform>::TIMEOUTS)
            }

            fn kv_get(&mut self, key: &str) -> ::core::result::Result<Option<Vec<u8>>, String> {
                Wasi::bucket()?.get(key).map_err(Wasi::kv_error)
            }

            fn kv_set(&mut self, key: &str, value: &[u8]) -> ::core::result::Result<(), String> {
                Wasi::bucket()?.set(key, value).map_err(Wasi::kv_error)
            }

            fn kv_swap(
                &mut self,
                key: &str,
                expected: Option<&[u8]>,
                value: &[u8],
            ) -> ::core::result::Result<bool, String> {
                use wasi::keyvalue::atomics;
                let bucket = Wasi::bucket()?;
                let cas = atomics::Cas::new(&bucket, key).map_err(Wasi::kv_error)?;
                if cas.current().map_err(Wasi::kv_error)?.as_deref() != expected {
                    return Ok(false);
                }
                match atomics::swap(cas, value) {
                    Ok(()) => Ok(true),
                    Err(atomics::CasError::CasFailed(_)) => Ok(false),
                    Err(atomics::CasError::StoreError(e)) => Err(Wasi::kv_error(e)),
                }
            }
        }
    };
}
