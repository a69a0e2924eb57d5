//! `Sessions` against the stand-in (PROTOCOL §10.4): alive, not listed (impersonation), ended
//! after being seen, unknown when Stack Auth cannot be asked; one list request per user,
//! answers cached per session for the TTL, evictions, announcements. Tokio time is paused.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use stack_auth_core::{
    Evict, Eviction, MisconfigKind, SessionChecker, SessionLiveness, UnavailableKind, VerifyError,
};
use stack_auth_rest::{
    CircuitBreakerPolicy, RetryPolicy, ServerApi, Sessions, DEFAULT_SESSION_CACHE_TTL,
};
use stack_auth_testkit::{Fault, LocalStackAuth, Route, UserSpec};

/// Records what a checker announces.
#[derive(Debug, Default)]
struct Announced(Mutex<Vec<Eviction>>);

impl Evict for Announced {
    fn evict(&self, eviction: &Eviction) {
        self.0.lock().unwrap().push(eviction.clone());
    }
}

impl Announced {
    fn seen(&self) -> Vec<Eviction> {
        self.0.lock().unwrap().clone()
    }
}

fn api(stack: &LocalStackAuth) -> ServerApi {
    ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .retry_policy(RetryPolicy::new(2, Duration::from_millis(1)))
        .build()
        .unwrap()
}

fn lists(stack: &LocalStackAuth) -> u64 {
    stack.requests(Route::Sessions)
}

fn label(answer: Result<SessionLiveness, VerifyError>) -> &'static str {
    answer.unwrap().as_str()
}

#[tokio::test(start_paused = true)]
async fn alive_not_listed_and_ended_with_exact_request_counts() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let (s1, s2) = (
        stack.create_session(&ada).unwrap(),
        stack.create_session(&ada).unwrap(),
    );
    let impersonation = stack.create_impersonation_session(&ada).unwrap();
    let announced = Arc::new(Announced::default());
    let sessions = Sessions::builder(&api(&stack))
        .announce_to(Arc::clone(&announced))
        .build()
        .unwrap();
    let live = |id: &str| {
        let (sessions, user, id) = (sessions.clone(), ada.id.clone(), id.to_owned());
        async move { sessions.liveness(&user, &id).await }
    };

    assert_eq!(label(live(&s1.id).await), "alive");
    assert_eq!(label(live(&s2.id).await), "alive");
    assert_eq!(
        lists(&stack),
        1,
        "one list answers every session of the user"
    );
    assert_eq!(label(live(&impersonation.id).await), "not_listed");
    assert_eq!(label(live(&impersonation.id).await), "not_listed");
    assert_eq!(
        lists(&stack),
        2,
        "a session not in the answers asks once, then is cached"
    );

    // Signed out: still alive for the TTL, then ended (seen alive before), announced once.
    stack.delete_session(&s1.id).unwrap();
    tokio::time::advance(DEFAULT_SESSION_CACHE_TTL - Duration::from_millis(1)).await;
    assert_eq!(label(live(&s1.id).await), "alive");
    assert_eq!(lists(&stack), 2);
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(label(live(&s1.id).await), "ended");
    assert_eq!(label(live(&s2.id).await), "alive");
    assert_eq!(lists(&stack), 3);
    let ended = Eviction::SessionEnded {
        user_id: ada.id.clone(),
        session_id: s1.id.clone(),
    };
    assert_eq!(announced.seen(), std::slice::from_ref(&ended));
    tokio::time::advance(DEFAULT_SESSION_CACHE_TTL * 4).await;
    assert_eq!(label(live(&s1.id).await), "ended", "remembered, not asked");
    assert_eq!(lists(&stack), 3);

    // Never listed: impersonation stays not listed, never ended; so does a session that ended
    // before anyone asked.
    assert_eq!(label(live(&impersonation.id).await), "not_listed");
    let gone = stack.create_session(&bob).unwrap();
    stack.delete_session(&gone.id).unwrap();
    assert_eq!(
        label(sessions.liveness(&bob.id, &gone.id).await),
        "not_listed"
    );
    assert_eq!(lists(&stack), 5);
    assert_eq!(announced.seen(), [ended], "nothing else announced");

    // Ids no session can have cost nothing.
    assert_eq!(label(sessions.liveness("me", &s2.id).await), "not_listed");
    assert_eq!(
        label(sessions.liveness(&ada.id, "../x").await),
        "not_listed"
    );
    assert_eq!(lists(&stack), 5);
}

