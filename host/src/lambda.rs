//! The two AWS Lambda functions of the one `sps` binary (`SPS_FUNCTION`), served with
//! `lambda_runtime` (AWS Lambda Developer Guide, "Building Lambda functions with Rust"
//! and "Using the Lambda runtime API for custom runtimes").
//!
//! - `scheduler`: the target of the EventBridge rule on `Schedule Social Post` and
//!   `Cancel Social Post` ([`SchedulingFunction`]). Its payload is the EventBridge event;
//!   it runs the scheduler component.
//! - `sender`: the EventBridge Scheduler target. Its payload is the schedule's input
//!   `{referenceNumber, message, platform, scheduledDate}` (the raw JSON object); it
//!   counts the delivery and runs the sender component.
//!
//! Errors reaching the runtime are classified: an outcome (scheduled, rejected, sent,
//! failed) is `Ok` with a JSON answer, so a rejected input never fails the invocation;
//! a failure that a retry can fix (a capability unavailable, a retry-later, a component
//! trap) is `Err`, so the invocation fails and Lambda's asynchronous retries (then the
//! function's on-failure destination) take over. EventBridge and EventBridge Scheduler
//! both invoke Lambda asynchronously ("Asynchronous invocation" in the Lambda Developer
//! Guide; "Using Lambda with Amazon EventBridge Scheduler").

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use aws_config::{BehaviorVersion, SdkConfig};
use serde_json::{json, Value};

use crate::aws::campaigns::DynamoCampaigns;
use crate::aws::components::{Refresh, S3Components};
use crate::aws::events::EventBridgeEvents;
use crate::aws::keyvalue::DynamoKeyValue;
use crate::aws::ledger::DynamoLedger;
use crate::aws::schedules::{ScheduleTarget, SchedulerSchedules};
use crate::aws::secrets::{self, SecretsManagerSource};
use crate::aws::{AwsSettings, Function, NotInThisFunction};
use crate::bindings::ledger::LedgerError;
use crate::bindings::sending::{Delivered, Delivery, SendFailure};
use crate::caps::campaigns::CampaignBackend;
use crate::caps::keyvalue::KeyValueBackend;
use crate::caps::ledger::LedgerBackend;
use crate::caps::Backends;
use crate::runtime::{ComponentsSource, Limits, PlatformSettingsSource, Runtime, RuntimeSettings};

mod scheduling;
pub use scheduling::SchedulingFunction;

/// A failed invocation: Lambda reports `{"errorType","errorMessage"}` and retries the
/// event asynchronously.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerError {
    /// `Retryable` (a capability failed; the scheduler's `retryable`), `RetryLater`
    /// (the sender's `retry-later`), `DeliveryCountUnavailable`, or `ComponentFailed`
    /// (the component trapped or exceeded its limits).
    pub error_type: &'static str,
    /// Why, for the logs and the dead-letter message (never a credential).
    pub message: String,
}

impl HandlerError {
    fn new(error_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            error_type,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for HandlerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_type, self.message)
    }
}

impl std::error::Error for HandlerError {}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(err: HandlerError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: err.error_type.to_string(),
            error_message: err.message,
        }
    }
}

