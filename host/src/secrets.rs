//! The X credentials: one JSON object with the keys `xApiKey`, `xApiKeySecret`,
//! `xBearerToken`, `xAccessToken`, `xAccessTokenSecret` (the shape of the AWS Secrets
//! Manager secret), read locally from `SPS_SECRETS_FILE`. Values are never logged.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

/// The X credentials. `Debug` prints which are set, never their values.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct XCredentials {
    /// API Key (OAuth 1.0a consumer key).
    #[serde(default)]
    pub x_api_key: Option<String>,
    /// API Key Secret (consumer secret).
    #[serde(default)]
    pub x_api_key_secret: Option<String>,
    /// Bearer Token (app-only; not used for posting).
    #[serde(default)]
    pub x_bearer_token: Option<String>,
    /// Access Token (user context).
    #[serde(default)]
    pub x_access_token: Option<String>,
    /// Access Token Secret.
    #[serde(default)]
    pub x_access_token_secret: Option<String>,
}

/// How a refusal of the credentials' shape begins.
const NOT_CREDENTIALS: &str = "the X credentials are not a JSON object of strings with the keys xApiKey, xApiKeySecret, xBearerToken, xAccessToken, xAccessTokenSecret";

/// serde_json's message without any value: it may quote one (`invalid type: integer
/// `12``), so only an unknown key's name is passed on, else the kind of error.
fn without_values(e: &serde_json::Error) -> String {
    let what = e.to_string();
    match what.split_once(", expected") {
        Some((unknown, _)) if unknown.starts_with("unknown field") => unknown.to_string(),
        _ => format!("{:?} error", e.classify()).to_lowercase(),
    }
}

impl std::fmt::Debug for XCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |v: &Option<String>| {
            if v.as_deref().is_some_and(|s| !s.is_empty()) {
                "<set>"
            } else {
                "<unset>"
            }
        };
        f.debug_struct("XCredentials")
            .field("x_api_key", &set(&self.x_api_key))
            .field("x_api_key_secret", &set(&self.x_api_key_secret))
            .field("x_bearer_token", &set(&self.x_bearer_token))
            .field("x_access_token", &set(&self.x_access_token))
            .field("x_access_token_secret", &set(&self.x_access_token_secret))
            .finish()
    }
}

