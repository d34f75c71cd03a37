//! `GET /events?follow=1`: the event log as server-sent events (the HTML Living
//! Standard, "Server-sent events"), for a terminal (`curl -N`) or a page. Each event is
//! one message whose `id` is its sequence number in the log and whose `data` is its
//! EventBridge envelope; the stream starts after `after=<id>` (or the `Last-Event-ID` a
//! reconnecting client sends), else with the next event written, and has no gaps: it
//! reads the log in sequence order.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};

use crate::local::store::SqliteStore;

/// Events read from the log at a time.
const PAGE: usize = 100;

/// Where a stream starts: after this sequence number.
///
/// # Errors
/// A sentence when `after` (or `Last-Event-ID`) is not a whole number.
pub fn start(
    after: Option<&str>,
    last_event_id: Option<&str>,
    store: &SqliteStore,
) -> Result<i64, String> {
    match after.or(last_event_id) {
        Some(text) => text
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| text.parse::<i64>().ok())
            .flatten()
            .ok_or_else(|| {
                format!(
                    "after must be the id of an event in the stream (a whole number), not {text:?}"
                )
            }),
        None => Ok(*store.subscribe_events().borrow()),
    }
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
