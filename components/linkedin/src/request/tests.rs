use super::*;

fn credentials() -> Credentials {
    Credentials {
        access_token: "AQX-token".to_string(),
        author: "urn:li:person:Zr4pX9tQ2w".to_string(),
    }
}

#[test]
fn the_request_for_a_post_is_exactly_the_documented_one() {
    let request = create_post_request(
        "https://api.linkedin.com",
        "202605",
        &credentials(),
        "Launch (v2) #news @team",
    )
    .expect("request");
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, "https://api.linkedin.com/rest/posts");
    let body = r#"{"author":"urn:li:person:Zr4pX9tQ2w","commentary":"Launch \\(v2\\) \\#news \\@team","visibility":"PUBLIC","distribution":{"feedDistribution":"MAIN_FEED","targetEntities":[],"thirdPartyDistributionChannels":[]},"lifecycleState":"PUBLISHED","isReshareDisabledByAuthor":false}"#;
    assert_eq!(
        String::from_utf8(request.body.clone()).expect("utf-8"),
        body
    );
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        headers,
        [
            ("Authorization", "Bearer AQX-token"),
            ("LinkedIn-Version", "202605"),
            ("X-Restli-Protocol-Version", "2.0.0"),
            ("Content-Type", "application/json"),
            ("Content-Length", body.len().to_string().as_str()),
            ("User-Agent", "sps-linkedin/0.1.0"),
        ]
    );
    // The JSON string decodes to the little text: one backslash before each reserved one.
    let value: serde_json::Value = serde_json::from_slice(&request.body).expect("json");
    assert_eq!(value["commentary"], r"Launch \(v2\) \#news \@team");
}

#[test]
fn the_base_url_may_have_a_path_prefix_and_a_trailing_slash() {
    assert_eq!(
        create_post_url(" http://127.0.0.1:8081/ "),
        Ok("http://127.0.0.1:8081/rest/posts".to_string())
    );
    assert_eq!(
        create_post_url("https://proxy.example/linkedin"),
        Ok("https://proxy.example/linkedin/rest/posts".to_string())
    );
}

#[test]
fn a_base_url_that_cannot_be_used_is_a_setting_to_fix() {
    let why = |why: &str| {
        format!("invalid setting base_url: {why}; it must be LinkedIn's API http(s) URL")
    };
    let cases = [
        ("api.linkedin.com", why("not an http or https URL")),
        ("https://", why("not an http or https URL")),
        ("https:///rest", why("no host")),
        (
            "https://user:pw@api.linkedin.com",
            why("user information is not allowed in the URL"),
        ),
        (
            "https://api.linkedin.com/?x=1",
            why("it has a query or fragment"),
        ),
    ];
    for (base, message) in cases {
        assert_eq!(
            create_post_url(base),
            Err(PublishError::Transient(message.to_string())),
            "{base}"
        );
    }
}

#[test]
fn versions_are_yyyymm() {
    assert_eq!(check_version("202605"), Ok("202605"));
    assert_eq!(check_version("202312"), Ok("202312"));
    for bad in [
        "",
        "2026",
        "202613",
        "202600",
        "20260501",
        "2026-05",
        "202605.01",
        "abcdef",
    ] {
        assert_eq!(
            check_version(bad),
            Err(PublishError::Transient(format!(
                "invalid setting linkedin_version: {bad:?} is not a LinkedIn version of the form YYYYMM (for example 202605)"
            ))),
            "{bad}"
        );
    }
    assert!(matches!(
        create_post_request("https://api.linkedin.com", "2026-05", &credentials(), "x"),
        Err(PublishError::Transient(_))
    ));
}

#[test]
fn authors_are_person_or_organization_urns() {
    for good in ["urn:li:person:Zr4pX9tQ2w", "urn:li:organization:2414183"] {
        assert!(is_author_urn(good), "{good}");
    }
    for bad in [
        "",
        "urn:li:person:",
        "urn:li:share:123",
        "person:123",
        "urn:li:organization:24 14",
        "Zr4pX9tQ2w",
    ] {
        assert!(!is_author_urn(bad), "{bad}");
    }
}

#[test]
fn post_urls_are_linkedins_feed_update_links() {
    assert_eq!(
        post_url("urn:li:share:7012345678901234567").as_deref(),
        Some("https://www.linkedin.com/feed/update/urn:li:share:7012345678901234567/")
    );
    assert_eq!(
        post_url("urn:li:ugcPost:89582953243234").as_deref(),
        Some("https://www.linkedin.com/feed/update/urn:li:ugcPost:89582953243234/")
    );
    for odd in [
        "",
        "7012345678901234567",
        "urn:li:share:",
        "urn:li:share:1/../x",
        "urn:li:share:1 2",
        "urn:x:share:1",
    ] {
        assert_eq!(post_url(odd), None, "{odd}");
    }
}

#[test]
fn missing_credentials_name_the_account_and_the_settings() {
    assert_eq!(
        missing_credentials_message("default", &["access_token", "author"]),
        "LinkedIn credentials are missing for the account \"default\": set its access_token and author"
    );
    assert_eq!(
        missing_credentials_message("brand", &["author"]),
        "LinkedIn credentials are missing for the account \"brand\": set its author"
    );
    assert_eq!(
        format!("{:?}", credentials()),
        "Credentials { access_token: \"<redacted>\", author: \"urn:li:person:Zr4pX9tQ2w\" }"
    );
}
