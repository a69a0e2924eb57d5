//! API keys (PROTOCOL §10.2): the exact key format of §10.2.4, the check endpoints' processing
//! order and every error of §10.2.3, the feature gate, and the key lists.
#![allow(clippy::unwrap_used)]

use serde_json::json;
use stack_auth_testkit::{
    format_api_key, uuid_for_name, ApiKeySpec, ApiKeyType, LocalStackAuth, ProjectSpec, TeamSpec,
    TestClock, UserSpec,
};

use crate::support::{client, pairs, send, server};

const SECRET: &str = "0123456789abcdefghjkmnpqrstvwxyz0123456789abc";
const KEY_ID: &str = "3241a285-8329-4d69-8f3d-316e08cf140c";
const USER_CLOUD_SECRET: &str = "sk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser0574ck4u7hdbb7389e";

async fn check(stack: &LocalStackAuth, kind: &str, key: &str) -> crate::support::Answer {
    let h = server(stack);
    let body = json!({ "api_key": key }).to_string();
    send(
        stack,
        "POST",
        &format!("/api/v1/{kind}-api-keys/check"),
        &pairs(&h, &[]),
        Some(&body),
    )
    .await
}

async fn stand_in() -> LocalStackAuth {
    LocalStackAuth::builder()
        .project(
            ProjectSpec::random()
                .user_api_keys(true)
                .team_api_keys(true),
        )
        .start()
        .await
        .unwrap()
}

#[test]
fn the_worked_examples_of_the_protocol_byte_for_byte() {
    let key = |t, public, cloud| format_api_key(SECRET, KEY_ID, t, public, cloud).unwrap();
    assert_eq!(key(ApiKeyType::User, false, true), USER_CLOUD_SECRET);
    assert_eq!(key(ApiKeyType::User, false, true).len(), 102);
    let tail = |k: String| k[k.len() - 22..].to_owned();
    assert_eq!(
        tail(key(ApiKeyType::Team, false, false)),
        "team1574ck4u7h8390c0a3"
    );
    let user_public = key(ApiKeyType::User, true, true);
    assert!(user_public.starts_with("pk_"));
    assert_eq!(tail(user_public), "user2574ck4u7h730c43cd");
    assert_eq!(
        tail(key(ApiKeyType::Team, true, false)),
        "team3574ck4u7h2b2bbbf0"
    );
}

#[tokio::test]
async fn created_keys_have_the_real_format_and_check_as_the_key_object() {
    let clock = TestClock::system();
    clock.freeze_at(1_767_139_200);
    let stack = LocalStackAuth::builder()
        .clock(clock)
        .project(
            ProjectSpec::random()
                .user_api_keys(true)
                .team_api_keys(true),
        )
        .start()
        .await
        .unwrap();
    let owner = stack
        .create_user(UserSpec::normal().id(uuid_for_name("owner")))
        .unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&owner.id))
        .unwrap();
    let spec = |s: ApiKeySpec| s.secret_part(SECRET).key_id(KEY_ID).description("CI key");
    let created = stack
        .create_api_key(spec(ApiKeySpec::user(&owner.id)).cloud(true))
        .unwrap();
    assert_eq!(created.key(), USER_CLOUD_SECRET);
    assert!(
        !format!("{created:?}").contains(SECRET),
        "Debug hides the key"
    );
    let ans = check(&stack, "user", created.key()).await;
    assert_eq!(ans.status, 200, "{}", ans.text);
    assert_eq!(
        ans.json(),
        json!({"id": KEY_ID, "description": "CI key", "created_at_millis": 1_767_139_200_000_i64,
               "is_public": false, "value": {"last_four": "389e"}, "type": "user", "user_id": owner.id})
    );
    // The other three examples, created on the stand-in.
    stack.revoke_api_key(KEY_ID).unwrap();
    for (s, tail) in [
        (
            ApiKeySpec::team(&team.id).key_id(uuid_for_name("k2")),
            "team1574ck4u7h",
        ),
        (
            ApiKeySpec::user(&owner.id)
                .public(true)
                .cloud(true)
                .key_id(uuid_for_name("k3")),
            "user2574ck4u7h",
        ),
        (
            ApiKeySpec::team(&team.id)
                .public(true)
                .key_id(uuid_for_name("k4")),
            "team3574ck4u7h",
        ),
    ] {
        let k = stack.create_api_key(s.secret_part(SECRET)).unwrap();
        assert_eq!(&k.key()[k.key().len() - 22..k.key().len() - 8], tail);
        assert_eq!(k.key().len(), 102);
        assert_eq!(k.key().starts_with("pk_"), k.api_key().is_public);
    }
}

