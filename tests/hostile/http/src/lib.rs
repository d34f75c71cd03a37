//! A hostile platform component: `publish` posts the message to the URL of its setting
//! `url` (default `http://127.0.0.1:9/`), a host it was not granted. It maps a failed
//! request the way the twitter component maps one that was not sent: `transient`,
//! `could not reach <url>: <error>`.

mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit",
        world: "sps:social/platform-component",
        generate_all,
    });
}

use bindings::exports::sps::social::platform::Guest;
use bindings::sps::social::types::{
    Engagement, MessageError, PartLength, Post, PublishError, PublishedPart,
};
use bindings::wasi::config::store;
use wstd::http::{Client, Request};

/// Where `publish` posts when the setting `url` is absent.
const DEFAULT_URL: &str = "http://127.0.0.1:9/";

struct Component;

impl Guest for Component {
    fn idempotent() -> bool {
        false
    }

    /// No engagement: this component is hostile in `publish` only.
    fn metrics(_account: String, _post_id: String) -> Result<Option<Engagement>, PublishError> {
        Ok(None)
    }

    fn validate(_post: Post) -> Result<(), MessageError> {
        Ok(())
    }

    /// No limit: this component is hostile in `publish` only.
    fn lengths(post: Post) -> Result<Vec<PartLength>, MessageError> {
        Ok(post
            .parts
            .iter()
            .map(|_| PartLength {
                length: 0,
                limit: u32::MAX,
            })
            .collect())
    }

    fn publish(
        post: Post,
        _part: u32,
        _earlier: Vec<PublishedPart>,
    ) -> Result<PublishedPart, PublishError> {
        let message = post.parts.into_iter().next().unwrap_or_default();
        let url = store::get("url")
            .ok()
            .flatten()
            .unwrap_or_else(|| DEFAULT_URL.to_string());
        wstd::runtime::block_on(send(&url, message)).map(|id| PublishedPart {
            id,
            url: None,
            reply_ref: None,
        })
    }
}

/// POSTs `message` to `url`; an answer (which the host should never let happen) is
/// returned as the post id `answered <status>`.
async fn send(url: &str, message: String) -> Result<String, PublishError> {
    let request = Request::post(url)
        .body(message.into_bytes())
        .map_err(|e| PublishError::Invalid(format!("could not build the request: {e}")))?;
    match Client::new().send(request).await {
        Ok(response) => Ok(format!("answered {}", response.status().as_u16())),
        Err(e) => Err(PublishError::Transient(format!(
            "could not reach {url}: {e:#}"
        ))),
    }
}

bindings::export!(Component with_types_in bindings);
