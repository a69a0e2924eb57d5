//! Issue 14, item 1: a verdict reached with the ambient `stack-access` cookie must not be reused
//! by a route that reads headers only (`TokenSources::HEADERS_ONLY`), or a cross-site POST
//! carrying only the victim's cookie passes as the victim. A verdict is reused only where the
//! asking route, reading with its own sources, would choose the very same token from the very
//! same source; otherwise the route extracts and verifies for itself.

use axum::{
    body::Body,
    routing::{get, post},
    Extension, Router,
};
use http::{Request, StatusCode};
use stack_auth_axum::{MaybeStackUser, StackAuth, StackAuthLayer, StackUser};
use stack_auth_core::{
    test_util::{RecordingVerifier, StaticVerifier},
    TokenSources, UserTypes, VerifiedUser,
};

use crate::common::{recording, send, ANON, GOOD};

type Rec = std::sync::Arc<RecordingVerifier<StaticVerifier>>;

fn cookie(token: &str) -> String {
    format!("stack-access=%5B%22refresh-1%22%2C%22{token}%22%5D")
}

/// A cross-site form post: the browser adds the victim's cookie, the attacker can add no header.
fn cross_site_post(uri: &str) -> Request<Body> {
    Request::post(uri)
        .header("cookie", cookie(GOOD))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("amount=1000&to=attacker"))
        .unwrap()
}

fn post_with(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::post(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).unwrap()
}

async fn transfer(user: StackUser) -> String {
    format!("transferred as {}", user.user_id())
}

/// The README's pattern: an outer optional layer reading every source, and a state-changing
/// route whose own layer reads headers only.
fn headers_only_route_behind_an_optional_layer(verifier: &Rec) -> Router {
    Router::new()
        .route(
            "/transfer",
            post(transfer).layer(
                StackAuthLayer::new(verifier.clone()).token_sources(TokenSources::HEADERS_ONLY),
            ),
        )
        .layer(StackAuthLayer::new(verifier.clone()).optional())
}

#[tokio::test]
async fn a_cookie_verdict_is_not_reused_by_a_headers_only_layer() {
    let verifier = recording();
    let app = headers_only_route_behind_an_optional_layer(&verifier);
    let reply = send(app.clone(), cross_site_post("/transfer")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
    assert_eq!(reply.json()["error"], "missing_token");

    // The same route with the token in a header (what a same-site script sends) still works,
    // and the outer verdict is reused: one verification.
    let before = verifier.calls();
    let reply = send(
        app,
        post_with("/transfer", &[("x-stack-access-token", GOOD)]),
    )
    .await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "transferred as user-normal")
    );
    assert_eq!(verifier.calls() - before, 1);
}

#[tokio::test]
async fn a_cookie_verdict_is_not_reused_by_headers_only_router_state() {
    let verifier = recording();
    let app = Router::new()
        .route("/transfer", post(transfer))
        .route(
            "/maybe",
            post(
                |MaybeStackUser(user): MaybeStackUser,
                 extension: Option<Extension<VerifiedUser>>| async move {
                    format!(
                        "{:?} {:?}",
                        user.map(|u| u.user_id().to_owned()),
                        extension.is_some()
                    )
                },
            ),
        )
        .layer(StackAuthLayer::new(verifier.clone()).optional())
        .with_state(StackAuth::new(verifier.clone()).token_sources(TokenSources::HEADERS_ONLY));
    let reply = send(app.clone(), cross_site_post("/transfer")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
    // The optional extractor sees no token, and the cookie user does not linger in the
    // extensions for a handler to pick up.
    let reply = send(app, cross_site_post("/maybe")).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "None false"));
}

#[tokio::test]
async fn a_headers_only_requiring_layer_does_not_take_the_outer_cookie_verdict() {
    let verifier = recording();
    let app: Router = Router::new()
        .route(
            "/transfer",
            post(
                |Extension(user): Extension<VerifiedUser>| async move { user.user_id().to_owned() },
            )
            .layer(
                StackAuthLayer::requiring(UserTypes::ALL).token_sources(TokenSources::HEADERS_ONLY),
            ),
        )
        .layer(StackAuthLayer::new(verifier.clone()).optional());
    let reply = send(app.clone(), cross_site_post("/transfer")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
    let reply = send(
        app,
        post_with("/transfer", &[("authorization", &format!("Bearer {GOOD}"))]),
    )
    .await;
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

#[tokio::test]
async fn a_header_and_a_cookie_reuse_the_verdict_of_the_header_token() {
    // The outer layer (all sources) chose the header token, which outranks the cookie; the
    // headers-only route chooses the same one and reuses the verdict.
    let verifier = recording();
    let app = headers_only_route_behind_an_optional_layer(&verifier);
    let anon_cookie = cookie(ANON);
    let reply = send(
        app,
        post_with(
            "/transfer",
            &[("x-stack-access-token", GOOD), ("cookie", &anon_cookie)],
        ),
    )
    .await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "transferred as user-normal")
    );
    assert_eq!(verifier.tokens(), [GOOD]);
}

#[tokio::test]
async fn a_route_that_allows_cookies_verifies_one_behind_a_headers_only_layer() {
    // The other way round: the outer layer read headers only and found nothing; the inner
    // route accepts the cookie, so it reads and verifies it itself.
    let verifier = recording();
    let app = Router::new()
        .route(
            "/me",
            get(|user: StackUser| async move { user.user_id().to_owned() }),
        )
        .layer(
            StackAuthLayer::new(verifier.clone())
                .token_sources(TokenSources::HEADERS_ONLY)
                .optional(),
        )
        .with_state(StackAuth::new(verifier.clone()));
    let request = Request::get("/me")
        .header("cookie", cookie(GOOD))
        .body(Body::empty())
        .unwrap();
    let reply = send(app, request).await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(verifier.tokens(), [GOOD]);
}
