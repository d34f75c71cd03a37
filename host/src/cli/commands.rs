//! The client commands: each builds its request, sends it through [`Client`] and prints
//! the answer ([`super::output`]).

use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Map, Value};

use super::output::{self, event_summary, first_words, text};
use super::{Client, ClientArgs, Failure};

/// The examples under `sps schedule --help`.
pub const SCHEDULE_EXAMPLES: &str = r#"Examples:
  sps schedule --platform twitter --message "Hello world!" --date 2030-10-23T08:48:00
  sps schedule -p mastodon -m "Guten Morgen" -d 2030-10-23T09:30:00 --time-zone Europe/Berlin -r gm1
  sps schedule -p twitter -m "Launch day" --campaign launch   # the campaign's best free slot
  sps schedule --file event.json          # an EventBridge event or its detail
  echo '{"message":"Hi","platform":"twitter","scheduledDate":"2030-10-23T08:48:00"}' | sps schedule --file -"#;

/// The examples under `sps list --help`.
pub const LIST_EXAMPLES: &str = "Examples:
  sps list
  sps list --platform twitter --json";

/// The examples under `sps cancel --help`.
pub const CANCEL_EXAMPLES: &str = "Examples:
  sps cancel testtweet --platform twitter";

/// The examples under `sps events --help`.
pub const EVENTS_EXAMPLES: &str = "Examples:
  sps events
  sps events --reference testtweet
  sps events --follow --json       # every event as it is written, one JSON line each";

/// `sps schedule`.
#[derive(Args, Debug, Clone)]
pub struct ScheduleArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub client: ClientArgs,
    /// The post text.
    #[arg(short, long, required_unless_present = "file", conflicts_with = "file")]
    pub message: Option<String>,
    /// The platform (twitter, linkedin, bluesky, mastodon, or another loaded one).
    #[arg(short, long, required_unless_present = "file", conflicts_with = "file")]
    pub platform: Option<String>,
    /// When to post: YYYY-MM-DDTHH:MM:SS, UTC unless --time-zone or an offset says otherwise;
    /// with --campaign, absent (or `auto`) books the campaign's best free slot.
    #[arg(
        short,
        long,
        required_unless_present_any = ["file", "campaign"],
        conflicts_with = "file"
    )]
    pub date: Option<String>,
    /// The campaign the post belongs to (README, "Campaigns").
    #[arg(long, conflicts_with = "file")]
    pub campaign: Option<String>,
    /// The post's reference (its identity: the same one again replaces it); generated when absent.
    #[arg(short, long, conflicts_with = "file")]
    pub reference: Option<String>,
    /// The IANA time zone of --date (Europe/Berlin).
    #[arg(long, conflicts_with = "file")]
    pub time_zone: Option<String>,
    /// The platform account that posts (default `default`).
    #[arg(long, conflicts_with = "file")]
    pub account: Option<String>,
    /// A reply of the thread, after the message (repeat for more, in order).
    #[arg(long = "thread", conflicts_with = "file")]
    pub thread: Vec<String>,
    /// An event file to send as it is: an EventBridge event, or its detail; `-` reads stdin.
    #[arg(short, long)]
    pub file: Option<PathBuf>,
}

/// The value at the JSON pointer `pointer` of `value`, or null.
fn at<'v>(value: &'v Value, pointer: &str) -> &'v Value {
    value.pointer(pointer).unwrap_or(&Value::Null)
}

/// The event `args` stand for, as JSON text: the file's text exactly as it is (a
/// Schedule Social Post event, or its detail), or an EventBridge event built from the
/// flags.
fn schedule_event(args: &ScheduleArgs) -> Result<String, Failure> {
    if let Some(path) = &args.file {
        let mut text = String::new();
        let read = if path.as_os_str() == "-" {
            std::io::stdin().read_to_string(&mut text).map(|_| ())
        } else {
            std::fs::read_to_string(path).map(|t| text = t)
        };
        read.map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| Failure::Usage(format!("{} is not JSON: {e}", path.display())))?;
        let other = |what: &str| {
            Failure::Usage(format!(
                "{} holds {what}; sps schedule sends one Schedule Social Post event (or its detail)",
                path.display()
            ))
        };
        if value.get("Entries").is_some() {
            return Err(other("a PutEvents request (Entries)"));
        }
        match value.get("detail-type").and_then(Value::as_str) {
            Some("Cancel Social Post") => {
                return Err(other("a Cancel Social Post event (use sps cancel)"))
            }
            _ => return Ok(text),
        }
    }
    let mut detail = Map::new();
    let mut put = |key: &str, value: &Option<String>| {
        if let Some(value) = value {
            detail.insert(key.to_string(), json!(value));
        }
    };
    put("message", &args.message);
    put("platform", &args.platform);
    put("scheduledDate", &args.date);
    put("referenceNumber", &args.reference);
    put("timeZone", &args.time_zone);
    put("account", &args.account);
    put("campaign", &args.campaign);
    if !args.thread.is_empty() {
        detail.insert("thread".to_string(), json!(args.thread));
    }
    Ok(
        json!({"detail-type": "Schedule Social Post", "source": "sps-cli", "detail": detail})
            .to_string(),
    )
}

/// A refusal: with `--json` the server's answer is printed too, then the failure.
pub(super) fn refused(json: bool, answer: &super::Answer) -> Failure {
    if json {
        if let Err(closed) = output::json(&answer.body) {
            return closed;
        }
    }
    Failure::from_answer(answer)
}

