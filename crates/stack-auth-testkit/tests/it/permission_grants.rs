//! Granting and revoking team and project permissions over HTTP (PROTOCOL §10.3.1–10.3.2):
//! 201 and `{"success":true}`, every error of the grant and revoke paths, params and body
//! validated, client access refused before parameters; project permissions with containment.
#![allow(clippy::unwrap_used)]

use serde_json::json;
use stack_auth_testkit::{uuid_for_name, UserSpec};

use crate::permissions::{get, setup};
use crate::support::{client, pairs, send, server};

#[tokio::test]
async fn grant_and_revoke_over_http_with_every_error() {
    let (stack, ada, bob, team) = setup().await;
    let h = server(&stack);
    let path = |user: &str, id: &str| format!("/api/v1/team-permissions/{team}/{user}/{id}");
    let ans = send(
        &stack,
        "POST",
        &path(&bob.id, "editor"),
        &pairs(&h, &[]),
        Some("{}"),
    )
    .await;
    assert_eq!(
        (ans.status, ans.json()),
        (
            201,
            json!({"id": "editor", "team_id": team, "user_id": bob.id})
        )
    );
    // idempotent
    assert_eq!(
        send(
            &stack,
            "POST",
            &path(&bob.id, "editor"),
            &pairs(&h, &[]),
            Some("{}")
        )
        .await
        .status,
        201
    );
    let outsider = stack.create_user(UserSpec::normal()).unwrap();
    let ans = send(
        &stack,
        "POST",
        &path(&outsider.id, "editor"),
        &pairs(&h, &[]),
        Some("{}"),
    )
    .await;
    assert_eq!(
        ans.assert_known(404, "TEAM_MEMBERSHIP_NOT_FOUND"),
        Some(json!({"team_id": team, "user_id": outsider.id}))
    );
    let ghost = uuid_for_name("ghost");
    send(
        &stack,
        "POST",
        &path(&ghost, "editor"),
        &pairs(&h, &[]),
        Some("{}"),
    )
    .await
    .assert_known(404, "USER_NOT_FOUND");
    let ans = send(
        &stack,
        "POST",
        &path(&bob.id, "nothing"),
        &pairs(&h, &[]),
        Some("{}"),
    )
    .await;
    assert_eq!(
        ans.assert_known(404, "PERMISSION_NOT_FOUND"),
        Some(json!({"permission_id": "nothing"}))
    );
    let ans = send(
        &stack,
        "POST",
        &path(&bob.id, "billing:read"),
        &pairs(&h, &[]),
        Some("{}"),
    )
    .await;
    assert_eq!(
        ans.assert_known(404, "WRONG_PERMISSION_SCOPE"),
        Some(
            json!({"permission_id": "billing:read", "expected_scope": "team", "actual_scope": "project"})
        )
    );
    // a system permission can be granted directly
    assert_eq!(
        send(
            &stack,
            "POST",
            &path(&bob.id, "$update_team"),
            &pairs(&h, &[]),
            Some("{}")
        )
        .await
        .status,
        201
    );
    // DELETE: only a direct grant; a contained one is 401 TEAM_PERMISSION_NOT_FOUND
    let ans = send(
        &stack,
        "DELETE",
        &path(&bob.id, "viewer"),
        &pairs(&h, &[]),
        None,
    )
    .await;
    assert_eq!(
        ans.assert_known(401, "TEAM_PERMISSION_NOT_FOUND"),
        Some(json!({"team_id": team, "user_id": bob.id, "permission_id": "viewer"}))
    );
    let ans = send(
        &stack,
        "DELETE",
        &path(&bob.id, "editor"),
        &pairs(&h, &[]),
        Some("{}"),
    )
    .await;
    assert_eq!((ans.status, ans.json()), (200, json!({"success": true})));
    send(
        &stack,
        "DELETE",
        &path(&bob.id, "editor"),
        &pairs(&h, &[]),
        None,
    )
    .await
    .assert_known(401, "TEAM_PERMISSION_NOT_FOUND");
    // body and params are validated (body before params); client access is refused first
    let ans = send(
        &stack,
        "POST",
        &format!("/api/v1/team-permissions/nope/{}/Bad", ada.id),
        &pairs(&h, &[]),
        None,
    )
    .await;
    let message = "Request validation failed on POST /api/v1/team-permissions/nope/".to_owned()
        + &ada.id
        + "/Bad:\n  - body must be defined\n  - params.team_id must be a valid UUID\n  - Only lowercase letters, numbers, \":\", \"_\" and optional \"$\" at the beginning are allowed";
    assert_eq!(
        ans.assert_known(400, "SCHEMA_ERROR"),
        Some(json!({ "message": message }))
    );
    let c = client(&stack, Some(&stack.mint(&ada)));
    let ans = send(
        &stack,
        "POST",
        "/api/v1/team-permissions/nope/x/Bad",
        &pairs(&c, &[]),
        None,
    )
    .await;
    assert_eq!(
        ans.assert_known(401, "INSUFFICIENT_ACCESS_TYPE"),
        Some(json!({"actual_access_type": "client", "allowed_access_types": ["server", "admin"]}))
    );
}

#[tokio::test]
async fn project_permissions_with_containment() {
    let (stack, ada, bob, _team) = setup().await;
    let h = server(&stack);
    let ans = send(
        &stack,
        "POST",
        &format!("/api/v1/project-permissions/{}/billing:admin", ada.id),
        &pairs(&h, &[]),
        Some("{}"),
    )
    .await;
    assert_eq!(
        (ans.status, ans.json()),
        (201, json!({"id": "billing:admin", "user_id": ada.id}))
    );
    stack
        .grant_project_permission(&bob.id, "billing:read")
        .unwrap();
    let all = get(&stack, "/api/v1/project-permissions?recursive=true", &[])
        .await
        .items();
    let mut expected = vec![
        json!({"id": "billing:admin", "user_id": ada.id}),
        json!({"id": "billing:read", "user_id": ada.id}),
        json!({"id": "billing:read", "user_id": bob.id}),
    ];
    expected.sort_by_key(|i| (i["user_id"].to_string(), i["id"].to_string()));
    assert_eq!(all, expected);
    assert!(
        all.iter()
            .all(|i| !i["id"].as_str().unwrap().starts_with('$')),
        "team grants never show"
    );
    let ans = send(
        &stack,
        "POST",
        &format!("/api/v1/project-permissions/{}/editor", ada.id),
        &pairs(&h, &[]),
        Some("{}"),
    )
    .await;
    assert_eq!(
        ans.assert_known(404, "WRONG_PERMISSION_SCOPE"),
        Some(
            json!({"permission_id": "editor", "expected_scope": "project", "actual_scope": "team"})
        )
    );
    send(
        &stack,
        "POST",
        &format!("/api/v1/project-permissions/{}/$update_team", ada.id),
        &pairs(&h, &[]),
        Some("{}"),
    )
    .await
    .assert_known(404, "PERMISSION_NOT_FOUND");
    let revoke = format!("/api/v1/project-permissions/{}/billing:read", ada.id);
    send(&stack, "DELETE", &revoke, &pairs(&h, &[]), None)
        .await
        .assert_known(404, "PERMISSION_NOT_FOUND");
    let revoke = format!("/api/v1/project-permissions/{}/billing:admin", ada.id);
    assert_eq!(
        send(&stack, "DELETE", &revoke, &pairs(&h, &[]), None)
            .await
            .json(),
        json!({"success": true})
    );
    assert!(get(
        &stack,
        &format!("/api/v1/project-permissions?user_id={}", ada.id),
        &[]
    )
    .await
    .items()
    .is_empty());
}
