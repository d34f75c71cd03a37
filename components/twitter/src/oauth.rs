//! OAuth 1.0a request signing with HMAC-SHA1, as X documents it (docs.x.com, "Creating a
//! signature"; RFC 5849 sections 3.4 and 3.5.1).
//!
//! The clock and the nonce are inputs (`timestamp`, `nonce`): the component's glue takes
//! them from wasi:clocks and wasi:random, tests pass fixed values.
//!
//! What is signed: the request method, the base URL (scheme and host lowercased, default
//! port dropped, path, no query), and the parameters: the URL's query string, any
//! form-encoded body parameters the caller passes, and the `oauth_*` protocol parameters.
//! A JSON body (as for `POST /2/tweets`) is not a parameter and is not signed.

use std::fmt;

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;
use url::Url;

/// The characters RFC 3986 leaves unescaped besides letters and digits: `-._~`. Everything
/// else is percent-encoded with uppercase hex (RFC 5849 section 3.6).
const RFC3986_RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `oauth_signature_method` value.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// `oauth_version` value sent with every request.
pub const VERSION: &str = "1.0";

/// The four user-context OAuth 1.0a credentials of an X app (Developer Portal: "API Key and
/// Secret" = consumer key/secret, "Access Token and Secret" = token/secret). `Debug` shows
/// only the consumer key and token, never the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// API Key (`oauth_consumer_key`).
    pub consumer_key: String,
    /// API Key Secret (first half of the signing key).
    pub consumer_secret: String,
    /// Access Token (`oauth_token`).
    pub token: String,
    /// Access Token Secret (second half of the signing key).
    pub token_secret: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"<redacted>")
            .field("token", &self.token)
            .field("token_secret", &"<redacted>")
            .finish()
    }
}

/// Why a request could not be signed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SignError {
    /// The URL is not an absolute `http`/`https` URL with a host; carries the reason.
    InvalidUrl(String),
    /// The HMAC could not be keyed. HMAC-SHA1 accepts keys of any length, so this does not
    /// happen; it exists so that signing has no panic path.
    Key(String),
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::InvalidUrl(why) => write!(f, "invalid URL: {why}"),
            SignError::Key(why) => write!(f, "invalid signing key: {why}"),
        }
    }
}

impl std::error::Error for SignError {}

/// Percent-encode `value` per RFC 3986 as OAuth requires: only `A-Za-z0-9-._~` stay as
/// they are, every other byte of the UTF-8 encoding becomes `%XX` (uppercase hex).
pub fn percent_encode(value: &str) -> String {
    utf8_percent_encode(value, RFC3986_RESERVED).to_string()
}

