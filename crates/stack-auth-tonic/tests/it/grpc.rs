//! A real tonic server and client over loopback: every refusal arrives as its gRPC status (not
//! a transport error), the handler sees the user, and a valid token passes.

use std::{sync::Arc, time::Duration};

use stack_auth_core::{
    framework::Rejection,
    test_util::{RecordingVerifier, StaticVerifier},
    MisconfigKind, Misconfiguration, Refusal, RefusalReason, TokenSources, Unavailable,
    UnavailableKind, Upstream, UserTypes, VerifyError,
};
use stack_auth_tonic::{default_status, StackAuthLayer};
use tonic::{Code, Status};

use crate::common::{assert_no_token, check, client, recording, serve, ANON, BAD, GOOD};

/// The status of a health check with `headers` against a server behind `layer`.
async fn refused(layer: StackAuthLayer, headers: &[(&'static str, &str)]) -> Status {
    let addr = serve(layer).await;
    let status = client(addr)
        .await
        .check(check("", headers))
        .await
        .expect_err("the call is refused");
    assert_no_token(&status);
    status
}

/// A verifier that fails every token with `error`.
fn failing(error: VerifyError) -> StackAuthLayer {
    StackAuthLayer::new(Arc::new(StaticVerifier::fail(error)))
}

#[tokio::test]
async fn a_valid_token_passes_and_the_handler_sees_the_user() {
    let verifier = recording();
    let addr = serve(StackAuthLayer::new(verifier.clone())).await;
    let mut client = client(addr).await;
    let bearer = format!("Bearer {GOOD}");
    for headers in [
        &[("authorization", bearer.as_str())][..],
        &[("x-stack-access-token", GOOD)][..],
        &[("x-hexclave-access-token", GOOD)][..],
    ] {
        let response = client.check(check("", headers)).await.unwrap();
        assert_eq!(response.get_ref().status, 1, "SERVING");
        assert_eq!(response.metadata().get("x-user-id").unwrap(), "user-normal");
    }
    assert_eq!(verifier.tokens(), [GOOD, GOOD, GOOD]);
}

#[tokio::test]
async fn no_token_is_unauthenticated_without_verifying() {
    let verifier = recording();
    let status = refused(StackAuthLayer::new(verifier.clone()), &[]).await;
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(
        status.message(),
        "missing_token: an access token is required"
    );
    assert_eq!(verifier.calls(), 0);
}

#[tokio::test]
async fn a_refused_token_is_unauthenticated_with_its_reason() {
    let verifier = recording();
    let bearer = format!("Bearer {BAD}");
    let status = refused(
        StackAuthLayer::new(verifier.clone()),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(
        status.message(),
        "bad_signature: the access token is invalid"
    );
    assert_eq!(verifier.tokens(), [BAD]);

    let expired = Refusal::new(RefusalReason::Expired).with_detail("exp leak-canary");
    let status = refused(failing(expired.into()), &[("x-stack-access-token", GOOD)]).await;
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(status.message(), "expired: the access token expired");
}

#[tokio::test]
async fn an_unreadable_token_header_is_unauthenticated_invalid_request() {
    let verifier = recording();
    let status = refused(
        StackAuthLayer::new(verifier.clone()),
        &[
            ("x-hexclave-access-token", GOOD),
            ("x-stack-access-token", BAD),
        ],
    )
    .await;
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(
        status.message().starts_with("invalid_request: "),
        "{status:?}"
    );
    assert_eq!(verifier.calls(), 0);
}

#[tokio::test]
async fn a_user_type_not_let_in_is_permission_denied() {
    let verifier = recording();
    let layer = StackAuthLayer::new(verifier.clone()).require(UserTypes::NORMAL_ONLY);
    let status = refused(layer, &[("x-stack-access-token", ANON)]).await;
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(
        status.message(),
        "user_type_not_allowed: this user type is not allowed here"
    );
}

#[tokio::test]
async fn an_unavailable_upstream_is_unavailable_with_a_retry_pushback() {
    let unavailable = Unavailable::new(Upstream::Api, UnavailableKind::RateLimited)
        .with_status(429)
        .with_retry_after(Duration::from_secs(7));
    let status = refused(
        failing(unavailable.into()),
        &[("x-stack-access-token", GOOD)],
    )
    .await;
    assert_eq!(status.code(), Code::Unavailable);
    assert!(status.message().starts_with("unavailable: "), "{status:?}");
    assert_eq!(
        status.metadata().get("grpc-retry-pushback-ms").unwrap(),
        "7000"
    );
}

#[tokio::test]
async fn a_misconfigured_verifier_is_internal_without_details() {
    let misconfiguration = Misconfiguration::new(MisconfigKind::InvalidSecretServerKey)
        .with_detail("INVALID_SECRET_SERVER_KEY leak-canary");
    let status = refused(
        failing(misconfiguration.into()),
        &[("x-stack-access-token", GOOD)],
    )
    .await;
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(
        status.message(),
        "misconfigured: authentication is misconfigured on this server"
    );
    assert!(!status.message().to_lowercase().contains("secret"));
}

#[tokio::test]
async fn an_optional_layer_lets_calls_without_a_token_in_but_not_bad_tokens() {
    let verifier = recording();
    let addr = serve(StackAuthLayer::new(verifier.clone()).optional()).await;
    let mut client = client(addr).await;
    let response = client.check(check("", &[])).await.unwrap();
    assert_eq!(response.metadata().get("x-user-id").unwrap(), "-");
    // A handler that needs a user refuses the tokenless call itself.
    let status = client.check(check("needs-user", &[])).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    let status = client
        .check(check("", &[("x-stack-access-token", BAD)]))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    let response = client
        .check(check("needs-user", &[("x-stack-access-token", ANON)]))
        .await
        .unwrap();
    assert_eq!(response.metadata().get("x-user-id").unwrap(), "user-anon");
    assert_eq!(verifier.calls(), 2);
}

#[tokio::test]
async fn cookies_are_not_read_unless_the_sources_add_them() {
    let cookie = format!("stack-access=%5B%22refresh-1%22%2C%22{GOOD}%22%5D");
    let verifier = recording();
    let status = refused(
        StackAuthLayer::new(verifier.clone()),
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().starts_with("missing_token"));
    assert_eq!(verifier.calls(), 0);

    let addr = serve(StackAuthLayer::new(verifier.clone()).token_sources(TokenSources::ALL)).await;
    let response = client(addr)
        .await
        .check(check("", &[("cookie", &cookie)]))
        .await
        .unwrap();
    assert_eq!(response.metadata().get("x-user-id").unwrap(), "user-normal");
}

#[tokio::test]
async fn the_status_mapping_can_be_replaced() {
    let verifier = Arc::new(RecordingVerifier::new(StaticVerifier::refuse(
        RefusalReason::Expired,
    )));
    let layer = StackAuthLayer::new(verifier).error_responder(|r: &Rejection| {
        if r.status() == 401 {
            Status::unauthenticated(format!("sign in again ({})", r.code()))
        } else {
            default_status(r)
        }
    });
    let status = refused(layer, &[("x-stack-access-token", BAD)]).await;
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(status.message(), "sign in again (expired)");
}