impl XCredentials {
    /// Parses the secret's JSON text.
    ///
    /// # Errors
    /// When the text is not a JSON object of string values with the keys above (the
    /// message names the offending key, never a value).
    pub fn from_json(text: &str) -> anyhow::Result<Self> {
        serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "{NOT_CREDENTIALS} ({} at line {} column {})",
                without_values(&e),
                e.line(),
                e.column()
            )
        })
    }

    /// Reads the credentials from the keys of one account of the secrets file's
    /// `platforms.twitter` (the same names as the flat keys).
    ///
    /// # Errors
    /// When a key is not one of the five (the message names it, never a value).
    pub fn from_keys(keys: &HashMap<String, String>) -> anyhow::Result<Self> {
        let object = keys
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        serde_json::from_value(serde_json::Value::Object(object))
            .map_err(|e| anyhow::anyhow!("{NOT_CREDENTIALS} ({})", without_values(&e)))
    }

    /// Reads a secrets file.
    ///
    /// # Errors
    /// When the file cannot be read or parsed.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the secrets file {}", path.display()))?;
        Self::from_json(&text).with_context(|| format!("in the secrets file {}", path.display()))
    }

    /// The JSON names of the credentials posting needs that are unset or empty, in the
    /// order `xApiKey`, `xApiKeySecret`, `xAccessToken`, `xAccessTokenSecret` (the Bearer
    /// Token is optional: posting signs with OAuth 1.0a).
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("xApiKey", &self.x_api_key),
            ("xApiKeySecret", &self.x_api_key_secret),
            ("xAccessToken", &self.x_access_token),
            ("xAccessTokenSecret", &self.x_access_token_secret),
        ]
        .into_iter()
        .filter(|(_, v)| v.as_deref().is_none_or(str::is_empty))
        .map(|(name, _)| name)
        .collect()
    }

    /// The `wasi:config/store` keys of the `twitter` component: `x_api_base_url` and
    /// every credential that is set (`x_api_key`, `x_api_key_secret`, `x_bearer_token`,
    /// `x_access_token`, `x_access_token_secret`).
    pub fn to_config(&self, x_api_base_url: &str) -> HashMap<String, String> {
        let mut config = Self::shared_config(x_api_base_url);
        config.extend(self.account_keys());
        config
    }

    /// The `twitter` settings with these credentials as the account `default`'s: the
    /// shared `x_api_base_url`, the credentials under `accounts["default"]`, and
    /// `outbound` as the hosts it may call.
    pub fn settings(
        &self,
        x_api_base_url: &str,
        outbound: crate::caps::http::OutboundPolicy,
    ) -> crate::runtime::PlatformSettings {
        crate::runtime::PlatformSettings {
            config: Self::shared_config(x_api_base_url),
            accounts: HashMap::from([(
                sps_contract::input::DEFAULT_ACCOUNT.to_string(),
                self.account_keys(),
            )]),
            outbound,
        }
    }

    /// The key every account of the `twitter` component shares: `x_api_base_url`
    /// (without a trailing `/`).
    pub fn shared_config(x_api_base_url: &str) -> HashMap<String, String> {
        HashMap::from([(
            "x_api_base_url".to_string(),
            x_api_base_url.trim_end_matches('/').to_string(),
        )])
    }

    /// The credentials that are set, as the `twitter` component's keys.
    pub fn account_keys(&self) -> HashMap<String, String> {
        let mut config = HashMap::new();
        for (key, value) in [
            ("x_api_key", &self.x_api_key),
            ("x_api_key_secret", &self.x_api_key_secret),
            ("x_bearer_token", &self.x_bearer_token),
            ("x_access_token", &self.x_access_token),
            ("x_access_token_secret", &self.x_access_token_secret),
        ] {
            if let Some(value) = value {
                config.insert(key.to_string(), value.clone());
            }
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_maps_to_component_keys() -> anyhow::Result<()> {
        let c = XCredentials::from_json(
            r#"{"xApiKey":"k","xApiKeySecret":"ks","xBearerToken":"b","xAccessToken":"t","xAccessTokenSecret":"ts"}"#,
        )?;
        let config = c.to_config("http://127.0.0.1:9/");
        let mut pairs: Vec<_> = config.into_iter().collect();
        pairs.sort();
        let want = [
            ("x_access_token", "t"),
            ("x_access_token_secret", "ts"),
            ("x_api_base_url", "http://127.0.0.1:9"),
            ("x_api_key", "k"),
            ("x_api_key_secret", "ks"),
            ("x_bearer_token", "b"),
        ];
        assert_eq!(pairs, want.map(|(k, v)| (k.to_string(), v.to_string())));
        Ok(())
    }

    #[test]
    fn debug_never_prints_values() -> anyhow::Result<()> {
        let c = XCredentials::from_json(r#"{"xApiKey":"SECRET1","xAccessToken":""}"#)?;
        let shown = format!("{c:?}");
        assert_eq!(shown, "XCredentials { x_api_key: \"<set>\", x_api_key_secret: \"<unset>\", x_bearer_token: \"<unset>\", x_access_token: \"<unset>\", x_access_token_secret: \"<unset>\" }");
        Ok(())
    }

    #[test]
    fn rejects_unknown_keys_and_non_strings_without_echoing_values() {
        let err = XCredentials::from_json(r#"{"xApiKey":"SECRET1","apiKey":"SECRET2"}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(err, "the X credentials are not a JSON object of strings with the keys xApiKey, xApiKeySecret, xBearerToken, xAccessToken, xAccessTokenSecret (unknown field `apiKey` at line 1 column 29)");
        let err = XCredentials::from_json(r#"{"xApiKey":12345}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(err, "the X credentials are not a JSON object of strings with the keys xApiKey, xApiKeySecret, xBearerToken, xAccessToken, xAccessTokenSecret (data error at line 1 column 16)");
    }
}
