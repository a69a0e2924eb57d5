//! Teams and membership (PROTOCOL §10.3.5): the list (oldest first, `me`, client rule), one
//! team, the users list of a team, memberships, and selected teams kept consistent.
#![allow(clippy::unwrap_used)]

use serde_json::json;
use stack_auth_testkit::{uuid_for_name, LocalStackAuth, TeamSpec, UserSpec};

use crate::support::{client, pairs, send, server};

#[tokio::test]
async fn a_users_teams_oldest_first_with_the_team_object() {
    let stack = LocalStackAuth::start().await.unwrap();
    let clock = stack.clock().clone();
    clock.freeze_at(1_767_139_200);
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let first = stack
        .create_team(TeamSpec::new("First").creator(&ada.id))
        .unwrap();
    clock.advance(5);
    let second = stack
        .create_team(
            TeamSpec::new("Second")
                .member(&ada.id)
                .server_metadata(json!({"plan": "pro"})),
        )
        .unwrap();
    stack
        .create_team(TeamSpec::new("Bob's").creator(&bob.id))
        .unwrap();
    let h = server(&stack);
    let items = send(
        &stack,
        "GET",
        &format!("/api/v1/teams?user_id={}", ada.id),
        &pairs(&h, &[]),
        None,
    )
    .await
    .items();
    assert_eq!(
        items,
        [
            json!({"id": first.id, "display_name": "First", "profile_image_url": null, "created_at_millis": 1_767_139_200_000_i64,
                   "client_metadata": null, "client_read_only_metadata": null, "server_metadata": null}),
            json!({"id": second.id, "display_name": "Second", "profile_image_url": null, "created_at_millis": 1_767_139_205_000_i64,
                   "client_metadata": null, "client_read_only_metadata": null, "server_metadata": {"plan": "pro"}}),
        ]
    );
    // no user_id: every team of the project; an unknown user: none
    assert_eq!(
        send(&stack, "GET", "/api/v1/teams", &pairs(&h, &[]), None)
            .await
            .items()
            .len(),
        3
    );
    let nobody = format!("/api/v1/teams?user_id={}", uuid_for_name("nobody"));
    assert!(send(&stack, "GET", &nobody, &pairs(&h, &[]), None)
        .await
        .items()
        .is_empty());
    // me: the token's user; without a token CANNOT_GET_OWN_USER_WITHOUT_USER
    let token = stack.mint(&ada);
    let me = send(
        &stack,
        "GET",
        "/api/v1/teams?user_id=me",
        &pairs(&h, &[("x-stack-access-token", &token)]),
        None,
    )
    .await;
    assert_eq!(me.items().len(), 2);
    send(
        &stack,
        "GET",
        "/api/v1/teams?user_id=me",
        &pairs(&h, &[]),
        None,
    )
    .await
    .assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
    let ans = send(
        &stack,
        "GET",
        "/api/v1/teams?user_id=nope",
        &pairs(&h, &[]),
        None,
    )
    .await;
    assert_eq!(
        ans.assert_known(400, "SCHEMA_ERROR"),
        Some(
            json!({"message": "Request validation failed on GET /api/v1/teams:\n  - query.user_id must be a valid UUID"})
        )
    );
    // client access: own user only (client team view), else plain-text 403
    let c = client(&stack, Some(&token));
    let own = send(
        &stack,
        "GET",
        "/api/v1/teams?user_id=me",
        &pairs(&c, &[]),
        None,
    )
    .await
    .items();
    assert_eq!(
        own[1],
        json!({"id": second.id, "display_name": "Second", "profile_image_url": null,
                              "client_metadata": null, "client_read_only_metadata": null})
    );
    send(&stack, "GET", &format!("/api/v1/teams?user_id={}", bob.id), &pairs(&c, &[]), None)
        .await
        .assert_plain(403, "Client can only list teams for their own user. user_id must be either \"me\" or the ID of the current user");
    send(&stack, "GET", "/api/v1/teams", &pairs(&c, &[]), None)
        .await
        .assert_plain(403, "Client can only list teams for their own user. user_id must be either \"me\" or the ID of the current user");
}

