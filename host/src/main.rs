//! `sps`: the Social Post Scheduler host.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use sps_host::caps::Backends;
use sps_host::local::{api, lock::DataDirLock, store::SqliteStore, timer};
use sps_host::logging::{Format, LogSettings};
use sps_host::runtime::{loader::VERSION_TEXT, Runtime};
use sps_host::settings::ServeSettings;

/// Social Post Scheduler: schedules social posts and publishes them when their time comes.
///
/// Under AWS Lambda (`AWS_LAMBDA_RUNTIME_API` set) without a subcommand it serves the
/// function named by `SPS_FUNCTION`, as `sps lambda` does (builds with the feature `aws`).
#[derive(Parser)]
#[command(version = VERSION_TEXT, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// The examples under `sps --help`.
const EXAMPLES: &str = "Examples:
  sps serve                        # API on http://127.0.0.1:8080, data in ./.sps
  sps serve --help                 # every setting of the local runtime
  sps schedule -p twitter -m 'Hello world!' -d 2030-10-23T08:48:00
  sps list                         # the pending posts of the running sps serve
  sps cancel testtweet -p twitter
  sps events --follow              # outcome events as they happen
  sps --version                    # the version and the embedded components' digests";

/// The examples under `sps serve --help`.
const SERVE_EXAMPLES: &str = r#"Examples:
  sps serve
  SPS_SECRETS_FILE=./x-secrets.json sps serve   # posts for real; see the README
  curl -s localhost:8080/events -d '{
    "detail-type": "Schedule Social Post", "source": "test",
    "detail": {"message": "Hello world!", "platform": "twitter",
               "scheduledDate": "2030-10-23T08:48:00", "referenceNumber": "testtweet"}}'
  curl -s localhost:8080/schedules"#;

/// The examples under `sps lambda --help`.
const LAMBDA_EXAMPLES: &str = "Examples:
  cargo lambda build --release     # the feature aws is on through Cargo.toml's metadata
  SPS_FUNCTION=scheduler sps lambda   # inside the Lambda execution environment";

#[derive(Subcommand)]
enum Command {
    /// Run locally: SQLite store, timer and a loopback HTTP API (POST /events,
    /// GET /schedules, GET /events, GET /dead-letters, GET /health,
    /// POST /schedules/{name}/fire, POST /dead-letters/{id}/retry, and EventBridge's
    /// PutEvents on POST / for the AWS SDKs and CLI). Logs: RUST_LOG,
    /// SPS_LOG_FORMAT (text or json), NO_COLOR; other platforms' settings:
    /// SPS_PLATFORM_<NAME>_BASE_URL and SPS_PLATFORM_<NAME>_<KEY> (README, Configuration).
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(Box<ServeSettings>),
    /// Serve the AWS Lambda function named by SPS_FUNCTION (scheduler or sender) through
    /// the Lambda runtime API (AWS_LAMBDA_RUNTIME_API); settings from SPS_* variables.
    /// Only in builds with the feature aws.
    #[command(after_help = LAMBDA_EXAMPLES)]
    Lambda,
    #[command(flatten)]
    Client(Box<sps_host::cli::ClientCommand>),
}

/// The environment variable the Lambda execution environment sets.
const LAMBDA_RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";

