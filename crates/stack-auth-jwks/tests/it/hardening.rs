//! A hostile or broken JWKS endpoint gives "unavailable" (or, for a 404, "misconfigured"), never a
//! panic, a hang or a refusal; insecure settings are refused at build time.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::Duration;

use stack_auth_core::{ConfigError, TokenVerifier, UnavailableKind, VerifyError};
use stack_auth_jwks::JwksVerifier;
use stack_auth_testkit::{Fault, Route};

use crate::common::*;

async fn kind_for(fault: Fault) -> UnavailableKind {
    let kit = Kit::start().await;
    kit.stack.inject(Route::Jwks, fault);
    let verifier = kit
        .verifier()
        .timeout(Duration::from_secs(3))
        .max_response_bytes(16 * 1024)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let kind = unavailable_kind(verifier.verify(&kit.token()).await);
    assert!(
        started.elapsed() <= Duration::from_secs(3),
        "bounded by the total timeout"
    );
    assert_eq!(kit.jwks_requests(), 1);
    kind
}

#[tokio::test(start_paused = true)]
async fn a_hanging_endpoint_times_out() {
    assert_eq!(kind_for(Fault::Hang).await, UnavailableKind::Timeout);
}

#[tokio::test(start_paused = true)]
async fn a_slow_endpoint_times_out() {
    let kind = kind_for(Fault::Latency(Duration::from_secs(60))).await;
    assert_eq!(kind, UnavailableKind::Timeout);
}

#[tokio::test]
async fn garbage_is_an_invalid_response() {
    assert_eq!(
        kind_for(Fault::GarbageJson).await,
        UnavailableKind::InvalidResponse
    );
}

#[tokio::test]
async fn an_oversized_body_is_too_large() {
    assert_eq!(
        kind_for(Fault::Oversized(1 << 20)).await,
        UnavailableKind::TooLarge
    );
}

#[tokio::test]
async fn a_dropped_connection_is_a_connect_failure() {
    assert_eq!(
        kind_for(Fault::DropConnection).await,
        UnavailableKind::Connect
    );
}

#[tokio::test(start_paused = true)]
async fn error_statuses_are_server_errors_or_rate_limits() {
    assert_eq!(
        kind_for(Fault::status(500)).await,
        UnavailableKind::ServerError
    );
    assert_eq!(
        kind_for(Fault::status(502)).await,
        UnavailableKind::ServerError
    );
    assert_eq!(
        kind_for(Fault::status(400)).await,
        UnavailableKind::ServerError
    );
    let kit = Kit::start().await;
    let rate_limited = Fault::RateLimited {
        retry_after: Some(7),
    };
    kit.stack.inject_times(Route::Jwks, rate_limited, 1);
    let verifier = kit.verifier().build().unwrap();
    let err = verifier.verify(&kit.token()).await.unwrap_err();
    assert!(
        matches!(&err, VerifyError::Unavailable(u) if u.kind() == UnavailableKind::RateLimited && u.status() == Some(429))
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    // Retry-After is honoured: no new attempt for 7 s, whatever the retry interval.
    kit.advance(6).await;
    assert!(verifier.verify(&kit.token()).await.is_err());
    assert_eq!(kit.jwks_requests(), 1);
    kit.advance(2).await;
    verifier.verify(&kit.token()).await.unwrap();
    assert_eq!(kit.jwks_requests(), 2);
}

#[tokio::test]
async fn an_unknown_project_is_a_misconfiguration() {
    let kit = Kit::start().await;
    let config = kit
        .stack
        .config_builder_for("no-such-project")
        .build()
        .unwrap();
    let verifier = JwksVerifier::builder_with_config(config)
        .clock(kit.clock.clone())
        .build()
        .unwrap();
    let err = verifier.verify(&kit.token()).await.unwrap_err();
    assert!(matches!(err, VerifyError::Misconfigured(_)), "{err:?}");
    assert_eq!(err.http_status(), 500);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let kit = Kit::start().await;
    let alias = format!(
        "{}/api/v1/projects-anonymous-users/{}/.well-known/jwks.json",
        kit.stack.base_url(),
        kit.stack.project_id()
    );
    let verifier = kit.verifier().jwks_url(alias).build().unwrap();
    let kind = unavailable_kind(verifier.verify(&kit.token()).await);
    assert_eq!(kind, UnavailableKind::InvalidResponse);
    assert_eq!(kit.stack.requests(Route::AnonymousJwksRedirect), 1);
    assert_eq!(
        kit.jwks_requests(),
        0,
        "the redirect target was never requested"
    );
}

#[tokio::test]
async fn a_closed_port_is_a_connect_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let verifier = JwksVerifier::builder(default_project())
        .jwks_url(format!("http://127.0.0.1:{port}/jwks.json"))
        .clock(clock())
        .build()
        .unwrap();
    let kind = unavailable_kind(verifier.verify(&case_token("normal-user")).await);
    assert_eq!(kind, UnavailableKind::Connect);
}