#[tokio::test]
async fn every_error_of_the_check_in_processing_order() {
    let stack = stand_in().await;
    let clock = stack.clock().clone();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    let user_key = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    let team_key = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
    let public = stack
        .create_api_key(ApiKeySpec::user(&ada.id).public(true))
        .unwrap();
    let expiring = stack
        .create_api_key(ApiKeySpec::user(&ada.id).expires_in(std::time::Duration::from_secs(60)))
        .unwrap();
    let doomed = stack
        .create_api_key(ApiKeySpec::user(&ada.id).expires_in(std::time::Duration::from_secs(60)))
        .unwrap();

    for garbage in ["sk_this_is_a_fake_api_key_123456789", "", "x"] {
        let ans = check(&stack, "user", garbage).await;
        assert_eq!(ans.assert_known(404, "API_KEY_NOT_FOUND"), None);
        assert_eq!(ans.json()["error"], "API key not found.");
    }
    // well-formed (right checksum) but not a key of this project
    let unknown = format_api_key(SECRET, KEY_ID, ApiKeyType::User, false, false).unwrap();
    check(&stack, "user", &unknown)
        .await
        .assert_known(404, "API_KEY_NOT_FOUND");
    // a key of another project
    let other = LocalStackAuth::builder()
        .project(ProjectSpec::random().user_api_keys(true))
        .start()
        .await
        .unwrap();
    let stranger = other.create_user(UserSpec::normal()).unwrap();
    let foreign = other
        .create_api_key(ApiKeySpec::user(&stranger.id))
        .unwrap();
    assert_eq!(check(&other, "user", foreign.key()).await.status, 200);
    check(&stack, "user", foreign.key())
        .await
        .assert_known(404, "API_KEY_NOT_FOUND");

    let ans = check(&stack, "user", team_key.key()).await;
    assert_eq!(
        ans.assert_known(400, "WRONG_API_KEY_TYPE"),
        Some(json!({"expected_type": "user", "actual_type": "team"}))
    );
    assert_eq!(
        ans.json()["error"],
        "This endpoint is for user API keys, but a team API key was provided."
    );
    let ans = check(&stack, "team", user_key.key()).await;
    assert_eq!(
        ans.assert_known(400, "WRONG_API_KEY_TYPE"),
        Some(json!({"expected_type": "team", "actual_type": "user"}))
    );

    let ans = check(&stack, "user", public.key()).await;
    assert_eq!((ans.status, &ans.json()["is_public"]), (200, &json!(true)));
    assert!(public.key().starts_with("pk_"));
    assert_eq!(
        check(&stack, "team", team_key.key()).await.json()["team_id"],
        team.id.as_str()
    );

    assert_eq!(
        check(&stack, "user", expiring.key()).await.json()["expires_at_millis"],
        expiring.api_key().expires_at_millis.unwrap()
    );
    stack.revoke_api_key(doomed.id()).unwrap();
    let ans = check(&stack, "user", doomed.key()).await;
    assert_eq!(ans.assert_known(401, "API_KEY_REVOKED"), None);
    assert_eq!(ans.json()["error"], "API key has been revoked.");
    clock.advance(61);
    let ans = check(&stack, "user", expiring.key()).await;
    assert_eq!(ans.assert_known(401, "API_KEY_EXPIRED"), None);
    assert_eq!(ans.json()["error"], "API key has expired.");
    // revoked and expired: revocation is checked first
    check(&stack, "user", doomed.key())
        .await
        .assert_known(401, "API_KEY_REVOKED");
    // a team key on the user endpoint is WRONG_API_KEY_TYPE even when revoked
    stack.revoke_api_key(team_key.id()).unwrap();
    check(&stack, "user", team_key.key())
        .await
        .assert_known(400, "WRONG_API_KEY_TYPE");
}

#[tokio::test]
async fn the_feature_gate_is_off_by_default_and_answers_plain_text() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    let key = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    check(&stack, "user", key.key())
        .await
        .assert_plain(400, "User API keys are not enabled for this project.");
    // the gate comes before the lookup
    check(&stack, "team", "garbage")
        .await
        .assert_plain(400, "Team API keys are not enabled for this project.");
    stack.set_api_keys_enabled(true, false);
    assert_eq!(check(&stack, "user", key.key()).await.status, 200);
    check(&stack, "team", "garbage")
        .await
        .assert_plain(400, "Team API keys are not enabled for this project.");
    let h = server(&stack);
    let path = format!("/api/v1/team-api-keys?team_id={}", team.id);
    send(&stack, "GET", &path, &pairs(&h, &[]), None)
        .await
        .assert_plain(400, "Team API keys are not enabled for this project.");
}

