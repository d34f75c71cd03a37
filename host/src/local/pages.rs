//! Pages of a listing by cursor, as `GET /events` and `GET /schedules` answer them: at most
//! `limit` items (1-[`MAX_PAGE`], default [`MAX_PAGE`]) as a JSON array, and
//! `Link: <...>; rel="next"` (RFC 8288) when more follow. Without parameters each is the
//! whole listing while that holds at most [`MAX_PAGE`] items.

use axum::response::{IntoResponse, Response};

use crate::local::store::{ScheduleCursor, SqliteStore};

/// The most items one page holds, and the page size without `limit`.
pub const MAX_PAGE: usize = 1000;

/// `text` as a whole number when it is digits only (no sign, space or point) and fits `T`.
pub fn whole_number<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// The page size `limit` asks for, [`MAX_PAGE`] without it.
///
/// # Errors
/// A sentence when it is not a whole number from 1 to [`MAX_PAGE`].
pub fn limit(text: Option<&str>) -> Result<usize, String> {
    match text {
        None => Ok(MAX_PAGE),
        Some(text) => whole_number::<usize>(text)
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| {
                format!("limit must be a whole number from 1 to {MAX_PAGE}, not {text:?}")
            }),
    }
}

/// `items` (JSON texts) as a JSON array; with a `Link` to `next` (a path and query) when
/// there is one.
pub fn json_page<'a>(items: impl Iterator<Item = &'a str>, next: Option<String>) -> Response {
    let mut body = String::from("[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(item);
    }
    body.push(']');
    let mut response = ([(http::header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(next) = next {
        let link = format!("<{next}>; rel=\"next\"");
        if let Ok(value) = http::HeaderValue::from_str(&link) {
            response.headers_mut().insert(http::header::LINK, value);
        }
    }
    response
}

/// A schedule cursor as `GET /schedules` writes it in its `Link`: `<fire_at>.<name>` (the
/// fire time's digits end at the first `.`; a name may hold `.` itself).
fn schedule_cursor(text: &str) -> Option<ScheduleCursor> {
    let (fire_at, name) = text.split_once('.')?;
    let fire_at = whole_number(fire_at)?;
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    (!name.is_empty() && name.chars().all(name_char)).then(|| (fire_at, name.to_string()))
}

/// `GET /schedules[?after=<cursor>][&limit=<n>]`: a page of the pending schedules, earliest
/// delivery first, after `after` (the cursor in the previous page's `Link`).
///
/// # Errors
/// A sentence for an `after` that is no cursor or a bad `limit` ([`limit`]); the inner
/// error is a failed store.
pub fn schedules(
    store: &SqliteStore,
    after: Option<&str>,
    limit_text: Option<&str>,
) -> Result<anyhow::Result<Response>, String> {
    let after = after
        .map(|text| {
            schedule_cursor(text).ok_or_else(|| {
                format!(
                    "after must be the cursor of a schedule from a Link header of GET /schedules \
                     (<fire time>.<name>), not {text:?}"
                )
            })
        })
        .transpose()?;
    let limit = limit(limit_text)?;
    Ok(schedules_after(store, after, limit))
}

fn schedules_after(
    store: &SqliteStore,
    after: Option<ScheduleCursor>,
    limit: usize,
) -> anyhow::Result<Response> {
    // One more than the page, to know whether a next page exists.
    let mut page = store.pending_after(after, limit + 1)?;
    let more = page.len() > limit;
    page.truncate(limit);
    let items: Vec<String> = page
        .iter()
        .map(|(_, schedule)| serde_json::to_string(schedule))
        .collect::<Result<_, _>>()?;
    let next = match (more, page.last()) {
        (true, Some((fire_at, last))) => Some(format!(
            "/schedules?after={fire_at}.{}&limit={limit}",
            last.name
        )),
        _ => None,
    };
    Ok(json_page(items.iter().map(String::as_str), next))
}
