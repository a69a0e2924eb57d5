//! [`SharedCache`]: a second-level cache that several processes of one deployment share (a
//! fleet behind a load balancer), consulted by a caching verifier after its own in-process cache
//! misses and before it asks Stack Auth.
//!
//! The contract and an example are on the trait.

mod key;
mod scope;
mod tag;

use std::{fmt, sync::Arc, time::Duration};

use async_trait::async_trait;

pub use key::{CacheKey, CacheNamespace, CACHE_KEY_LEN, MAX_NAMESPACE_LEN};
pub use scope::CacheScope;
pub use tag::CacheTag;

/// A value found in a [`SharedCache`], with the time its entry has left.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedHit {
    value: Vec<u8>,
    remaining: Duration,
}

impl SharedHit {
    /// A hit with `value`, whose entry expires in `remaining`.
    pub fn new(value: Vec<u8>, remaining: Duration) -> Self {
        SharedHit { value, remaining }
    }

    /// The value, as the caller stored it.
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// The value, taken.
    pub fn into_value(self) -> Vec<u8> {
        self.value
    }

    /// How long the entry has left: an in-process copy must not be kept longer.
    pub fn remaining(&self) -> Duration {
        self.remaining
    }
}

impl fmt::Debug for SharedHit {
    // The value may be personal data (a profile): its size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedHit")
            .field("bytes", &self.value.len())
            .field("remaining", &self.remaining)
            .finish()
    }
}

/// A cache shared by the processes of one deployment, behind each verifier's in-process cache
/// (`stack-auth-redis` implements it on Redis).
///
/// The contract, which every implementation keeps and every caller may rely on:
///
/// - **Keys are digests.** An entry is named by a [`CacheNamespace`] and a [`CacheKey`], a
///   32-byte digest (SHA-256) of what identifies the answer: the token, the API key, the
///   `(user, team, permission)` triple. A credential never reaches the shared cache, neither as
///   a key nor inside a value.
/// - **Values are bytes** the caller encodes; the namespace's name carries the encoding's
///   version (`profiles.v1`), so a fleet running two versions of the SDK during a rolling
///   deploy never reads the other's format.
/// - **Every entry has a TTL**, which the caller keeps no longer than its in-process TTL for the
///   same answer (and no later than the credential's expiry). [`SharedHit::remaining`] tells how
///   long the entry has left, so an entry copied into an in-process cache does not outlive it.
/// - **Best effort.** [`get`](SharedCache::get) answers `None` for a miss and for a cache that
///   is slow, down or broken alike; [`put`](SharedCache::put) and
///   [`invalidate`](SharedCache::invalidate) never fail the caller. An implementation bounds
///   each call's time (milliseconds), so the shared cache only ever saves work: the caller's
///   behaviour without it is the behaviour with it down.
/// - **Invalidation by tag.** Each entry carries the [`CacheTag`]s it depends on (its user, team,
///   session, API key); invalidating a tag voids every entry that carries it, in every
///   namespace, without a scan. [`Eviction::cache_tags`](crate::Eviction::cache_tags) says which tags an eviction voids, so a
///   webhook, an explicit call or an eviction bus voids the fleet's shared entries with one call.
///
/// ```
/// use std::time::Duration;
/// use stack_auth_core::{CacheKey, CacheNamespace, CacheTag, Eviction, SharedCache};
///
/// async fn remember_profile(cache: &dyn SharedCache, token_digest: [u8; 32], user_id: &str, json: &[u8]) {
///     let tags = [CacheTag::User(user_id.into()), CacheTag::UserProfile(user_id.into())];
///     let key = CacheKey::from_digest(token_digest);
///     cache.put(CacheNamespace::PROFILES, &key, json, Duration::from_secs(30), &tags).await;
/// }
///
/// async fn user_deleted(cache: &dyn SharedCache, user_id: &str) {
///     let eviction = Eviction::UserDeleted { user_id: user_id.into() };
///     cache.invalidate(&eviction.cache_tags()).await;
/// }
/// ```
///
/// Every method is infallible by design: a shared cache that cannot answer behaves as an empty
/// one, and one that cannot store or invalidate drops the request (an implementation logs and
/// counts it). Callers therefore never branch on the shared cache's health.
///
/// `&T`, `Box<T>` and `Arc<T>` forward every method to `T`.
#[async_trait]
pub trait SharedCache: Send + Sync + fmt::Debug {
    /// The value stored under `namespace` and `key`, unless it is absent, expired, voided by
    /// [`invalidate`](SharedCache::invalidate), or the cache could not answer in time.
    async fn get(&self, namespace: CacheNamespace, key: &CacheKey) -> Option<SharedHit>;

    /// Stores `value` under `namespace` and `key` for `ttl`, voided early when any of `tags` is
    /// invalidated. `ttl` must not exceed the caller's in-process TTL for the same answer; an
    /// implementation may shorten it (never lengthen it), and a zero `ttl` stores nothing.
    async fn put(
        &self,
        namespace: CacheNamespace,
        key: &CacheKey,
        value: &[u8],
        ttl: Duration,
        tags: &[CacheTag],
    );

    /// Voids every entry that carries any of `tags`, in every namespace
    /// ([`CacheTag::Everything`] voids them all). Entries stored after this call are not
    /// affected.
    async fn invalidate(&self, tags: &[CacheTag]);
}

/// Forwards every method of [`SharedCache`] through a pointer type, from one list, so no
/// forwarding impl can fall back to a default and skip the wrapped cache's own method.
macro_rules! forward_shared_cache {
    ($($wrapper:ty),+) => {$(
        #[async_trait]
        impl<T: SharedCache + ?Sized> SharedCache for $wrapper {
            async fn get(&self, namespace: CacheNamespace, key: &CacheKey) -> Option<SharedHit> {
                (**self).get(namespace, key).await
            }

            async fn put(
                &self,
                namespace: CacheNamespace,
                key: &CacheKey,
                value: &[u8],
                ttl: Duration,
                tags: &[CacheTag],
            ) {
                (**self).put(namespace, key, value, ttl, tags).await;
            }

            async fn invalidate(&self, tags: &[CacheTag]) {
                (**self).invalidate(tags).await;
            }
        }
    )+};
}

forward_shared_cache!(&T, Box<T>, Arc<T>);

/// The type-erased shared cache: verifiers keep an `Arc<DynSharedCache>`.
pub type DynSharedCache = dyn SharedCache;
