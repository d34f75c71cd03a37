//! The harness of `tests/crash.rs`: `sps serve` started quietly and killed with SIGKILL,
//! the client thread that sends the posts, what the test keeps of each post, the outcomes
//! and pending schedules it reads back, and the figures of a run.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{json, Value};

use super::serve::Serve;

/// Writes a line to the test's stderr, past libtest's output capture, so the seed and the
/// figures show in a passing run too.
pub fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
    let _ = err.flush();
}

/// Where one post's request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Not sent yet.
    Unsent,
    /// Sent; the kill cut it (no answer); a later life decides whether to resend it.
    Cut,
    /// Cut and not sent again.
    Abandoned,
    /// Answered with this status (201 created, 200 updated, or a rejection) and, for a
    /// rejection, its reason.
    Answered(u16, Option<String>),
}

#[derive(Debug, Clone)]
pub struct Post {
    pub reference: String,
    pub text: String,
    /// Seconds ahead of the first send that the post is scheduled for (1-3).
    pub ahead: i64,
    /// The event as sent (fixed at the first send, so a resend is the same event).
    pub event: Option<String>,
    pub request: Request,
    /// Requests sent for this post, and how many of them were cut.
    pub sends: u32,
    pub cuts: u32,
}

impl Post {
    pub fn accepted(&self) -> bool {
        matches!(self.request, Request::Answered(200 | 201, _))
    }
}

/// What the submitters share with the driver.
pub struct Plan {
    pub posts: Vec<Post>,
    /// Indexes of the posts to send next, in order.
    pub queue: VecDeque<usize>,
}

/// `POST /events` without panicking: the status and the rejection's reason, or `None` when
/// no answer came (the process was killed before or while it handled the request).
pub fn try_post(agent: &ureq::Agent, base: &str, body: &str) -> Option<(u16, Option<String>)> {
    let response = agent
        .post(&format!("{base}/events"))
        .content_type("application/json")
        .send(body)
        .ok()?;
    let status = response.status().as_u16();
    // A cut can also come while the body is read: count only a complete JSON answer.
    let answer: Value = response.into_body().read_json().ok()?;
    Some((status, answer["reason"].as_str().map(str::to_string)))
}

/// Sends queued posts to `base`, pausing 0-40 ms (seeded) between requests, until `stop`
/// or the first request without an answer (the process is gone).
pub fn submit(plan: &Mutex<Plan>, base: &str, stop: &AtomicBool, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    while !stop.load(Ordering::SeqCst) {
        let (index, body) = {
            let mut plan = plan.lock().unwrap();
            let Some(index) = plan.queue.pop_front() else {
                return;
            };
            let post = &mut plan.posts[index];
            let body = post
                .event
                .get_or_insert_with(|| {
                    json!({"detail-type": "Schedule Social Post", "source": "crash-test",
                        "detail": {"message": post.text, "platform": "twitter",
                            "scheduledDate": super::utc_in(post.ahead),
                            "referenceNumber": post.reference}})
                    .to_string()
                })
                .clone();
            post.sends += 1;
            (index, body)
        };
        let answer = try_post(&agent, base, &body);
        let mut plan = plan.lock().unwrap();
        let post = &mut plan.posts[index];
        match answer {
            Some((status, reason)) => post.request = Request::Answered(status, reason),
            None => {
                post.request = Request::Cut;
                post.cuts += 1;
                return;
            }
        }
        drop(plan);
        std::thread::sleep(Duration::from_millis(rng.random_range(0..=40)));
    }
}

/// The outcome events of one post, from `GET /events`.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub scheduled: u32,
    /// `postId` of each `Social Post Sent`.
    pub sent: Vec<String>,
    /// `reason` of each `Social Post Failed` of stage `sending`.
    pub failed: Vec<String>,
    /// `reason` of each `Social Post Failed` of stage `scheduling` (a rejected request).
    pub rejected: Vec<String>,
}

impl Seen {
    /// The distinct outcomes: `sent:<id>` and `failed:<reason>`.
    pub fn distinct(&self) -> BTreeSet<String> {
        self.sent
            .iter()
            .map(|id| format!("sent:{id}"))
            .chain(self.failed.iter().map(|r| format!("failed:{r}")))
            .collect()
    }
}

