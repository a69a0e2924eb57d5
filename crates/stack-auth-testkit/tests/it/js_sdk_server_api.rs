//! Stack Auth's own JS server SDK (`@stackframe/js` 2.8.108) against the stand-in's server
//! APIs (PROTOCOL §10.2.6, §10.3.4, §10.3.5, §10.4.1): users and teams by API key (two round
//! trips each; `null` for every refused key), permission checks with containment, a user's
//! teams, teams by id, and a user's sessions.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{json, Value};
use stack_auth_testkit::{
    uuid_for_name, ApiKeySpec, LocalStackAuth, PermissionDefinition, ProjectSpec, Route, TeamSpec,
    UserSpec,
};

use crate::support::js_sdk::{app, run};

fn step(stack: &LocalStackAuth, op: &str, fields: Value) -> Value {
    let mut s = json!({ "op": op, "app": app(stack) });
    s.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    s
}

fn ok(result: &Value) -> &Value {
    assert!(result.get("error").is_none(), "{result}");
    result
}

#[tokio::test]
async fn users_and_teams_by_api_key_with_null_for_refused_keys() {
    let stack = LocalStackAuth::builder()
        .project(
            ProjectSpec::random()
                .user_api_keys(true)
                .team_api_keys(true),
        )
        .start()
        .await
        .unwrap();
    let ada = stack
        .create_user(UserSpec::normal().email("ada@example.com"))
        .unwrap();
    let team = stack
        .create_team(TeamSpec::new("Engines").creator(&ada.id))
        .unwrap();
    let user_key = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    let public = stack
        .create_api_key(ApiKeySpec::user(&ada.id).public(true))
        .unwrap();
    let team_key = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
    let revoked = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    stack.revoke_api_key(revoked.id()).unwrap();
    let expired = stack
        .create_api_key(ApiKeySpec::user(&ada.id).expires_in(Duration::from_secs(1)))
        .unwrap();
    stack.clock().advance(2);
    let revoked_team = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
    stack.revoke_api_key(revoked_team.id()).unwrap();
    let by_key = |k: &str| step(&stack, "getUserByApiKey", json!({ "apiKey": k }));
    let team_by_key = |k: &str| step(&stack, "getTeamByApiKey", json!({ "apiKey": k }));
    let answer = run(vec![
        by_key(user_key.key()),
        by_key(public.key()),
        by_key(revoked.key()),
        by_key(expired.key()),
        by_key("sk_this_is_a_fake_api_key_123456789"),
        by_key(team_key.key()),
        team_by_key(team_key.key()),
        team_by_key(revoked_team.key()),
        team_by_key(user_key.key()),
    ])
    .await;
    assert!(
        answer.refused_requests.is_empty(),
        "{:?}",
        answer.refused_requests
    );
    let r = &answer.results;
    assert_eq!(ok(&r[0])["user"]["id"], ada.id.as_str());
    assert_eq!(r[0]["user"]["primaryEmail"], "ada@example.com");
    assert_eq!(
        ok(&r[1])["user"]["id"],
        ada.id.as_str(),
        "is_public is not looked at"
    );
    for (i, what) in [
        (2, "revoked"),
        (3, "expired"),
        (4, "garbage"),
        (5, "team key"),
    ] {
        assert!(ok(&r[i])["user"].is_null(), "{what}: {}", r[i]);
    }
    assert_eq!(ok(&r[6])["team"]["id"], team.id.as_str());
    assert_eq!(r[6]["team"]["displayName"], "Engines");
    assert!(ok(&r[7])["team"].is_null() && ok(&r[8])["team"].is_null());
    // two round trips per key that checks: the check, then the user by id / all teams
    assert_eq!(stack.requests(Route::UserApiKeyCheck), 6);
    assert_eq!(stack.requests(Route::UserById), 2);
    assert_eq!(stack.requests(Route::TeamApiKeyCheck), 3);
    assert_eq!(stack.requests(Route::Teams), 1);
    let teams_request = stack
        .request_log()
        .into_iter()
        .find(|r| r.route == Route::Teams)
        .unwrap();
    assert!(
        teams_request
            .query
            .as_deref()
            .unwrap_or_default()
            .is_empty(),
        "the whole project"
    );

    // the feature turned off: the plain-text 400 is thrown, not null
    stack.set_api_keys_enabled(false, false);
    let answer = run(vec![by_key(user_key.key())]).await;
    assert!(
        answer.results[0]["error"].is_object(),
        "{}",
        answer.results[0]
    );
}

