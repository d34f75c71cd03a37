//! The AWS host: the capabilities on the official AWS SDK crates, one module per
//! capability, with their clients built once per process from one `SdkConfig`
//! (`aws_config::load_defaults`, so `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`
//! point them at a local AWS-compatible endpoint; AWS SDK for Rust developer guide,
//! "Configure client endpoints").
//!
//! - [`schedules`]: EventBridge Scheduler (`sps:social/schedules`).
//! - [`events`]: EventBridge PutEvents (`sps:social/events`).
//! - [`secrets`]: the X credentials from Secrets Manager, cached with a time-to-live
//!   (`wasi:config/store` of the `twitter` component).
//! - [`ledger`]: the send ledger and the delivery counter in DynamoDB
//!   (`sps:social/ledger`).
//! - [`components`]: swappable components from an S3 prefix.
//!
//! Configuration comes from the environment ([`AwsSettings`], set by `template.yaml`).

pub mod campaigns;
pub mod components;
pub mod events;
pub mod keyvalue;
pub mod ledger;
mod not_in_function;
pub mod schedules;
pub mod secrets;

pub use not_in_function::NotInThisFunction;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context as _};
use aws_sdk_scheduler::error::{ProvideErrorMetadata, SdkError};

/// Which of the two Lambda functions this process serves (`SPS_FUNCTION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `scheduler`: the target of the EventBridge rule on `Schedule Social Post`; runs
    /// the scheduler component.
    Scheduler,
    /// `sender`: the EventBridge Scheduler target; runs the sender component.
    Sender,
}

impl std::str::FromStr for Function {
    type Err = anyhow::Error;

    /// `scheduler` or `sender` (exactly).
    fn from_str(s: &str) -> anyhow::Result<Self> {
        match s {
            "scheduler" => Ok(Function::Scheduler),
            "sender" => Ok(Function::Sender),
            other => bail!("SPS_FUNCTION is {other:?}; expected \"scheduler\" or \"sender\""),
        }
    }
}

impl std::fmt::Display for Function {
    /// `scheduler` or `sender`, as in `SPS_FUNCTION`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Function::Scheduler => "scheduler",
            Function::Sender => "sender",
        })
    }
}

/// The retry policy of every schedule's target (EventBridge Scheduler API reference,
/// `RetryPolicy`: 0-185 attempts, 60-86400 s). EventBridge Scheduler invokes Lambda
/// asynchronously ("Using Lambda with Amazon EventBridge Scheduler"), so these retries
/// cover a failed *invocation* (throttling, a missing permission), not a failed run,
/// which Lambda's own asynchronous retries cover (see [`AwsSettings::max_deliveries`]).
/// 5 retries with the Scheduler's exponential backoff within 3600 s: a post goes out at
/// most an hour after its flexible window, never hours late; past that the event goes to
/// the dead-letter queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRetryPolicy {
    /// `MaximumRetryAttempts`.
    pub maximum_retry_attempts: i32,
    /// `MaximumEventAgeInSeconds`.
    pub maximum_event_age_seconds: i32,
}

/// The retry policy the host puts on every schedule: 5 retries, 3600 s.
pub const SCHEDULE_RETRY_POLICY: ScheduleRetryPolicy = ScheduleRetryPolicy {
    maximum_retry_attempts: 5,
    maximum_event_age_seconds: 3600,
};

