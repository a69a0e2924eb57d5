//! `Sessions` of several processes sharing one cache (the fleet of issue 21): a user's session
//! list is asked once for the fleet, an ended session voids the shared list so the next check
//! asks again, and every process then answers from the new list.

use std::time::Duration;

use stack_auth_core::{
    test_util::{ManualClock, MemorySharedCache},
    Evict, Eviction, SharedCache,
};
use stack_auth_rest::{RetryPolicy, ServerApi, Sessions, DEFAULT_SESSION_CACHE_TTL};
use stack_auth_testkit::{LocalStackAuth, Route, UserSpec};

/// One process's server API, with the fleet's shared cache or without one.
fn api(stack: &LocalStackAuth, shared: Option<&MemorySharedCache>) -> ServerApi {
    let builder = ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .retry_policy(RetryPolicy::new(2, Duration::from_millis(1)));
    match shared {
        Some(shared) => builder.shared_cache(shared.clone()),
        None => builder,
    }
    .build()
    .unwrap()
}

/// Three processes sharing a cache whose TTLs run on `clock` (advanced with Tokio's).
fn fleet(stack: &LocalStackAuth) -> (ManualClock, MemorySharedCache, Vec<Sessions>) {
    let clock = ManualClock::starting_now();
    let shared = MemorySharedCache::with_clock(clock.clone());
    let fleet = (0..3)
        .map(|_| Sessions::new(&api(stack, Some(&shared))))
        .collect();
    (clock, shared, fleet)
}

async fn liveness(sessions: &Sessions, user: &str, session: &str) -> &'static str {
    sessions.liveness(user, session).await.unwrap().as_str()
}

#[tokio::test(start_paused = true)]
async fn a_fleet_lists_a_users_sessions_once_and_an_ended_session_is_asked_again_once() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let (s1, s2) = (
        stack.create_session(&ada).unwrap(),
        stack.create_session(&ada).unwrap(),
    );
    let lists = || stack.requests(Route::Sessions);

    // Without a shared cache, each process asks.
    let alone: Vec<Sessions> = (0..3).map(|_| Sessions::new(&api(&stack, None))).collect();
    for sessions in &alone {
        assert_eq!(liveness(sessions, &ada.id, &s1.id).await, "alive");
    }
    assert_eq!(lists(), 3);

    // With one, the first process's list answers the others.
    let (clock, shared, fleet) = fleet(&stack);
    for sessions in &fleet {
        assert_eq!(liveness(sessions, &ada.id, &s1.id).await, "alive");
        assert_eq!(liveness(sessions, &ada.id, &s2.id).await, "alive");
    }
    assert_eq!(lists(), 4, "one list for the fleet");

    // s1 signed out; the eviction reaches every process and the shared cache (as the bus does).
    stack.delete_session(&s1.id).unwrap();
    let ended = Eviction::SessionEnded {
        user_id: ada.id.clone(),
        session_id: s1.id.clone(),
    };
    shared.invalidate(&ended.cache_tags()).await;
    for sessions in &fleet {
        sessions.evict(&ended);
        assert_eq!(liveness(sessions, &ada.id, &s1.id).await, "ended");
    }
    assert_eq!(lists(), 4, "an eviction needs no request");

    // Once the processes' own answers expire, the voided list is asked again, once.
    let later = DEFAULT_SESSION_CACHE_TTL + Duration::from_secs(1);
    tokio::time::advance(later).await;
    clock.advance(later);
    for sessions in &fleet {
        assert_eq!(liveness(sessions, &ada.id, &s2.id).await, "alive");
        assert_eq!(liveness(sessions, &ada.id, &s1.id).await, "ended");
    }
    assert_eq!(lists(), 5, "the new list is shared too");
}

#[tokio::test(start_paused = true)]
async fn only_stack_auth_says_a_session_is_not_listed() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let s1 = stack.create_session(&ada).unwrap();
    let (clock, _, fleet) = fleet(&stack);
    let lists = || stack.requests(Route::Sessions);
    assert_eq!(liveness(&fleet[0], &ada.id, &s1.id).await, "alive");
    assert_eq!(liveness(&fleet[1], &ada.id, &s1.id).await, "alive");
    assert_eq!(lists(), 1);

    // A new sign-in: the fleet's list (fresh, but older than the session) does not list it,
    // so the process asks Stack Auth instead of answering "not listed" from it.
    let s2 = stack.create_session(&ada).unwrap();
    assert_eq!(liveness(&fleet[2], &ada.id, &s2.id).await, "alive");
    assert_eq!(lists(), 2);

    // Signed out at Stack Auth, no eviction (Stack Auth sends no webhook for it): once the
    // answers expire, each process that saw the session finds it ended from Stack Auth's own
    // list, not from one another process stored.
    stack.delete_session(&s1.id).unwrap();
    let later = DEFAULT_SESSION_CACHE_TTL + Duration::from_secs(1);
    tokio::time::advance(later).await;
    clock.advance(later);
    assert_eq!(liveness(&fleet[0], &ada.id, &s1.id).await, "ended");
    assert_eq!(liveness(&fleet[1], &ada.id, &s1.id).await, "ended");
    assert_eq!(lists(), 4);
    // The list they stored answers the sessions it lists.
    assert_eq!(liveness(&fleet[1], &ada.id, &s2.id).await, "alive");
    assert_eq!(liveness(&fleet[0], &ada.id, &s2.id).await, "alive");
    assert_eq!(lists(), 4);
}
