//! `impl Evict for CompositeVerifier`: every eviction reaches the JWT check, then the profile
//! verifier; with a real `JwksVerifier`, a deleted user is refused at once, without a REST call.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
use stack_auth_core::{
    async_trait, test_util::StaticVerifier, Evict, Eviction, EvictionHub, RefusalReason,
    TokenVerifier, VerifiedUser, VerifyError,
};

use crate::common::*;

type Log = Arc<Mutex<Vec<(&'static str, Eviction)>>>;

/// A verifier with a cache (a stand-in for `JwksVerifier` or `RestVerifier`): answers as its
/// inner double, counts its calls, and logs the evictions it hears under its name.
#[derive(Debug)]
struct Listening {
    name: &'static str,
    inner: StaticVerifier,
    calls: AtomicUsize,
    log: Log,
}

impl Listening {
    fn new(name: &'static str, inner: StaticVerifier, log: &Log) -> Arc<Self> {
        Arc::new(Listening {
            name,
            inner,
            calls: AtomicUsize::new(0),
            log: Arc::clone(log),
        })
    }
}

#[async_trait]
impl TokenVerifier for Listening {
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.verify(token).await
    }
}

impl Evict for Listening {
    fn evict(&self, eviction: &Eviction) {
        self.log.lock().unwrap().push((self.name, eviction.clone()));
    }
}

#[tokio::test]
async fn every_eviction_reaches_the_jwt_check_then_the_profile_verifier() {
    let token = token("normal-user");
    let log = Log::default();
    let jwt = Listening::new("jwt", StaticVerifier::accept(claims_user(&token)), &log);
    let rest = Listening::new("rest", StaticVerifier::accept(profile_for(&token)), &log);
    let composite = CompositeVerifier::builder(Arc::clone(&jwt), Arc::clone(&rest))
        .config(config())
        .build()
        .unwrap();
    let hub = EvictionHub::new();
    hub.register(Arc::new(composite.clone()));
    let evictions = [
        Eviction::UserDeleted {
            user_id: "u".into(),
        },
        Eviction::SessionEnded {
            user_id: "u".into(),
            session_id: "s".into(),
        },
        Eviction::TeamPermissions {
            team_id: "t".into(),
            user_id: "u".into(),
        },
        Eviction::All,
    ];
    for eviction in &evictions {
        hub.evict(eviction);
    }
    let expected: Vec<_> = evictions
        .iter()
        .flat_map(|e| [("jwt", e.clone()), ("rest", e.clone())])
        .collect();
    assert_eq!(*log.lock().unwrap(), expected);
    // Evicting makes no request.
    assert_eq!(
        (
            jwt.calls.load(Ordering::SeqCst),
            rest.calls.load(Ordering::SeqCst)
        ),
        (0, 0)
    );
    composite.verify(&token).await.unwrap();
}

#[cfg(feature = "default-wiring")]
#[tokio::test]
async fn a_deleted_user_is_refused_by_the_jwt_check_without_a_rest_call() {
    use stack_auth_jwks::JwksVerifier;
    use stack_auth_testkit::{LocalStackAuth, Route, UserSpec};

    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&ada);
    let log = Log::default();
    let profile = VerifiedUser::from_profile(stack.project_id(), ada.clone());
    let rest = Listening::new("rest", StaticVerifier::accept(profile), &log);
    let jwks = JwksVerifier::builder_with_config(stack.config())
        .build()
        .unwrap();
    let composite = CompositeVerifier::builder(jwks, Arc::clone(&rest))
        .config(stack.config())
        .profile_policy(ProfilePolicy::Required)
        .build()
        .unwrap();
    composite.verify(&token).await.unwrap();
    assert_eq!(rest.calls.load(Ordering::SeqCst), 1);

    composite.evict(&Eviction::UserDeleted {
        user_id: ada.id.clone(),
    });
    let err = composite.verify(&token).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::UserNotFound));
    assert_eq!(rest.calls.load(Ordering::SeqCst), 1, "REST was not asked");
    assert_eq!(log.lock().unwrap().len(), 1, "REST heard it too");
    assert_eq!(
        (stack.requests(Route::Jwks), stack.requests(Route::UsersMe)),
        (1, 0)
    );
}
