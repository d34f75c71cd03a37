//! AWS Signature Version 4 on `POST /` (PutEvents) when `SPS_API_TOKEN` is set: the AWS
//! SDKs and CLI sign each request themselves, so they authenticate with the static
//! access key pair [`ACCESS_KEY_ID`] / the API token, and the signature is checked by
//! signing the same request again with `aws-sigv4` (the AWS SDK for Rust's signer) and
//! comparing in constant time.
//!
//! The rules follow the IAM User Guide, "Signature Version 4 for API requests" and
//! "Elements of an AWS API request signature": `Authorization: AWS4-HMAC-SHA256
//! Credential=<key>/<YYYYMMDD>/<region>/<service>/aws4_request, SignedHeaders=<h1;h2>,
//! Signature=<hex>`, `X-Amz-Date: YYYYMMDDTHHMMSSZ` within 5 minutes of now, the service
//! `events`, any region. Failures answer as AWS does for a JSON protocol service (400,
//! `{"__type","message"}`).

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4::SigningParams;
use axum::http::HeaderMap;
use sps_local::api::Answer;
use sps_local::put_events::aws_error;

/// The access key ID SDK clients use with `sps serve`; the secret access key is the API
/// token (`AWS_ACCESS_KEY_ID=sps AWS_SECRET_ACCESS_KEY=$SPS_API_TOKEN`).
pub const ACCESS_KEY_ID: &str = "sps";

/// The signing name of EventBridge (the `events` in the credential scope).
const SERVICE: &str = "events";

/// How far `X-Amz-Date` may be from now, either way.
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// The parts of a SigV4 `Authorization` header.
struct Authorization<'a> {
    key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn incomplete(message: &str) -> Answer {
    aws_error(400, "IncompleteSignatureException", message)
}

/// Reads `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
fn parse(header: &str) -> Result<Authorization<'_>, Answer> {
    if header
        .split_once(' ')
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
    {
        return Err(aws_error(
            400,
            "UnrecognizedClientException",
            "The bearer token is not the API token (SPS_API_TOKEN).",
        ));
    }
    let Some(fields) = header.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return Err(incomplete(
            "Authorization must be AWS4-HMAC-SHA256 (Signature Version 4)",
        ));
    };
    let field = |name: &str| {
        fields
            .split(',')
            .map(str::trim)
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| {
                incomplete(&format!(
                    "Authorization header requires '{name}' parameter."
                ))
            })
    };
    let credential = field("Credential")?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(incomplete(
            "Credential must be <access key>/<YYYYMMDD>/<region>/<service>/aws4_request",
        ));
    };
    Ok(Authorization {
        key_id,
        date,
        region,
        service,
        signed_headers: field("SignedHeaders")?.split(';').collect(),
        signature: field("Signature")?,
    })
}

/// Checks the SigV4 signature of a request to `path_and_query` with `headers` and
/// `body`, signed with [`ACCESS_KEY_ID`] and `secret`, at `now`.
///
/// # Errors
/// The AWS error answer: `MissingAuthenticationTokenException` without `Authorization`,
/// `IncompleteSignatureException` for a malformed one, `UnrecognizedClientException`
/// for another access key, `InvalidSignatureException` for a wrong, expired or
/// future-dated signature.
pub fn verify(
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    secret: &str,
    now: SystemTime,
) -> Result<(), Answer> {
    let Some(header) = headers.get(http::header::AUTHORIZATION) else {
        return Err(aws_error(
            400,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let auth = parse(header.to_str().unwrap_or_default())?;
    if auth.key_id != ACCESS_KEY_ID {
        return Err(aws_error(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    let invalid = |message: &str| aws_error(400, "InvalidSignatureException", message);
    if auth.service != SERVICE {
        return Err(invalid(&format!(
            "Credential should be scoped to correct service: '{SERVICE}'."
        )));
    }
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let signed_at = chrono::NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| incomplete("X-Amz-Date must be YYYYMMDDTHHMMSSZ, UTC"))?
        .and_utc();
    if signed_at.format("%Y%m%d").to_string() != auth.date {
        return Err(invalid(&format!(
            "Credential should be scoped to a valid date: the credential's date {} is not the date of X-Amz-Date {amz_date}",
            auth.date
        )));
    }
    let signed_at = SystemTime::from(signed_at);
    let skew = now
        .duration_since(signed_at)
        .unwrap_or_else(|e| e.duration());
    if skew > MAX_SKEW {
        return Err(invalid(&format!(
            "Signature expired: {amz_date} is more than 5 minutes from the server's time {}",
            chrono::DateTime::<chrono::Utc>::from(now).format("%Y%m%dT%H%M%SZ")
        )));
    }
    let expected = recompute(&auth, path_and_query, headers, body, secret, signed_at)?;
    use subtle::ConstantTimeEq as _;
    if bool::from(expected.as_bytes().ct_eq(auth.signature.as_bytes())) {
        Ok(())
    } else {
        Err(invalid("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."))
    }
}

/// The signature `aws-sigv4` computes for the request's signed headers.
fn recompute(
    auth: &Authorization<'_>,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    secret: &str,
    signed_at: SystemTime,
) -> Result<String, Answer> {
    let signed: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(name, _)| auth.signed_headers.contains(&name.as_str()))
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
        .collect();
    let host = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let identity =
        aws_credential_types::Credentials::new(ACCESS_KEY_ID, secret, None, None, "sps-api-token")
            .into();
    let mut settings = SigningSettings::default();
    // Only the headers the client signed are passed in, so none is left out.
    settings.excluded_headers = None;
    let params = SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(signed_at)
        .settings(settings)
        .build()
        .map_err(|e| incomplete(&format!("cannot check the signature: {e}")))?;
    let request = SignableRequest::new(
        "POST",
        format!("http://{host}{path_and_query}"),
        signed.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| incomplete(&format!("cannot check the signature: {e}")))?;
    let output = sign(request, &params.into())
        .map_err(|e| incomplete(&format!("cannot check the signature: {e}")))?;
    Ok(output.signature().to_string())
}

#[cfg(test)]
mod tests;
