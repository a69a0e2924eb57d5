//! The error mapping can be overridden, and `AuthRejection` exposes what a custom mapping needs.

use std::time::Duration;

use axum::{
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use http::StatusCode;
use stack_auth_axum::{AuthRejection, MaybeStackUser, StackAuth, StackAuthLayer, StackUser};
use stack_auth_core::{
    ExtractError, RefusalReason, TokenSource, Unavailable, UnavailableKind, Upstream, UserTypes,
    VerifyError,
};

use crate::common::{get as request, recording, send, ANON, BAD, GOOD};

/// A legacy mapping: plain text `custom <code>`, 419 instead of 401.
fn plain(rejection: &AuthRejection) -> Response {
    let status = match rejection.status() {
        StatusCode::UNAUTHORIZED => StatusCode::from_u16(419).unwrap_or(StatusCode::UNAUTHORIZED),
        other => other,
    };
    (status, format!("custom {}", rejection.code())).into_response()
}

async fn me(user: StackUser) -> String {
    user.user_id().to_owned()
}

#[tokio::test]
async fn a_responder_on_the_state_renders_extractor_rejections() {
    let app = Router::new()
        .route("/me", get(me))
        .with_state(StackAuth::new(recording()).error_responder(plain));
    let reply = send(app.clone(), request("/me", &[])).await;
    assert_eq!(reply.status.as_u16(), 419);
    assert_eq!(reply.body, "custom missing_token");
    assert_eq!(reply.header("www-authenticate"), None);
    let reply = send(
        app.clone(),
        request("/me", &[("x-stack-access-token", BAD)]),
    )
    .await;
    assert_eq!(reply.body, "custom bad_signature");
    reply.assert_no_token();
    let reply = send(app, request("/me", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
}

#[tokio::test]
async fn a_responder_on_the_layer_renders_its_rejections_and_those_behind_it() {
    let app: Router = Router::new()
        .route("/me", get(me))
        .route(
            "/named",
            get(me).layer(StackAuthLayer::requiring(UserTypes::NORMAL_ONLY)),
        )
        .layer(
            StackAuthLayer::new(recording())
                .optional()
                .error_responder(plain),
        );
    // refused by the layer itself
    let reply = send(
        app.clone(),
        request("/me", &[("x-stack-access-token", BAD)]),
    )
    .await;
    assert_eq!(reply.body, "custom bad_signature");
    // refused by the extractor behind the optional layer
    let reply = send(app.clone(), request("/me", &[])).await;
    assert_eq!(reply.body, "custom missing_token");
    // refused by an inner requiring layer without a responder of its own
    let reply = send(app, request("/named", &[("x-stack-access-token", ANON)])).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body, "custom user_type_not_allowed");
}

#[tokio::test]
async fn the_state_responder_wins_over_the_layer_responder_for_extractors() {
    let app = Router::new()
        .route("/me", get(me))
        .layer(
            StackAuthLayer::new(recording())
                .optional()
                .error_responder(plain),
        )
        .with_state(
            StackAuth::new(recording()).error_responder(|r: &AuthRejection| {
                (StatusCode::IM_A_TEAPOT, r.code()).into_response()
            }),
        );
    let reply = send(app, request("/me", &[])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::IM_A_TEAPOT, "missing_token")
    );
}

#[tokio::test]
async fn handlers_can_take_the_rejection_and_inspect_it() {
    let app = Router::new()
        .route(
            "/",
            get(|user: Result<StackUser, AuthRejection>| async move {
                match user {
                    Ok(user) => user.user_id().to_owned(),
                    Err(r) => format!(
                        "{} {} {}",
                        r.status().as_u16(),
                        r.code(),
                        r.is_missing_token()
                    ),
                }
            }),
        )
        .route(
            "/maybe",
            get(|user: Result<MaybeStackUser, AuthRejection>| async move {
                user.map_or_else(|r| r.code().to_owned(), |u| format!("{:?}", u.0.is_some()))
            }),
        )
        .with_state(StackAuth::new(recording()));
    assert_eq!(
        send(app.clone(), request("/", &[])).await.body,
        "401 missing_token true"
    );
    let bad = [("x-stack-access-token", BAD)];
    assert_eq!(
        send(app.clone(), request("/", &bad)).await.body,
        "401 bad_signature false"
    );
    assert_eq!(
        send(app.clone(), request("/maybe", &bad)).await.body,
        "bad_signature"
    );
    assert_eq!(send(app, request("/maybe", &[])).await.body, "false");
}

#[test]
fn accessors_describe_each_class() {
    let refused = AuthRejection::from(VerifyError::refused(RefusalReason::Expired));
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
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
    assert!(unavailable.verify_error().unwrap().is_retryable());

    let missing = AuthRejection::missing_token();
    assert!(missing.is_missing_token());
    assert_eq!(missing.www_authenticate().unwrap(), "Bearer");
    assert_eq!(
        missing.to_string(),
        "unauthenticated: token refused: missing_token"
    );
}