/// The text a payload stands for: a JSON string is taken as the text it holds (a
/// payload sent as a string), anything else as its compact JSON text.
fn payload_text(payload: &Value) -> String {
    match payload {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The sending function.
pub struct SendingFunction {
    runtime: Runtime,
    ledger: DynamoLedger,
    max_deliveries: u32,
    components: Option<S3Components>,
}

impl SendingFunction {
    /// Handles one delivery of a schedule: counts it (DynamoDB `ADD deliveries` on
    /// `delivery#<sha256 of the payload>`; [`DynamoLedger::count_delivery`]) and runs the
    /// sender with `attempt` = the count and `final-attempt` = count >= `SPS_MAX_DELIVERIES`.
    ///
    /// Returns `{"status":"sent","referenceNumber","postId","attempt"}` or, for a post
    /// that was not published and was reported with `Social Post Failed`,
    /// `{"status":"failed","referenceNumber","reason","message","retryable","attempt"}`.
    ///
    /// # Errors
    /// `DeliveryCountUnavailable` when the delivery cannot be counted, `RetryLater` when
    /// the sender asks for another delivery (its retry time is only a hint here: Lambda
    /// retries after its own backoff), `ComponentFailed` when the component trapped.
    pub async fn handle(&self, payload: Value) -> Result<Value, HandlerError> {
        refresh(self.components.as_ref(), &self.runtime).await;
        let input = payload_text(&payload);
        let attempt = self.ledger.count_delivery(&input).await.map_err(|e| {
            let LedgerError::Unavailable(why) = e;
            tracing::error!(error = %why, "cannot count the delivery");
            HandlerError::new("DeliveryCountUnavailable", why)
        })?;
        // EventBridge Scheduler drops a delivery older than MaximumEventAgeInSeconds
        // (template.yaml: 3600) itself, so the sender gets no due moment here.
        let delivery = Delivery {
            attempt,
            final_attempt: attempt >= self.max_deliveries,
            due_at: None,
        };
        tracing::info!(
            attempt,
            final_attempt = delivery.final_attempt,
            "delivering schedule"
        );
        match self.runtime.send_post(&input, delivery).await {
            Ok(Ok(Delivered::Sent(sent))) => Ok(
                json!({"status": "sent", "referenceNumber": sent.reference_number,
                "postId": sent.post_id, "attempt": attempt}),
            ),
            Ok(Ok(Delivered::Measured(m))) => {
                tracing::info!(reference = %m.reference_number, outcome = %m.outcome, "metrics reading ended");
                Ok(
                    json!({"status": "measured", "referenceNumber": m.reference_number,
                    "outcome": m.outcome, "attempt": attempt}),
                )
            }
            Ok(Err(SendFailure::Failed(r))) => {
                tracing::warn!(reason = %r.code, message = %r.message, reference = ?r.reference_number, "post not published (reported)");
                Ok(
                    json!({"status": "failed", "referenceNumber": r.reference_number, "reason": r.code,
                    "message": r.message, "retryable": r.retryable, "attempt": attempt}),
                )
            }
            Ok(Err(SendFailure::RetryLater(hint))) => {
                tracing::warn!(code = %hint.code, message = %hint.message, retry_at = ?hint.retry_at, attempt, "post not published yet; the delivery will be retried");
                Err(HandlerError::new(
                    "RetryLater",
                    format!(
                        "{}: {} (delivery {attempt} of {})",
                        hint.code, hint.message, self.max_deliveries
                    ),
                ))
            }
            Err(err) => {
                let summary = crate::runtime::error_summary(&err);
                tracing::error!(error = %summary, "sender component failed");
                tracing::debug!(error = %format!("{err:?}"), "sender component failure in full");
                Err(HandlerError::new("ComponentFailed", summary))
            }
        }
    }
}

async fn refresh(components: Option<&S3Components>, runtime: &Runtime) {
    if let Some(components) = components {
        // Never fails: a problem is logged and the components in use stay.
        let _: Refresh = components.refresh(runtime).await;
    }
}

/// One of the two functions, built once per process.
pub enum LambdaFunction {
    /// `SPS_FUNCTION=scheduler`.
    Scheduler(SchedulingFunction),
    /// `SPS_FUNCTION=sender`.
    Sender(SendingFunction),
}

impl LambdaFunction {
    /// Builds `function`'s SDK clients (from `sdk`), backends and runtime (the embedded
    /// components), and loads the components of `SPS_COMPONENTS_URI` when it is set.
    ///
    /// The scheduler gets EventBridge Scheduler and PutEvents, and the `twitter`
    /// component without credentials; the sender gets PutEvents, the DynamoDB ledger and
    /// the credentials from Secrets Manager.
    ///
    /// # Errors
    /// When a variable the function requires is unset (the message names it), or the
    /// runtime cannot be built (the embedded components do not load).
    pub async fn build(
        function: Function,
        settings: &AwsSettings,
        sdk: &SdkConfig,
    ) -> anyhow::Result<Self> {
        let events = Arc::new(EventBridgeEvents::new(
            aws_sdk_eventbridge::Client::new(sdk),
            &settings.event_bus,
        ));
        let absent = Arc::new(NotInThisFunction(function));
        // The platforms' shared settings (base URLs, options), as `sps serve` reads them.
        let shared = crate::platform_env::from_vars(settings.platform_env.clone())?;
        // Platform components keep their state in the ledger's table, in both functions
        // (the scheduler's `validate` reads cached limits); without the table, none.
        let keyvalue: Arc<dyn KeyValueBackend> = match &settings.ledger_table {
            Some(table) => Arc::new(DynamoKeyValue::new(
                aws_sdk_dynamodb::Client::new(sdk),
                table,
            )),
            None => absent.clone(),
        };
        let components = settings.components_uri.clone().map(|location| {
            S3Components::new(
                aws_sdk_s3::Client::new(sdk),
                location,
                settings.components_check,
            )
        });
        let this = match function {
            Function::Scheduler => {
                let target = ScheduleTarget::new(
                    AwsSettings::required(&settings.sender_arn, "SPS_SENDER_ARN", function)?,
                    AwsSettings::required(
                        &settings.scheduler_role_arn,
                        "SPS_SCHEDULER_ROLE_ARN",
                        function,
                    )?,
                    AwsSettings::required(&settings.dlq_arn, "SPS_DLQ_ARN", function)?,
                );
                let schedules = Arc::new(SchedulerSchedules::new(
                    aws_sdk_scheduler::Client::new(sdk),
                    &settings.schedule_group,
                    target,
                ));
                // The ledger arbitrates a cancel against a delivery (and notes schedule
                // names for cancels); without the table, cancels are unavailable.
                // Campaign plans and bookings are items of the same table.
                let (ledger, campaigns): (Arc<dyn LedgerBackend>, Arc<dyn CampaignBackend>) =
                    match &settings.ledger_table {
                        Some(table) => (
                            Arc::new(DynamoLedger::new(aws_sdk_dynamodb::Client::new(sdk), table)),
                            Arc::new(DynamoCampaigns::new(
                                aws_sdk_dynamodb::Client::new(sdk),
                                table,
                            )),
                        ),
                        None => (absent.clone(), absent),
                    };
                let backends = Backends {
                    schedules,
                    events,
                    ledger,
                    keyvalue,
                    campaigns,
                };
                let platforms = Arc::new(secrets::without_credentials(
                    &settings.x_api_base_url,
                    shared,
                ));
                let runtime = runtime(settings, backends, platforms).await?;
                LambdaFunction::Scheduler(SchedulingFunction {
                    runtime,
                    components,
                })
            }
            Function::Sender => {
                let table =
                    AwsSettings::required(&settings.ledger_table, "SPS_LEDGER_TABLE", function)?;
                let ledger = DynamoLedger::new(aws_sdk_dynamodb::Client::new(sdk), table);
                // Metrics readings record their scores in the same table.
                let campaigns = Arc::new(DynamoCampaigns::new(
                    aws_sdk_dynamodb::Client::new(sdk),
                    table,
                ));
                let platforms = Arc::new(SecretsManagerSource::new(
                    aws_sdk_secretsmanager::Client::new(sdk),
                    AwsSettings::required(&settings.secret_id, "SPS_SECRET_ID", function)?,
                    settings.platform_secret_prefix.as_deref(),
                    settings.secret_ttl,
                    &settings.x_api_base_url,
                    shared,
                )?);
                let backends = Backends {
                    schedules: absent.clone(),
                    events,
                    ledger: Arc::new(ledger.clone()),
                    keyvalue,
                    campaigns,
                };
                let runtime = runtime(settings, backends, platforms).await?;
                LambdaFunction::Sender(SendingFunction {
                    runtime,
                    ledger,
                    max_deliveries: settings.max_deliveries,
                    components,
                })
            }
        };
        // Load the swapped components now, during the init phase, not on the first event.
        refresh(this.components(), this.runtime()).await;
        Ok(this)
    }

    /// Handles one invocation's payload ([`SchedulingFunction::handle`],
    /// [`SendingFunction::handle`]).
    ///
    /// # Errors
    /// As the function's handler.
    pub async fn handle(&self, payload: Value) -> Result<Value, HandlerError> {
        match self {
            LambdaFunction::Scheduler(f) => f.handle(payload).await,
            LambdaFunction::Sender(f) => f.handle(payload).await,
        }
    }

    /// The function's runtime.
    pub fn runtime(&self) -> &Runtime {
        match self {
            LambdaFunction::Scheduler(f) => &f.runtime,
            LambdaFunction::Sender(f) => &f.runtime,
        }
    }

    fn components(&self) -> Option<&S3Components> {
        match self {
            LambdaFunction::Scheduler(f) => f.components.as_ref(),
            LambdaFunction::Sender(f) => f.components.as_ref(),
        }
    }
}

/// The runtime on the embedded components, built off the async threads (it compiles
/// when the components are not precompiled).
async fn runtime(
    settings: &AwsSettings,
    backends: Backends,
    platforms: Arc<dyn PlatformSettingsSource>,
) -> anyhow::Result<Runtime> {
    let runtime_settings = RuntimeSettings {
        components: ComponentsSource::Embedded,
        cache_dir: settings.cache_dir.clone(),
        scheduler_config: HashMap::from([
            (
                "flexible_window_minutes".to_string(),
                settings.flexible_window_minutes.to_string(),
            ),
            (
                "metrics_delay_seconds".to_string(),
                settings.metrics_delay_seconds.to_string(),
            ),
        ]),
        platforms: HashMap::new(),
        platforms_source: Some(platforms),
        limits: Limits::default(),
        last_good_dir: None,
    };
    tokio::task::spawn_blocking(move || Runtime::new(runtime_settings, backends))
        .await
        .context("building the runtime stopped")?
}

/// Serves `function` under the Lambda runtime API until the process ends: loads the AWS
/// configuration (region, credentials, `AWS_ENDPOINT_URL*`), builds the function once,
/// then answers invocations one at a time.
///
/// # Errors
/// When the function cannot be built, or the runtime API fails.
pub async fn run(function: Function, settings: AwsSettings) -> anyhow::Result<()> {
    let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let this = Arc::new(LambdaFunction::build(function, &settings, &sdk).await?);
    tracing::info!(function = %function, platforms = ?this.runtime().platform_names(), load = ?this.runtime().load_report(), "sps lambda ready");
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<Value>| {
            let this = this.clone();
            async move { this.handle(event.payload).await }
        },
    ))
    .await
    .map_err(|e| anyhow::anyhow!("the Lambda runtime stopped: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_text_keeps_strings_and_serializes_the_rest() {
        assert_eq!(payload_text(&json!("{\"a\":1}")), "{\"a\":1}");
        assert_eq!(payload_text(&json!({"a": 1})), "{\"a\":1}");
    }

    #[test]
    fn handler_errors_become_lambda_diagnostics() {
        let d: lambda_runtime::Diagnostic = HandlerError::new("RetryLater", "later").into();
        assert_eq!(
            (d.error_type.as_str(), d.error_message.as_str()),
            ("RetryLater", "later")
        );
    }
}