/// Configuration of the AWS host, from the environment.
///
/// | variable | default | used by |
/// | --- | --- | --- |
/// | `SPS_FUNCTION` | none | `scheduler` or `sender`: which function to serve |
/// | `SPS_EVENT_BUS` | `default` | both: the bus of the outcome events |
/// | `SPS_SCHEDULE_GROUP` | `social` | scheduler: the schedule group |
/// | `SPS_SENDER_ARN` | required | scheduler: the schedules' target (the sending function) |
/// | `SPS_SCHEDULER_ROLE_ARN` | required | scheduler: the schedules' execution role |
/// | `SPS_DLQ_ARN` | required | scheduler: the schedules' dead-letter queue (standard SQS) |
/// | `SPS_SECRET_ID` | required | sender: the Secrets Manager secret with the X credentials |
/// | `SPS_LEDGER_TABLE` | required | both: the DynamoDB table of the send ledger (the scheduler notes schedule names there and decides cancels with it) |
/// | `SPS_FLEXIBLE_WINDOW_MINUTES` | `8` | scheduler: 0 (`OFF`) or 1-1440 |
/// | `SPS_METRICS_DELAY_SECONDS` | `86400` | scheduler: when a campaign post's engagement is read, after its time and window, 0-2592000 |
/// | `SPS_X_API_BASE_URL` | `https://api.x.com` | sender: the X API, the only host the `twitter` component may call |
/// | `SPS_COMPONENTS_URI` | none | both: `s3://bucket/prefix/` of swappable components |
/// | `SPS_COMPONENTS_CHECK_SECONDS` | `60` | both: how often that prefix is checked for new components |
/// | `SPS_SECRET_TTL_SECONDS` | `300` | sender: how long the credentials are cached |
/// | `SPS_PLATFORM_SECRET_PREFIX` | none | sender: platform `<name>`'s accounts are in the secret `<prefix><name>` |
/// | `SPS_PLATFORM_<NAME>_<KEY>`, `SPS_MASTODON_INSTANCE_URL`, ... | as for `sps serve` | both: the platforms' shared settings (`crate::platform_env`) |
/// | `SPS_MAX_DELIVERIES` | `3` | sender: deliveries of one schedule (1 + Lambda's 2 asynchronous retries) |
/// | `SPS_CACHE_DIR` | `/tmp/sps-cache` | both: precompiled components compiled at run time |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    /// `SPS_FUNCTION`, when set.
    pub function: Option<Function>,
    /// `SPS_EVENT_BUS`.
    pub event_bus: String,
    /// `SPS_SCHEDULE_GROUP`.
    pub schedule_group: String,
    /// `SPS_SENDER_ARN`.
    pub sender_arn: Option<String>,
    /// `SPS_SCHEDULER_ROLE_ARN`.
    pub scheduler_role_arn: Option<String>,
    /// `SPS_DLQ_ARN`.
    pub dlq_arn: Option<String>,
    /// `SPS_SECRET_ID` (name or ARN).
    pub secret_id: Option<String>,
    /// `SPS_LEDGER_TABLE`.
    pub ledger_table: Option<String>,
    /// `SPS_FLEXIBLE_WINDOW_MINUTES`, 0-1440.
    pub flexible_window_minutes: u32,
    /// `SPS_METRICS_DELAY_SECONDS`, 0-2592000.
    pub metrics_delay_seconds: u64,
    /// `SPS_X_API_BASE_URL`.
    pub x_api_base_url: String,
    /// `SPS_COMPONENTS_URI`, parsed.
    pub components_uri: Option<components::S3Prefix>,
    /// `SPS_COMPONENTS_CHECK_SECONDS`.
    pub components_check: Duration,
    /// `SPS_SECRET_TTL_SECONDS`.
    pub secret_ttl: Duration,
    /// `SPS_MAX_DELIVERIES`, at least 1: the delivery whose attempt number reaches it is
    /// the final one (it reports a retryable failure instead of asking for a retry).
    pub max_deliveries: u32,
    /// `SPS_CACHE_DIR`.
    pub cache_dir: PathBuf,
    /// `SPS_PLATFORM_SECRET_PREFIX`: the platform `<name>`'s accounts are in the secret
    /// `<prefix><name>` (`aws::secrets`).
    pub platform_secret_prefix: Option<String>,
    /// The `SPS_*` variables, for the platforms' generic settings
    /// ([`crate::platform_env::from_vars`]; empty from [`AwsSettings::from_lookup`]).
    pub platform_env: Vec<(String, String)>,
}