/// `sps schedule`: `scheduled (created) twitter-r 2030-10-23T08:48:00`.
///
/// # Errors
/// [`Failure`] as the module says.
pub fn schedule(client: &Client, json: bool, args: &ScheduleArgs) -> Result<(), Failure> {
    let answer = client.post_text("/events", &schedule_event(args)?)?;
    if !(200..300).contains(&answer.status) {
        return Err(refused(json, &answer));
    }
    if json {
        return output::json(&answer.body);
    }
    let mut header = vec!["STATUS", "REFERENCE", "SCHEDULE", "DATE (UTC)"];
    let mut row = vec![
        format!(
            "{} ({})",
            text(&answer.body, "status"),
            text(&answer.body, "action")
        ),
        text(&answer.body, "referenceNumber"),
        text(&answer.body, "scheduleName"),
        text(&answer.body, "scheduledDate"),
    ];
    if answer.body.get("campaign").is_some() {
        header.extend(["CAMPAIGN", "SLOT"]);
        row.extend([text(&answer.body, "campaign"), text(&answer.body, "slot")]);
    }
    output::table(&header, vec![row])
}

/// `sps list`.
#[derive(Args, Debug, Clone)]
pub struct ListArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub client: ClientArgs,
    /// Only the posts for this platform.
    #[arg(short, long)]
    pub platform: Option<String>,
}

/// `sps list`: one row per pending post, soonest first (metrics readings left out).
///
/// # Errors
/// [`Failure`] as the module says.
pub fn list(client: &Client, json: bool, args: &ListArgs) -> Result<(), Failure> {
    let mut schedules = Vec::new();
    client.pages("/schedules", |page| {
        schedules.extend_from_slice(page);
        Ok(())
    })?;
    // A campaign post's metrics reading is a schedule too, but no post.
    let mut pending: Vec<&Value> = schedules
        .iter()
        .filter(|s| at(s, "/input/kind") != sps_contract::metrics::METRICS_KIND)
        .filter(|s| {
            args.platform
                .as_deref()
                .is_none_or(|p| at(s, "/input/platform") == p)
        })
        .collect();
    pending.sort_by_key(|s| text(s, "fireAt"));
    if json {
        return output::json(&Value::Array(pending.into_iter().cloned().collect()));
    }
    let rows = pending
        .iter()
        .map(|s| {
            vec![
                text(at(s, "/input"), "referenceNumber"),
                text(at(s, "/input"), "platform"),
                text(s, "at"),
                text(s, "fireAt"),
                first_words(&text(at(s, "/input"), "message"), 40),
            ]
        })
        .collect();
    output::table(
        &["REFERENCE", "PLATFORM", "AT", "FIRES AT", "MESSAGE"],
        rows,
    )
}

/// `sps cancel`.
#[derive(Args, Debug, Clone)]
pub struct CancelArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub client: ClientArgs,
    /// The post's reference.
    pub reference: String,
    /// The post's platform.
    #[arg(short, long)]
    pub platform: String,
}

/// `sps cancel`: `cancelled twitter-r`.
///
/// # Errors
/// [`Failure`] as the module says (`rejected: already-sent: ...`).
pub fn cancel(client: &Client, json: bool, args: &CancelArgs) -> Result<(), Failure> {
    let event = json!({"detail-type": "Cancel Social Post", "source": "sps-cli",
        "detail": {"referenceNumber": args.reference, "platform": args.platform}});
    let answer = client.post("/events", &event)?;
    if answer.status != 200 {
        return Err(refused(json, &answer));
    }
    if json {
        output::json(&answer.body)
    } else {
        output::line(&format!("cancelled {}", text(&answer.body, "scheduleName")))
    }
}

/// `sps events`.
#[derive(Args, Debug, Clone)]
pub struct EventsArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub client: ClientArgs,
    /// Keep printing events as they are written (server-sent events), until interrupted.
    #[arg(short, long)]
    pub follow: bool,
    /// Only the events of this post.
    #[arg(short, long)]
    pub reference: Option<String>,
}

/// `sps events`: every page of the log as one table; with `--follow` the log as a stream,
/// one line per event, then each new event as it is written.
///
/// # Errors
/// [`Failure`] as the module says.
pub fn events(client: &Client, json: bool, args: &EventsArgs) -> Result<(), Failure> {
    let wanted = |envelope: &Value| {
        args.reference
            .as_deref()
            .is_none_or(|r| at(envelope, "/detail/referenceNumber") == r)
    };
    let row = |e: &Value| {
        let detail_type = text(e, "detail-type");
        vec![
            text(e, "time"),
            text(at(e, "/detail"), "referenceNumber"),
            event_summary(&detail_type, at(e, "/detail")),
            detail_type,
        ]
    };
    let header = ["TIME", "REFERENCE", "WHAT", "DETAIL-TYPE"];
    if args.follow {
        // The stream from the start of the log holds it whole, then each new event; the
        // header comes with the first line, so a server that is not there prints none.
        let mut header_due = !json;
        let mut closed = None;
        client.follow("/events?follow=1&after=0", |envelope| {
            if !wanted(&envelope) {
                return true;
            }
            let mut printed = Ok(());
            if std::mem::take(&mut header_due) {
                printed = output::line(&header.join("  "));
            }
            let printed = printed.and_then(|()| {
                if json {
                    output::json(&envelope)
                } else {
                    output::line(&row(&envelope).join("  "))
                }
            });
            match printed {
                Ok(()) => true,
                Err(failure) => {
                    closed = Some(failure);
                    false
                }
            }
        })?;
        return closed.map_or(Ok(()), Err);
    }
    let mut rows = Vec::new();
    client.pages("/events?after=0&limit=1000", |page| {
        for envelope in page.iter().filter(|e| wanted(e)) {
            if json {
                output::json(envelope)?;
            } else {
                rows.push(row(envelope));
            }
        }
        Ok(())
    })?;
    if json {
        Ok(())
    } else {
        output::table(&header, rows)
    }
}
