//! The command line of a running `sps serve`: `sps schedule`, `sps list`, `sps cancel`,
//! `sps events`, `sps campaigns`. Each talks to the local API over HTTP (`--server`, default
//! `http://127.0.0.1:8080`, or `SPS_SERVER`; the token of `SPS_API_TOKEN` as a bearer
//! token), prints a table (`sps cancel`: one line), or JSON with `--json` (the server's
//! answer; `sps events --json` one envelope per line, also for a rejection), and exits with
//! [`Failure::code`]: 0 done,
//! 1 rejected (or the server failed), 2 wrong usage (clap's own code), 3 the server could
//! not be reached. No scheduling rule lives here: the server's answer is printed.

mod campaigns;
mod client;
mod commands;
mod output;

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::Value;

pub use client::{Answer, Client};

/// What every client command takes.
#[derive(Args, Debug, Clone)]
pub struct ClientArgs {
    /// The `sps serve` to talk to.
    #[arg(long, env = "SPS_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// Print the server's JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The API token (`SPS_API_TOKEN` of the server), sent as a bearer token.
    #[arg(long, env = "SPS_API_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// The client commands.
#[derive(Subcommand, Debug, Clone)]
pub enum ClientCommand {
    /// Schedule a post (or replace the pending one of the same reference) from flags, or
    /// from an event file (`--file`, `-` for stdin).
    #[command(after_help = commands::SCHEDULE_EXAMPLES)]
    Schedule(commands::ScheduleArgs),
    /// List the pending posts, soonest first.
    #[command(after_help = commands::LIST_EXAMPLES)]
    List(commands::ListArgs),
    /// Cancel a pending post (a `Cancel Social Post` event).
    #[command(after_help = commands::CANCEL_EXAMPLES)]
    Cancel(commands::CancelArgs),
    /// Print the outcome events, oldest first; `--follow` keeps printing new ones.
    #[command(after_help = commands::EVENTS_EXAMPLES)]
    Events(commands::EventsArgs),
    /// List the campaigns and their booked slots, or one campaign's booked slots.
    #[command(after_help = campaigns::CAMPAIGNS_EXAMPLES)]
    Campaigns(campaigns::CampaignsArgs),
}

/// Why a command did not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server refused (a rejection's reason and message) or failed; exit code 1.
    Server(String),
    /// The input could not be used (a file that cannot be read); exit code 2.
    Usage(String),
    /// The server could not be reached; exit code 3.
    Unreachable(String),
    /// Standard output was closed by its reader; the command stops, exit code 0.
    Closed,
}

impl Failure {
    /// The process exit code: 1, 2 or 3 (0 for [`Failure::Closed`]).
    pub fn code(&self) -> u8 {
        match self {
            Failure::Server(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Unreachable(_) => 3,
            Failure::Closed => 0,
        }
    }

    /// The failure an answer that is not a success stands for: its `reason` and
    /// `message` (`rejected: message-too-long: message is 281 weighted characters; ...`).
    pub fn from_answer(answer: &Answer) -> Self {
        let text = |key: &str| answer.body.get(key).and_then(Value::as_str);
        let what = match text("status") {
            Some("rejected") => "rejected",
            _ => "the server failed",
        };
        Failure::Server(match (text("reason"), text("message")) {
            (Some(reason), Some(message)) => format!("{what}: {reason}: {message}"),
            _ => format!("{what}: HTTP {}: {}", answer.status, answer.body),
        })
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Server(m) | Failure::Usage(m) | Failure::Unreachable(m) => f.write_str(m),
            Failure::Closed => f.write_str("standard output was closed"),
        }
    }
}

/// Runs a client command and prints its outcome; errors go to stderr as `error: ...`.
pub fn run(command: &ClientCommand) -> ExitCode {
    let connect = |args: &ClientArgs| Client::new(&args.server, args.token.clone());
    let result = match command {
        ClientCommand::Schedule(c) => {
            connect(&c.client).and_then(|client| commands::schedule(&client, c.client.json, c))
        }
        ClientCommand::List(c) => {
            connect(&c.client).and_then(|client| commands::list(&client, c.client.json, c))
        }
        ClientCommand::Cancel(c) => {
            connect(&c.client).and_then(|client| commands::cancel(&client, c.client.json, c))
        }
        ClientCommand::Events(c) => {
            connect(&c.client).and_then(|client| commands::events(&client, c.client.json, c))
        }
        ClientCommand::Campaigns(c) => {
            connect(&c.client).and_then(|client| campaigns::campaigns(&client, c.client.json, c))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`sps events | head -1`): stop quietly, as a filter does.
        Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.code())
        }
    }
}
