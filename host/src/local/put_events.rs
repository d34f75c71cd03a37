//! `POST /`: EventBridge's PutEvents in the AWS JSON 1.1 protocol, so the AWS SDKs and
//! CLI pointed at `sps serve` (`--endpoint-url http://127.0.0.1:8080`) schedule posts
//! unchanged. The request and answer shapes are `sps_local::put_events`'s; without an API
//! token a signature is accepted unchecked (loopback only), with one it must be a SigV4
//! signature made with the access key `sps` and the token as the secret
//! ([`super::sigv4`]), or the token as a bearer header.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::Response;
use sps_local::api::Answer;
use sps_local::put_events::{self as aws, CONTENT_TYPE};

use crate::runtime::Runtime;

/// What the `POST /` route needs.
#[derive(Clone)]
pub struct State {
    /// Runs the scheduler.
    pub runtime: Runtime,
    /// The API token, when set.
    pub token: Option<Arc<String>>,
}

/// An AWS JSON 1.1 answer: its status, the body, `Content-Type:
/// application/x-amz-json-1.1` and an `x-amzn-RequestId` (a UUID), as AWS answers.
fn respond(answer: Answer) -> Response {
    let mut response = super::api::respond(answer);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(CONTENT_TYPE),
    );
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// `POST /`: checks the signature when a token is set, then the target, then runs the
/// scheduler on each entry and answers PutEvents.
pub async fn post_root(
    axum::extract::State(state): axum::extract::State<State>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            return respond(aws::aws_error(
                rejection.status().as_u16(),
                "SerializationException",
                &format!("the request body cannot be read: {}", rejection.body_text()),
            ))
        }
    };
    if let Some(token) = &state.token {
        if !super::api::bearer_matches(&headers, token) {
            let path = uri.path_and_query().map_or("/", |p| p.as_str());
            let now = std::time::SystemTime::now();
            if let Err(answer) = super::sigv4::verify(path, &headers, &body, token, now) {
                let kind = answer
                    .body
                    .get("__type")
                    .and_then(serde_json::Value::as_str);
                tracing::warn!(
                    error = kind.unwrap_or_default(),
                    "PutEvents request refused: its signature does not hold"
                );
                return respond(answer);
            }
        }
    }
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let plan = match aws::plan_request(target, &body) {
        Ok(plan) => plan,
        Err(answer) => return respond(answer),
    };
    let results = super::api::scheduling_all(&state.runtime, plan.events()).await;
    respond(plan.answer(results))
}