/// Parse `url` as an absolute `http`/`https` URL with a host.
pub fn parse_url(url: &str) -> Result<Url, SignError> {
    let parsed = Url::parse(url).map_err(|e| SignError::InvalidUrl(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(SignError::InvalidUrl(format!(
            "scheme {:?} is not http or https",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(SignError::InvalidUrl("no host".to_string()));
    }
    Ok(parsed)
}

/// The base string URI (RFC 5849 section 3.4.1.2): `scheme://host[:port]/path`, scheme and
/// host lowercase, the port only when it is not the scheme's default, no query or fragment.
pub fn base_url(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let mut out = format!("{}://{}", url.scheme().to_ascii_lowercase(), host);
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path());
    out
}

/// The protocol parameters (`oauth_*` except the signature), in the order X documents them.
/// `version` is `Some("1.0")` for X; RFC 5849's example omits it (`None`).
pub fn protocol_params(
    credentials: &Credentials,
    timestamp: &str,
    nonce: &str,
    version: Option<&str>,
) -> Vec<(String, String)> {
    let mut params = vec![
        (
            "oauth_consumer_key".to_string(),
            credentials.consumer_key.clone(),
        ),
        ("oauth_nonce".to_string(), nonce.to_string()),
        (
            "oauth_signature_method".to_string(),
            SIGNATURE_METHOD.to_string(),
        ),
        ("oauth_timestamp".to_string(), timestamp.to_string()),
        ("oauth_token".to_string(), credentials.token.clone()),
    ];
    if let Some(v) = version {
        params.push(("oauth_version".to_string(), v.to_string()));
    }
    params
}

/// The signature base string (RFC 5849 section 3.4.1):
/// `METHOD&enc(base URL)&enc(k1=v1&k2=v2…)`, where the parameters are the URL's query
/// (form-decoded), `params` (form body parameters; not a JSON body) and `protocol_params`,
/// each key and value percent-encoded, sorted by encoded key then encoded value.
pub fn signature_base_string(
    method: &str,
    url: &str,
    params: &[(String, String)],
    protocol_params: &[(String, String)],
) -> Result<String, SignError> {
    let parsed = parse_url(url)?;
    let mut encoded: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (percent_encode(&k), percent_encode(&v)))
        .chain(
            params
                .iter()
                .chain(protocol_params)
                .map(|(k, v)| (percent_encode(k), percent_encode(v))),
        )
        .collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    Ok(format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode(&base_url(&parsed)),
        percent_encode(&normalized)
    ))
}

/// The HMAC-SHA1 signing key: `enc(consumer secret)&enc(token secret)`.
pub fn signing_key(consumer_secret: &str, token_secret: &str) -> String {
    format!(
        "{}&{}",
        percent_encode(consumer_secret),
        percent_encode(token_secret)
    )
}

/// `base64(HMAC-SHA1(signing_key, base_string))`: the `oauth_signature` value (before
/// percent-encoding for the header).
pub fn sign(base_string: &str, signing_key: &str) -> Result<String, SignError> {
    let mut mac = Hmac::<Sha1>::new_from_slice(signing_key.as_bytes())
        .map_err(|e| SignError::Key(e.to_string()))?;
    mac.update(base_string.as_bytes());
    Ok(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// The signature of a request: [`signature_base_string`] signed with the credentials'
/// [`signing_key`].
pub fn signature(
    method: &str,
    url: &str,
    params: &[(String, String)],
    protocol_params: &[(String, String)],
    credentials: &Credentials,
) -> Result<String, SignError> {
    let base = signature_base_string(method, url, params, protocol_params)?;
    sign(
        &base,
        &signing_key(&credentials.consumer_secret, &credentials.token_secret),
    )
}

/// The `Authorization` header value for a request to `url` (query parameters included in
/// the signature; the body, JSON for X API v2, is not):
/// `OAuth oauth_consumer_key="…", oauth_nonce="…", oauth_signature="…",
/// oauth_signature_method="HMAC-SHA1", oauth_timestamp="…", oauth_token="…",
/// oauth_version="1.0"`, keys sorted, values percent-encoded. `timestamp` is Unix seconds
/// (UTC) and `nonce` a unique random string (X: 32 alphanumerics).
pub fn authorization_header(
    method: &str,
    url: &str,
    credentials: &Credentials,
    timestamp: u64,
    nonce: &str,
) -> Result<String, SignError> {
    let mut params = protocol_params(credentials, &timestamp.to_string(), nonce, Some(VERSION));
    let sig = signature(method, url, &[], &params, credentials)?;
    params.push(("oauth_signature".to_string(), sig));
    params.sort();
    let fields = params
        .iter()
        .map(|(k, v)| format!("{}=\"{}\"", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(format!("OAuth {fields}"))
}

#[cfg(test)]
mod tests {
    //! Vectors: /work/shared/cases/oauth1.json (X developer docs "Creating a signature",
    //! RFC 5849 section 1.2, OAuth Core 1.0 appendix A.5, and derived vectors computed from
    //! the same inputs with two independent HMAC implementations). Values copied here.
    use super::*;

    fn x_docs() -> Credentials {
        Credentials {
            consumer_key: "xvz1evFS4wEEPTGEFPHBog".to_string(),
            consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".to_string(),
            token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".to_string(),
            token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".to_string(),
        }
    }

    fn rfc5849() -> Credentials {
        Credentials {
            consumer_key: "dpf43f3p2l4k3l03".to_string(),
            consumer_secret: "kd94hf93k423kf44".to_string(),
            token: "nnch734d00sl2jdk".to_string(),
            token_secret: "pfkkdhi9sl3r4s00".to_string(),
        }
    }

    const X_NONCE: &str = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
    const X_TIMESTAMP: &str = "1318622958";

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn x_docs_params() -> Vec<(String, String)> {
        pairs(&[
            ("include_entities", "true"),
            (
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!",
            ),
        ])
    }

    #[test]
    fn x_docs_example_historic_host() {
        let creds = x_docs();
        let proto = protocol_params(&creds, X_TIMESTAMP, X_NONCE, Some("1.0"));
        let url = "https://api.twitter.com/1.1/statuses/update.json";
        let base = signature_base_string("POST", url, &x_docs_params(), &proto);
        assert_eq!(
            base,
            Ok("POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521".to_string())
        );
        assert_eq!(
            signing_key(&creds.consumer_secret, &creds.token_secret),
            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
        );
        let sig = signature("POST", url, &x_docs_params(), &proto, &creds);
        assert_eq!(sig, Ok("hCtSmYh+iHYCEqBWrE7C7hYmtUk=".to_string()));
        // The wrong encodings the vector lists must not be produced.
        for wrong in [
            "Il5C7oPhfqV+nSqa3WoH4988Ll0=",
            "F/oMlVC5UEkMCYZ0a5RyUMaQX90=",
            "lzKEyPhir88fiRVm0hC22SpU6Ig=",
        ] {
            assert_ne!(sig.as_deref(), Ok(wrong));
        }
    }

    #[test]
    fn x_docs_example_current_host() {
        let creds = x_docs();
        let proto = protocol_params(&creds, X_TIMESTAMP, X_NONCE, Some("1.0"));
        let sig = signature(
            "POST",
            "https://api.x.com/1.1/statuses/update.json",
            &x_docs_params(),
            &proto,
            &creds,
        );
        assert_eq!(sig, Ok("Ls93hJiZbQ3akF3HF3x1Bz8/zU4=".to_string()));
    }

    #[test]
    fn create_post_json_body_is_not_signed() {
        let creds = x_docs();
        let proto = protocol_params(&creds, X_TIMESTAMP, X_NONCE, Some("1.0"));
        let url = "https://api.x.com/2/tweets";
        assert_eq!(
            signature_base_string("POST", url, &[], &proto),
            Ok("POST&https%3A%2F%2Fapi.x.com%2F2%2Ftweets&oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0".to_string())
        );
        let sig = signature("POST", url, &[], &proto, &creds);
        assert_eq!(sig, Ok("lr+tV/DKclEvXKVjG6tgaSSLV0k=".to_string()));
        // signing the text as if it were a parameter gives the vector's wrong value
        let as_param = pairs(&[("text", "Hello Ladies + Gentlemen, a signed OAuth request!")]);
        assert_eq!(
            signature("POST", url, &as_param, &proto, &creds),
            Ok("Wo+GejheRGZ8lv7vM/WjsnyBHnY=".to_string())
        );
        let header = authorization_header("POST", url, &creds, 1318622958, X_NONCE);
        assert_eq!(
            header,
            Ok("OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", oauth_signature=\"lr%2BtV%2FDKclEvXKVjG6tgaSSLV0k%3D\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\"".to_string())
        );
    }

    #[test]
    fn create_post_historic_host() {
        let creds = x_docs();
        let proto = protocol_params(&creds, X_TIMESTAMP, X_NONCE, Some("1.0"));
        assert_eq!(
            signature(
                "POST",
                "https://api.twitter.com/2/tweets",
                &[],
                &proto,
                &creds
            ),
            Ok("KW/bTR/89oblzvjn7CwP2L8j5qQ=".to_string())
        );
    }

    #[test]
    fn rfc5849_section_1_2_query_params_are_signed() {
        let creds = rfc5849();
        let proto = protocol_params(&creds, "137131202", "chapoH", None);
        assert_eq!(
            signature(
                "GET",
                "http://photos.example.net/photos?file=vacation.jpg&size=original",
                &[],
                &proto,
                &creds
            ),
            Ok("MdpQcU8iPSUjWoN/UDMsK2sui9I=".to_string())
        );
    }

    #[test]
    fn oauth_core_1_0_appendix_a_5() {
        let creds = rfc5849();
        let proto = protocol_params(&creds, "1191242096", "kllo9940pd9333jh", Some("1.0"));
        assert_eq!(
            signature(
                "GET",
                "http://photos.example.net/photos?file=vacation.jpg&size=original",
                &[],
                &proto,
                &creds
            ),
            Ok("tR3+Ty81lMeYAr/Fid0kMTYa/WM=".to_string())
        );
    }

    #[test]
    fn percent_encoding_vectors() {
        let cases = [
            ("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen"),
            ("An encoded string!", "An%20encoded%20string%21"),
            ("Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice"),
            ("\u{2603}", "%E2%98%83"),
            (
                "It's (really) *hot* outside!",
                "It%27s%20%28really%29%20%2Ahot%2A%20outside%21",
            ),
            ("caf\u{e9}", "caf%C3%A9"),
            ("a~b-c_d.e", "a~b-c_d.e"),
        ];
        for (raw, encoded) in cases {
            assert_eq!(percent_encode(raw), encoded, "{raw:?}");
        }
    }

    #[test]
    fn base_url_normalisation() {
        let cases = [
            ("HTTPS://API.X.COM/2/tweets", "https://api.x.com/2/tweets"),
            (
                "https://api.x.com:443/2/tweets",
                "https://api.x.com/2/tweets",
            ),
            (
                "http://example.com:80/r%20v/X?id=123",
                "http://example.com/r%20v/X",
            ),
            (
                "http://127.0.0.1:8080/2/tweets",
                "http://127.0.0.1:8080/2/tweets",
            ),
            ("https://example.com:8443", "https://example.com:8443/"),
            ("https://example.com/a#frag", "https://example.com/a"),
        ];
        for (raw, base) in cases {
            let parsed = parse_url(raw).map(|u| base_url(&u));
            assert_eq!(parsed, Ok(base.to_string()), "{raw}");
        }
    }

    #[test]
    fn the_host_actually_called_is_signed() {
        let creds = x_docs();
        let a = authorization_header("POST", "https://api.x.com/2/tweets", &creds, 1, "n");
        let b = authorization_header("POST", "http://127.0.0.1:9999/2/tweets", &creds, 1, "n");
        assert!(a.is_ok() && b.is_ok());
        assert_ne!(a, b);
    }

    #[test]
    fn rejects_urls_that_cannot_be_signed() {
        let creds = x_docs();
        for url in [
            "",
            "api.x.com/2/tweets",
            "ftp://api.x.com/2/tweets",
            "file:///tmp/x",
            "https://",
        ] {
            assert!(
                matches!(
                    authorization_header("POST", url, &creds, 1, "n"),
                    Err(SignError::InvalidUrl(_))
                ),
                "{url:?}"
            );
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let shown = format!("{:?}", x_docs());
        assert!(!shown.contains("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"));
        assert!(!shown.contains("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"));
        assert!(shown.contains("xvz1evFS4wEEPTGEFPHBog"));
    }
}
