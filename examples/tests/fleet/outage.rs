//! Redis killed in the middle of a run and restarted: no verification, key check or permission
//! check fails because of it (each instance asks Stack Auth itself meanwhile, which the counts
//! show), an eviction made meanwhile reaches every instance once Redis is back, and sharing
//! resumes (the counts show that too). The extra time per verification during the outage is
//! measured and printed.

use std::time::{Duration, Instant};

use stack_auth::{
    testkit::{ApiKeySpec, PermissionDefinition, Route, TeamSpec, UserSpec},
    RefusalReason, ServerUser, TokenVerifier,
};

use stack_auth::testkit::{eventually, quantile};

use crate::support::{Fleet, Tuning};

const INSTANCES: usize = 3;
const ROUND: usize = 5;

/// Verifies `tokens` on every instance, each verification timed; none may fail.
async fn verify_everywhere(fleet: &Fleet, tokens: &[String], times: &mut Vec<Duration>) {
    for token in tokens {
        for instance in &fleet.instances {
            let started = Instant::now();
            let verified = instance.verifier.verify(token).await;
            times.push(started.elapsed());
            assert!(verified.is_ok(), "{:?}", verified.err());
        }
    }
}

fn tokens(fleet: &Fleet, n: usize) -> (Vec<ServerUser>, Vec<String>) {
    let users: Vec<_> = (0..n)
        .map(|_| fleet.stack.create_user(UserSpec::normal()).unwrap())
        .collect();
    let tokens = users.iter().map(|u| fleet.stack.mint(u)).collect();
    (users, tokens)
}

/// Users/me requests `run` costs.
async fn users_me(fleet: &Fleet, run: impl std::future::Future<Output = ()>) -> u64 {
    let before = fleet.stack.requests(Route::UsersMe);
    run.await;
    fleet.stack.requests(Route::UsersMe) - before
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_run_fails_nothing_and_the_fleet_converges_when_it_is_back() {
    let mut fleet = Fleet::start(INSTANCES, Tuning::OUTAGE).await;
    fleet
        .stack
        .define_permission(PermissionDefinition::team("editor"))
        .unwrap();
    let ada = fleet.stack.create_user(UserSpec::normal()).unwrap();
    let team = fleet
        .stack
        .create_team(TeamSpec::new("Engines").creator(&ada.id))
        .unwrap();
    fleet
        .stack
        .grant_team_permission(&team.id, &ada.id, "editor")
        .unwrap();
    let key = fleet
        .stack
        .create_api_key(ApiKeySpec::team(&team.id))
        .unwrap();
    fleet.settled().await;
    let (mut shared_times, mut outage_times) = (Vec::new(), Vec::new());

    let (_, before) = tokens(&fleet, ROUND);
    let cost = users_me(
        &fleet,
        verify_everywhere(&fleet, &before, &mut shared_times),
    )
    .await;
    assert_eq!(cost, ROUND as u64, "shared before the outage");

    fleet.redis.kill();
    let (carol, during) = tokens(&fleet, ROUND);
    let cost = users_me(
        &fleet,
        verify_everywhere(&fleet, &during, &mut outage_times),
    )
    .await;
    assert_eq!(
        cost,
        (ROUND * INSTANCES) as u64,
        "each instance asked for itself"
    );
    verify_everywhere(&fleet, &before, &mut outage_times).await;
    fleet.stack.reset_counts();
    for instance in &fleet.instances {
        let checked = instance.api_keys.check(key.key()).await.unwrap();
        assert_eq!(checked.team_id(), Some(team.id.as_str()));
        let p = &instance.permissions;
        assert!(p
            .has_team_permission(&ada.id, &team.id, "editor")
            .await
            .unwrap());
    }
    assert_eq!(
        fleet.stack.requests(Route::TeamApiKeyCheck),
        INSTANCES as u64
    );
    assert_eq!(
        fleet.stack.requests(Route::TeamPermissions),
        INSTANCES as u64
    );
    for (instance, cache) in fleet.instances.iter().zip(&fleet.caches) {
        assert!(cache.stats().circuit_open, "{:?}", cache.stats());
        assert!(!instance.bus.stats().subscribed);
    }

    // Carol is deleted while Redis is down: the instance the webhook reaches refuses her at
    // once; the others learn it when Redis is back.
    fleet.stack.delete_user(&carol[0].id).unwrap();
    fleet.stack.wait_for_webhooks().await;
    let refused = fleet.instances[0].verifier.verify(&during[0]).await;
    assert_eq!(
        refused.err().and_then(|e| e.refusal_reason()),
        Some(RefusalReason::UserNotFound)
    );

    fleet.redis.restart().unwrap_or_else(|e| panic!("{e}"));
    fleet.subscribed(2).await;
    eventually("every breaker closed again", || async {
        let (_, probe) = tokens(&fleet, 1);
        verify_everywhere(&fleet, &probe, &mut Vec::new()).await;
        fleet.caches.iter().all(|c| !c.stats().circuit_open)
    })
    .await;
    eventually("the deletion reached every instance", || async {
        let mut all = true;
        for instance in &fleet.instances {
            let e = instance.verifier.verify(&during[0]).await.err();
            all &= e.and_then(|e| e.refusal_reason()) == Some(RefusalReason::UserNotFound);
        }
        all
    })
    .await;

    let (_, after) = tokens(&fleet, ROUND);
    let cost = users_me(&fleet, verify_everywhere(&fleet, &after, &mut shared_times)).await;
    assert_eq!(cost, ROUND as u64, "sharing resumed");
    let (_, tokens_again) = tokens(&fleet, 1);
    drop(tokens_again);
    let second = fleet
        .stack
        .create_api_key(ApiKeySpec::team(&team.id))
        .unwrap();
    fleet.stack.reset_counts();
    for instance in &fleet.instances {
        instance.api_keys.check(second.key()).await.unwrap();
    }
    assert_eq!(
        fleet.stack.requests(Route::TeamApiKeyCheck),
        1,
        "shared again"
    );

    shared_times.sort();
    outage_times.sort();
    println!(
        "verification with redis up: p50 {:?}, p99 {:?}; with redis killed: p50 {:?}, p99 {:?}, \
         max {:?} ({} verifications)",
        quantile(&shared_times, 0.5),
        quantile(&shared_times, 0.99),
        quantile(&outage_times, 0.5),
        quantile(&outage_times, 0.99),
        outage_times.last().copied().unwrap_or_default(),
        outage_times.len()
    );
}