#[tokio::test(start_paused = true)]
async fn concurrent_checks_of_one_users_sessions_share_one_request() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let ids: Vec<String> = (0..4)
        .map(|_| stack.create_session(&ada).unwrap().id)
        .collect();
    stack.inject_times(
        Route::Sessions,
        Fault::Latency(Duration::from_millis(50)),
        1,
    );
    let sessions = Sessions::new(&api(&stack));
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (sessions, user, id) = (sessions.clone(), ada.id.clone(), ids[i % 4].clone());
            tokio::spawn(async move { sessions.session_liveness(&user, &id).await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().unwrap().is_alive());
    }
    assert_eq!(lists(&stack), 1);
}

/// A check that joined a list request made for another session keeps no "not listed" from
/// it: that list may have been asked before its session existed (a new sign-in).
#[tokio::test(start_paused = true)]
async fn a_joined_check_keeps_no_not_listed_from_another_sessions_list() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let s1 = stack.create_session(&ada).unwrap();
    let hidden = stack.create_impersonation_session(&ada).unwrap();
    stack.inject_times(
        Route::Sessions,
        Fault::Latency(Duration::from_millis(50)),
        1,
    );
    let sessions = Sessions::new(&api(&stack));
    let check = |id: &str| {
        let (sessions, user, id) = (sessions.clone(), ada.id.clone(), id.to_owned());
        tokio::spawn(async move { sessions.liveness(&user, &id).await })
    };
    let leader = check(&s1.id);
    tokio::task::yield_now().await;
    let joined = check(&hidden.id);
    assert_eq!(label(leader.await.unwrap()), "alive");
    assert_eq!(label(joined.await.unwrap()), "not_listed");
    assert_eq!(lists(&stack), 1, "one request for both");
    assert_eq!(label(sessions.liveness(&ada.id, &s1.id).await), "alive");
    assert_eq!(lists(&stack), 1, "the leader's list answers what it lists");
    assert_eq!(
        label(sessions.liveness(&ada.id, &hidden.id).await),
        "not_listed"
    );
    assert_eq!(
        lists(&stack),
        2,
        "the joined check's session is asked about itself"
    );
}

#[tokio::test(start_paused = true)]
async fn unknown_when_stack_auth_cannot_be_asked_and_never_cached() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let s1 = stack.create_session(&ada).unwrap();
    let api = ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .retry_policy(RetryPolicy::new(1, Duration::from_millis(1)))
        .circuit_breaker(CircuitBreakerPolicy::new(2, Duration::from_secs(5)))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let sessions = Sessions::new(&api);
    let kind = |answer: Result<SessionLiveness, VerifyError>| match answer.unwrap() {
        SessionLiveness::Unknown(why) => why.kind(),
        other => panic!("expected unknown, got {other}"),
    };
    stack.inject_times(Route::Sessions, Fault::Hang, 1);
    let timed_out = kind(sessions.liveness(&ada.id, &s1.id).await);
    assert_eq!(timed_out, UnavailableKind::Timeout);
    stack.inject_times(Route::Sessions, Fault::status(503), 1);
    let server_error = kind(sessions.liveness(&ada.id, &s1.id).await);
    assert_eq!(server_error, UnavailableKind::ServerError);
    assert_eq!(lists(&stack), 2);
    // Two failures opened the circuit: unknown at once, without a request.
    let open = kind(sessions.liveness(&ada.id, &s1.id).await);
    assert_eq!(open, UnavailableKind::CircuitOpen);
    assert_eq!(lists(&stack), 2);
    tokio::time::advance(Duration::from_secs(5)).await;
    assert!(sessions.liveness(&ada.id, &s1.id).await.unwrap().is_alive());
    assert_eq!(lists(&stack), 3);
}

