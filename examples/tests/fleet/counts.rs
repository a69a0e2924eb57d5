//! What a fleet costs Stack Auth: each distinct credential is asked about once, whichever
//! instance asks first; the others find the answer in Redis.

use stack_auth::{
    testkit::{ApiKeySpec, PermissionDefinition, Route, TeamSpec, UserSpec},
    TokenVerifier,
};

use crate::support::{Fleet, Tuning};

const INSTANCES: usize = 4;
const TOKENS: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k_tokens_verified_on_n_instances_cost_k_users_me_requests() {
    let fleet = Fleet::start(INSTANCES, Tuning::PATIENT).await;
    let mut tokens = Vec::new();
    for _ in 0..TOKENS {
        let user = fleet.stack.create_user(UserSpec::normal()).unwrap();
        tokens.push((user.id.clone(), fleet.stack.mint(&user)));
    }
    fleet.settled().await;
    fleet.stack.reset_counts();
    for (user_id, token) in &tokens {
        for instance in &fleet.instances {
            let user = instance.verifier.verify(token).await.unwrap();
            assert_eq!(user.user_id(), user_id);
            assert!(user.profile().is_some(), "with the profile");
        }
    }
    assert_eq!(
        fleet.stack.requests(Route::UsersMe),
        TOKENS as u64,
        "K tokens on N instances: K users/me requests, not N×K"
    );
    // Again, on every instance: all from the in-process caches now.
    for (_, token) in &tokens {
        for instance in &fleet.instances {
            instance.verifier.verify(token).await.unwrap();
        }
    }
    assert_eq!(fleet.stack.requests(Route::UsersMe), TOKENS as u64);
    assert_eq!(
        fleet.stack.requests(Route::Jwks),
        INSTANCES as u64,
        "one key set each"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_key_verdicts_are_asked_once_for_the_fleet() {
    let fleet = Fleet::start(INSTANCES, Tuning::PATIENT).await;
    let ada = fleet.stack.create_user(UserSpec::normal()).unwrap();
    let team = fleet
        .stack
        .create_team(TeamSpec::new("Engines").creator(&ada.id))
        .unwrap();
    let user_keys: Vec<_> = (0..3)
        .map(|_| {
            fleet
                .stack
                .create_api_key(ApiKeySpec::user(&ada.id))
                .unwrap()
        })
        .collect();
    let team_keys: Vec<_> = (0..3)
        .map(|_| {
            fleet
                .stack
                .create_api_key(ApiKeySpec::team(&team.id))
                .unwrap()
        })
        .collect();
    let revoked = fleet
        .stack
        .create_api_key(ApiKeySpec::user(&ada.id))
        .unwrap();
    fleet.stack.revoke_api_key(revoked.id()).unwrap();
    fleet.settled().await;
    fleet.stack.reset_counts();
    for instance in &fleet.instances {
        for key in user_keys.iter().chain(&team_keys) {
            let verified = instance.api_keys.check(key.key()).await.unwrap();
            assert_eq!(verified.key_id(), key.id());
        }
        for key in &user_keys {
            let owner = instance.api_keys.check(key.key()).await.unwrap();
            assert_eq!(owner.user().map(|u| u.user_id()), Some(ada.id.as_str()));
            assert!(owner.user().and_then(|u| u.profile()).is_some());
        }
        let refused = instance.api_keys.check(revoked.key()).await.unwrap_err();
        assert_eq!(refused.reason_label(), "api_key_revoked");
    }
    let checks = |route| fleet.stack.requests(route);
    assert_eq!(
        (
            checks(Route::UserApiKeyCheck),
            checks(Route::TeamApiKeyCheck),
            checks(Route::UserById)
        ),
        (4, 3, 1),
        "each key (the revoked one too) checked once for the fleet, Ada looked up once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_lists_are_asked_once_for_the_fleet() {
    let fleet = Fleet::start(INSTANCES, Tuning::PATIENT).await;
    fleet
        .stack
        .define_permission(PermissionDefinition::team("editor").contains(["viewer"]))
        .unwrap();
    fleet
        .stack
        .define_permission(PermissionDefinition::team("viewer"))
        .unwrap();
    let ada = fleet.stack.create_user(UserSpec::normal()).unwrap();
    let mut teams = Vec::new();
    for name in ["a", "b", "c"] {
        let team = fleet
            .stack
            .create_team(TeamSpec::new(name).creator(&ada.id))
            .unwrap();
        fleet
            .stack
            .grant_team_permission(&team.id, &ada.id, "editor")
            .unwrap();
        teams.push(team.id);
    }
    fleet.settled().await;
    fleet.stack.reset_counts();
    for instance in &fleet.instances {
        for team in &teams {
            let p = &instance.permissions;
            assert!(p
                .has_team_permission(&ada.id, team, "viewer")
                .await
                .unwrap());
            assert!(p
                .has_team_permission(&ada.id, team, "editor")
                .await
                .unwrap());
            assert!(!p.has_team_permission(&ada.id, team, "owner").await.unwrap());
        }
    }
    assert_eq!(
        fleet.stack.requests(Route::TeamPermissions),
        teams.len() as u64,
        "one list per (user, team) for the whole fleet"
    );
}
