//! What API key checks cost against the stand-in: one request for 100 concurrent checks of a
//! key, verdicts cached (never past the key's expiry), revocations seen after the TTL or an
//! eviction, a flood of unknown well-formed keys bounded by the budget without tripping the
//! breaker, and no key in any log. Time is Tokio's, paused.

use std::time::Duration;

use stack_auth_core::{
    budget::RequestBudget, Evict, Eviction, RefusalReason, ServerTeam, UnavailableKind, VerifyError,
};
use stack_auth_rest::{ApiKeys, CircuitBreakerPolicy, ServerApi, DEFAULT_CACHE_TTL};
use stack_auth_testkit::{
    format_api_key, random_uuid, ApiKeySpec, ApiKeyType, CreatedApiKey, Fault, LocalStackAuth,
    Route, TeamSpec, UserSpec,
};

use crate::api_keys::{api, checks, reason, stand_in, SECRET};

/// A well-formed key (correct checksum) that no project has.
fn unknown_key() -> String {
    format_api_key(SECRET, &random_uuid(), ApiKeyType::Team, false, false).unwrap()
}

/// A stand-in with a team and one of its keys.
async fn with_a_team_key() -> (LocalStackAuth, ServerTeam, CreatedApiKey) {
    let stack = stand_in().await;
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    let key = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
    (stack, team, key)
}

#[tokio::test(start_paused = true)]
async fn a_hundred_concurrent_checks_of_one_key_make_one_request() {
    let stack = stand_in().await;
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    let team_key = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
    let user_key = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    let keys = ApiKeys::new(&api(&stack));
    for (key, users_asked) in [(team_key.key(), 0), (user_key.key(), 1)] {
        stack.reset_counts();
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let (keys, key) = (keys.clone(), key.to_owned());
                tokio::spawn(async move { keys.check(&key).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(checks(&stack), 1, "one check for 100 callers");
        assert_eq!(stack.requests(Route::UserById), users_asked);
        keys.check(key).await.unwrap();
        assert_eq!(checks(&stack), 1, "then cached");
    }
}

#[tokio::test(start_paused = true)]
async fn a_revocation_is_seen_after_the_ttl_or_at_once_on_an_eviction() {
    let stack = stand_in().await;
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let first = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    let second = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    let keys = ApiKeys::new(&api(&stack));
    keys.check(first.key()).await.unwrap();
    keys.check(second.key()).await.unwrap();
    stack.revoke_api_key(first.id()).unwrap();
    stack.revoke_api_key(second.id()).unwrap();
    keys.check(first.key()).await.unwrap();
    tokio::time::advance(DEFAULT_CACHE_TTL - Duration::from_millis(1)).await;
    keys.check(first.key()).await.unwrap();
    assert_eq!(checks(&stack), 2, "good until the ttl");
    tokio::time::advance(Duration::from_millis(1)).await;
    let e = keys.check(first.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::ApiKeyRevoked));
    // The second key: a webhook (or the application) says so at once.
    let third = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    keys.check(third.key()).await.unwrap();
    stack.revoke_api_key(third.id()).unwrap();
    keys.evict(&Eviction::ApiKey {
        key_id: third.id().to_owned(),
    });
    let e = keys.check(third.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::ApiKeyRevoked));
    // The refusal is kept briefly, then asked again.
    let asked = checks(&stack);
    keys.check(third.key()).await.unwrap_err();
    assert_eq!(checks(&stack), asked);
    tokio::time::advance(stack_auth_rest::DEFAULT_CACHE_REFUSAL_TTL).await;
    keys.check(third.key()).await.unwrap_err();
    assert_eq!(checks(&stack), asked + 1);
}

#[tokio::test(start_paused = true)]
async fn a_verdict_is_never_kept_past_the_keys_expiry() {
    let stack = stand_in().await;
    stack.clock().freeze_at(1_767_139_200);
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let key = stack
        .create_api_key(ApiKeySpec::user(&ada.id).expires_in(Duration::from_secs(10)))
        .unwrap();
    let api = ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .clock(stack.clock().clone())
        .build()
        .unwrap();
    let keys = ApiKeys::new(&api);
    let good = keys.check(key.key()).await.unwrap();
    assert_eq!(good.expires_at_millis(), Some(1_767_139_210_000));
    tokio::time::advance(Duration::from_millis(9_999)).await;
    keys.check(key.key()).await.unwrap();
    assert_eq!(checks(&stack), 1);
    tokio::time::advance(Duration::from_millis(1)).await;
    stack.clock().advance(11);
    let e = keys.check(key.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::ApiKeyExpired));
    assert_eq!(
        checks(&stack),
        2,
        "asked again at the expiry, not after the 30 s ttl"
    );
}