#[tokio::test]
async fn a_wrong_server_key_is_a_misconfiguration_not_an_unknown() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let s1 = stack.create_session(&ada).unwrap();
    let api = ServerApi::builder_with_config(stack.config(), "ssk_wrong")
        .build()
        .unwrap();
    let e = Sessions::new(&api)
        .liveness(&ada.id, &s1.id)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, VerifyError::Misconfigured(m) if m.kind() == MisconfigKind::InvalidSecretServerKey),
        "{e:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn evictions_end_a_session_at_once_and_drop_a_users_answers() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let (s1, s2) = (
        stack.create_session(&ada).unwrap(),
        stack.create_session(&ada).unwrap(),
    );
    let announced = Arc::new(Announced::default());
    let sessions = Sessions::builder(&api(&stack))
        .announce_to(Arc::clone(&announced))
        .build()
        .unwrap();
    assert!(sessions.liveness(&ada.id, &s1.id).await.unwrap().is_alive());
    // Unrelated evictions keep the answers.
    for other in [
        Eviction::UserUpdated {
            user_id: ada.id.clone(),
        },
        Eviction::TeamPermissions {
            team_id: "t".into(),
            user_id: ada.id.clone(),
        },
        Eviction::ApiKey { key_id: "k".into() },
    ] {
        sessions.evict(&other);
    }
    assert!(sessions.liveness(&ada.id, &s2.id).await.unwrap().is_alive());
    assert_eq!(lists(&stack), 1);

    // Told that s1 ended (a sign-out endpoint of yours, another process): ended at once,
    // though Stack Auth still lists it, and not announced back.
    sessions.evict(&Eviction::SessionEnded {
        user_id: ada.id.clone(),
        session_id: s1.id.clone(),
    });
    let answer = sessions.liveness(&ada.id, &s1.id).await.unwrap();
    assert_eq!(answer.as_str(), "ended");
    tokio::time::advance(DEFAULT_SESSION_CACHE_TTL).await;
    assert_eq!(
        sessions.liveness(&ada.id, &s1.id).await.unwrap().as_str(),
        "ended"
    );
    assert_eq!(lists(&stack), 1);
    assert!(announced.seen().is_empty());

    // The user deleted: their answers go; the next check finds every seen session ended.
    let s3 = stack.create_session(&ada).unwrap();
    assert!(sessions.liveness(&ada.id, &s3.id).await.unwrap().is_alive());
    assert_eq!(lists(&stack), 2);
    stack.delete_user(&ada.id).unwrap();
    sessions.evict(&Eviction::UserDeleted {
        user_id: ada.id.clone(),
    });
    assert_eq!(
        sessions.liveness(&ada.id, &s3.id).await.unwrap().as_str(),
        "ended"
    );
    assert_eq!(
        sessions.liveness(&ada.id, &s2.id).await.unwrap().as_str(),
        "ended"
    );
    assert_eq!(lists(&stack), 4, "one list for each session asked");
    assert_eq!(announced.seen().len(), 2, "s2 and s3, once each");

    // `All` drops every answer; what was found ended stays ended.
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let b1 = stack.create_session(&bob).unwrap();
    assert!(sessions.liveness(&bob.id, &b1.id).await.unwrap().is_alive());
    sessions.evict(&Eviction::All);
    assert!(sessions.liveness(&bob.id, &b1.id).await.unwrap().is_alive());
    assert_eq!(
        sessions.liveness(&ada.id, &s3.id).await.unwrap().as_str(),
        "ended"
    );
    assert_eq!(lists(&stack), 6);
}

#[test]
fn the_builder_refuses_settings_it_cannot_honour() {
    let api = ServerApi::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", "ssk_example")
        .build()
        .unwrap();
    let field = |b: stack_auth_rest::SessionsBuilder| match b.build() {
        Err(stack_auth_core::ConfigError::Invalid { field, .. }) => field,
        other => panic!("expected an invalid setting, got {other:?}"),
    };
    assert_eq!(
        field(Sessions::builder(&api).cache_ttl(Duration::ZERO)),
        "cache"
    );
    assert_eq!(field(Sessions::builder(&api).cache_capacity(0)), "cache");
    assert_eq!(
        field(Sessions::builder(&api).memory_capacity(0)),
        "memory_capacity"
    );
    assert_eq!(
        field(Sessions::builder(&api).ended_session_ttl(Duration::ZERO)),
        "ended_session_ttl"
    );
    assert_eq!(
        field(Sessions::builder(&api).seen_session_ttl(Duration::from_secs(31 * 86_400))),
        "seen_session_ttl"
    );
    let off = Sessions::builder(&api).disable_cache().build().unwrap();
    assert_eq!(off.cache_ttl(), Duration::ZERO);
    assert_eq!(
        Sessions::builder(&api).build().unwrap().cache_ttl(),
        Sessions::new(&api).cache_ttl()
    );
}
