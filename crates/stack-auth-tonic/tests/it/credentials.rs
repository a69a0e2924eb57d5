//! API keys and permissions through a real tonic server: a user key's owner reaches the handler
//! as its user, refused keys are `UNAUTHENTICATED` with the refusal's code, and a required
//! permission is `PERMISSION_DENIED` (`permission_denied`) when missing.

use std::sync::Arc;

use stack_auth_core::{
    framework::{Credentials, RequiredPermission, TeamSource},
    test_util::{
        StaticApiKeys, StaticPermissions, EXAMPLE_PUBLIC_USER_KEY as REVOKED_KEY,
        EXAMPLE_TEAM_KEY as TEAM_KEY, EXAMPLE_USER_KEY as USER_KEY,
    },
    UserType, VerifiedUser,
};
use stack_auth_tonic::StackAuthLayer;
use tonic::Code;

use crate::common::{check, client, recording, serve, GOOD};

const TEAM: &str = "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d";

fn layer() -> StackAuthLayer {
    let owner = VerifiedUser::new("key-owner", "project-1", UserType::Normal, None);
    let keys = StaticApiKeys::examples(owner, "t1");
    StackAuthLayer::new(recording())
        .api_keys(Arc::new(keys))
        .accept(Credentials::ANY)
}

/// The user id the handler saw, or the refusal's code and message.
async fn ask(
    layer: StackAuthLayer,
    headers: &[(&'static str, &str)],
) -> Result<String, (Code, String)> {
    let addr = serve(layer).await;
    match client(addr).await.check(check("", headers)).await {
        Ok(response) => Ok(response
            .metadata()
            .get("x-user-id")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()),
        Err(status) => Err((status.code(), status.message().to_owned())),
    }
}

#[tokio::test]
async fn api_keys_in_the_metadata() {
    let bearer = format!("Bearer {GOOD}");
    assert_eq!(
        ask(layer(), &[("authorization", &bearer)]).await,
        Ok("user-normal".into())
    );
    assert_eq!(
        ask(layer(), &[("x-stack-api-key", USER_KEY)]).await,
        Ok("key-owner".into())
    );
    assert_eq!(
        ask(layer(), &[("x-hexclave-api-key", TEAM_KEY)]).await,
        Ok("-".into()),
        "a team has no user"
    );
    let refused = ask(layer(), &[("x-stack-api-key", REVOKED_KEY)])
        .await
        .unwrap_err();
    assert_eq!(refused.0, Code::Unauthenticated);
    assert!(refused.1.starts_with("api_key_revoked: "), "{}", refused.1);
    let malformed = ask(layer(), &[("x-stack-api-key", "sk_garbage")])
        .await
        .unwrap_err();
    assert!(
        malformed.1.starts_with("api_key_malformed: "),
        "{}",
        malformed.1
    );
    let tokens_only = StackAuthLayer::new(recording());
    let e = ask(tokens_only, &[("x-stack-api-key", USER_KEY)])
        .await
        .unwrap_err();
    assert_eq!(e.0, Code::Unauthenticated, "keys are not read by default");
}

#[tokio::test]
async fn a_required_permission_from_the_metadata_or_the_selected_team() {
    let grants = Arc::new(
        StaticPermissions::new()
            .grant("user-normal", Some(TEAM), "editor")
            .grant("key-owner", Some(TEAM), "editor"),
    );
    let edit = RequiredPermission::team("editor", TeamSource::Header("x-team-id".into()));
    let guarded = || layer().require_permission(grants.clone(), edit.clone());
    let bearer = format!("Bearer {GOOD}");
    assert_eq!(
        ask(
            guarded(),
            &[("authorization", &bearer), ("x-team-id", TEAM)]
        )
        .await,
        Ok("user-normal".into())
    );
    assert_eq!(
        ask(
            guarded(),
            &[("x-stack-api-key", USER_KEY), ("x-team-id", TEAM)]
        )
        .await,
        Ok("key-owner".into())
    );
    let denied = [
        vec![
            ("authorization", bearer.as_str()),
            ("x-team-id", "9a1f0c52-6a7e-4c1b-9d38-2f6b1e7c4d10"),
        ],
        vec![("authorization", bearer.as_str())],
        vec![("x-stack-api-key", TEAM_KEY), ("x-team-id", TEAM)],
    ];
    for headers in denied {
        let e = ask(guarded(), &headers).await.unwrap_err();
        assert_eq!(e.0, Code::PermissionDenied, "{headers:?}");
        assert!(e.1.starts_with("permission_denied: "), "{}", e.1);
    }
    let e = ask(guarded(), &[]).await.unwrap_err();
    assert_eq!(e.0, Code::Unauthenticated);
    let selected = RequiredPermission::team("editor", TeamSource::SelectedTeam);
    let e = ask(
        layer().require_permission(grants, selected),
        &[("authorization", &bearer)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.0,
        Code::PermissionDenied,
        "the test user selected no team"
    );
}
