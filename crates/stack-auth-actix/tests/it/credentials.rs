//! `StackPrincipal` (an access token or an API key, as the route accepts) and
//! `StackAuth::require_permission` (403 `permission_denied`), with the axum crate's statuses.

use std::sync::Arc;

use actix_web::{http::StatusCode, test, web, App};
use stack_auth_actix::{StackAuth, StackPrincipal};
use stack_auth_core::{
    framework::{Credentials, RequiredPermission, TeamSource},
    test_util::{
        StaticApiKeys, StaticPermissions, EXAMPLE_PUBLIC_USER_KEY as REVOKED_KEY,
        EXAMPLE_TEAM_KEY as TEAM_KEY, EXAMPLE_USER_KEY as USER_KEY,
    },
    ApiKeyType, Unavailable, UnavailableKind, Upstream, UserType, VerifiedUser, VerifyError,
};

use crate::common::{get, recording, send, Reply, GOOD};

const TEAM: &str = "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d";

fn keys() -> Arc<StaticApiKeys> {
    let owner = VerifiedUser::new("key-owner", "project-1", UserType::Normal, None);
    Arc::new(StaticApiKeys::examples(owner, "t1"))
}

async fn who(principal: StackPrincipal) -> String {
    match principal.user() {
        Some(user) => format!("user {}", user.user_id()),
        None => format!("team {}", principal.team_id().unwrap_or("?")),
    }
}

/// `/whoami` with `auth` as app data, and `/teams/{team_id}/docs` behind `edit` in the team.
async fn call(auth: StackAuth, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let edit = RequiredPermission::team("editor", TeamSource::PathParam("team_id".into()));
    let app = test::init_service(
        App::new()
            .app_data(auth.clone())
            .route("/whoami", web::get().to(who))
            .service(
                web::resource("/teams/{team_id}/docs")
                    .wrap(auth.require_permission(edit))
                    .route(web::get().to(who)),
            ),
    )
    .await;
    send(&app, get(uri, headers)).await
}

#[actix_web::test]
async fn the_principal_by_token_or_key_and_every_refusal() {
    let keys = keys();
    let auth = StackAuth::new(recording())
        .api_keys(keys.clone())
        .accept(Credentials::ACCESS_TOKEN.with_api_keys(ApiKeyType::User));
    let bearer = format!("Bearer {GOOD}");
    let bearer_key = format!("Bearer {USER_KEY}");
    let ok: [(&[(&str, &str)], &str); 3] = [
        (&[("authorization", &bearer)], "user user-normal"),
        (&[("x-stack-api-key", USER_KEY)], "user key-owner"),
        (&[("authorization", &bearer_key)], "user key-owner"),
    ];
    for (headers, body) in ok {
        let reply = call(auth.clone(), "/whoami", headers).await;
        assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, body));
    }
    let conflicting = [
        ("x-stack-api-key", USER_KEY),
        ("x-hexclave-api-key", TEAM_KEY),
    ];
    type Refused<'a> = (&'a [(&'a str, &'a str)], StatusCode, &'a str);
    let refused: [Refused<'_>; 5] = [
        (&[], StatusCode::UNAUTHORIZED, "missing_token"),
        (
            &[("x-stack-api-key", "sk_garbage")],
            StatusCode::UNAUTHORIZED,
            "api_key_malformed",
        ),
        (
            &[("x-stack-api-key", TEAM_KEY)],
            StatusCode::UNAUTHORIZED,
            "wrong_api_key_type",
        ),
        (
            &[("x-stack-api-key", REVOKED_KEY)],
            StatusCode::UNAUTHORIZED,
            "api_key_revoked",
        ),
        (&conflicting, StatusCode::BAD_REQUEST, "invalid_request"),
    ];
    for (headers, status, code) in refused {
        let reply = call(auth.clone(), "/whoami", headers).await;
        assert_eq!(reply.status, status, "{code}");
        reply.assert_error_body(code);
        assert!(!reply.body.contains(&USER_KEY[3..40]));
    }
    let tokens_only = StackAuth::new(recording()).api_keys(keys.clone());
    let reply = call(tokens_only, "/whoami", &[("x-stack-api-key", USER_KEY)]).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "keys are not looked at by default"
    );
}

#[actix_web::test]
async fn the_permission_guard_answers_with_every_status() {
    let grants = Arc::new(
        StaticPermissions::new()
            .grant("user-normal", Some(TEAM), "editor")
            .grant("key-owner", Some(TEAM), "editor"),
    );
    let auth = StackAuth::new(recording())
        .api_keys(keys())
        .accept(Credentials::ANY)
        .permission_checker(grants.clone());
    let bearer = format!("Bearer {GOOD}");
    let in_team = format!("/teams/{TEAM}/docs");
    let other = "/teams/9a1f0c52-6a7e-4c1b-9d38-2f6b1e7c4d10/docs";
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], StatusCode, &'a str);
    let cases: [Case<'_>; 5] = [
        (
            &in_team,
            &[("authorization", &bearer)],
            StatusCode::OK,
            "user user-normal",
        ),
        (
            &in_team,
            &[("x-stack-api-key", USER_KEY)],
            StatusCode::OK,
            "user key-owner",
        ),
        (
            other,
            &[("authorization", &bearer)],
            StatusCode::FORBIDDEN,
            "permission_denied",
        ),
        (
            &in_team,
            &[("x-stack-api-key", TEAM_KEY)],
            StatusCode::FORBIDDEN,
            "permission_denied",
        ),
        (&in_team, &[], StatusCode::UNAUTHORIZED, "missing_token"),
    ];
    for (uri, headers, status, expected) in cases {
        let reply = call(auth.clone(), uri, headers).await;
        assert_eq!(reply.status, status, "{uri} {expected}");
        if status == StatusCode::OK {
            assert_eq!(reply.body, expected);
        } else {
            reply.assert_error_body(expected);
        }
    }
    let down: VerifyError = Unavailable::new(Upstream::Api, UnavailableKind::Connect).into();
    let failing =
        StackAuth::new(recording()).permission_checker(Arc::new(StaticPermissions::failing(down)));
    let reply = call(failing, &in_team, &[("authorization", &bearer)]).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    let unchecked = StackAuth::new(recording());
    let reply = call(unchecked, &in_team, &[("authorization", &bearer)]).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    reply.assert_error_body("misconfigured");
}
