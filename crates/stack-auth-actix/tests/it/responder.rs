//! The error mapping can be overridden, and `AuthRejection` exposes what a custom mapping needs.

use std::time::Duration;

use actix_web::{http::StatusCode, test, web, App, HttpResponse, ResponseError};
use stack_auth_actix::{AuthRejection, StackAuth, StackAuthMiddleware, StackUser};
use stack_auth_core::{
    ExtractError, RefusalReason, TokenSource, Unavailable, UnavailableKind, Upstream, UserTypes,
    VerifyError,
};

use crate::common::{get, recording, send, ANON, BAD, GOOD};

/// A legacy mapping: plain text `custom <code>`, 419 instead of 401.
fn plain(rejection: &AuthRejection) -> HttpResponse {
    let status = match rejection.status() {
        StatusCode::UNAUTHORIZED => StatusCode::from_u16(419).unwrap_or(StatusCode::UNAUTHORIZED),
        other => other,
    };
    HttpResponse::build(status).body(format!("custom {}", rejection.code()))
}

async fn me(user: StackUser) -> String {
    user.user_id().to_owned()
}

#[actix_web::test]
async fn a_responder_on_the_app_data_renders_extractor_rejections() {
    let app = test::init_service(
        App::new()
            .app_data(StackAuth::new(recording()).error_responder(plain))
            .route("/me", web::get().to(me)),
    )
    .await;
    let reply = send(&app, get("/me", &[])).await;
    assert_eq!(reply.status.as_u16(), 419);
    assert_eq!(reply.body, "custom missing_token");
    assert_eq!(reply.header("www-authenticate"), None);
    let reply = send(&app, get("/me", &[("x-stack-access-token", BAD)])).await;
    assert_eq!(reply.body, "custom bad_signature");
    reply.assert_no_token();
    let reply = send(&app, get("/me", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
}

#[actix_web::test]
async fn a_responder_on_the_middleware_renders_its_rejections_and_those_behind_it() {
    let app = test::init_service(
        App::new()
            .wrap(
                StackAuthMiddleware::new(recording())
                    .optional()
                    .error_responder(plain),
            )
            .service(
                web::resource("/named")
                    .wrap(StackAuthMiddleware::requiring(UserTypes::NORMAL_ONLY))
                    .route(web::get().to(me)),
            )
            .route("/me", web::get().to(me)),
    )
    .await;
    // refused by the middleware itself
    let reply = send(&app, get("/me", &[("x-stack-access-token", BAD)])).await;
    assert_eq!(reply.body, "custom bad_signature");
    // refused by the extractor behind the optional middleware
    let reply = send(&app, get("/me", &[])).await;
    assert_eq!(reply.body, "custom missing_token");
    // refused by an inner requiring middleware without a responder of its own
    let reply = send(&app, get("/named", &[("x-stack-access-token", ANON)])).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body, "custom user_type_not_allowed");
}

#[actix_web::test]
async fn the_app_data_responder_wins_over_the_middleware_responder_for_extractors() {
    let app = test::init_service(
        App::new()
            .app_data(
                StackAuth::new(recording()).error_responder(|r: &AuthRejection| {
                    HttpResponse::build(StatusCode::IM_A_TEAPOT).body(r.code())
                }),
            )
            .wrap(
                StackAuthMiddleware::new(recording())
                    .optional()
                    .error_responder(plain),
            )
            .route("/me", web::get().to(me)),
    )
    .await;
    let reply = send(&app, get("/me", &[])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::IM_A_TEAPOT, "missing_token")
    );
}

#[actix_web::test]
async fn accessors_describe_each_class() {
    let refused = AuthRejection::from(VerifyError::refused(RefusalReason::Expired));
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.status_code(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.code(), "expired");
    assert_eq!(refused.refusal_reason(), Some(RefusalReason::Expired));
    assert!(refused.extract_error().is_none());
    assert!(refused.retry_after().is_none());

    let unreadable = AuthRejection::from(ExtractError::Ambiguous(TokenSource::StackAccessCookie));
    assert_eq!(unreadable.status(), StatusCode::BAD_REQUEST);
    assert_eq!(unreadable.code(), "invalid_request");
    assert!(unreadable.verify_error().is_none());
    assert_eq!(
        unreadable.extract_error(),
        Some(&ExtractError::Ambiguous(TokenSource::StackAccessCookie))
    );

    let unavailable = AuthRejection::from(VerifyError::from(
        Unavailable::new(Upstream::Jwks, UnavailableKind::Connect)
            .with_retry_after(Duration::from_secs(30)),
    ));
    assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(unavailable.retry_after(), Some(Duration::from_secs(30)));
    assert!(unavailable.www_authenticate().is_none());
    let response = unavailable.default_response();
    assert_eq!(response.headers().get("retry-after").unwrap(), "30");

    let missing = AuthRejection::missing_token();
    assert!(missing.is_missing_token());
    assert_eq!(missing.www_authenticate().unwrap(), "Bearer");
    assert_eq!(
        missing.to_string(),
        "unauthenticated: token refused: missing_token"
    );
}
