use super::*;

const PID: &str = "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e";

fn cfg(base: &str) -> Result<StackAuthConfig, ConfigError> {
    StackAuthConfig::builder(PID).base_url(base).build()
}

#[test]
fn defaults() {
    let c = StackAuthConfig::new(PID).unwrap();
    assert_eq!(c.base_url(), "https://api.stack-auth.com");
    assert_eq!(c.accepted_user_types(), UserTypes::NORMAL_ONLY);
    assert_eq!(
        c.issuer(UserType::Normal),
        format!("https://api.stack-auth.com/api/v1/projects/{PID}")
    );
    assert_eq!(
        c.issuer(UserType::Anonymous),
        format!("https://api.stack-auth.com/api/v1/projects-anonymous-users/{PID}")
    );
    assert_eq!(c.audience(UserType::Normal), PID);
    assert_eq!(
        c.audience(UserType::Restricted),
        format!("{PID}:restricted")
    );
    assert_eq!(
        c.jwks_url(),
        format!("https://api.stack-auth.com/api/v1/projects/{PID}/.well-known/jwks.json")
    );
    assert_eq!(
        c.users_me_url(),
        "https://api.stack-auth.com/api/v1/users/me"
    );
}

#[test]
fn issuer_derivation_for_several_base_urls() {
    let cases = [
        (
            "https://api.stack-auth.com/",
            "https://api.stack-auth.com",
            "https://api.stack-auth.com",
        ),
        (
            "http://localhost:8102",
            "http://localhost:8102",
            "http://localhost:8102",
        ),
        (
            "https://x.com/stack",
            "https://x.com/stack",
            "https://x.com",
        ),
        ("https://x.com/a/b/", "https://x.com/a/b", "https://x.com"),
        ("https://X.COM:443", "https://x.com", "https://x.com"),
        (
            "https://x.com:8443/p",
            "https://x.com:8443/p",
            "https://x.com:8443",
        ),
        (
            "http://127.0.0.1:9000",
            "http://127.0.0.1:9000",
            "http://127.0.0.1:9000",
        ),
        (
            "http://[::1]:9000",
            "http://[::1]:9000",
            "http://[::1]:9000",
        ),
    ];
    for (base, api, origin) in cases {
        let c = cfg(base).unwrap();
        assert_eq!(c.base_url(), api, "{base}");
        assert_eq!(
            c.issuer(UserType::Normal),
            format!("{origin}/api/v1/projects/{PID}"),
            "{base}"
        );
        assert_eq!(
            c.issuer(UserType::Restricted),
            format!("{origin}/api/v1/projects-restricted-users/{PID}")
        );
        assert_eq!(
            c.user_type_for_issuer(c.issuer(UserType::Anonymous)),
            Some(UserType::Anonymous)
        );
    }
}

#[test]
fn audience_lookup() {
    let c = StackAuthConfig::new(PID).unwrap();
    assert_eq!(c.user_type_for_audience(PID), Some(UserType::Normal));
    assert_eq!(
        c.user_type_for_audience(&format!("{PID}:anon")),
        Some(UserType::Anonymous)
    );
    assert_eq!(c.user_type_for_audience("other"), None);
    assert_eq!(c.user_type_for_audience(&format!("{PID}:admin")), None);
}

#[test]
fn invalid_configuration_is_refused() {
    assert_eq!(
        StackAuthConfig::new("").unwrap_err(),
        ConfigError::EmptyProjectId
    );
    assert!(matches!(
        StackAuthConfig::new("a:b"),
        Err(ConfigError::InvalidProjectId(_))
    ));
    assert!(matches!(
        StackAuthConfig::new("a/b"),
        Err(ConfigError::InvalidProjectId(_))
    ));
    assert!(matches!(
        StackAuthConfig::new("x".repeat(200)),
        Err(ConfigError::InvalidProjectId(_))
    ));
    assert_eq!(
        cfg("http://api.example.com").unwrap_err(),
        ConfigError::InsecureBaseUrl
    );
    for bad in [
        "not a url",
        "ftp://x.com",
        "https://x.com/?a=1",
        "https://x.com/#f",
        "https://u:p@x.com",
    ] {
        assert!(
            matches!(cfg(bad), Err(ConfigError::InvalidBaseUrl(_))),
            "{bad}"
        );
    }
    let insecure = StackAuthConfig::builder(PID)
        .base_url("http://stack-backend:8102")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert_eq!(insecure.base_url(), "http://stack-backend:8102");
    assert!(insecure.allows_insecure_http());
    let again = insecure
        .to_builder()
        .accept(UserType::Anonymous)
        .build()
        .unwrap();
    assert_eq!(again.base_url(), insecure.base_url());
    assert!(again.accepts(UserType::Anonymous) && again.allows_insecure_http());
    assert_eq!(
        StackAuthConfig::builder(PID)
            .accepted_user_types(UserTypes::NONE)
            .build()
            .unwrap_err(),
        ConfigError::NoUserTypesAccepted
    );
}