#[tokio::test(start_paused = true)]
async fn a_flood_of_unknown_keys_costs_the_budget_and_spares_known_keys() {
    let (stack, team, known) = with_a_team_key().await;
    let keys = ApiKeys::builder(&api(&stack))
        .unknown_key_budget(RequestBudget::per_minute(3))
        .disable_cache()
        .build()
        .unwrap();
    keys.check(known.key()).await.unwrap();
    for _ in 0..100 {
        let e = keys.check(&unknown_key()).await.unwrap_err();
        assert_eq!(reason(&e), Some(RefusalReason::ApiKeyNotFound));
    }
    assert_eq!(checks(&stack), 1 + 3, "the known key and the budget");
    // A key vouched for is still checked; a new one waits for the budget to refill.
    keys.check(known.key()).await.unwrap();
    assert_eq!(checks(&stack), 5);
    let new = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
    let e = keys.check(new.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::ApiKeyNotFound));
    assert_eq!(checks(&stack), 5, "not asked");
    tokio::time::advance(Duration::from_secs(20)).await;
    keys.check(new.key()).await.unwrap();
    assert_eq!(checks(&stack), 6);
    // Keys that exist cost nothing from the budget: ten new ones at once all pass.
    tokio::time::advance(Duration::from_secs(60)).await;
    for _ in 0..10 {
        let k = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
        keys.check(k.key()).await.unwrap();
    }
    let before = checks(&stack);
    for _ in 0..10 {
        keys.check(&unknown_key()).await.unwrap_err();
    }
    assert_eq!(
        checks(&stack),
        before + 3,
        "the whole budget was still there"
    );
}

#[tokio::test(start_paused = true)]
async fn unknown_keys_answered_with_errors_never_open_the_breaker() {
    let (stack, _team, known) = with_a_team_key().await;
    let api = ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .circuit_breaker(CircuitBreakerPolicy::new(2, Duration::from_secs(60)))
        .build()
        .unwrap();
    let keys = ApiKeys::builder(&api).disable_cache().build().unwrap();
    keys.check(known.key()).await.unwrap();
    stack.inject_times(Route::TeamApiKeyCheck, Fault::status(429), 10);
    for _ in 0..10 {
        let e = keys.check(&unknown_key()).await.unwrap_err();
        assert!(
            matches!(&e, VerifyError::Unavailable(u) if u.kind() == UnavailableKind::RateLimited),
            "{e:?}"
        );
    }
    assert_eq!(checks(&stack), 11, "one request each, no retry");
    keys.check(known.key()).await.unwrap();
    // The same answers to a key vouched for do count: retried, then the circuit opens.
    stack.inject(Route::TeamApiKeyCheck, Fault::status(429));
    keys.check(known.key()).await.unwrap_err();
    let sent = checks(&stack);
    let e = keys.check(known.key()).await.unwrap_err();
    assert!(
        matches!(&e, VerifyError::Unavailable(u) if u.kind() == UnavailableKind::CircuitOpen),
        "{e:?}"
    );
    assert_eq!(checks(&stack), sent);
}

#[tokio::test]
async fn keys_never_appear_in_debug_or_errors() {
    let stack = stand_in().await;
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let key = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    let keys = ApiKeys::new(&api(&stack));
    let good = keys.check(key.key()).await.unwrap();
    stack.revoke_api_key(key.id()).unwrap();
    keys.evict(&Eviction::All);
    let refused = keys.check(key.key()).await.unwrap_err();
    let secret = &key.key()[3..48];
    for shown in [
        format!("{keys:?}"),
        format!("{good:?}"),
        format!("{refused:?} {refused}"),
        serde_json::to_string(&good).unwrap(),
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
