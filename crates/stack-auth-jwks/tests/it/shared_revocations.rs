//! The fleet's deny set (`JwksVerifierBuilder::shared_cache`): a deleted user or an ended
//! session one process heard of is refused by another that did not, for what is left of the
//! window; a token answered from the token cache never costs a shared-cache call.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use stack_auth_core::{
    async_trait, test_util::MemorySharedCache, CacheKey, CacheNamespace, CacheTag, Evict, Eviction,
    RefusalReason, SharedCache, SharedHit, TokenVerifier,
};
use stack_auth_jwks::JwksVerifier;
use stack_auth_testkit::UserSpec;

use crate::common::*;

/// A shared cache in memory that counts its lookups.
#[derive(Debug, Clone)]
struct Counting {
    memory: MemorySharedCache,
    gets: Arc<AtomicU64>,
}

#[async_trait]
impl SharedCache for Counting {
    async fn get(&self, namespace: CacheNamespace, key: &CacheKey) -> Option<SharedHit> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.memory.get(namespace, key).await
    }

    async fn put(
        &self,
        ns: CacheNamespace,
        key: &CacheKey,
        v: &[u8],
        ttl: Duration,
        tags: &[CacheTag],
    ) {
        self.memory.put(ns, key, v, ttl, tags).await;
    }

    async fn invalidate(&self, tags: &[CacheTag]) {
        self.memory.invalidate(tags).await;
    }
}

impl Counting {
    fn gets(&self) -> u64 {
        self.gets.load(Ordering::SeqCst)
    }
}

struct Fleet {
    kit: Kit,
    shared: Counting,
}

impl Fleet {
    async fn start() -> Fleet {
        let kit = Kit::start().await;
        let shared = Counting {
            memory: MemorySharedCache::with_clock(kit.clock.clone()),
            gets: Arc::default(),
        };
        Fleet { kit, shared }
    }

    /// One process's verifier: a window of 60 s + 5 s leeway.
    fn process(&self) -> JwksVerifier {
        self.kit
            .verifier()
            .max_token_lifetime(Duration::from_secs(60))
            .leeway(Duration::from_secs(5))
            .shared_cache(self.shared.clone())
            .build()
            .unwrap()
    }

    /// Lets the background store of an eviction run.
    async fn stored(&self, entries: usize) {
        for _ in 0..1_000 {
            if self.shared.memory.len() >= entries {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the revocation was not stored");
    }
}

#[tokio::test(start_paused = true)]
async fn a_user_deleted_in_one_process_is_refused_by_another_that_never_heard_of_it() {
    let fleet = Fleet::start().await;
    let (a, b) = (fleet.process(), fleet.process());
    let ada = fleet.kit.stack.create_user(UserSpec::normal()).unwrap();
    let bob = fleet.kit.stack.create_user(UserSpec::normal()).unwrap();
    let (token, bobs) = (fleet.kit.stack.mint(&ada), fleet.kit.stack.mint(&bob));

    a.evict(&Eviction::UserDeleted {
        user_id: ada.id.clone(),
    });
    fleet.stored(1).await;
    assert_eq!(
        refusal_of(&b, &token).await,
        Some(RefusalReason::UserNotFound)
    );
    let asked = fleet.shared.gets();
    assert_eq!(asked, 2, "the user and the session, looked up once");
    // B now knows locally: a token of Ada it never saw is refused without asking.
    let another = fleet.kit.stack.mint(&ada);
    assert_eq!(
        refusal_of(&b, &another).await,
        Some(RefusalReason::UserNotFound)
    );
    assert_eq!(
        refusal_of(&b, &token).await,
        Some(RefusalReason::UserNotFound)
    );
    assert_eq!(fleet.shared.gets(), asked, "no lookup after B learnt it");
    assert_eq!(b.verify(&bobs).await.unwrap().user_id(), bob.id);
}

#[tokio::test(start_paused = true)]
async fn an_ended_session_travels_too_and_the_users_other_sessions_stay() {
    let fleet = Fleet::start().await;
    let (a, b) = (fleet.process(), fleet.process());
    let ada = fleet.kit.stack.create_user(UserSpec::normal()).unwrap();
    let (ended, other) = (fleet.kit.stack.mint(&ada), fleet.kit.stack.mint(&ada));
    let session = a
        .verify(&ended)
        .await
        .unwrap()
        .session_id()
        .unwrap()
        .to_owned();
    a.evict(&Eviction::SessionEnded {
        user_id: ada.id.clone(),
        session_id: session,
    });
    fleet.stored(1).await;
    assert_eq!(
        refusal_of(&b, &ended).await,
        Some(RefusalReason::SessionEnded)
    );
    assert_eq!(b.verify(&other).await.unwrap().user_id(), ada.id);
}

#[tokio::test(start_paused = true)]
async fn a_cached_token_costs_no_lookup_and_a_cleared_cache_finds_what_was_missed() {
    let fleet = Fleet::start().await;
    let b = fleet.process();
    let ada = fleet.kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = fleet.kit.stack.mint(&ada);
    b.verify(&token).await.unwrap();
    let asked = fleet.shared.gets();
    for _ in 0..100 {
        b.verify(&token).await.unwrap();
    }
    assert_eq!(fleet.shared.gets(), asked, "the warm path never asks");

    // Another process stored Ada's deletion while B's bus was down: B's cached verdict holds
    // until the bus, resubscribing, clears everything; then the full check finds it.
    let other = fleet.process();
    other.evict(&Eviction::UserDeleted {
        user_id: ada.id.clone(),
    });
    fleet.stored(1).await;
    assert!(b.verify(&token).await.is_ok(), "cached, not asked");
    b.evict(&Eviction::All);
    assert_eq!(
        refusal_of(&b, &token).await,
        Some(RefusalReason::UserNotFound)
    );
}

#[tokio::test(start_paused = true)]
async fn a_revocation_learnt_from_the_fleet_ends_when_the_original_does() {
    let fleet = Fleet::start().await;
    let (a, b) = (fleet.process(), fleet.process());
    let ada = fleet.kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = fleet.kit.stack.mint(&ada);
    a.evict(&Eviction::UserDeleted {
        user_id: ada.id.clone(),
    });
    fleet.stored(1).await;
    fleet.kit.advance(30).await;
    assert_eq!(
        refusal_of(&b, &token).await,
        Some(RefusalReason::UserNotFound)
    );
    fleet.kit.advance(34).await;
    assert_eq!(
        refusal_of(&b, &token).await,
        Some(RefusalReason::UserNotFound)
    );
    fleet.kit.advance(1).await; // 65 s after A heard of it: the window (60 s + 5 s) is over
    assert!(b.verify(&token).await.is_ok());
    assert!(a.verify(&token).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_shared_cache_that_is_down_leaves_each_process_its_own_set() {
    let fleet = Fleet::start().await;
    fleet.shared.memory.set_available(false);
    let (a, b) = (fleet.process(), fleet.process());
    let ada = fleet.kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = fleet.kit.stack.mint(&ada);
    a.evict(&Eviction::UserDeleted {
        user_id: ada.id.clone(),
    });
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        refusal_of(&a, &token).await,
        Some(RefusalReason::UserNotFound)
    );
    assert!(
        b.verify(&token).await.is_ok(),
        "B never heard, and cannot ask"
    );
}
