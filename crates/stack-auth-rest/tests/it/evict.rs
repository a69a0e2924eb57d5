//! `impl Evict for RestVerifier`: an eviction drops exactly the cached verdicts it names
//! (found through the index, not by scanning), and the next verification asks users/me again;
//! through the verifier's server API it reaches every other capability's cache too, and
//! `ApiKeys::revoked` is one such eviction.

use stack_auth_core::{
    test_util::MemorySharedCache, Evict, Eviction, RefusalReason, RestrictedReason, TokenVerifier,
};
use stack_auth_rest::{ApiKeys, Permissions, RestVerifier, ServerApi, Sessions, Teams, Users};
use stack_auth_testkit::{ApiKeySpec, LocalStackAuth, ProjectSpec, Route, TeamSpec, UserSpec};

#[tokio::test]
async fn evictions_drop_the_named_users_verdicts_and_nothing_else() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack
        .create_user(UserSpec::normal().email("ada@example.com").team("Engines"))
        .unwrap();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let (ada_token, bob_token) = (stack.mint(&ada), stack.mint(&bob));
    let v = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let asked = || stack.requests(Route::UsersMe);
    v.verify(&ada_token).await.unwrap();
    v.verify(&bob_token).await.unwrap();
    assert_eq!(asked(), 2);

    // Another user's update, a session, a key: nothing of ada's or bob's goes.
    v.evict(&Eviction::UserUpdated {
        user_id: "9a1f0c52-6a7e-4c1b-9d38-2f6b1e7c4d10".into(),
    });
    v.evict(&Eviction::SessionEnded {
        user_id: ada.id.clone(),
        session_id: "s".into(),
    });
    v.evict(&Eviction::ApiKey {
        key_id: ada.id.clone(),
    });
    v.verify(&ada_token).await.unwrap();
    assert_eq!(asked(), 2, "still cached");

    // Ada's profile changes: her next verification carries the new one.
    stack
        .update_user(&ada.id, |u| u.display_name = Some("Ada L.".into()))
        .unwrap();
    v.evict(&Eviction::UserUpdated {
        user_id: ada.id.clone(),
    });
    let fresh = v.verify(&ada_token).await.unwrap();
    assert_eq!(fresh.display_name(), Some("Ada L."));
    v.verify(&bob_token).await.unwrap();
    assert_eq!(asked(), 3, "ada asked again, bob still cached");

    // Her selected team changes: profiles showing it go.
    let team = ada.selected_team_id.clone().unwrap();
    v.evict(&Eviction::Team { team_id: team });
    v.verify(&ada_token).await.unwrap();
    assert_eq!(asked(), 4);

    // A clone shares the cache; `All` drops everything.
    v.clone().evict(&Eviction::All);
    v.verify(&bob_token).await.unwrap();
    assert_eq!(asked(), 5);
}

#[tokio::test]
async fn a_cached_refusal_is_found_by_the_tokens_subject() {
    let stack = LocalStackAuth::start().await.unwrap();
    let grace = stack
        .create_user(UserSpec::restricted(RestrictedReason::EmailNotVerified))
        .unwrap();
    let token = stack.mint(&grace);
    let v = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let refused = v.verify(&token).await.unwrap_err();
    assert_eq!(
        refused.refusal_reason(),
        Some(RefusalReason::UserTypeNotAllowed)
    );
    v.verify(&token).await.unwrap_err();
    assert_eq!(stack.requests(Route::UsersMe), 1, "the refusal is cached");
    v.evict(&Eviction::UserUpdated {
        user_id: "someone-else".into(),
    });
    v.verify(&token).await.unwrap_err();
    assert_eq!(stack.requests(Route::UsersMe), 1);
    // Her user changed: the refusal (indexed by the token's unverified `sub`) is dropped and
    // Stack Auth asked again (her token still says restricted, so it is refused again).
    v.evict(&Eviction::UserUpdated {
        user_id: grace.id.clone(),
    });
    v.verify(&token).await.unwrap_err();
    assert_eq!(stack.requests(Route::UsersMe), 2);
}

/// Every request a warm set of capabilities makes when asked about ada again.
fn asked_again(stack: &LocalStackAuth) -> [u64; 6] {
    [
        stack.requests(Route::UsersMe),
        stack.requests(Route::UserById),
        stack.requests(Route::UserApiKeyCheck),
        stack.requests(Route::TeamPermissions),
        stack.requests(Route::Teams),
        stack.requests(Route::Sessions),
    ]
}

/// A stand-in whose project has user API keys, and a server API on it.
async fn with_user_keys() -> (LocalStackAuth, ServerApi) {
    let stack = LocalStackAuth::builder()
        .project(ProjectSpec::random().user_api_keys(true))
        .start()
        .await
        .unwrap();
    let api = ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    (stack, api)
}