impl AwsSettings {
    /// Reads the settings from the process environment.
    ///
    /// # Errors
    /// See [`AwsSettings::from_lookup`].
    pub fn from_env() -> anyhow::Result<Self> {
        let mut settings = Self::from_lookup(|name| std::env::var(name).ok())?;
        // vars_os: std::env::vars panics on a variable that is not UTF-8.
        settings.platform_env = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with("SPS_"))
            .collect();
        Ok(settings)
    }

    /// Reads the settings through `get` (variable name -> value); an empty value counts
    /// as unset.
    ///
    /// # Errors
    /// When a number is not a number or out of range, `SPS_FUNCTION` is not `scheduler`
    /// or `sender`, or `SPS_COMPONENTS_URI` is not `s3://bucket[/prefix]`; the message
    /// names the variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let or = |name: &str, default: &str| get(name).unwrap_or_else(|| default.to_string());
        let number = |name: &str, default: u64, range: std::ops::RangeInclusive<u64>| {
            let Some(text) = get(name) else {
                return Ok(default);
            };
            let value: u64 = text
                .trim()
                .parse()
                .with_context(|| format!("{name} is {text:?}, not a whole number"))?;
            if !range.contains(&value) {
                bail!(
                    "{name} is {value}; it must be {}-{}",
                    range.start(),
                    range.end()
                );
            }
            Ok::<u64, anyhow::Error>(value)
        };
        Ok(Self {
            function: get("SPS_FUNCTION").map(|f| f.parse()).transpose()?,
            event_bus: or("SPS_EVENT_BUS", "default"),
            schedule_group: or("SPS_SCHEDULE_GROUP", "social"),
            sender_arn: get("SPS_SENDER_ARN"),
            scheduler_role_arn: get("SPS_SCHEDULER_ROLE_ARN"),
            dlq_arn: get("SPS_DLQ_ARN"),
            secret_id: get("SPS_SECRET_ID"),
            ledger_table: get("SPS_LEDGER_TABLE"),
            flexible_window_minutes: u32::try_from(number(
                "SPS_FLEXIBLE_WINDOW_MINUTES",
                8,
                0..=1440,
            )?)?,
            metrics_delay_seconds: number("SPS_METRICS_DELAY_SECONDS", 86_400, 0..=2_592_000)?,
            x_api_base_url: or("SPS_X_API_BASE_URL", "https://api.x.com"),
            components_uri: get("SPS_COMPONENTS_URI")
                .map(|uri| uri.parse())
                .transpose()?,
            components_check: Duration::from_secs(number(
                "SPS_COMPONENTS_CHECK_SECONDS",
                60,
                0..=86_400,
            )?),
            secret_ttl: Duration::from_secs(number("SPS_SECRET_TTL_SECONDS", 300, 0..=86_400)?),
            max_deliveries: u32::try_from(number("SPS_MAX_DELIVERIES", 3, 1..=100)?)?,
            cache_dir: get("SPS_CACHE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/tmp/sps-cache")),
            platform_secret_prefix: get("SPS_PLATFORM_SECRET_PREFIX"),
            platform_env: Vec::new(),
        })
    }

    /// The value of a variable `function` requires.
    ///
    /// # Errors
    /// `"<name> must be set for the <function> function"` when it is unset.
    pub fn required<'a>(
        value: &'a Option<String>,
        name: &str,
        function: Function,
    ) -> anyhow::Result<&'a str> {
        value
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("{name} must be set for the {function} function"))
    }
}

/// A short, value-free description of an AWS SDK error (every `aws-sdk-*` crate shares
/// the `SdkError` type): `"<ErrorCode>: <message>"` for an error the service answered
/// (AWS SDK for Rust developer guide, "Error handling"), else the error and its causes
/// joined with `": "` (`"dispatch failure: io error: Connection refused (os error 111)"`).
/// Never the raw response.
pub fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let SdkError::ServiceError(service) = err {
        let e = service.err();
        match (e.code(), e.message()) {
            (Some(code), Some(message)) => return format!("{code}: {message}"),
            (Some(code), None) => return code.to_string(),
            _ => return chain(e),
        }
    }
    chain(err)
}

/// `err` and its sources, joined with `": "`, each once.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p == &text) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests;
