//! What goes on the wire and how answers are read: the header set, the full profile, the
//! overridden-status form, body caps, timeouts and broken connections (mockito and raw TCP).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use mockito::Matcher;
use stack_auth_core::{
    ConfigError, MisconfigKind, ProfileStatus, RefusalReason, StackAuthConfig, TokenVerifier,
    UnavailableKind, UserType, VerifyError,
};
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier, RetryPolicy, MAX_DURATION_SETTING};

use crate::common::{
    builder, closed_port, token, unavailable_kind, RawServer, KEY, PATH, PID, PROFILE,
};

#[tokio::test]
async fn sends_exactly_the_documented_headers_and_returns_the_full_profile() {
    let mut server = mockito::Server::new_async().await;
    let tok = token(7);
    let mock = server
        .mock("GET", PATH)
        .match_query(Matcher::Missing)
        .match_header("x-stack-access-type", "server")
        .match_header("x-stack-project-id", PID)
        .match_header("x-stack-secret-server-key", KEY)
        .match_header("x-stack-access-token", tok.as_str())
        .match_header("x-stack-allow-anonymous-user", Matcher::Missing)
        .match_header("x-stack-allow-restricted-user", Matcher::Missing)
        .match_header("x-stack-override-error-status", Matcher::Missing)
        .match_header("authorization", Matcher::Missing)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_body(PROFILE)
        .expect(1)
        .create_async()
        .await;
    let v = builder(&server.url()).build().unwrap();
    let user = v.verify(&tok).await.unwrap();
    mock.assert_async().await;
    assert_eq!(user.user_id(), "3241a285-8329-4d69-8f3d-316e08cf140c");
    assert_eq!(user.project_id(), PID);
    assert_eq!(user.user_type(), UserType::Normal);
    assert_eq!(user.profile_status(), ProfileStatus::Present);
    assert_eq!(user.email(), Some("johndoe@example.com"));
    let p = user.profile().unwrap();
    assert_eq!(
        p.selected_team.as_ref().unwrap().display_name,
        "John Doe's Team"
    );
    assert_eq!(p.risk_scores.sign_up.free_trial_abuse, 7);
    assert_eq!(p.oauth_providers[0].account_id, "12345678");
    let server: serde_json::Value = p.server_metadata_as().unwrap().unwrap();
    assert_eq!(server["stripe_customer_id"], "cus_123");
    let future = p.extra["a_field_from_the_future"].to_value().unwrap();
    assert_eq!(future["nested"][1], 2);
}

/// Stack Auth is asked to let through only the user types the configuration accepts (its
/// anonymous header implies restricted users, so both go together); the verifier still checks
/// the type itself.
#[tokio::test]
async fn allow_headers_follow_the_accepted_user_types() {
    use stack_auth_core::UserTypes;
    let cases = [
        (UserTypes::NORMAL_ONLY, None, None),
        (
            UserTypes::NORMAL_ONLY.with(UserType::Restricted),
            None,
            Some("true"),
        ),
        (
            UserTypes::NORMAL_ONLY.with(UserType::Anonymous),
            Some("true"),
            Some("true"),
        ),
        (UserTypes::ALL, Some("true"), Some("true")),
    ];
    let expect = |v: Option<&'static str>| v.map_or(Matcher::Missing, Into::into);
    for (accepted, anonymous, restricted) in cases {
        let mut server = mockito::Server::new_async().await;
        let mock = server
            .mock("GET", PATH)
            .match_header("x-stack-allow-anonymous-user", expect(anonymous))
            .match_header("x-stack-allow-restricted-user", expect(restricted))
            .with_body(PROFILE)
            .expect(1)
            .create_async()
            .await;
        let v = builder(&server.url())
            .accepted_user_types(accepted)
            .build()
            .unwrap();
        v.verify(&token(1)).await.unwrap();
        mock.assert_async().await;
    }
    // fetch_profile does not filter user types: Stack Auth is asked to let every type through.
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", PATH)
        .match_header("x-stack-allow-anonymous-user", "true")
        .match_header("x-stack-allow-restricted-user", "true")
        .with_body(PROFILE)
        .expect(1)
        .create_async()
        .await;
    builder(&server.url())
        .build()
        .unwrap()
        .fetch_profile(&token(1))
        .await
        .unwrap();
    mock.assert_async().await;
}

