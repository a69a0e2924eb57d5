//! The same stand-in state through Stack Auth's own server SDK (`@stackframe/js`, driven by
//! `interop-js/`) and through this crate: users by id, users and teams by API key. Where the
//! SDK answers a user (or a team), this crate answers the same one; where it answers `null`,
//! this crate refuses (or answers `None`).

use serde_json::{json, Value};
use stack_auth_core::RefusalReason;
use stack_auth_rest::{ApiKeys, Users};
use stack_auth_testkit::{ApiKeySpec, LocalStackAuth, TeamSpec, UserSpec};

use crate::api_keys::{api, stand_in};

#[path = "../../../stack-auth-testkit/tests/it/support/js_sdk.rs"]
mod harness;

fn step(stack: &LocalStackAuth, op: &str, fields: Value) -> Value {
    let mut s = json!({ "op": op, "app": harness::app(stack) });
    let extra = fields.as_object().cloned().unwrap_or_default();
    s.as_object_mut().unwrap().extend(extra);
    s
}

#[tokio::test]
async fn users_by_id_and_by_api_key_answer_as_the_official_sdk() {
    let stack = stand_in().await;
    let ada = stack
        .create_user(UserSpec::normal().email("ada@example.com"))
        .unwrap();
    let team = stack
        .create_team(TeamSpec::new("Engines").creator(&ada.id))
        .unwrap();
    let good = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    let revoked = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    stack.revoke_api_key(revoked.id()).unwrap();
    let team_key = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
    let unknown = "9a1f0c52-6a7e-4c1b-9d38-2f6b1e7c4d10";
    let by_key = |k: &str| step(&stack, "getUserByApiKey", json!({ "apiKey": k }));
    let answer = harness::run(vec![
        step(&stack, "getUserById", json!({ "userId": ada.id })),
        step(&stack, "getUserById", json!({ "userId": unknown })),
        by_key(good.key()),
        by_key(revoked.key()),
        by_key(team_key.key()),
        by_key("sk_this_is_a_fake_api_key_123456789"),
        step(
            &stack,
            "getTeamByApiKey",
            json!({ "apiKey": team_key.key() }),
        ),
    ])
    .await;
    assert!(
        answer.refused_requests.is_empty(),
        "{:?}",
        answer.refused_requests
    );
    let sdk = &answer.results;
    let id_of = |v: &Value, field: &str| v[field]["id"].as_str().map(str::to_owned);

    let users = Users::new(&api(&stack));
    let keys = ApiKeys::new(&api(&stack));
    let ours = users.get_user(&ada.id).await.unwrap().map(|u| u.id);
    assert_eq!(ours, id_of(&sdk[0], "user"));
    assert_eq!(
        sdk[0]["user"]["primaryEmail"].as_str(),
        users
            .get_user(&ada.id)
            .await
            .unwrap()
            .unwrap()
            .primary_email
            .as_deref()
    );
    assert!(sdk[1]["user"].is_null());
    assert!(users.get_user(unknown).await.unwrap().is_none());

    let ours = keys.check_user_key(good.key()).await.unwrap();
    assert_eq!(
        Some(ours.user().unwrap().user_id().to_owned()),
        id_of(&sdk[2], "user")
    );
    for (i, key, why) in [
        (3, revoked.key(), RefusalReason::ApiKeyRevoked),
        (4, team_key.key(), RefusalReason::WrongApiKeyType),
        (
            5,
            "sk_this_is_a_fake_api_key_123456789",
            RefusalReason::ApiKeyMalformed,
        ),
    ] {
        assert!(sdk[i]["user"].is_null(), "{}", sdk[i]);
        let e = keys.check_user_key(key).await.unwrap_err();
        assert_eq!(e.refusal_reason(), Some(why));
    }
    let ours = keys.check_team_key(team_key.key()).await.unwrap();
    assert_eq!(ours.team_id().map(str::to_owned), id_of(&sdk[6], "team"));
}

#[tokio::test]
async fn permissions_and_teams_answer_as_the_official_sdk() {
    let crate::permissions::World {
        stack,
        ada,
        bob,
        team,
    } = crate::permissions::world().await;
    stack.grant_team_permission(&team, &bob, "editor").unwrap();
    stack
        .grant_project_permission(&ada, "billing:admin")
        .unwrap();
    let api = crate::permissions::api(&stack);
    let (permissions, teams) = (
        stack_auth_rest::Permissions::new(&api),
        stack_auth_rest::Teams::new(&api),
    );
    let checks = [
        (&ada, Some(&team), "$update_team"),
        (&bob, Some(&team), "$update_team"),
        (&bob, Some(&team), "viewer"),
        (&bob, Some(&team), "$read_members"),
        (&ada, None, "billing:read"),
        (&bob, None, "billing:read"),
    ];
    let mut steps: Vec<Value> = checks
        .iter()
        .map(|(user, team, id)| {
            step(
                &stack,
                "hasPermission",
                json!({ "userId": user, "teamId": team, "permissionId": id }),
            )
        })
        .collect();
    steps.push(step(
        &stack,
        "listPermissions",
        json!({ "userId": bob, "teamId": team }),
    ));
    steps.push(step(
        &stack,
        "listPermissions",
        json!({ "userId": bob, "teamId": team, "recursive": false }),
    ));
    steps.push(step(&stack, "listTeams", json!({ "userId": ada })));
    let sdk = harness::run(steps).await.results;
    for (i, (user, team, id)) in checks.iter().enumerate() {
        let ours = match team {
            Some(team) => permissions
                .has_team_permission(user, team, id)
                .await
                .unwrap(),
            None => permissions.has_project_permission(user, id).await.unwrap(),
        };
        assert_eq!(Some(ours), sdk[i]["has"].as_bool(), "{id}: {}", sdk[i]);
    }
    let sorted = |v: &Value| {
        let mut ids: Vec<String> = v["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let mut ours = permissions
        .list_team_permissions(&bob, &team, true)
        .await
        .unwrap();
    ours.sort();
    assert_eq!(ours, sorted(&sdk[6]), "recursive by default, as the SDK");
    let mut ours = permissions
        .list_team_permissions(&bob, &team, false)
        .await
        .unwrap();
    ours.sort();
    assert_eq!(ours, sorted(&sdk[7]));
    let sdk_teams: Vec<&str> = sdk[8]["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    let ours: Vec<String> = teams
        .teams_of(&ada)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ours, sdk_teams);
}