#[tokio::test]
async fn access_type_and_body_are_checked_before_the_key() {
    let stack = stand_in().await;
    let path = "/api/v1/user-api-keys/check";
    let h = client(&stack, None);
    let ans = send(&stack, "POST", path, &pairs(&h, &[]), Some("{}")).await;
    assert_eq!(
        ans.assert_known(401, "INSUFFICIENT_ACCESS_TYPE"),
        Some(json!({"actual_access_type": "client", "allowed_access_types": ["server", "admin"]}))
    );
    let h = server(&stack);
    for (body, problem) in [
        (None, "body must be defined"),
        (Some("{}"), "body.api_key must be defined"),
        (
            Some(r#"{"api_key":"x","extra":1}"#),
            "body contains unknown properties: extra",
        ),
        (Some(r#"{"api_key":null}"#), "body.api_key cannot be null"),
    ] {
        let ans = send(&stack, "POST", path, &pairs(&h, &[]), body).await;
        let message = format!("Request validation failed on POST {path}:\n  - {problem}");
        assert_eq!(
            ans.assert_known(400, "SCHEMA_ERROR"),
            Some(json!({ "message": message })),
            "{body:?}"
        );
    }
    // a number is cast to a string, as yup does
    check(&stack, "user", "12345")
        .await
        .assert_known(404, "API_KEY_NOT_FOUND");
    let ans = send(
        &stack,
        "POST",
        path,
        &pairs(&h, &[]),
        Some(r#"{"api_key":12345}"#),
    )
    .await;
    ans.assert_known(404, "API_KEY_NOT_FOUND");
    let ans = send(&stack, "POST", path, &pairs(&h, &[]), Some("{not json")).await;
    assert_eq!(ans.assert_known(400, "BODY_PARSING_ERROR"), None);
    let ans = send(&stack, "GET", path, &pairs(&h, &[]), None).await;
    ans.assert_plain(405, "Method not allowed");
}

#[tokio::test]
async fn the_lists_show_one_owners_keys_newest_first() {
    let stack = stand_in().await;
    let clock = stack.clock().clone();
    clock.freeze_at(1_767_139_200);
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id).member(&bob.id))
        .unwrap();
    let first = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    clock.advance(1);
    let second = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    stack.create_api_key(ApiKeySpec::user(&bob.id)).unwrap();
    let team_key = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
    stack.revoke_api_key(first.id()).unwrap();
    let h = server(&stack);
    let items = send(
        &stack,
        "GET",
        &format!("/api/v1/user-api-keys?user_id={}", ada.id),
        &pairs(&h, &[]),
        None,
    )
    .await
    .items();
    let ids: Vec<_> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.id(), first.id()]);
    assert!(
        items[1]["manually_revoked_at_millis"].is_number()
            && items[0].get("manually_revoked_at_millis").is_none()
    );
    // `me` with the user's token, on server access
    let token = stack.mint(&ada);
    let items = send(
        &stack,
        "GET",
        "/api/v1/user-api-keys?user_id=me",
        &pairs(&h, &[("x-stack-access-token", &token)]),
        None,
    )
    .await
    .items();
    assert_eq!(items.len(), 2);
    let ans = send(
        &stack,
        "GET",
        "/api/v1/user-api-keys",
        &pairs(&h, &[]),
        None,
    )
    .await;
    assert_eq!(
        ans.assert_known(400, "SCHEMA_ERROR"),
        Some(json!({"message": "user_id is required for user API keys"}))
    );
    let items = send(
        &stack,
        "GET",
        &format!("/api/v1/team-api-keys?team_id={}", team.id),
        &pairs(&h, &[]),
        None,
    )
    .await
    .items();
    assert_eq!(items[0]["id"], team_key.id());
    // client access: own keys only; team keys need $manage_api_keys (team_admin has it)
    let bob_token = stack.mint(&bob);
    let c = client(&stack, Some(&bob_token));
    let ans = send(
        &stack,
        "GET",
        &format!("/api/v1/user-api-keys?user_id={}", ada.id),
        &pairs(&c, &[]),
        None,
    )
    .await;
    ans.assert_plain(403, "Client can only manage their own api keys");
    let ans = send(
        &stack,
        "GET",
        &format!("/api/v1/team-api-keys?team_id={}", team.id),
        &pairs(&c, &[]),
        None,
    )
    .await;
    ans.assert_known(404, "API_KEY_NOT_FOUND");
    let c = client(&stack, Some(&token));
    let items = send(
        &stack,
        "GET",
        &format!("/api/v1/team-api-keys?team_id={}", team.id),
        &pairs(&c, &[]),
        None,
    )
    .await
    .items();
    assert_eq!(items.len(), 1);
}
