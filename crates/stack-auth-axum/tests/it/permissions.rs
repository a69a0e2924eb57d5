//! `StackAuth::require_permission`: a route layer letting in only users who hold a permission,
//! the team from a path parameter or the selected team; every status.

use std::sync::Arc;

use axum::{routing::get, Router};
use http::StatusCode;
use stack_auth_axum::{StackAuth, StackPrincipal};
use stack_auth_core::{
    framework::{Credentials, RequiredPermission, TeamSource},
    test_util::{
        RecordingVerifier, StaticPermissions, StaticVerifier, EXAMPLE_TEAM_KEY as TEAM_KEY,
        EXAMPLE_USER_KEY as USER_KEY,
    },
    RefusalReason, ServerUser, Unavailable, UnavailableKind, Upstream, UserType, UserTypes,
    VerifiedUser, VerifyError,
};

use crate::{
    api_keys::keys,
    common::{get as request, recording, send, Reply, ANON, BAD, GOOD},
};

const TEAM: &str = "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d";

/// `user-normal` may edit in TEAM; the key owner too; `selected` (who selected TEAM) as well.
fn grants() -> Arc<StaticPermissions> {
    Arc::new(
        StaticPermissions::new()
            .grant("user-normal", Some(TEAM), "editor")
            .grant("key-owner", Some(TEAM), "editor")
            .grant("selected", Some(TEAM), "editor"),
    )
}

fn app(auth: StackAuth, requirement: RequiredPermission) -> Router {
    let who = |p: StackPrincipal| async move {
        p.user()
            .map_or("no user".to_owned(), |u| u.user_id().to_owned())
    };
    let handler = get(who).route_layer(auth.require_permission(requirement));
    Router::new()
        .route("/teams/{team_id}/docs", handler.clone())
        .route("/docs", handler)
        .with_state(auth)
}

fn from_path() -> RequiredPermission {
    RequiredPermission::team("editor", TeamSource::PathParam("team_id".into()))
}

async fn call(app: Router, uri: &str, token: &str) -> Reply {
    send(
        app,
        request(uri, &[("authorization", &format!("Bearer {token}"))]),
    )
    .await
}

#[tokio::test]
async fn a_user_with_the_permission_passes_and_is_verified_once() {
    let verifier = recording();
    let checker = grants();
    let auth = StackAuth::new(verifier.clone()).permission_checker(checker.clone());
    let reply = call(app(auth, from_path()), &format!("/teams/{TEAM}/docs"), GOOD).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(
        verifier.calls(),
        1,
        "the handler's extractor reuses the guard's verdict"
    );
    assert_eq!(checker.calls(), 1);
}

#[tokio::test]
async fn every_status_of_the_guard() {
    let auth = StackAuth::new(recording())
        .permission_checker(grants())
        .require(UserTypes::NORMAL_ONLY);
    let other = "/teams/9a1f0c52-6a7e-4c1b-9d38-2f6b1e7c4d10/docs";
    let cases = [
        (
            from_path(),
            format!("/teams/{TEAM}/docs"),
            GOOD,
            StatusCode::OK,
            None,
        ),
        (
            from_path(),
            other.to_owned(),
            GOOD,
            StatusCode::FORBIDDEN,
            Some("permission_denied"),
        ),
        (
            from_path(),
            format!("/teams/{TEAM}/docs"),
            BAD,
            StatusCode::UNAUTHORIZED,
            Some("bad_signature"),
        ),
        (
            from_path(),
            format!("/teams/{TEAM}/docs"),
            ANON,
            StatusCode::FORBIDDEN,
            Some("user_type_not_allowed"),
        ),
        (
            from_path(),
            "/docs".to_owned(),
            GOOD,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("misconfigured"),
        ),
        (
            RequiredPermission::team("editor", TeamSource::SelectedTeam),
            "/docs".to_owned(),
            GOOD,
            StatusCode::FORBIDDEN,
            Some("permission_denied"),
        ),
    ];
    for (requirement, uri, token, status, code) in cases {
        let reply = call(app(auth.clone(), requirement), &uri, token).await;
        assert_eq!(reply.status, status, "{uri} {code:?}");
        if let Some(code) = code {
            reply.assert_error_body(code);
        }
        if status == StatusCode::FORBIDDEN {
            assert!(reply
                .header("www-authenticate")
                .unwrap()
                .contains("insufficient_scope"));
        }
    }
    let reply = send(
        app(auth, from_path()),
        request(&format!("/teams/{TEAM}/docs"), &[]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("missing_token");
}

#[tokio::test]
async fn no_checker_is_500_and_an_unavailable_one_503() {
    let uri = format!("/teams/{TEAM}/docs");
    let reply = call(app(StackAuth::new(recording()), from_path()), &uri, GOOD).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    reply.assert_error_body("misconfigured");
    let down: VerifyError = Unavailable::new(Upstream::Api, UnavailableKind::Connect).into();
    let auth =
        StackAuth::new(recording()).permission_checker(Arc::new(StaticPermissions::failing(down)));
    let reply = call(app(auth, from_path()), &uri, GOOD).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.header("retry-after"), Some("5"));
}

#[tokio::test]
async fn the_selected_team_and_api_keys() {
    let mut profile = ServerUser::new("selected");
    profile.selected_team_id = Some(TEAM.into());
    let selected = VerifiedUser::from_profile("project-1", profile);
    let verifier = Arc::new(RecordingVerifier::new(
        StaticVerifier::refuse(RefusalReason::BadSignature).with_token(GOOD, Ok(selected)),
    ));
    let auth = StackAuth::new(verifier)
        .permission_checker(grants())
        .api_keys(keys(UserType::Normal))
        .accept(Credentials::ANY);
    let by_selected = RequiredPermission::team("editor", TeamSource::SelectedTeam);
    let reply = call(app(auth.clone(), by_selected), "/docs", GOOD).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "selected")
    );
    // A user key's owner holds it; a team key has no user to hold it.
    let uri = format!("/teams/{TEAM}/docs");
    let guarded = |key: &str| {
        send(
            app(auth.clone(), from_path()),
            request(&uri, &[("x-stack-api-key", key)]),
        )
    };
    let reply = guarded(USER_KEY).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "key-owner")
    );
    let reply = guarded(TEAM_KEY).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    reply.assert_error_body("permission_denied");
}