pub fn get_json(base: &str, path: &str) -> Value {
    ureq::get(&format!("{base}{path}"))
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
        .into_body()
        .with_config()
        .limit(256 << 20)
        .read_json()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

pub fn outcomes(base: &str) -> BTreeMap<String, Seen> {
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    for event in get_json(base, "/events").as_array().expect("array") {
        let detail = &event["detail"];
        let Some(reference) = detail["referenceNumber"].as_str() else {
            continue;
        };
        let entry = seen.entry(reference.to_string()).or_default();
        let text = |k: &str| detail[k].as_str().unwrap_or_default().to_string();
        match event["detail-type"].as_str() {
            Some("Post Scheduled") => entry.scheduled += 1,
            Some("Social Post Sent") => entry.sent.push(text("postId")),
            Some("Social Post Failed") if detail["stage"] == "sending" => {
                entry.failed.push(text("reason"));
            }
            Some("Social Post Failed") => entry.rejected.push(text("reason")),
            _ => {}
        }
    }
    seen
}

/// The pending schedules' delivery moments, Unix seconds.
pub fn pending_fire_times(base: &str) -> Vec<i64> {
    get_json(base, "/schedules")
        .as_array()
        .expect("array")
        .iter()
        .map(|s| {
            let at = s["fireAt"].as_str().expect("fireAt");
            chrono::DateTime::parse_from_rfc3339(at)
                .unwrap_or_else(|e| panic!("fireAt {at:?}: {e}"))
                .timestamp()
        })
        .collect()
}

/// `sps serve` logging errors only (each crash makes many warnings), or as
/// `SPS_CRASH_RUST_LOG` says.
pub fn quiet(mut cmd: std::process::Command) -> std::process::Command {
    let filter = std::env::var("SPS_CRASH_RUST_LOG").unwrap_or_else(|_| "error".to_string());
    cmd.env("RUST_LOG", filter);
    cmd
}

pub fn kill(server: &mut Serve) {
    // Child::kill is SIGKILL on Unix: no handler runs, nothing is flushed.
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("wait");
}

/// The figures of one run.
#[derive(Debug, Default)]
pub struct Figures {
    pub posts: usize,
    pub accepted: usize,
    pub created: usize,
    pub updated: usize,
    /// Resends answered 422 `schedule-rejected` (the first request's schedule was being
    /// delivered).
    pub refused_being_delivered: usize,
    pub cut_requests: u32,
    pub resent: usize,
    pub abandoned: usize,
    pub abandoned_with_outcome: usize,
    pub kills: u32,
    pub startup_kills: u32,
    pub restarts: u32,
    pub sent_posts: usize,
    pub sent_events: usize,
    pub failed_by_reason: BTreeMap<String, usize>,
    pub x_requests: usize,
    pub outcome_without_post_scheduled: usize,
    /// `unknown-outcome` posts whose text X did receive (a kill between X's answer and the
    /// ledger record), and those X never received (a kill between the claim and the call).
    pub unknown_at_x: usize,
    pub unknown_not_at_x: usize,
    pub dead_letters: usize,
    pub final_wait: Duration,
    pub duration: Duration,
}

pub fn summary(f: &Figures) -> String {
    let unknown = f
        .failed_by_reason
        .get("unknown-outcome")
        .copied()
        .unwrap_or(0);
    format!(
        "posts {} (accepted {}: created {}, updated {}; requests cut {}, resent {}, abandoned {} \
         of which {} published or failed anyway, resends refused while being delivered {}), \
         kills {} (during start {}), restarts {}, \
         outcomes: sent {} posts ({} Sent events), failed {:?}, X requests {}, \
         unknown-outcome {} (X had received {}, never received {}), \
         outcome without Post Scheduled {}, dead letters {}, \
         last process waited {:.1} s, duration {:.1} s",
        f.posts,
        f.accepted,
        f.created,
        f.updated,
        f.cut_requests,
        f.resent,
        f.abandoned,
        f.abandoned_with_outcome,
        f.refused_being_delivered,
        f.kills,
        f.startup_kills,
        f.restarts,
        f.sent_posts,
        f.sent_events,
        f.failed_by_reason,
        f.x_requests,
        unknown,
        f.unknown_at_x,
        f.unknown_not_at_x,
        f.outcome_without_post_scheduled,
        f.dead_letters,
        f.final_wait.as_secs_f64(),
        f.duration.as_secs_f64()
    )
}