fn main() -> ExitCode {
    let in_lambda = std::env::var_os(LAMBDA_RUNTIME_API).is_some();
    let logging = match LogSettings::from_env(in_lambda) {
        Ok(logging) => logging,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
    if let Err(err) = logging.init() {
        eprintln!("error: {err:#}");
        return ExitCode::from(2);
    }
    let cli = Cli::parse();
    let command = match cli.command {
        // The client commands talk to a running sps serve over HTTP: no runtime here.
        Some(Command::Client(command)) => return sps_host::cli::run(&command),
        Some(command) => command,
        None if in_lambda => Command::Lambda,
        None => {
            eprintln!("error: a subcommand is required (sps serve, sps schedule, sps list, ...); see sps --help");
            return ExitCode::from(2);
        }
    };
    // Tokio's default worker threads: one per core (`TOKIO_WORKER_THREADS` sets others).
    // `sps serve` ran 4 per core while a commit held the store's connection through its
    // fsync. Since the fsync left the lock, the extra threads cost tail latency, as the
    // kernel time-slices them on few cores: `GET /events?after=<n>&limit=100` at
    // 1,000,000 events, `wrk -c8` on this project's 2-core machine, p99 1.8 ms with 2
    // workers against 4.0-12 ms with 8. Writes did not gain from them either (same disk,
    // alternating 3 s rounds: 2 workers 8,874 and 8,959 events/s, 8 workers 8,533 and
    // 7,739).
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| {
            let result = rt.block_on(async {
                match command {
                    Command::Serve(settings) => serve(*settings).await,
                    Command::Lambda => lambda().await,
                    Command::Client(_) => Ok(()),
                }
            });
            // A POST to the event target still in flight is not waited for: its event
            // stays queued and is delivered again after a restart.
            rt.shutdown_timeout(Duration::from_millis(100));
            result
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Once: as a JSON log line where logs are JSON, else as a plain line.
        Err(err) if logging.format == Format::Json => {
            tracing::error!(error = %sps_host::runtime::error_summary(&err), "sps stopped");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("error: {}", sps_host::runtime::error_summary(&err));
            ExitCode::FAILURE
        }
    }
}

/// Without the feature `aws`: says how to get a build that has the Lambda host.
#[cfg(not(feature = "aws"))]
async fn lambda() -> anyhow::Result<()> {
    anyhow::bail!(
        "this sps was built without the feature aws, so it has no Lambda host: build it with `cargo lambda build --release` (or `sam build`), which turns the feature on"
    )
}

/// Serves the Lambda function named by `SPS_FUNCTION`.
#[cfg(feature = "aws")]
async fn lambda() -> anyhow::Result<()> {
    let settings = sps_host::aws::AwsSettings::from_env()?;
    let function = settings
        .function
        .ok_or_else(|| anyhow::anyhow!("SPS_FUNCTION must be set to scheduler or sender"))?;
    if std::env::var_os(LAMBDA_RUNTIME_API).is_none() {
        anyhow::bail!(
            "{LAMBDA_RUNTIME_API} is not set: run under AWS Lambda or `cargo lambda watch`"
        );
    }
    sps_host::lambda::run(function, settings).await
}

async fn serve(settings: ServeSettings) -> anyhow::Result<()> {
    let addresses = settings.listen_addresses().await?;
    let event_target = settings.event_target()?;
    let _lock = DataDirLock::acquire(&settings.data_dir)?;
    let store = Arc::new(SqliteStore::open(&settings.data_dir)?);
    store.queue_events_for_target(event_target.is_some());
    let campaigns = Arc::new(sps_host::local::campaigns::LocalCampaigns::new(
        store.clone(),
        settings.campaigns_file.clone(),
    ));
    let backends = Backends {
        schedules: store.clone(),
        events: store.clone(),
        ledger: store.clone(),
        keyvalue: store.clone(),
        campaigns: campaigns.clone(),
    };
    let runtime = Runtime::new(settings.runtime_settings()?, backends)?;
    let listener = tokio::net::TcpListener::bind(addresses.as_slice())
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen))?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let timer = tokio::spawn(timer::run(
        runtime.clone(),
        store.clone(),
        settings.retry_policy(),
        stopped.clone(),
    ));
    match event_target {
        Some(target) => {
            tokio::spawn(sps_host::local::event_target::run(
                target,
                store.clone(),
                stopped.clone(),
            ));
        }
        None => match store.target_queued() {
            Ok(0) => {}
            Ok(queued) => tracing::warn!(
                queued,
                "outcome events wait for an event target that is no longer set; set SPS_EVENT_TARGET_URL to deliver them"
            ),
            Err(err) => tracing::warn!(error = %format!("{err:#}"), "cannot count the events queued for an event target"),
        },
    }
    if settings.reload_seconds > 0 {
        tokio::spawn(reload_loop(
            runtime.clone(),
            Duration::from_secs(settings.reload_seconds),
        ));
    }
    tracing::info!(%address, platforms = ?runtime.platform_names(), data_dir = %settings.data_dir.display(), "sps serve ready");
    println!("sps serve listening on http://{address}");
    let mut api_stopped = stopped.clone();
    let server = axum::serve(
        listener,
        api::router(runtime, store, campaigns, settings.api_token.clone()),
    )
    .with_graceful_shutdown(async move {
        let _ = api_stopped.wait_for(|stop| *stop).await;
    });
    let mut server = tokio::spawn(std::future::IntoFuture::into_future(server));
    let signal = tokio::select! {
        signal = termination() => signal?,
        ended = &mut server => {
            ended??;
            anyhow::bail!("the API server stopped");
        }
    };
    tracing::info!(
        signal,
        drain_seconds = timer::DRAIN.as_secs(),
        "stopping: no new deliveries; waiting for the one in flight"
    );
    let _ = stop.send(true);
    match tokio::time::timeout(timer::DRAIN, timer).await {
        Ok(_) => tracing::info!("stopped: every delivery in flight recorded its outcome"),
        Err(_) => tracing::warn!(
            "stopped after the drain time: a delivery was still in flight; its claim stays in the ledger and is reported as unknown-outcome after the grace period"
        ),
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), server).await;
    Ok(())
}

/// Resolves with the signal's name on SIGTERM (service managers, docker stop) or SIGINT
/// (Ctrl-C).
///
/// # Errors
/// When the signal handlers cannot be installed.
async fn termination() -> anyhow::Result<&'static str> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => Ok("SIGTERM"),
        result = tokio::signal::ctrl_c() => result.map(|()| "SIGINT").map_err(anyhow::Error::from),
    }
}

/// Reloads the components directory every `every`; a directory that fails to load
/// leaves the components in use as they are.
async fn reload_loop(runtime: Runtime, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.tick().await;
    loop {
        interval.tick().await;
        match runtime.reload_if_changed() {
            Ok(true) => {
                tracing::info!(platforms = ?runtime.platform_names(), "components reloaded")
            }
            Ok(false) => {}
            Err(err) => {
                tracing::error!(error = %sps_host::runtime::error_summary(&err), "new components failed to load; keeping the last good ones")
            }
        }
    }
}