#[tokio::test]
async fn permissions_with_containment_teams_and_sessions() {
    let stack = LocalStackAuth::builder()
        .project(
            ProjectSpec::random()
                .permission(PermissionDefinition::team("editor").contains(["viewer"]))
                .permission(PermissionDefinition::team("viewer"))
                .permission(
                    PermissionDefinition::project("billing:admin").contains(["billing:read"]),
                )
                .permission(PermissionDefinition::project("billing:read")),
        )
        .start()
        .await
        .unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let first = stack
        .create_team(TeamSpec::new("First").creator(&ada.id).member(&bob.id))
        .unwrap();
    let second = stack
        .create_team(TeamSpec::new("Second").creator(&bob.id))
        .unwrap();
    stack
        .grant_team_permission(&first.id, &bob.id, "editor")
        .unwrap();
    stack
        .grant_project_permission(&ada.id, "billing:admin")
        .unwrap();
    stack.mint(&ada);
    stack.mint(&ada);
    let has = |user: &str, team: Option<&str>, id: &str| {
        step(
            &stack,
            "hasPermission",
            json!({ "userId": user, "teamId": team, "permissionId": id }),
        )
    };
    let answer = run(vec![
        has(&ada.id, Some(&first.id), "team_admin"),
        has(&ada.id, Some(&first.id), "$update_team"),
        has(&bob.id, Some(&first.id), "$update_team"),
        has(&bob.id, Some(&first.id), "viewer"),
        has(&bob.id, Some(&second.id), "viewer"),
        has(&ada.id, None, "billing:read"),
        has(&bob.id, None, "billing:read"),
        step(
            &stack,
            "listPermissions",
            json!({ "userId": bob.id, "teamId": first.id, "recursive": false }),
        ),
        step(
            &stack,
            "listPermissions",
            json!({ "userId": bob.id, "teamId": first.id }),
        ),
        step(&stack, "listPermissions", json!({ "userId": ada.id })),
        step(&stack, "listTeams", json!({ "userId": bob.id })),
        step(&stack, "getTeam", json!({ "teamId": second.id })),
        step(
            &stack,
            "getTeam",
            json!({ "teamId": uuid_for_name("no such team") }),
        ),
        step(&stack, "getActiveSessions", json!({ "userId": ada.id })),
        step(&stack, "getUserById", json!({ "userId": bob.id })),
    ])
    .await;
    assert!(
        answer.refused_requests.is_empty(),
        "{:?}",
        answer.refused_requests
    );
    let r: Vec<&Value> = answer.results.iter().map(ok).collect();
    let flags: Vec<bool> = r[..7].iter().map(|x| x["has"].as_bool().unwrap()).collect();
    assert_eq!(flags, [true, true, false, true, false, true, false]);
    assert_eq!(r[7]["ids"], json!(["editor", "team_member"]));
    assert_eq!(
        r[8]["ids"],
        json!([
            "$invite_members",
            "$read_members",
            "editor",
            "team_member",
            "viewer"
        ])
    );
    assert_eq!(r[9]["ids"], json!(["billing:admin", "billing:read"]));
    let teams: Vec<&Value> = r[10]["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["id"])
        .collect();
    assert_eq!(teams, [&json!(first.id), &json!(second.id)], "oldest first");
    assert_eq!(r[11]["team"]["displayName"], "Second");
    assert!(r[12]["team"].is_null());
    let sessions = r[13]["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(sessions.iter().all(|s| s["userId"] == ada.id.as_str()
        && s["isCurrentSession"] == false
        && s["isImpersonation"] == false));
    assert_eq!(r[14]["user"]["id"], bob.id.as_str());
    // every request the SDK sent was answered 2xx
    for request in stack.request_log() {
        assert!(request.status.is_some_and(|s| s < 300), "{request:?}");
    }
}
