//! The event log by its cursor, the sequence number (`seq`, 1, 2, ...) each event gets
//! when it is written:
//!
//! - `GET /events[?after=<id>][&limit=<n>]`: a page, oldest first, of at most `n` (1-1000,
//!   default 1000) envelopes after event `id`, with `Link: <...>; rel="next"` (RFC 8288)
//!   when more follow. Without parameters it is the whole log while that holds at most
//!   1000 events.
//! - `GET /events?follow=1`: the log as server-sent events (the HTML Living Standard,
//!   "Server-sent events"), for a terminal (`curl -N`) or a page. Each event is one message
//!   whose `id` is its sequence number and whose `data` is its EventBridge envelope; the
//!   stream starts after `after=<id>` (or the `Last-Event-ID` a reconnecting client
//!   sends), or with the newest `last=<n>` events (1-1000; the page's outcomes), else with
//!   the next event written, and has no gaps: it reads the log in sequence order.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};

use crate::local::pages::{self, whole_number, MAX_PAGE};
use crate::local::store::SqliteStore;

/// Events read from the log at a time.
const PAGE: usize = 100;

/// Where a stream starts: after this sequence number (`after`, else `Last-Event-ID`, else
/// `last` events before the newest, else the newest).
///
/// # Errors
/// A sentence when `after` (or `Last-Event-ID`) is not a whole number, or `last` not one
/// from 1 to [`MAX_PAGE`].
pub fn start(
    after: Option<&str>,
    last_event_id: Option<&str>,
    last: Option<&str>,
    store: &SqliteStore,
) -> Result<i64, String> {
    let newest = || *store.subscribe_events().borrow();
    match (after.or(last_event_id), last) {
        (Some(text), _) => parse_after(text),
        (None, Some(text)) => {
            let count: i64 = whole_number(text)
                .filter(|n| (1..=i64::try_from(MAX_PAGE).unwrap_or(i64::MAX)).contains(n))
                .ok_or_else(|| {
                    format!("last must be a whole number from 1 to {MAX_PAGE}, not {text:?}")
                })?;
            Ok(newest().saturating_sub(count).max(0))
        }
        (None, None) => Ok(newest()),
    }
}

/// An event id (`seq`).
fn parse_after(text: &str) -> Result<i64, String> {
    whole_number(text).ok_or_else(|| {
        format!("after must be the id of an event in the stream (a whole number), not {text:?}")
    })
}

/// A page of the log: up to `limit` envelopes after `after` as a JSON array, with a
/// `Link` to the next page when there is more.
///
/// # Errors
/// A sentence for an `after` or `limit` that is not a whole number (`limit` 1-1000); the
/// inner error is a failed store.
pub fn page(
    store: &SqliteStore,
    after: Option<&str>,
    limit: Option<&str>,
) -> Result<anyhow::Result<Response>, String> {
    let after = after.map(parse_after).transpose()?.unwrap_or(0);
    let limit = pages::limit(limit)?;
    Ok(page_after(store, after, limit))
}

fn page_after(store: &SqliteStore, after: i64, limit: usize) -> anyhow::Result<Response> {
    // One more than the page, to know whether a next page exists.
    let mut events = store.events_after(after, limit + 1)?;
    let more = events.len() > limit;
    events.truncate(limit);
    let next = match (more, events.last()) {
        (true, Some((last, _))) => Some(format!("/events?after={last}&limit={limit}")),
        _ => None,
    };
    // The stored text is the envelope's JSON as it was written.
    Ok(pages::json_page(
        events.iter().map(|(_, envelope)| envelope.as_str()),
        next,
    ))
}

struct Cursor {
    store: Arc<SqliteStore>,
    events: tokio::sync::watch::Receiver<i64>,
    after: i64,
    read: VecDeque<(i64, String)>,
}

/// The stream of events after `after`, kept alive with a comment every 15 s.
pub fn stream(store: Arc<SqliteStore>, after: i64) -> Response {
    let cursor = Cursor {
        events: store.subscribe_events(),
        store,
        after,
        read: VecDeque::new(),
    };
    Sse::new(messages(cursor))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn messages(cursor: Cursor) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(cursor, |mut cursor| async move {
        loop {
            if let Some((seq, envelope)) = cursor.read.pop_front() {
                cursor.after = seq;
                return Some((
                    Ok(Event::default().id(seq.to_string()).data(envelope)),
                    cursor,
                ));
            }
            // Mark the current last event seen before reading, so an event written after
            // the read wakes the wait below.
            cursor.events.borrow_and_update();
            match cursor.store.events_after(cursor.after, PAGE) {
                Ok(page) if !page.is_empty() => cursor.read.extend(page),
                Ok(_) => {
                    if cursor.events.changed().await.is_err() {
                        return None;
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %format!("{err:#}"), "cannot read the event log for a stream; ending it");
                    return None;
                }
            }
        }
    })
}