#[tokio::test]
async fn a_chunked_body_is_capped_while_streaming() {
    let pid = default_project();
    let mut server = mockito::Server::new_async().await;
    let _mock = server
        .mock("GET", jwks_path(&pid).as_str())
        .match_query(mockito::Matcher::Any)
        .with_chunked_body(|w| {
            w.write_all(br#"{"keys":["#)?;
            for _ in 0..1000 {
                w.write_all(&[b' '; 1024])?;
            }
            w.write_all(b"]}")
        })
        .create_async()
        .await;
    let verifier = builder_for(&server, &pid, &clock())
        .max_response_bytes(8 * 1024)
        .build()
        .unwrap();
    let kind = unavailable_kind(verifier.verify(&case_token("normal-user")).await);
    assert_eq!(kind, UnavailableKind::TooLarge);
}

#[tokio::test]
async fn a_bad_key_in_the_set_does_not_poison_the_rest() {
    let pid = default_project();
    let good: serde_json::Value =
        serde_json::from_str(&jwks_body(&pid, Some("include_anonymous=true"))).unwrap();
    let mut keys = vec![
        serde_json::json!({"kty": "RSA", "n": "AQAB", "e": "AQAB", "kid": "rsa"}),
        serde_json::json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": "off-curve"}),
        serde_json::json!("not a key"),
    ];
    keys.extend(good["keys"].as_array().unwrap().iter().cloned());
    let body = serde_json::json!({ "keys": keys }).to_string();
    let mut server = mockito::Server::new_async().await;
    let _mock = server
        .mock("GET", jwks_path(&pid).as_str())
        .match_query(mockito::Matcher::Any)
        .with_body(body)
        .create_async()
        .await;
    let verifier = builder_for(&server, &pid, &clock()).build().unwrap();
    verifier.verify(&case_token("normal-user")).await.unwrap();
    assert_eq!(verifier.status().key_ids.len(), 6);
}

#[tokio::test]
async fn a_document_without_usable_keys_is_an_invalid_response() {
    let pid = default_project();
    let mut server = mockito::Server::new_async().await;
    for body in [
        r#"{"keys":[]}"#,
        r#"{"keys":[{"kty":"oct","k":"AA"}]}"#,
        "[]",
        "<html>",
    ] {
        let mock = server
            .mock("GET", jwks_path(&pid).as_str())
            .match_query(mockito::Matcher::Any)
            .with_body(body)
            .create_async()
            .await;
        let verifier = builder_for(&server, &pid, &clock()).build().unwrap();
        let kind = unavailable_kind(verifier.verify(&case_token("normal-user")).await);
        assert_eq!(kind, UnavailableKind::InvalidResponse, "{body}");
        mock.remove_async().await;
    }
}

#[test]
fn insecure_or_invalid_settings_are_refused_at_build_time() {
    let pid = default_project();
    let field = |r: Result<JwksVerifier, ConfigError>| match r {
        Err(ConfigError::Invalid { field, .. }) => field,
        other => panic!("expected an invalid setting, got {other:?}"),
    };
    let b = || JwksVerifier::builder(pid.clone());
    assert_eq!(
        field(b().jwks_url("http://keys.example.com/jwks.json").build()),
        "jwks_url"
    );
    assert_eq!(
        field(b().jwks_url("ftp://127.0.0.1/jwks.json").build()),
        "jwks_url"
    );
    assert_eq!(
        field(b().jwks_url("https://x.example/jwks?a=1").build()),
        "jwks_url"
    );
    assert_eq!(
        field(b().jwks_url("https://u:p@x.example/jwks").build()),
        "jwks_url"
    );
    assert_eq!(field(b().jwks_url("not a url").build()), "jwks_url");
    assert!(b().jwks_url("http://127.0.0.1:1/jwks.json").build().is_ok());
    assert!(b().jwks_url("http://localhost:1/jwks.json").build().is_ok());
    assert!(b()
        .jwks_url("http://keys.internal/jwks.json")
        .allow_insecure_http(true)
        .build()
        .is_ok());
    assert!(matches!(
        b().base_url("http://stack.example.com").build(),
        Err(ConfigError::InsecureBaseUrl)
    ));
    // A configuration that allows plain http is honoured, also when the builder changes it.
    let private = stack_auth_core::StackAuthConfig::builder(pid.clone())
        .base_url("http://10.1.2.3:8102")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let built = JwksVerifier::builder_with_config(private.clone())
        .build()
        .unwrap();
    assert!(built.jwks_url().starts_with("http://10.1.2.3:8102/"));
    let accepting = JwksVerifier::builder_with_config(private.clone())
        .accept(stack_auth_core::UserType::Anonymous)
        .build()
        .unwrap();
    assert!(accepting.config().allows_insecure_http());
    let moved = JwksVerifier::builder_with_config(private)
        .base_url("http://10.9.9.9:8102")
        .build()
        .unwrap();
    assert!(moved.jwks_url().starts_with("http://10.9.9.9:8102/"));
    assert_eq!(
        field(b().leeway(Duration::from_secs(301)).build()),
        "leeway"
    );
    assert_eq!(field(b().min_ttl(Duration::ZERO).build()), "min_ttl");
    assert_eq!(field(b().max_ttl(Duration::MAX).build()), "max_ttl");
    assert_eq!(
        field(b().stale_if_error(Duration::MAX).build()),
        "stale_if_error"
    );
    assert_eq!(
        field(b().token_cache_ttl(Duration::MAX).build()),
        "token_cache"
    );
    assert_eq!(
        field(
            b().min_ttl(Duration::from_secs(700))
                .max_ttl(Duration::from_secs(600))
                .build()
        ),
        "min_ttl"
    );
    assert_eq!(
        field(b().unknown_kid_cooldown(Duration::ZERO).build()),
        "unknown_kid_cooldown"
    );
    assert_eq!(field(b().timeout(Duration::ZERO).build()), "timeout");
    assert_eq!(
        field(b().connect_timeout(Duration::ZERO).build()),
        "timeout"
    );
    assert_eq!(
        field(b().max_response_bytes(0).build()),
        "max_response_bytes"
    );
    assert_eq!(
        field(b().retry_after_error(Duration::from_millis(10)).build()),
        "retry_after_error"
    );
    assert_eq!(field(b().token_cache_capacity(0).build()), "token_cache");
    assert_eq!(
        field(b().token_cache_ttl(Duration::ZERO).build()),
        "token_cache"
    );
    assert!(matches!(
        JwksVerifier::builder("").build(),
        Err(ConfigError::EmptyProjectId)
    ));
    assert!(matches!(
        b().accepted_user_types(stack_auth_core::UserTypes::NONE)
            .build(),
        Err(ConfigError::NoUserTypesAccepted)
    ));
}

#[tokio::test]
async fn verifying_outside_a_tokio_runtime_is_an_error_not_a_panic() {
    let verifier = JwksVerifier::builder(default_project())
        .jwks_url("http://127.0.0.1:9/jwks.json")
        .build()
        .unwrap();
    let token = case_token("normal-user");
    let result = std::thread::spawn(move || futures::executor::block_on(verifier.verify(&token)))
        .join()
        .unwrap();
    // A setup error (500, not retryable), not an outage: retrying cannot help.
    match result {
        Err(VerifyError::Misconfigured(m)) => {
            assert_eq!(m.kind(), stack_auth_core::MisconfigKind::UnexpectedError)
        }
        other => panic!("expected a misconfiguration, got {other:?}"),
    }
}

#[tokio::test]
async fn a_malformed_signature_cannot_spend_the_unknown_kid_refetch() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    verifier.verify(&kit.token()).await.unwrap();
    let valid = kit.token();
    let (signed, _) = with_kid(&valid, "fresh-kid-00")
        .rsplit_once('.')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    let short_signature = format!("{signed}.c2ln");
    let result = verifier.verify(&short_signature).await;
    assert_eq!(reason(result), stack_auth_core::RefusalReason::BadSignature);
    assert_eq!(
        kit.jwks_requests(),
        1,
        "no refetch for a malformed signature"
    );
    assert_eq!(verifier.status().unknown_kid_refetch_count, 0);
}

#[tokio::test(start_paused = true)]
async fn a_sub_second_leeway_rounds_up_to_a_second() {
    let kit = Kit::start().await;
    let token = kit
        .stack
        .token(
            &kit.stack
                .create_user(stack_auth_testkit::UserSpec::normal())
                .unwrap(),
        )
        .expires_in(Duration::from_secs(10))
        .mint();
    let strict = kit.verifier().leeway(Duration::ZERO).build().unwrap();
    let lenient = kit
        .verifier()
        .leeway(Duration::from_millis(900))
        .build()
        .unwrap();
    kit.advance(10).await; // now == exp: expired without leeway (jose's rule)
    assert_eq!(
        reason(strict.verify(&token).await),
        stack_auth_core::RefusalReason::Expired
    );
    assert!(
        lenient.verify(&token).await.is_ok(),
        "900 ms of leeway is one second, not zero"
    );
}
