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

#[test]
fn cloud_brands_accept_each_others_issuers_and_nothing_else() {
    for (stack, hexclave) in CLOUD_HOST_PAIRS {
        for (configured, sibling) in [(stack, hexclave), (hexclave, stack)] {
            let c = cfg(&format!("https://{configured}/")).unwrap();
            assert_eq!(
                c.issuer_origins(),
                [
                    format!("https://{configured}"),
                    format!("https://{sibling}")
                ]
            );
            for t in UserType::ALL {
                let on_sibling = format!(
                    "https://{sibling}/api/v1/projects{}/{PID}",
                    t.issuer_suffix()
                );
                assert!(
                    c.accepts_issuer(t, &on_sibling),
                    "{configured}: {on_sibling}"
                );
                assert_eq!(c.user_type_for_issuer(&on_sibling), Some(t));
                // the variant must still match the user type
                let other = UserType::ALL.into_iter().find(|o| *o != t).unwrap();
                assert!(!c.accepts_issuer(other, &on_sibling));
            }
            assert_eq!(
                c.issuer(UserType::Normal),
                format!("https://{configured}/api/v1/projects/{PID}")
            );
            assert_eq!(c.accepted_issuers(UserType::Normal).count(), 2);
        }
    }
    let hosted = StackAuthConfig::new(PID).unwrap();
    for refused in [
        format!("http://api.hexclave.com/api/v1/projects/{PID}"),
        format!("https://api1.stack-auth.com/api/v1/projects/{PID}"),
        format!("https://api.dev.hexclave.com/api/v1/projects/{PID}"),
        format!("https://api.hexclave.com.evil.example/api/v1/projects/{PID}"),
        format!("https://api.hexclave.com:443/api/v1/projects/{PID}"),
        format!("https://API.HEXCLAVE.COM/api/v1/projects/{PID}"),
        format!("https://api.hexclave.com/api/v1/projects/{PID}/"),
        "https://api.hexclave.com/api/v1/projects/other".to_owned(),
    ] {
        assert_eq!(hosted.user_type_for_issuer(&refused), None, "{refused}");
    }
}

#[test]
fn only_the_exact_cloud_hosts_have_a_sibling() {
    let insecure = |base: &str| {
        StackAuthConfig::builder(PID)
            .base_url(base)
            .allow_insecure_http(true)
            .build()
            .unwrap()
    };
    for base in [
        "https://auth.example.com",
        "https://api1.stack-auth.com",
        "https://api.stack-auth.com:8443",
        "https://stack-auth.com",
        "https://api.stack-auth.com.",
        "http://localhost:8102",
    ] {
        assert_eq!(cfg(base).unwrap().issuer_origins().len(), 1, "{base}");
    }
    assert_eq!(
        insecure("http://api.stack-auth.com").issuer_origins().len(),
        1
    );
    // a path does not change the host
    assert_eq!(
        cfg("https://api.hexclave.com/some/path")
            .unwrap()
            .issuer_origins()[1],
        "https://api.stack-auth.com"
    );
    let pinned = StackAuthConfig::builder(PID)
        .accept_sibling_brand(false)
        .build()
        .unwrap();
    assert_eq!(pinned.issuer_origins(), ["https://api.stack-auth.com"]);
    assert_eq!(pinned.to_builder().build().unwrap(), pinned);
}

#[test]
fn extra_issuer_origins_are_checked_like_the_base_url() {
    let c = StackAuthConfig::builder(PID)
        .base_url("https://auth.new.example/stack")
        .accept_issuer_origin("https://auth.old.example/stack/")
        .accept_issuer_origin("https://api.stack-auth.com")
        .accept_issuer_origin("https://auth.new.example")
        .build()
        .unwrap();
    // paths dropped, duplicates once, no sibling added for an extra cloud host
    assert_eq!(
        c.issuer_origins(),
        [
            "https://auth.new.example",
            "https://auth.old.example",
            "https://api.stack-auth.com"
        ]
    );
    assert!(c.accepts_issuer(
        UserType::Normal,
        &format!("https://auth.old.example/api/v1/projects/{PID}")
    ));
    assert!(!c.accepts_issuer(
        UserType::Normal,
        &format!("https://api.hexclave.com/api/v1/projects/{PID}")
    ));
    assert_eq!(c.to_builder().build().unwrap(), c);
    let with = |origin: &str| {
        StackAuthConfig::builder(PID)
            .accept_issuer_origin(origin)
            .build()
    };
    for bad in [
        "not a url",
        "ftp://x.com",
        "http://auth.old.example",
        "https://x.com/?a=1",
        "https://u:p@x.com",
    ] {
        assert!(
            matches!(
                with(bad),
                Err(ConfigError::Invalid {
                    field: "accept_issuer_origin",
                    ..
                })
            ),
            "{bad}"
        );
    }
    assert!(with("http://127.0.0.1:8102").is_ok());
    let private = StackAuthConfig::builder(PID)
        .accept_issuer_origin("http://stack-backend:8102")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert_eq!(private.issuer_origins().len(), 3);
}
