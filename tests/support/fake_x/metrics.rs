//! `GET /2/tweets/{id}?tweet.fields=public_metrics` (docs.x.com "Fields"): a post the fake
//! created, with the `public_metrics` a test set, or X's 200 with only `errors` for a post
//! it does not have; 401 for a bad signature, 400 without `tweet.fields=public_metrics`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{parse_authorization, problem, verify_request, AppState};

pub(super) async fn show_post(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let oauth = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(parse_authorization)
        .unwrap_or_default();
    let fields = query.get("tweet.fields").map(String::as_str).unwrap_or("");
    let url = format!("{}/{id}", app.url);
    if !verify_request(&oauth, "GET", &url, &[("tweet.fields", fields)]) {
        return problem(401, "Unauthorized", "Unauthorized");
    }
    if fields != "public_metrics" || query.len() != 1 {
        return problem(
            400,
            "Invalid Request",
            "One or more parameters to your request was invalid.",
        );
    }
    let mut inner = app.inner.lock().expect("lock");
    inner.metrics_read += 1;
    let Some(post) = inner.created.iter().find(|p| p.id == id).cloned() else {
        return axum::Json(json!({"errors": [{"value": id, "detail": format!("Could not find tweet with id: [{id}].",),
            "title": "Not Found Error", "resource_type": "tweet", "parameter": "id",
            "resource_id": id, "type": "https://api.twitter.com/2/problems/resource-not-found"}]}))
        .into_response();
    };
    let metrics = inner.metrics.get(&id).cloned().unwrap_or_else(|| {
        json!({"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0,
            "bookmark_count": 0, "impression_count": 0})
    });
    axum::Json(json!({"data": {"id": id, "text": post.text,
        "edit_history_tweet_ids": [id], "public_metrics": metrics}}))
    .into_response()
}