#[tokio::test]
async fn one_eviction_through_the_verifier_reaches_every_cache_of_its_server_api() {
    let (stack, api) = with_user_keys().await;
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    let key = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    let session = stack.create_session(&ada).unwrap();
    let token = stack.token_for_session(&session).unwrap().mint();
    let verifier = RestVerifier::builder_with_api(&api).build().unwrap();
    let (users, keys) = (Users::new(&api), ApiKeys::new(&api));
    let (permissions, teams) = (Permissions::new(&api), Teams::new(&api));
    let sessions = Sessions::new(&api);
    // The verifier, users, the key verdicts (and the Users of their own), two permission
    // caches, teams, sessions.
    assert_eq!(api.cache_count(), 8);
    let ask_everything = || async {
        verifier.verify(&token).await.unwrap();
        users.get_user(&ada.id).await.unwrap().unwrap();
        keys.check(key.key()).await.unwrap();
        permissions
            .has_team_permission(&ada.id, &team.id, "team_admin")
            .await
            .unwrap();
        teams.teams_of(&ada.id).await.unwrap();
        sessions.liveness(&ada.id, &session.id).await.unwrap();
    };
    ask_everything().await;
    let warm = asked_again(&stack);
    assert_eq!(
        warm,
        [1, 2, 1, 1, 1, 1],
        "the key's owner was looked up by id once more"
    );
    ask_everything().await;
    assert_eq!(asked_again(&stack), warm, "all cached");

    // One call on the verifier, as a webhook receiver makes it: every cache drops ada.
    verifier.evict(&Eviction::UserDeleted {
        user_id: ada.id.clone(),
    });
    ask_everything().await;
    assert_eq!(asked_again(&stack), [2, 4, 2, 2, 2, 2]);

    // A capability dropped leaves the registry; the others still hear.
    drop(teams);
    assert_eq!(api.cache_count(), 7);
    api.evict(&Eviction::TeamPermissions {
        team_id: team.id.clone(),
        user_id: ada.id.clone(),
    });
    permissions
        .has_team_permission(&ada.id, &team.id, "team_admin")
        .await
        .unwrap();
    assert_eq!(stack.requests(Route::TeamPermissions), 3);
}

#[tokio::test]
async fn a_key_said_revoked_is_refused_at_once() {
    let (stack, api) = with_user_keys().await;
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let (first, second) = (
        stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap(),
        stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap(),
    );
    // Two verifiers on one server API: telling one tells both.
    let (keys, other) = (ApiKeys::new(&api), ApiKeys::new(&api));
    for k in [&keys, &other] {
        k.check(first.key()).await.unwrap();
        k.check(second.key()).await.unwrap();
    }
    let checks = || stack.requests(Route::UserApiKeyCheck);
    assert_eq!(checks(), 4);
    stack.revoke_api_key(first.id()).unwrap();
    keys.check(first.key()).await.unwrap();
    assert_eq!(checks(), 4, "cached: still accepted");
    let eviction = keys.revoked(first.id()).await;
    assert_eq!(
        eviction,
        Eviction::ApiKey {
            key_id: first.id().to_owned()
        }
    );
    for k in [&keys, &other] {
        let refused = k.check(first.key()).await.unwrap_err();
        assert_eq!(refused.refusal_reason(), Some(RefusalReason::ApiKeyRevoked));
        k.check(second.key()).await.unwrap();
    }
    assert_eq!(
        checks(),
        6,
        "only the revoked key asked again, once per verifier"
    );
}

/// With a shared cache, the process that says a key is revoked does not copy the fleet's
/// verdict back: the shared entry is voided before its own.
#[tokio::test]
async fn a_key_said_revoked_is_refused_at_once_with_a_shared_cache() {
    let (stack, _) = with_user_keys().await;
    let shared = MemorySharedCache::new();
    let process = || {
        let api = ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
            .shared_cache(shared.clone())
            .build()
            .unwrap();
        ApiKeys::new(&api)
    };
    let (here, there) = (process(), process());
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let key = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    there.check(key.key()).await.unwrap();
    here.check(key.key()).await.unwrap();
    let checks = || stack.requests(Route::UserApiKeyCheck);
    assert_eq!(checks(), 1, "the second process read the fleet's verdict");
    stack.revoke_api_key(key.id()).unwrap();
    here.revoked(key.id()).await;
    let refused = here.check(key.key()).await.unwrap_err();
    assert_eq!(refused.refusal_reason(), Some(RefusalReason::ApiKeyRevoked));
    assert_eq!(checks(), 2);
}
