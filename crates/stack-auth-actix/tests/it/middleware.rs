//! `StackAuthMiddleware`: verifies once per request, feeds the extractors and `web::ReqData`,
//! and enforces user-type requirements per scope or resource.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use actix_web::{http::StatusCode, test, web, App};
use stack_auth_actix::{MaybeStackUser, StackAuth, StackAuthMiddleware, StackUser};
use stack_auth_core::{
    test_util::{RecordingVerifier, StaticVerifier},
    RefusalReason, UserType, UserTypes, VerifiedUser,
};

use crate::common::{get, recording, send, ANON, BAD, GOOD};

async fn both(user: StackUser, MaybeStackUser(again): MaybeStackUser) -> String {
    assert_eq!(Some(&user.0), again.as_ref());
    user.user_id().to_owned()
}

async fn me(user: StackUser) -> String {
    user.user_id().to_owned()
}

#[actix_web::test]
async fn the_middleware_verifies_once_even_when_app_data_and_extractors_could_verify_again() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .app_data(StackAuth::new(verifier.clone()))
            .wrap(StackAuthMiddleware::new(verifier.clone()))
            .route("/me", web::get().to(both)),
    )
    .await;
    let reply = send(&app, get("/me", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(verifier.calls(), 1);
}

#[actix_web::test]
async fn the_middleware_puts_the_user_in_the_extensions_without_app_data() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(verifier.clone()))
            .route(
                "/ext",
                web::get().to(|user: web::ReqData<VerifiedUser>| async move {
                    user.user_id().to_owned()
                }),
            )
            .route("/me", web::get().to(both)),
    )
    .await;
    for path in ["/ext", "/me"] {
        let reply = send(&app, get(path, &[("x-stack-access-token", GOOD)])).await;
        assert_eq!(
            (reply.status, &*reply.body),
            (StatusCode::OK, "user-normal")
        );
    }
    assert_eq!(verifier.calls(), 2);
}

#[actix_web::test]
async fn the_required_middleware_stops_requests_before_the_handler() {
    let verifier = recording();
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(verifier.clone()))
            .route(
                "/",
                web::get().to(move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                    async { "ran" }
                }),
            ),
    )
    .await;
    let reply = send(&app, get("/", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    reply.assert_error_body("missing_token");
    let reply = send(&app, get("/", &[("x-stack-access-token", BAD)])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("bad_signature");
    reply.assert_no_token();
    assert_eq!(verifier.calls(), 1);
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    let reply = send(&app, get("/", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "ran"));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn the_optional_middleware_lets_requests_without_a_token_through() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(verifier.clone()).optional())
            .route(
                "/",
                web::get().to(|MaybeStackUser(user): MaybeStackUser| async move {
                    format!("{:?}", user.map(|u| u.user_type()))
                }),
            )
            .route("/me", web::get().to(both)),
    )
    .await;
    assert_eq!(send(&app, get("/", &[])).await.body, "None");
    let reply = send(&app, get("/me", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("missing_token");
    assert_eq!(verifier.calls(), 0);
    let reply = send(&app, get("/", &[("x-stack-access-token", ANON)])).await;
    assert_eq!(reply.body, "Some(Anonymous)");
    let reply = send(&app, get("/", &[("x-stack-access-token", BAD)])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(verifier.calls(), 2);
}

#[actix_web::test]
async fn a_resource_can_refuse_anonymous_users_with_403() {
    let verifier = recording();
    let no_anonymous = UserTypes::ALL.without(UserType::Anonymous);
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(verifier.clone()).optional())
            .service(
                web::resource("/orders")
                    .wrap(StackAuthMiddleware::requiring(no_anonymous))
                    .route(web::get().to(me)),
            )
            .route("/cart", web::get().to(me)),
    )
    .await;
    let reply = send(&app, get("/orders", &[("x-stack-access-token", ANON)])).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let challenge = reply.header("www-authenticate").unwrap();
    assert!(challenge.starts_with(r#"Bearer error="insufficient_scope""#));
    reply.assert_error_body("user_type_not_allowed");
    reply.assert_no_token();
    assert_eq!(verifier.calls(), 1);

    let reply = send(&app, get("/cart", &[("x-stack-access-token", ANON)])).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "user-anon"));
    let reply = send(&app, get("/orders", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(verifier.calls(), 3);

    let reply = send(&app, get("/orders", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("missing_token");
}

#[actix_web::test]
async fn app_data_can_require_user_types_for_the_extractor() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(verifier.clone()))
            .service(
                web::scope("/admin")
                    .app_data(StackAuth::new(verifier.clone()).require(UserTypes::NORMAL_ONLY))
                    .route("", web::get().to(me)),
            )
            .route("/me", web::get().to(me)),
    )
    .await;
    let reply = send(&app, get("/admin", &[("x-stack-access-token", ANON)])).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    reply.assert_error_body("user_type_not_allowed");
    let reply = send(&app, get("/me", &[("x-stack-access-token", ANON)])).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "user-anon"));
    assert_eq!(
        verifier.calls(),
        2,
        "the scope's app data reused the middleware's verdict"
    );
}

#[actix_web::test]
async fn requiring_without_an_outer_middleware_is_misconfigured() {
    let app = test::init_service(
        App::new().service(
            web::resource("/")
                .wrap(StackAuthMiddleware::requiring(UserTypes::NORMAL_ONLY))
                .route(web::get().to(|| async { "never" })),
        ),
    )
    .await;
    let reply = send(&app, get("/", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    reply.assert_error_body("misconfigured");
}

#[actix_web::test]
async fn the_middleware_can_require_user_types_itself() {
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(recording()).require(UserTypes::NORMAL_ONLY))
            .route("/", web::get().to(|| async { "in" })),
    )
    .await;
    let reply = send(&app, get("/", &[("x-stack-access-token", ANON)])).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = send(&app, get("/", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "in"));
}

/// A verdict is reused only by the verifier that produced it: a stricter verifier on an inner
/// resource (REST behind JWKS, say) must not be skipped because the outer middleware verified.
#[actix_web::test]
async fn nested_middleware_with_different_verifiers_each_verify() {
    let outer = recording();
    let inner = Arc::new(RecordingVerifier::new(StaticVerifier::refuse(
        RefusalReason::UserNotFound,
    )));
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(outer.clone()).optional())
            .service(
                web::resource("/admin")
                    .wrap(StackAuthMiddleware::new(inner.clone()))
                    .route(web::get().to(me)),
            )
            .route("/me", web::get().to(me)),
    )
    .await;
    let reply = send(&app, get("/admin", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("user_not_found");
    assert_eq!((outer.calls(), inner.calls()), (1, 1));
    let reply = send(&app, get("/me", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!((outer.calls(), inner.calls()), (2, 1));
}

#[actix_web::test]
async fn nested_middleware_with_the_same_verifier_verify_once() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(verifier.clone()).optional())
            .service(
                web::resource("/admin")
                    .wrap(StackAuthMiddleware::new(verifier.clone()))
                    .route(web::get().to(both)),
            ),
    )
    .await;
    let reply = send(&app, get("/admin", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(verifier.calls(), 1);
}
