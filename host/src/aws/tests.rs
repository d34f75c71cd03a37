//! The AWS settings read from the environment, and error descriptions.

use std::collections::HashMap;

use super::*;

fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn defaults() -> anyhow::Result<()> {
    let s = AwsSettings::from_lookup(lookup(&[("SPS_EVENT_BUS", "")]))?;
    assert_eq!(
        s,
        AwsSettings {
            function: None,
            event_bus: "default".into(),
            schedule_group: "social".into(),
            sender_arn: None,
            scheduler_role_arn: None,
            dlq_arn: None,
            secret_id: None,
            ledger_table: None,
            flexible_window_minutes: 8,
            metrics_delay_seconds: 86_400,
            x_api_base_url: "https://api.x.com".into(),
            components_uri: None,
            components_check: Duration::from_secs(60),
            secret_ttl: Duration::from_secs(300),
            max_deliveries: 3,
            cache_dir: PathBuf::from("/tmp/sps-cache"),
            platform_secret_prefix: None,
            platform_env: Vec::new(),
        }
    );
    Ok(())
}

#[test]
fn reads_every_variable() -> anyhow::Result<()> {
    let s = AwsSettings::from_lookup(lookup(&[
        ("SPS_FUNCTION", "sender"),
        ("SPS_EVENT_BUS", "bus"),
        ("SPS_SCHEDULE_GROUP", "g"),
        ("SPS_SENDER_ARN", "arn:s"),
        ("SPS_SCHEDULER_ROLE_ARN", "arn:r"),
        ("SPS_DLQ_ARN", "arn:q"),
        ("SPS_SECRET_ID", "sec"),
        ("SPS_LEDGER_TABLE", "t"),
        ("SPS_FLEXIBLE_WINDOW_MINUTES", "0"),
        ("SPS_X_API_BASE_URL", "http://127.0.0.1:9"),
        ("SPS_COMPONENTS_URI", "s3://b/p/"),
        ("SPS_COMPONENTS_CHECK_SECONDS", "5"),
        ("SPS_SECRET_TTL_SECONDS", "7"),
        ("SPS_MAX_DELIVERIES", "4"),
        ("SPS_CACHE_DIR", "/c"),
    ]))?;
    assert_eq!(s.function, Some(Function::Sender));
    assert_eq!(
        (
            s.event_bus.as_str(),
            s.schedule_group.as_str(),
            s.sender_arn.as_deref(),
            s.scheduler_role_arn.as_deref(),
            s.dlq_arn.as_deref(),
            s.secret_id.as_deref(),
            s.ledger_table.as_deref(),
        ),
        (
            "bus",
            "g",
            Some("arn:s"),
            Some("arn:r"),
            Some("arn:q"),
            Some("sec"),
            Some("t")
        )
    );
    assert_eq!(
        (
            s.flexible_window_minutes,
            s.x_api_base_url.as_str(),
            s.components_check,
            s.secret_ttl,
            s.max_deliveries,
            s.cache_dir
        ),
        (
            0,
            "http://127.0.0.1:9",
            Duration::from_secs(5),
            Duration::from_secs(7),
            4,
            PathBuf::from("/c")
        )
    );
    assert_eq!(
        s.components_uri,
        Some(components::S3Prefix {
            bucket: "b".into(),
            prefix: "p/".into()
        })
    );
    Ok(())
}

#[test]
fn rejects_bad_values_naming_the_variable() {
    let err = |pairs: &[(&str, &str)]| {
        AwsSettings::from_lookup(lookup(pairs))
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default()
    };
    assert_eq!(
        err(&[("SPS_FLEXIBLE_WINDOW_MINUTES", "1441")]),
        "SPS_FLEXIBLE_WINDOW_MINUTES is 1441; it must be 0-1440"
    );
    assert_eq!(
        err(&[("SPS_MAX_DELIVERIES", "x")]),
        "SPS_MAX_DELIVERIES is \"x\", not a whole number: invalid digit found in string"
    );
    assert_eq!(
        err(&[("SPS_FUNCTION", "Sender")]),
        "SPS_FUNCTION is \"Sender\"; expected \"scheduler\" or \"sender\""
    );
    assert_eq!(
        err(&[("SPS_COMPONENTS_URI", "https://b/p")]),
        "SPS_COMPONENTS_URI is \"https://b/p\"; expected s3://bucket/prefix/"
    );
}

#[test]
fn names_a_missing_required_variable() {
    let err = AwsSettings::required(&None, "SPS_SENDER_ARN", Function::Scheduler)
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("SPS_SENDER_ARN must be set for the scheduler function")
    );
}
