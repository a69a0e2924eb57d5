//! `MaybeStackUser` and `Option<StackUser>`: no token gives `None`, a bad token is still refused.

use std::sync::Arc;

use axum::{routing::get, Router};
use http::StatusCode;
use stack_auth_axum::{MaybeStackUser, StackAuth, StackUser};
use stack_auth_core::{UserTypes, VerifiedUser};

use crate::common::{self, get as request, recording, send, ANON, BAD, GOOD};

fn describe(user: Option<VerifiedUser>) -> String {
    user.map_or_else(|| "nobody".to_owned(), |u| u.user_id().to_owned())
}

fn app(auth: StackAuth) -> Router {
    Router::new()
        .route(
            "/maybe",
            get(|MaybeStackUser(user): MaybeStackUser| async move { describe(user) }),
        )
        .route(
            "/option",
            get(|user: Option<StackUser>| async move { describe(user.map(StackUser::into_inner)) }),
        )
        .with_state(auth)
}

#[tokio::test]
async fn no_token_is_none_without_calling_the_verifier() {
    for path in ["/maybe", "/option"] {
        let verifier = recording();
        let reply = send(app(StackAuth::new(verifier.clone())), request(path, &[])).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.body, "nobody");
        assert_eq!(verifier.calls(), 0);
    }
}

#[tokio::test]
async fn a_good_token_is_some_user() {
    for path in ["/maybe", "/option"] {
        let verifier = recording();
        let headers = [("x-stack-access-token", GOOD)];
        let reply = send(
            app(StackAuth::new(verifier.clone())),
            request(path, &headers),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.body, "user-normal");
        assert_eq!(verifier.calls(), 1);
    }
}

#[tokio::test]
async fn a_bad_token_is_still_refused() {
    for path in ["/maybe", "/option"] {
        let verifier = recording();
        let headers = [("authorization", &*format!("Bearer {BAD}"))];
        let reply = send(
            app(StackAuth::new(verifier.clone())),
            request(path, &headers),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
        reply.assert_error_body("bad_signature");
        reply.assert_no_token();
    }
}

#[tokio::test]
async fn an_unreadable_token_is_still_refused() {
    for path in ["/maybe", "/option"] {
        let reply = send(
            app(StackAuth::new(recording())),
            request(path, &[("x-stack-auth", "[1, 2]")]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        reply.assert_error_body("invalid_request");
    }
}

#[tokio::test]
async fn a_user_type_that_is_not_let_in_is_refused_not_ignored() {
    let auth = StackAuth::new(recording()).require(UserTypes::NORMAL_ONLY);
    for path in ["/maybe", "/option"] {
        let reply = send(
            app(auth.clone()),
            request(path, &[("x-stack-access-token", ANON)]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        reply.assert_error_body("user_type_not_allowed");
        let reply = send(app(auth.clone()), request(path, &[])).await;
        assert_eq!(reply.body, "nobody");
    }
}

#[tokio::test]
async fn state_can_be_a_field_of_the_app_state() {
    #[derive(Clone)]
    struct AppState {
        auth: StackAuth,
        greeting: &'static str,
    }
    impl axum::extract::FromRef<AppState> for StackAuth {
        fn from_ref(state: &AppState) -> StackAuth {
            state.auth.clone()
        }
    }
    let state = AppState {
        auth: StackAuth::new(Arc::new(common::recording())),
        greeting: "hi",
    };
    let app = Router::new()
        .route(
            "/",
            get(
                |axum::extract::State(state): axum::extract::State<AppState>,
                 MaybeStackUser(user): MaybeStackUser| async move {
                    format!("{} {}", state.greeting, describe(user))
                },
            ),
        )
        .with_state(state);
    let reply = send(app.clone(), request("/", &[("x-stack-access-token", GOOD)])).await;
    assert_eq!(reply.body, "hi user-normal");
    assert_eq!(send(app, request("/", &[])).await.body, "hi nobody");
}
