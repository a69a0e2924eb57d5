//! Team and project permissions (PROTOCOL §10.3.1–10.3.3): direct grants, containment per
//! (user, team), undefined grants dropped, then the `permission_id` filter, sorted; grants
//! and revocations over HTTP with every error; id syntax; `me` and client access.
#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use stack_auth_core::ServerUser;
use stack_auth_testkit::{
    uuid_for_name, LocalStackAuth, PermissionDefinition, ProjectSpec, TeamSpec, UserSpec,
    TEAM_SYSTEM_PERMISSIONS,
};

use crate::support::{client, pairs, send, server, Answer};

pub(crate) async fn get(stack: &LocalStackAuth, path: &str, extra: &[(&str, &str)]) -> Answer {
    let h = server(stack);
    send(stack, "GET", path, &pairs(&h, extra), None).await
}

pub(crate) fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["id"].as_str().unwrap()).collect()
}

pub(crate) async fn setup() -> (LocalStackAuth, ServerUser, ServerUser, String) {
    let stack = LocalStackAuth::builder()
        .project(
            ProjectSpec::random()
                .permission(PermissionDefinition::team("editor").contains(["viewer"]))
                .permission(PermissionDefinition::team("viewer").contains(["$read_members"]))
                .permission(PermissionDefinition::project("billing:read"))
                .permission(
                    PermissionDefinition::project("billing:admin").contains(["billing:read"]),
                ),
        )
        .start()
        .await
        .unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id).member(&bob.id))
        .unwrap();
    (stack, ada, bob, team.id)
}

#[tokio::test]
async fn the_creator_holds_team_admin_and_recursively_the_six_system_permissions() {
    let (stack, ada, bob, team) = setup().await;
    let direct = get(
        &stack,
        &format!("/api/v1/team-permissions?team_id={team}&user_id={}", ada.id),
        &[],
    )
    .await
    .items();
    assert_eq!(
        direct,
        [json!({"id": "team_admin", "user_id": ada.id, "team_id": team})]
    );
    let all = get(
        &stack,
        &format!(
            "/api/v1/team-permissions?team_id={team}&user_id={}&recursive=true",
            ada.id
        ),
        &[],
    )
    .await
    .items();
    let mut expected: Vec<&str> = TEAM_SYSTEM_PERMISSIONS.to_vec();
    expected.sort_unstable();
    expected.push("team_admin");
    assert_eq!(ids(&all), expected, "7 items, the $ ids sorted first");
    // bob, a member: team_member, which contains $read_members and $invite_members
    let bobs = get(
        &stack,
        &format!("/api/v1/team-permissions?user_id={}&recursive=true", bob.id),
        &[],
    )
    .await
    .items();
    assert_eq!(
        ids(&bobs),
        ["$invite_members", "$read_members", "team_member"]
    );
    // no filter: every grant of the project, sorted by team, user, id
    let every = get(&stack, "/api/v1/team-permissions", &[]).await.items();
    assert_eq!(every.len(), 2);
    let mut sorted = every.clone();
    sorted.sort_by_key(|i| {
        (
            i["team_id"].to_string(),
            i["user_id"].to_string(),
            i["id"].to_string(),
        )
    });
    assert_eq!(every, sorted);
    // no existence checks: unknown team, user or permission are empty lists
    for q in [
        format!("team_id={}", uuid_for_name("x")),
        format!("user_id={}", uuid_for_name("y")),
        "permission_id=nothing".into(),
    ] {
        assert!(
            get(&stack, &format!("/api/v1/team-permissions?{q}"), &[])
                .await
                .items()
                .is_empty(),
            "{q}"
        );
    }
}

#[tokio::test]
async fn containment_then_filter_and_dropped_definitions() {
    let (stack, ada, bob, team) = setup().await;
    stack
        .grant_team_permission(&team, &bob.id, "editor")
        .unwrap();
    let check = |id: &str, recursive: bool| {
        format!("/api/v1/team-permissions?team_id={team}&user_id={}&permission_id={id}&recursive={recursive}", bob.id)
    };
    // held through containment: non-empty only with recursive=true
    for (id, recursive, held) in [
        ("editor", false, true),
        ("viewer", false, false),
        ("viewer", true, true),
        ("$read_members", true, true),
        ("$update_team", true, false),
    ] {
        let items = get(&stack, &check(id, recursive), &[]).await.items();
        assert_eq!(!items.is_empty(), held, "{id} recursive={recursive}");
    }
    // removing the definition drops the grant (and what it contained) silently
    stack.remove_permission_definition("editor").unwrap();
    assert!(get(&stack, &check("viewer", true), &[])
        .await
        .items()
        .is_empty());
    // a direct grant of a permission defined again comes back
    stack
        .define_permission(PermissionDefinition::team("editor"))
        .unwrap();
    assert_eq!(
        get(&stack, &check("editor", false), &[])
            .await
            .items()
            .len(),
        1
    );
    let _ = ada;
}

#[tokio::test]
async fn query_validation_me_and_client_access() {
    let (stack, ada, bob, team) = setup().await;
    let ans = get(
        &stack,
        "/api/v1/team-permissions?recursive=maybe&permission_id=$nope&extra=1",
        &[],
    )
    .await;
    assert_eq!(
        ans.assert_known(400, "SCHEMA_ERROR"),
        Some(
            json!({"message": "Request validation failed on GET /api/v1/team-permissions:\n  - Invalid system permission\n  - query.recursive must be one of the following values: true, false\n  - query contains unknown properties: extra"})
        )
    );
    // verify and authorize in one call: server key plus the user's token and user_id=me
    let token = stack.mint(&ada);
    let me = format!("/api/v1/team-permissions?team_id={team}&user_id=me&permission_id=$delete_team&recursive=true");
    let items = get(&stack, &me, &[("x-stack-access-token", &token)])
        .await
        .items();
    assert_eq!(
        items,
        [json!({"id": "$delete_team", "user_id": ada.id, "team_id": team})]
    );
    get(&stack, &me, &[])
        .await
        .assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
    let expired = stack
        .token(&ada)
        .broken(stack_auth_testkit::Breakage::Expired)
        .mint();
    get(&stack, &me, &[("x-stack-access-token", &expired)])
        .await
        .assert_known(401, "ACCESS_TOKEN_EXPIRED");
    // a deleted user's token: no user for `me`
    let gone = stack.create_user(UserSpec::normal()).unwrap();
    let gone_token = stack.mint(&gone);
    stack.delete_user(&gone.id).unwrap();
    get(&stack, &me, &[("x-stack-access-token", &gone_token)])
        .await
        .assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
    // client access: own user only
    let c = client(&stack, Some(&token));
    let own = send(
        &stack,
        "GET",
        "/api/v1/team-permissions?user_id=me",
        &pairs(&c, &[]),
        None,
    )
    .await;
    assert_eq!(own.items().len(), 1);
    let text = "Client can only list permissions for their own user. user_id must be either \"me\" or the ID of the current user";
    send(
        &stack,
        "GET",
        &format!("/api/v1/team-permissions?user_id={}", bob.id),
        &pairs(&c, &[]),
        None,
    )
    .await
    .assert_plain(403, text);
    send(
        &stack,
        "GET",
        "/api/v1/project-permissions",
        &pairs(&c, &[]),
        None,
    )
    .await
    .assert_plain(403, text);
    let anonymous_client = client(&stack, None);
    send(
        &stack,
        "GET",
        "/api/v1/project-permissions",
        &pairs(&anonymous_client, &[]),
        None,
    )
    .await
    .assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
}
