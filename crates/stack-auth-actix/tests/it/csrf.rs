//! A verdict reached with the ambient `stack-access` cookie must not be reused by a route that
//! reads headers only (`TokenSources::HEADERS_ONLY`), or a cross-site POST carrying only the
//! victim's cookie passes as the victim. A verdict is reused only where the asking route,
//! reading with its own sources, would choose the very same token from the very same source.

use actix_web::{http::StatusCode, test, web, App};
use stack_auth_actix::{MaybeStackUser, StackAuth, StackAuthMiddleware, StackUser};
use stack_auth_core::{TokenSources, UserTypes, VerifiedUser};

use crate::common::{cookie, get, post, recording, send, ANON, GOOD};

/// A cross-site form post: the browser adds the victim's cookie, the attacker can add no header.
fn cross_site_post(uri: &str) -> test::TestRequest {
    post(
        uri,
        &[
            ("cookie", &cookie(GOOD)),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
    )
    .set_payload("amount=1000&to=attacker")
}

async fn transfer(user: StackUser) -> String {
    format!("transferred as {}", user.user_id())
}

#[actix_web::test]
async fn a_cookie_verdict_is_not_reused_by_a_headers_only_middleware() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(verifier.clone()).optional())
            .service(
                web::resource("/transfer")
                    .wrap(
                        StackAuthMiddleware::new(verifier.clone())
                            .token_sources(TokenSources::HEADERS_ONLY),
                    )
                    .route(web::post().to(transfer)),
            ),
    )
    .await;
    let reply = send(&app, cross_site_post("/transfer")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
    assert_eq!(reply.json()["error"], "missing_token");

    // The same route with the token in a header (what a same-site script sends) still works,
    // and the outer verdict is reused: one verification.
    let before = verifier.calls();
    let reply = send(&app, post("/transfer", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "transferred as user-normal")
    );
    assert_eq!(verifier.calls() - before, 1);
}

/// An extractor whose app data reads headers only, behind a middleware that reads every source,
/// does not take the middleware's cookie verdict.
#[actix_web::test]
async fn a_headers_only_extractor_behind_an_all_sources_middleware_ignores_the_cookie_verdict() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .app_data(StackAuth::new(verifier.clone()).token_sources(TokenSources::HEADERS_ONLY))
            .wrap(StackAuthMiddleware::new(verifier.clone()).optional())
            .route("/transfer", web::post().to(transfer))
            .route(
                "/maybe",
                web::post().to(|MaybeStackUser(user): MaybeStackUser| async move {
                    format!("{:?}", user.map(|u| u.user_id().to_owned()))
                }),
            ),
    )
    .await;
    let reply = send(&app, cross_site_post("/transfer")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
    assert_eq!(reply.json()["error"], "missing_token");
    let reply = send(&app, cross_site_post("/maybe")).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "None"));
    assert_eq!(
        verifier.calls(),
        2,
        "the cookie, once per request, by the middleware"
    );
}

/// `web::ReqData<VerifiedUser>` holds what the innermost middleware decided: a headers-only
/// middleware behind an all-sources one takes the cookie user out of the extensions.
#[actix_web::test]
async fn a_headers_only_middleware_removes_the_outer_cookie_user_from_the_extensions() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(verifier.clone()).optional())
            .service(
                web::resource("/form")
                    .wrap(
                        StackAuthMiddleware::requiring(UserTypes::ALL)
                            .token_sources(TokenSources::HEADERS_ONLY)
                            .optional(),
                    )
                    .route(
                        web::post().to(|user: Option<web::ReqData<VerifiedUser>>| async move {
                            format!("{:?}", user.map(|u| u.user_id().to_owned()))
                        }),
                    ),
            ),
    )
    .await;
    let reply = send(&app, cross_site_post("/form")).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "None"));
    let reply = send(&app, post("/form", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, r#"Some("user-normal")"#)
    );
}

#[actix_web::test]
async fn a_headers_only_requiring_middleware_does_not_take_the_outer_cookie_verdict() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .wrap(StackAuthMiddleware::new(verifier.clone()).optional())
            .service(
                web::resource("/transfer")
                    .wrap(
                        StackAuthMiddleware::requiring(UserTypes::ALL)
                            .token_sources(TokenSources::HEADERS_ONLY),
                    )
                    .route(
                        web::post().to(|user: web::ReqData<VerifiedUser>| async move {
                            user.user_id().to_owned()
                        }),
                    ),
            ),
    )
    .await;
    let reply = send(&app, cross_site_post("/transfer")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
    let bearer = format!("Bearer {GOOD}");
    let reply = send(&app, post("/transfer", &[("authorization", &bearer)])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(
        verifier.calls(),
        2,
        "cookie once, header once: no reverification"
    );
}

#[actix_web::test]
async fn a_header_and_a_cookie_reuse_the_verdict_of_the_header_token() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .app_data(StackAuth::new(verifier.clone()).token_sources(TokenSources::HEADERS_ONLY))
            .wrap(StackAuthMiddleware::new(verifier.clone()).optional())
            .route("/transfer", web::post().to(transfer)),
    )
    .await;
    let anon_cookie = cookie(ANON);
    let headers = [("x-stack-access-token", GOOD), ("cookie", &anon_cookie)];
    let reply = send(&app, post("/transfer", &headers)).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "transferred as user-normal")
    );
    assert_eq!(verifier.tokens(), [GOOD]);
}

#[actix_web::test]
async fn a_route_that_allows_cookies_verifies_one_behind_a_headers_only_middleware() {
    let verifier = recording();
    let app = test::init_service(
        App::new()
            .app_data(StackAuth::new(verifier.clone()))
            .wrap(
                StackAuthMiddleware::new(verifier.clone())
                    .token_sources(TokenSources::HEADERS_ONLY)
                    .optional(),
            )
            .route(
                "/me",
                web::get().to(|user: StackUser| async move { user.user_id().to_owned() }),
            ),
    )
    .await;
    let reply = send(&app, get("/me", &[("cookie", &cookie(GOOD))])).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(verifier.tokens(), [GOOD]);
}
