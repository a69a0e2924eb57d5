//! Every error class gives its status, headers and JSON body, and no response leaks the token.

use std::{sync::Arc, time::Duration};

use axum::{routing::get, Router};
use http::StatusCode;
use stack_auth_axum::{StackAuth, StackUser};
use stack_auth_core::{
    test_util::{RecordingVerifier, StaticVerifier},
    MisconfigKind, Misconfiguration, Refusal, RefusalReason, TokenVerifier, Unavailable,
    UnavailableKind, Upstream, VerifyError,
};

use crate::common::{get as request, recording, send, Reply, BAD, GOOD};

fn app(verifier: Arc<dyn TokenVerifier>) -> Router {
    Router::new()
        .route(
            "/me",
            get(|user: StackUser| async move { user.user_id().to_owned() }),
        )
        .with_state(StackAuth::new(verifier))
}

/// Sends [`GOOD`] as a bearer token to an app whose verifier fails with `error`.
async fn fail_with(error: VerifyError) -> Reply {
    let reply = send(
        app(Arc::new(StaticVerifier::fail(error))),
        request("/me", &[("authorization", &format!("Bearer {GOOD}"))]),
    )
    .await;
    reply.assert_no_token();
    reply
}

#[tokio::test]
async fn no_token_is_401_with_a_bare_bearer_challenge() {
    let verifier = recording();
    let reply = send(app(verifier.clone()), request("/me", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // RFC 6750 §3.1: no error attribute when the request had no credentials.
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    assert_eq!(reply.header("retry-after"), None);
    reply.assert_error_body("missing_token");
    assert_eq!(verifier.calls(), 0);
}

#[tokio::test]
async fn unreadable_token_sources_are_400_invalid_request_without_verifying() {
    let too_large = "a".repeat(9 * 1024);
    let cases: [&[(&str, &str)]; 4] = [
        &[("x-stack-auth", "not json")],
        &[("cookie", "stack-access=%5B%22only-one%22%5D")],
        &[
            ("x-stack-access-token", GOOD),
            ("x-stack-access-token", BAD),
        ],
        &[("x-stack-access-token", &too_large)],
    ];
    for headers in cases {
        let verifier = recording();
        let reply = send(app(verifier.clone()), request("/me", headers)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{headers:?}");
        let challenge = reply.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_request", error_description=""#),
            "{challenge}"
        );
        reply.assert_error_body("invalid_request");
        reply.assert_no_token();
        assert_eq!(verifier.calls(), 0);
    }
}

#[tokio::test]
async fn refused_tokens_are_401_invalid_token_with_the_reason_code() {
    let refusals = RefusalReason::ALL.into_iter().filter(|r| {
        !matches!(
            r,
            RefusalReason::MissingToken | RefusalReason::UserTypeNotAllowed | RefusalReason::Custom
        )
    });
    for reason in refusals {
        let refusal = Refusal::new(reason).with_detail("expected issuer leak-canary");
        let reply = fail_with(refusal.into()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reason}");
        let challenge = reply.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_token", error_description=""#),
            "{challenge}"
        );
        assert_eq!(reply.header("retry-after"), None);
        reply.assert_error_body(reason.as_str());
    }
}

#[tokio::test]
async fn a_refused_token_is_verified_once_and_never_echoed() {
    let verifier = recording();
    let reply = send(
        app(verifier.clone()),
        request("/me", &[("x-stack-access-token", BAD)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("bad_signature");
    reply.assert_no_token();
    assert_eq!(verifier.tokens(), [BAD]);
}

/// The user is known but not let in: a user type the verifier does not accept, or a custom
/// verifier's own rule (an allow-list), whose detail is not shown.
#[tokio::test]
async fn user_type_not_allowed_and_custom_refusals_are_403_insufficient_scope() {
    let cases: [(VerifyError, &str); 2] = [
        (
            VerifyError::refused(RefusalReason::UserTypeNotAllowed),
            "user_type_not_allowed",
        ),
        (
            Refusal::custom("not on the allow-list leak-canary").into(),
            "custom",
        ),
    ];
    for (error, code) in cases {
        let reply = fail_with(error).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let challenge = reply.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with(r#"Bearer error="insufficient_scope""#),
            "{challenge}"
        );
        reply.assert_error_body(code);
        assert!(!reply.json().to_string().contains("leak-canary"));
    }
}

#[tokio::test]
async fn unavailable_is_503_with_the_upstream_retry_after() {
    let unavailable = Unavailable::new(Upstream::Api, UnavailableKind::RateLimited)
        .with_status(429)
        .with_retry_after(Duration::from_secs(7));
    let reply = fail_with(unavailable.into()).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.header("retry-after"), Some("7"));
    assert_eq!(reply.header("www-authenticate"), None);
    reply.assert_error_body("unavailable");
}

#[tokio::test]
async fn unavailable_retry_after_rounds_up_and_defaults_to_5_seconds() {
    let fraction = Unavailable::new(Upstream::Jwks, UnavailableKind::ServerError)
        .with_retry_after(Duration::from_millis(1500));
    assert_eq!(
        fail_with(fraction.into()).await.header("retry-after"),
        Some("2")
    );
    let zero = Unavailable::new(Upstream::Jwks, UnavailableKind::ServerError)
        .with_retry_after(Duration::ZERO);
    assert_eq!(
        fail_with(zero.into()).await.header("retry-after"),
        Some("1")
    );
    let unsaid = Unavailable::new(Upstream::Jwks, UnavailableKind::Timeout);
    let reply = fail_with(unsaid.into()).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.header("retry-after"), Some("5"));
}

#[tokio::test]
async fn misconfigured_is_500_without_details() {
    let misconfiguration = Misconfiguration::new(MisconfigKind::InvalidSecretServerKey)
        .with_detail("INVALID_SECRET_SERVER_KEY leak-canary");
    let reply = fail_with(misconfiguration.into()).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.header("www-authenticate"), None);
    assert_eq!(reply.header("retry-after"), None);
    reply.assert_error_body("misconfigured");
    assert!(!reply.body.contains("INVALID_SECRET_SERVER_KEY"));
    assert!(!reply.body.to_lowercase().contains("secret"));
}

#[tokio::test]
async fn a_stateless_router_without_a_layer_is_misconfigured() {
    let app: Router = Router::new().route(
        "/me",
        get(|user: StackUser| async move { user.user_id().to_owned() }),
    );
    for headers in [&[][..], &[("x-stack-access-token", GOOD)][..]] {
        let reply = send(app.clone(), request("/me", headers)).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        reply.assert_error_body("misconfigured");
        reply.assert_no_token();
    }
}

#[tokio::test]
async fn the_error_body_is_compact_json_that_names_the_code() {
    let verifier = Arc::new(RecordingVerifier::new(StaticVerifier::refuse(
        RefusalReason::Expired,
    )));
    let reply = send(
        app(verifier),
        request("/me", &[("x-stack-access-token", BAD)]),
    )
    .await;
    assert_eq!(
        reply.body,
        r#"{"error":"expired","message":"the access token expired"}"#
    );
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token", error_description="the access token expired""#)
    );
}
