//! [`MemorySharedCache`]: a [`SharedCache`] in memory, with the same semantics as the Redis one,
//! for tests of code that takes a shared cache.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
    time::{Duration, SystemTime},
};

use async_trait::async_trait;

use crate::{CacheKey, CacheNamespace, CacheTag, Clock, SharedCache, SharedHit, SystemClock};

/// A [`SharedCache`] in memory: clones share it (several "processes" of a test), TTLs run on
/// a [`Clock`] (a [`ManualClock`](super::ManualClock) makes expiry instant to test), tags void
/// entries stored before their invalidation exactly as the Redis implementation does, and
/// [`set_available(false)`](MemorySharedCache::set_available) makes it behave as an unreachable
/// shared cache (every `get` misses, writes are dropped).
///
/// ```
/// use std::time::Duration;
/// use stack_auth_core::{test_util::{ManualClock, MemorySharedCache}, CacheKey, CacheNamespace, SharedCache};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let clock = ManualClock::starting_now();
/// let a = MemorySharedCache::with_clock(clock.clone());
/// let b = a.clone(); // another process of the same deployment
/// let key = CacheKey::from_digest([1; 32]);
/// a.put(CacheNamespace::PROFILES, &key, b"profile", Duration::from_secs(30), &[]).await;
/// assert_eq!(b.get(CacheNamespace::PROFILES, &key).await.unwrap().value(), b"profile");
/// clock.advance(Duration::from_secs(30));
/// assert!(b.get(CacheNamespace::PROFILES, &key).await.is_none());
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct MemorySharedCache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    clock: Arc<dyn Clock>,
    available: AtomicBool,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<(CacheNamespace, CacheKey), Entry>,
    epochs: HashMap<CacheTag, u64>,
    next_epoch: u64,
}

#[derive(Debug)]
struct Entry {
    value: Vec<u8>,
    expires: SystemTime,
    epochs: Vec<(CacheTag, u64)>,
}

impl Default for MemorySharedCache {
    fn default() -> Self {
        MemorySharedCache::new()
    }
}

impl MemorySharedCache {
    /// An empty cache on the system clock.
    pub fn new() -> Self {
        MemorySharedCache::with_clock(SystemClock)
    }

    /// An empty cache whose TTLs run on `clock`.
    pub fn with_clock(clock: impl Clock + 'static) -> Self {
        MemorySharedCache {
            inner: Arc::new(Inner {
                clock: Arc::new(clock),
                available: AtomicBool::new(true),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// Makes the cache reachable or not: while unavailable it answers every `get` with `None`
    /// and drops every `put` and `invalidate`, as a shared cache that is down does.
    pub fn set_available(&self, available: bool) {
        self.inner.available.store(available, Ordering::SeqCst);
    }

    /// How many entries are stored and still valid.
    pub fn len(&self) -> usize {
        let now = self.inner.clock.now();
        let state = self.lock();
        state
            .entries
            .values()
            .filter(|e| e.expires > now && state.valid(e))
            .count()
    }

    /// Whether no valid entry is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn available(&self) -> bool {
        self.inner.available.load(Ordering::SeqCst)
    }
}

impl State {
    fn valid(&self, entry: &Entry) -> bool {
        entry
            .epochs
            .iter()
            .all(|(tag, epoch)| self.epochs.get(tag) == Some(epoch))
    }
}

#[async_trait]
impl SharedCache for MemorySharedCache {
    async fn get(&self, namespace: CacheNamespace, key: &CacheKey) -> Option<SharedHit> {
        if !self.available() {
            return None;
        }
        let now = self.inner.clock.now();
        let state = self.lock();
        let entry = state.entries.get(&(namespace, *key))?;
        let remaining = entry.expires.duration_since(now).ok()?;
        if remaining.is_zero() || !state.valid(entry) {
            return None;
        }
        Some(SharedHit::new(entry.value.clone(), remaining))
    }

    async fn put(
        &self,
        namespace: CacheNamespace,
        key: &CacheKey,
        value: &[u8],
        ttl: Duration,
        tags: &[CacheTag],
    ) {
        if !self.available() || ttl.is_zero() {
            return;
        }
        let expires = self.inner.clock.now() + ttl;
        let mut state = self.lock();
        let mut epochs = Vec::with_capacity(tags.len() + 1);
        for tag in tags.iter().chain([&CacheTag::Everything]) {
            let fresh = state.next_epoch;
            let epoch = *state.epochs.entry(tag.clone()).or_insert(fresh);
            if epoch == fresh {
                state.next_epoch += 1;
            }
            epochs.push((tag.clone(), epoch));
        }
        let entry = Entry {
            value: value.to_vec(),
            expires,
            epochs,
        };
        state.entries.insert((namespace, *key), entry);
    }

    async fn invalidate(&self, tags: &[CacheTag]) {
        if !self.available() {
            return;
        }
        let mut state = self.lock();
        for tag in tags {
            state.epochs.remove(tag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{test_util::ManualClock, Eviction};

    const NS: CacheNamespace = CacheNamespace::PERMISSIONS;

    #[tokio::test]
    async fn tags_void_entries_stored_before_and_unavailability_misses() {
        let clock = ManualClock::starting_now();
        let cache = MemorySharedCache::with_clock(clock.clone());
        let (k1, k2) = (
            CacheKey::from_digest([1; 32]),
            CacheKey::from_digest([2; 32]),
        );
        let ttl = Duration::from_secs(10);
        cache
            .put(NS, &k1, b"u1", ttl, &[CacheTag::User("u1".into())])
            .await;
        cache
            .put(NS, &k2, b"u2", ttl, &[CacheTag::User("u2".into())])
            .await;
        assert_eq!(cache.len(), 2);
        cache
            .invalidate(
                &Eviction::UserDeleted {
                    user_id: "u1".into(),
                }
                .cache_tags(),
            )
            .await;
        assert!(cache.get(NS, &k1).await.is_none());
        assert!(cache.get(NS, &k2).await.is_some());
        cache
            .put(NS, &k1, b"u1", ttl, &[CacheTag::User("u1".into())])
            .await;
        assert!(cache.get(NS, &k1).await.is_some(), "stored after: valid");

        clock.advance(Duration::from_secs(4));
        let left = cache.get(NS, &k1).await.map(|h| h.remaining());
        assert_eq!(left, Some(Duration::from_secs(6)));

        cache.set_available(false);
        assert!(cache.get(NS, &k1).await.is_none());
        cache.invalidate(&[CacheTag::Everything]).await; // dropped: unavailable
        cache.set_available(true);
        assert_eq!(cache.len(), 2);
        cache.invalidate(&[CacheTag::Everything]).await;
        assert!(cache.is_empty());
    }
}
