//! The real AWS SDK clients from PyPI (boto3, the AWS CLI) in the test virtualenv, for
//! the tests of the PutEvents endpoint of `sps serve` and the Spin app.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The virtualenv's `bin/` with boto3 and the AWS CLI.
pub fn venv_bin() -> PathBuf {
    super::venv::venv_with(&["boto3", "awscli"], "aws")
        .unwrap_or_else(|why| panic!("cannot get boto3 and the AWS CLI: {why}"))
        .join("bin")
}

/// Calls `put_events(Entries=entries)` with boto3 (no retries, region us-east-1) and the
/// key pair given; the answer without `ResponseMetadata`, or `{"Error": {"Code",
/// "Message"}, "status"}` for a `ClientError`.
pub fn boto3_put_events(base: &str, key: &str, secret: &str, entries: &Value) -> Value {
    const SCRIPT: &str = r#"
import json, sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
endpoint, key, secret, entries = sys.argv[1:5]
client = boto3.client("events", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id=key, aws_secret_access_key=secret,
    config=Config(retries={"max_attempts": 1}))
try:
    answer = client.put_events(Entries=json.loads(entries))
    answer.pop("ResponseMetadata")
except ClientError as e:
    answer = {"Error": e.response["Error"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
print(json.dumps(answer))
"#;
    let out = Command::new(venv_bin().join("python"))
        .args(["-c", SCRIPT, base, key, secret, &entries.to_string()])
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "boto3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("boto3 printed JSON")
}
