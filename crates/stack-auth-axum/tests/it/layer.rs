//! `StackAuthLayer`: verifies once per request, feeds the extractors and any tower service, and
//! enforces user-type requirements per route.

use std::{
    convert::Infallible,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use axum::{body::Body, routing::get, Extension, Router};
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use stack_auth_axum::{MaybeStackUser, StackAuth, StackAuthLayer, StackUser};
use stack_auth_core::{UserType, UserTypes, VerifiedUser};
use tower::{Layer, ServiceExt};

use crate::common::{get as request, recording, send, ANON, BAD, GOOD};

async fn both(user: StackUser, MaybeStackUser(again): MaybeStackUser) -> String {
    assert_eq!(Some(&user.0), again.as_ref());
    user.user_id().to_owned()
}

#[tokio::test]
async fn the_layer_verifies_once_even_when_state_and_extractors_could_verify_again() {
    let verifier = recording();
    let app = Router::new()
        .route("/me", get(both))
        .layer(StackAuthLayer::new(verifier.clone()))
        .with_state(StackAuth::new(verifier.clone()));
    let reply = send(app, request("/me", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "user-normal");
    assert_eq!(verifier.calls(), 1);
}

#[tokio::test]
async fn two_extractors_without_a_layer_also_verify_once() {
    let verifier = recording();
    let app = Router::new()
        .route("/me", get(both))
        .with_state(StackAuth::new(verifier.clone()));
    let reply = send(app, request("/me", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(reply.body, "user-normal");
    assert_eq!(verifier.calls(), 1);
}

#[tokio::test]
async fn the_layer_puts_the_user_in_the_extensions_of_a_stateless_router() {
    let verifier = recording();
    let app: Router = Router::new()
        .route(
            "/ext",
            get(
                |Extension(user): Extension<VerifiedUser>| async move { user.user_id().to_owned() },
            ),
        )
        .route("/me", get(both))
        .layer(StackAuthLayer::new(verifier.clone()));
    for path in ["/ext", "/me"] {
        let reply = send(
            app.clone(),
            request(path, &[("x-stack-access-token", GOOD)]),
        )
        .await;
        assert_eq!(
            (reply.status, &*reply.body),
            (StatusCode::OK, "user-normal")
        );
    }
    assert_eq!(verifier.calls(), 2);
}

#[tokio::test]
async fn the_required_layer_stops_requests_before_the_handler() {
    let verifier = recording();
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let app: Router = Router::new()
        .route(
            "/",
            get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { "ran" }
            }),
        )
        .layer(StackAuthLayer::new(verifier.clone()));
    let reply = send(app.clone(), request("/", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    reply.assert_error_body("missing_token");
    let reply = send(app.clone(), request("/", &[("x-stack-access-token", BAD)])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("bad_signature");
    reply.assert_no_token();
    assert_eq!(verifier.calls(), 1);
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    let reply = send(app, request("/", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_optional_layer_lets_requests_without_a_token_through() {
    let verifier = recording();
    let app: Router = Router::new()
        .route(
            "/",
            get(|MaybeStackUser(user): MaybeStackUser| async move {
                format!("{:?}", user.map(|u| u.user_type()))
            }),
        )
        .route("/me", get(both))
        .layer(StackAuthLayer::new(verifier.clone()).optional());
    assert_eq!(send(app.clone(), request("/", &[])).await.body, "None");
    let reply = send(app.clone(), request("/me", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("missing_token");
    assert_eq!(verifier.calls(), 0);
    let reply = send(app.clone(), request("/", &[("x-stack-access-token", ANON)])).await;
    assert_eq!(reply.body, "Some(Anonymous)");
    let reply = send(app, request("/", &[("x-stack-access-token", BAD)])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(verifier.calls(), 2);
}

fn shop(verifier: Arc<dyn stack_auth_core::TokenVerifier>) -> Router {
    let no_anonymous = UserTypes::ALL.without(UserType::Anonymous);
    Router::new()
        .route(
            "/orders",
            get(|user: StackUser| async move { user.user_id().to_owned() })
                .layer(StackAuthLayer::requiring(no_anonymous)),
        )
        .route(
            "/cart",
            get(|user: StackUser| async move { user.user_id().to_owned() }),
        )
        .layer(StackAuthLayer::new(verifier).optional())
}

#[tokio::test]
async fn a_route_can_refuse_anonymous_users_with_403() {
    let verifier = recording();
    let app = shop(verifier.clone());
    let reply = send(
        app.clone(),
        request("/orders", &[("x-stack-access-token", ANON)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let challenge = reply.header("www-authenticate").unwrap();
    assert!(challenge.starts_with(r#"Bearer error="insufficient_scope""#));
    reply.assert_error_body("user_type_not_allowed");
    reply.assert_no_token();
    assert_eq!(verifier.calls(), 1);

    let reply = send(
        app.clone(),
        request("/cart", &[("x-stack-access-token", ANON)]),
    )
    .await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "user-anon"));
    let reply = send(
        app.clone(),
        request("/orders", &[("x-stack-access-token", GOOD)]),
    )
    .await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(verifier.calls(), 3);

    let reply = send(app, request("/orders", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("missing_token");
}

#[tokio::test]
async fn requiring_without_an_outer_layer_is_misconfigured() {
    let app: Router = Router::new().route(
        "/",
        get(|| async { "never" }).layer(StackAuthLayer::requiring(UserTypes::NORMAL_ONLY)),
    );
    let reply = send(app, request("/", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    reply.assert_error_body("misconfigured");
}

#[tokio::test]
async fn the_layer_can_require_user_types_itself() {
    let verifier = recording();
    let app: Router = Router::new()
        .route("/", get(|| async { "in" }))
        .layer(StackAuthLayer::new(verifier).require(UserTypes::NORMAL_ONLY));
    let reply = send(app.clone(), request("/", &[("x-stack-access-token", ANON)])).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = send(app, request("/", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "in"));
}

#[tokio::test]
async fn the_layer_wraps_any_tower_service() {
    let verifier = recording();
    let service = tower::service_fn(|req: Request<String>| async move {
        let id = req
            .extensions()
            .get::<VerifiedUser>()
            .map(|u| u.user_id().to_owned());
        Ok::<_, Infallible>(Response::new(format!("{id:?}")))
    });
    let service = StackAuthLayer::new(verifier.clone()).layer(service);

    let req = Request::get("/")
        .header("x-stack-access-token", GOOD)
        .body(String::new())
        .unwrap();
    let response = service.clone().oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, r#"Some("user-normal")"#);

    let req = Request::get("/").body(String::new()).unwrap();
    let response = service.oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Body = response.into_body();
    let json: serde_json::Value =
        serde_json::from_slice(&body.collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(json["error"], "missing_token");
    assert_eq!(verifier.calls(), 1);
}

/// A verdict is reused only by the verifier that produced it: a stricter verifier on an inner
/// route (REST behind JWKS, say) must not be skipped because an outer layer already verified.
#[tokio::test]
async fn nested_layers_with_different_verifiers_each_verify_once() {
    let outer = recording();
    let inner = recording();
    let app: Router = Router::new()
        .route(
            "/admin",
            get(both).layer(
                tower::ServiceBuilder::new()
                    .layer(StackAuthLayer::new(inner.clone()))
                    .layer(StackAuthLayer::requiring(UserTypes::NORMAL_ONLY)),
            ),
        )
        .layer(StackAuthLayer::new(outer.clone()).optional());
    let reply = send(app, request("/admin", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!((outer.calls(), inner.calls()), (1, 1));
}

#[tokio::test]
async fn an_inner_verifier_that_refuses_is_not_overruled_by_the_outer_verdict() {
    let outer = recording();
    let inner = Arc::new(stack_auth_core::test_util::RecordingVerifier::new(
        stack_auth_core::test_util::StaticVerifier::refuse(
            stack_auth_core::RefusalReason::UserNotFound,
        ),
    ));
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let app: Router = Router::new()
        .route(
            "/admin",
            get(move |_: StackUser| async move {
                counted.fetch_add(1, Ordering::SeqCst);
                "admin"
            })
            .layer(StackAuthLayer::new(inner.clone())),
        )
        .layer(StackAuthLayer::new(outer.clone()));
    let reply = send(app, request("/admin", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!((outer.calls(), inner.calls()), (1, 1));
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn nested_layers_with_the_same_verifier_verify_once() {
    let verifier = recording();
    let app: Router = Router::new()
        .route(
            "/admin",
            get(both).layer(StackAuthLayer::new(verifier.clone())),
        )
        .layer(StackAuthLayer::new(verifier.clone()).optional());
    let reply = send(app, request("/admin", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(verifier.calls(), 1);
}