#[tokio::test]
async fn one_team_and_its_members() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let anon = stack.create_user(UserSpec::anonymous()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id).member(&anon.id))
        .unwrap();
    let h = server(&stack);
    let ans = send(
        &stack,
        "GET",
        &format!("/api/v1/teams/{}", team.id),
        &pairs(&h, &[]),
        None,
    )
    .await;
    assert_eq!(
        (ans.status, &ans.json()["display_name"]),
        (200, &json!("T"))
    );
    let missing = uuid_for_name("no team");
    let ans = send(
        &stack,
        "GET",
        &format!("/api/v1/teams/{missing}"),
        &pairs(&h, &[]),
        None,
    )
    .await;
    assert_eq!(
        ans.assert_known(404, "TEAM_NOT_FOUND"),
        Some(json!({"team_id": missing}))
    );
    // client access: members only
    let c = client(&stack, Some(&stack.mint(&bob)));
    let ans = send(
        &stack,
        "GET",
        &format!("/api/v1/teams/{}", team.id),
        &pairs(&c, &[]),
        None,
    )
    .await;
    ans.assert_known(404, "TEAM_MEMBERSHIP_NOT_FOUND");
    // the users list of a team: paginated envelope, anonymous users only on request
    let ans = send(
        &stack,
        "GET",
        &format!("/api/v1/users?team_id={}", team.id),
        &pairs(&h, &[]),
        None,
    )
    .await;
    let body = ans.json();
    assert_eq!(
        (body["is_paginated"].clone(), body["pagination"].clone()),
        (json!(true), json!({"next_cursor": null}))
    );
    let ids: Vec<_> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].clone())
        .collect();
    assert_eq!(ids, [json!(ada.id)]);
    let path = format!("/api/v1/users?team_id={}&include_anonymous=true", team.id);
    assert_eq!(
        send(&stack, "GET", &path, &pairs(&h, &[]), None)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        stack.team_members(&team.id),
        [ada.id.clone(), anon.id.clone()]
    );
}

#[tokio::test]
async fn memberships_over_http_and_selected_teams_stay_consistent() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack
        .create_user(UserSpec::normal().team("Ada's Team"))
        .unwrap();
    let personal = ada.selected_team.clone().unwrap();
    // the personal team is a team the stand-in knows, with ada as its creator (team_admin)
    assert_eq!(stack.teams_of(&ada.id), std::slice::from_ref(&personal));
    let h = server(&stack);
    let perms = send(
        &stack,
        "GET",
        &format!("/api/v1/team-permissions?user_id={}", ada.id),
        &pairs(&h, &[]),
        None,
    )
    .await
    .items();
    assert_eq!(
        perms,
        [json!({"id": "team_admin", "user_id": ada.id, "team_id": personal.id})]
    );
    // a user created with a known selected team joins it as a member
    let bob = stack
        .create_user(UserSpec::normal().selected_team(personal.clone()))
        .unwrap();
    assert_eq!(
        stack.team_members(&personal.id),
        [ada.id.clone(), bob.id.clone()]
    );
    // renaming the team shows in the users' selected_team
    stack
        .update_team(&personal.id, |t| t.display_name = "Renamed".into())
        .unwrap();
    let me = crate::support::me(&stack, Some(&stack.mint(&ada)), &[])
        .await
        .json();
    assert_eq!(me["selected_team"]["display_name"], "Renamed");
    // removing a member over HTTP clears their selection; adding again over HTTP: 201
    let path = format!("/api/v1/team-memberships/{}/{}", personal.id, bob.id);
    let ans = send(&stack, "DELETE", &path, &pairs(&h, &[]), None).await;
    assert_eq!((ans.status, ans.json()), (200, json!({"success": true})));
    assert!(stack.user(&bob.id).unwrap().selected_team_id.is_none());
    send(&stack, "DELETE", &path, &pairs(&h, &[]), None)
        .await
        .assert_known(404, "TEAM_MEMBERSHIP_NOT_FOUND");
    let ans = send(&stack, "POST", &path, &pairs(&h, &[]), Some("{}")).await;
    assert_eq!(
        (ans.status, ans.json()),
        (201, json!({"team_id": personal.id, "user_id": bob.id}))
    );
    send(&stack, "POST", &path, &pairs(&h, &[]), Some("{}"))
        .await
        .assert_known(409, "TEAM_MEMBERSHIP_ALREADY_EXISTS");
    // deleting the team clears the selection of its members
    stack.delete_team(&personal.id).unwrap();
    assert!(stack.user(&ada.id).unwrap().selected_team.is_none());
    assert!(stack.teams_of(&ada.id).is_empty());
}
