//! Every row of the status table: status, `WWW-Authenticate`, `Retry-After` and JSON body, the
//! same as the axum crate's, and no response leaks the token or a verifier's detail.

use std::{sync::Arc, time::Duration};

use actix_web::{http::StatusCode, test, web, App};
use stack_auth_actix::{StackAuth, StackUser};
use stack_auth_core::{
    test_util::{RecordingVerifier, StaticVerifier},
    MisconfigKind, Misconfiguration, Refusal, RefusalReason, TokenVerifier, Unavailable,
    UnavailableKind, Upstream, VerifyError,
};

use crate::common::{get, recording, send, Reply, BAD, GOOD};

async fn me(user: StackUser) -> String {
    user.user_id().to_owned()
}

/// Sends `headers` to `/me` of an app whose app data verifies with `verifier`.
async fn ask(verifier: Arc<dyn TokenVerifier>, headers: &[(&str, &str)]) -> Reply {
    let app = test::init_service(
        App::new()
            .app_data(StackAuth::new(verifier))
            .route("/me", web::get().to(me)),
    )
    .await;
    send(&app, get("/me", headers)).await
}

/// Sends [`GOOD`] as a bearer token to an app whose verifier fails with `error`.
async fn fail_with(error: VerifyError) -> Reply {
    let bearer = format!("Bearer {GOOD}");
    let reply = ask(
        Arc::new(StaticVerifier::fail(error)),
        &[("authorization", &bearer)],
    )
    .await;
    reply.assert_no_token();
    reply
}

#[actix_web::test]
async fn no_token_is_401_with_a_bare_bearer_challenge() {
    let verifier = recording();
    let reply = ask(verifier.clone(), &[]).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // RFC 6750 §3.1: no error attribute when the request had no credentials.
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    assert_eq!(reply.header("retry-after"), None);
    reply.assert_error_body("missing_token");
    assert_eq!(verifier.calls(), 0);
}

#[actix_web::test]
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
        let reply = ask(verifier.clone(), headers).await;
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

#[actix_web::test]
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

#[actix_web::test]
async fn a_refused_token_is_verified_once_and_never_echoed() {
    let verifier = recording();
    let reply = ask(verifier.clone(), &[("x-stack-access-token", BAD)]).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("bad_signature");
    reply.assert_no_token();
    assert_eq!(verifier.tokens(), [BAD]);
}

#[actix_web::test]
async fn user_type_not_allowed_and_custom_refusals_are_403_insufficient_scope() {
    for reason in [RefusalReason::UserTypeNotAllowed, RefusalReason::Custom] {
        let reply = fail_with(VerifyError::refused(reason)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{reason}");
        let challenge = reply.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with(r#"Bearer error="insufficient_scope""#),
            "{challenge}"
        );
        reply.assert_error_body(reason.as_str());
    }
}

#[actix_web::test]
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

#[actix_web::test]
async fn unavailable_retry_after_rounds_up_and_defaults_to_5_seconds() {
    let fraction = Unavailable::new(Upstream::Jwks, UnavailableKind::ServerError)
        .with_retry_after(Duration::from_millis(1500));
    let reply = fail_with(fraction.into()).await;
    assert_eq!(reply.header("retry-after"), Some("2"));
    let unsaid = Unavailable::new(Upstream::Jwks, UnavailableKind::Timeout);
    let reply = fail_with(unsaid.into()).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.header("retry-after"), Some("5"));
}

#[actix_web::test]
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

#[actix_web::test]
async fn an_app_without_stack_auth_data_or_middleware_is_misconfigured() {
    let app = test::init_service(App::new().route("/me", web::get().to(me))).await;
    for headers in [&[][..], &[("x-stack-access-token", GOOD)][..]] {
        let reply = send(&app, get("/me", headers)).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        reply.assert_error_body("misconfigured");
        reply.assert_no_token();
    }
}

/// Byte for byte what the axum crate answers for the same refusal.
#[actix_web::test]
async fn the_error_body_and_challenge_match_the_axum_crate() {
    let verifier = Arc::new(RecordingVerifier::new(StaticVerifier::refuse(
        RefusalReason::Expired,
    )));
    let reply = ask(verifier, &[("x-stack-access-token", BAD)]).await;
    assert_eq!(
        reply.body,
        r#"{"error":"expired","message":"the access token expired"}"#
    );
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token", error_description="the access token expired""#)
    );
}

#[actix_web::test]
async fn app_data_may_be_wrapped_in_web_data() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(StackAuth::new(verifier.clone())))
            .route("/me", web::get().to(me)),
    )
    .await;
    let reply = send(&app, get("/me", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(verifier.calls(), 1);
}