/// A 200 whose profile does not state its user type, or states it inconsistently, is not
/// trusted as a user of any type.
#[tokio::test]
async fn a_profile_without_or_with_inconsistent_user_type_flags_is_an_invalid_response() {
    let bodies = [
        r#"{"id":"u"}"#,
        r#"{"id":"u","is_anonymous":false}"#,
        r#"{"id":"u","is_restricted":false}"#,
        r#"{"id":"u","is_anonymous":false,"is_restricted":false,"restricted_reason":{"type":"restricted_by_administrator"}}"#,
    ];
    for body in bodies {
        let mut server = mockito::Server::new_async().await;
        let _m = server
            .mock("GET", PATH)
            .with_body(body)
            .create_async()
            .await;
        let v = builder(&server.url())
            .accepted_user_types(stack_auth_core::UserTypes::ALL)
            .build()
            .unwrap();
        let e = v.verify(&token(1)).await.unwrap_err();
        assert_eq!(
            unavailable_kind(&e),
            UnavailableKind::InvalidResponse,
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_self_hosted_base_path_is_kept() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", "/stack/api/v1/users/me")
        .with_body(PROFILE)
        .create_async()
        .await;
    let v = builder(&format!("{}/stack/", server.url()))
        .build()
        .unwrap();
    v.verify(&token(1)).await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn an_overridden_error_status_is_read_from_x_stack_actual_status() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", PATH)
        .with_status(200)
        .with_header("x-stack-actual-status", "401")
        .with_header("x-stack-known-error", "ACCESS_TOKEN_EXPIRED")
        .with_body(r#"{"code":"ACCESS_TOKEN_EXPIRED","error":"Access token has expired."}"#)
        .create_async()
        .await;
    let e = builder(&server.url())
        .build()
        .unwrap()
        .verify(&token(1))
        .await
        .unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::Expired));
}

#[tokio::test]
async fn bodies_over_the_cap_are_too_large_with_or_without_content_length() {
    let mut server = mockito::Server::new_async().await;
    let big = format!(
        r#"{{"id":"u","is_anonymous":false,"is_restricted":false,"pad":"{}"}}"#,
        "x".repeat(5_000)
    );
    let _sized = server
        .mock("GET", PATH)
        .match_header("x-stack-access-token", token(1).as_str())
        .with_body(&big)
        .create_async()
        .await;
    let _chunked = server
        .mock("GET", PATH)
        .match_header("x-stack-access-token", token(2).as_str())
        .with_chunked_body(move |w| {
            for _ in 0..10 {
                w.write_all(&[b' '; 1_000])?;
            }
            Ok(())
        })
        .create_async()
        .await;
    let v = builder(&server.url())
        .max_response_bytes(4_096)
        .build()
        .unwrap();
    for (name, tok) in [("sized", token(1)), ("chunked", token(2))] {
        let e = v.verify(&tok).await.unwrap_err();
        assert_eq!(unavailable_kind(&e), UnavailableKind::TooLarge, "{name}");
    }
    let roomy = builder(&server.url())
        .max_response_bytes(8_192)
        .build()
        .unwrap();
    assert_eq!(roomy.verify(&token(1)).await.unwrap().user_id(), "u");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_at_the_deadline() {
    let raw = RawServer::start(true).await;
    let v = builder(&raw.base)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let start = Instant::now();
    let e = v.verify(&token(1)).await.unwrap_err();
    let took = start.elapsed();
    assert_eq!(unavailable_kind(&e), UnavailableKind::Timeout);
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!(raw.connections(), 1);
}

#[tokio::test]
async fn dropped_connections_are_retried_then_reported_as_connect() {
    let raw = RawServer::start(false).await;
    let v = builder(&raw.base)
        .retry_policy(RetryPolicy::new(3, Duration::from_millis(1)))
        .build()
        .unwrap();
    let e = v.verify(&token(1)).await.unwrap_err();
    assert_eq!(unavailable_kind(&e), UnavailableKind::Connect);
    assert_eq!(raw.connections(), 3);
}

#[tokio::test]
async fn refused_connections_are_connect_errors() {
    let v = builder(&closed_port().await).build().unwrap();
    let e = v.verify(&token(1)).await.unwrap_err();
    assert_eq!(unavailable_kind(&e), UnavailableKind::Connect);
}

#[tokio::test]
async fn build_validates_its_settings() {
    let invalid = |r: Result<RestVerifier, ConfigError>| match r {
        Err(ConfigError::Invalid { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        invalid(RestVerifier::builder(PID, "  ").build()),
        "secret_server_key"
    );
    assert_eq!(
        invalid(RestVerifier::builder(PID, "ssk\n1").build()),
        "secret_server_key"
    );
    let b = || RestVerifier::builder(PID, KEY);
    assert_eq!(invalid(b().timeout(Duration::ZERO).build()), "timeout");
    assert_eq!(invalid(b().timeout(Duration::MAX).build()), "timeout");
    // One vocabulary with the JWKS verifier: the longest duration is core's
    // MAX_DURATION_SETTING; the token cache is turned off with disable_token_cache, never
    // with zeros.
    let over = MAX_DURATION_SETTING + Duration::from_secs(1);
    assert_eq!(invalid(b().timeout(over).build()), "timeout");
    assert!(b().timeout(MAX_DURATION_SETTING).build().is_ok());
    for cache in [
        b().token_cache_capacity(0),
        b().token_cache_ttl(Duration::ZERO),
        b().token_cache_ttl(over),
        b().token_cache_refusal_ttl(over),
        b().disable_token_cache().token_cache_ttl(Duration::ZERO),
    ] {
        assert_eq!(invalid(cache.build()), "token_cache");
    }
    assert!(b().token_cache_refusal_ttl(Duration::ZERO).build().is_ok());
    assert!(b().disable_token_cache().build().is_ok());
    let endless = CircuitBreakerPolicy::new(1, Duration::MAX);
    assert_eq!(
        invalid(b().circuit_breaker(endless).build()),
        "circuit_breaker"
    );
    assert_eq!(
        invalid(b().max_response_bytes(0).build()),
        "max_response_bytes"
    );
    let zero = RetryPolicy::new(0, Duration::ZERO);
    assert_eq!(invalid(b().retry_policy(zero).build()), "retry_policy");
    assert_eq!(
        RestVerifier::builder("", KEY).build().unwrap_err(),
        ConfigError::EmptyProjectId
    );
    assert_eq!(
        b().base_url("http://stack.internal").build().unwrap_err(),
        ConfigError::InsecureBaseUrl
    );
    assert!(b()
        .base_url("http://stack.internal")
        .allow_insecure_http(true)
        .build()
        .is_ok());
    let shown = format!("{:?}", b().build().unwrap());
    assert!(!shown.contains(KEY), "{shown}");
}

#[tokio::test]
async fn a_shared_config_is_used_as_is_and_can_be_extended() {
    let config = StackAuthConfig::builder(PID)
        .base_url("http://stack.internal:8102")
        .allow_insecure_http(true)
        .accept(UserType::Restricted)
        .build()
        .unwrap();
    let v = RestVerifier::builder_with_config(config.clone(), KEY)
        .build()
        .unwrap();
    assert_eq!(v.config(), &config);
    let v = RestVerifier::builder_with_config(config, KEY)
        .accept(UserType::Anonymous)
        .build()
        .unwrap();
    assert!(v.config().accepts(UserType::Restricted) && v.config().accepts(UserType::Anonymous));
    assert_eq!(v.config().base_url(), "http://stack.internal:8102");
}

/// The shared settings resolve as `StackAuthConfig::to_builder` does (as in the JWKS verifier): a
/// configuration's permission for plain http stays with it when the base URL changes, and only
/// an explicit `allow_insecure_http(false)` takes it back.
#[tokio::test]
async fn a_shared_configs_http_permission_survives_a_new_base_url() {
    let config = StackAuthConfig::builder(PID)
        .base_url("http://stack.internal:8102")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let moved = RestVerifier::builder_with_config(config.clone(), KEY)
        .base_url("http://stack2.internal:8102")
        .build()
        .unwrap();
    assert_eq!(moved.config().base_url(), "http://stack2.internal:8102");
    assert!(moved.config().allows_insecure_http());
    let revoked = RestVerifier::builder_with_config(config, KEY)
        .base_url("http://stack2.internal:8102")
        .allow_insecure_http(false)
        .build()
        .unwrap_err();
    assert_eq!(revoked, ConfigError::InsecureBaseUrl);
}

/// A caller-supplied client that follows redirects (`reqwest::Client::new()` does) would send
/// the secret server key and the token to the redirect target: reqwest strips only
/// `Authorization` and `Cookie`. The target's answer is never used; the verifier reports the
/// misconfiguration.
#[tokio::test]
async fn a_client_that_followed_a_redirect_is_a_misconfiguration() {
    let mut elsewhere = mockito::Server::new_async().await;
    let target = elsewhere
        .mock("GET", PATH)
        .with_body(PROFILE)
        .expect(1)
        .create_async()
        .await;
    let mut server = mockito::Server::new_async().await;
    let _redirect = server
        .mock("GET", PATH)
        .with_status(302)
        .with_header("location", &format!("{}{PATH}", elsewhere.url()))
        .create_async()
        .await;
    let v = builder(&server.url())
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let e = v.verify(&token(1)).await.unwrap_err();
    let VerifyError::Misconfigured(m) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(m.kind(), MisconfigKind::InvalidRequest);
    assert_eq!(
        m.detail(),
        Some("the HTTP client followed a redirect; build it with redirect::Policy::none()")
    );
    // The request did reach the target (that is why it is an error), and was not retried.
    target.assert_async().await;
    let e = v.fetch_profile(&token(2)).await.unwrap_err();
    assert!(matches!(e, VerifyError::Misconfigured(_)), "{e:?}");
}
