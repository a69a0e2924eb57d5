//! [`Memo`]: how every capability of this crate answers a question once: from its
//! [`TaggedCache`] when fresh, else through one flight per key (core's single flight) that looks
//! in the fleet's shared cache (its [`SharedTier`], when the server API has one), then asks
//! Stack Auth and stores the answer in both before it lands; and [`CacheSettings`], the
//! settings every capability's cache takes (the builders' `cache_*` setters).

use std::{
    future::Future,
    hash::Hash,
    sync::{Arc, Weak},
    time::Duration,
};

use stack_auth_core::{
    single_flight::{Joined, SingleFlight},
    ConfigError, Evict, Eviction, VerifyError,
};

use crate::{
    api_builder::check_durations,
    flight,
    observe::CacheUse,
    shared_tier::{Share, SharedTier},
    tagged_cache::{Tag, TaggedCache},
    ServerApi,
};

/// How long a server-API answer (a user, an API key verdict, a permission list, a user's
/// teams) is reused by default: the longest delay before a change made in Stack Auth (a
/// revoked key, a revoked permission) is seen, unless an eviction comes first.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(30);

/// How long a refusal (an unknown, revoked or expired API key, no such user) is reused by
/// default.
pub const DEFAULT_CACHE_REFUSAL_TTL: Duration = Duration::from_secs(5);

/// How many answers each capability keeps by default.
pub const DEFAULT_CACHE_CAPACITY: u64 = 10_000;

/// A capability's cache settings (the builders' `cache_*` setters).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CacheSettings {
    pub(crate) capacity: u64,
    pub(crate) ttl: Duration,
    pub(crate) refusal_ttl: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            capacity: DEFAULT_CACHE_CAPACITY,
            ttl: DEFAULT_CACHE_TTL,
            refusal_ttl: DEFAULT_CACHE_REFUSAL_TTL,
        }
    }
}

/// Checks `settings` (`None`: the cache is off) of the setting `field`, whose builder turns it
/// off with `disable`.
///
/// # Errors
///
/// [`ConfigError::Invalid`] naming `field` for a duration over the longest setting, or a zero
/// capacity or TTL.
pub(crate) fn validate(
    settings: Option<CacheSettings>,
    field: &'static str,
    disable: &'static str,
) -> Result<(), ConfigError> {
    let Some(s) = settings else { return Ok(()) };
    check_durations(&[(field, s.ttl), (field, s.refusal_ttl)])?;
    if s.capacity == 0 || s.ttl.is_zero() {
        let reason = format!("capacity and ttl must be positive (use {disable} to turn it off)");
        return Err(ConfigError::Invalid {
            field,
            reason: reason.into(),
        });
    }
    Ok(())
}

/// The `cache_*` setters of a capability builder whose `cache` field is an
/// `Option<CacheSettings>`.
macro_rules! cache_setters {
    () => {
        /// How many answers are kept (default
        /// [`DEFAULT_CACHE_CAPACITY`](crate::DEFAULT_CACHE_CAPACITY)); re-enables the cache if
        /// it was disabled.
        pub fn cache_capacity(mut self, capacity: u64) -> Self {
            self.cache.get_or_insert_with(Default::default).capacity = capacity;
            self
        }

        /// How long an answer is reused (default
        /// [`DEFAULT_CACHE_TTL`](crate::DEFAULT_CACHE_TTL)): the longest a change made in Stack
        /// Auth goes unseen, unless an eviction comes first; re-enables the cache if it was
        /// disabled.
        pub fn cache_ttl(mut self, ttl: std::time::Duration) -> Self {
            self.cache.get_or_insert_with(Default::default).ttl = ttl;
            self
        }

        /// How long a refusal is reused (default
        /// [`DEFAULT_CACHE_REFUSAL_TTL`](crate::DEFAULT_CACHE_REFUSAL_TTL); zero: refusals are
        /// not cached); re-enables the cache if it was disabled.
        pub fn cache_refusal_ttl(mut self, ttl: std::time::Duration) -> Self {
            self.cache.get_or_insert_with(Default::default).refusal_ttl = ttl;
            self
        }

        /// Asks Stack Auth every time (concurrent callers with the same question still share
        /// one request).
        pub fn disable_cache(mut self) -> Self {
            self.cache = None;
            self
        }
    };
}

pub(crate) use cache_setters;

/// Declares the builder of a capability whose only settings are its cache's, and the
/// capability's `new` and `builder`: `$builder` builds `$capability` through its
/// `from_parts(api, cache)`.
macro_rules! capability_builder {
    ($(#[$meta:meta])* $builder:ident => $capability:ident) => {
        impl $capability {
            #[doc = concat!("[`", stringify!($capability), "`] on `api`, with the default cache.")]
            pub fn new(api: &$crate::ServerApi) -> Self {
                Self::from_parts(api.clone(), Some(Default::default()))
            }

            #[doc = concat!("Starts building [`", stringify!($capability), "`] on `api` with other cache settings.")]
            pub fn builder(api: &$crate::ServerApi) -> $builder {
                $builder::new(api)
            }
        }

        $(#[$meta])*
        #[derive(Debug)]
        #[must_use]
        pub struct $builder {
            api: $crate::ServerApi,
            cache: Option<$crate::memo::CacheSettings>,
        }

        impl $builder {
            fn new(api: &$crate::ServerApi) -> Self {
                $builder {
                    api: api.clone(),
                    cache: Some(Default::default()),
                }
            }

            $crate::memo::cache_setters!();

            /// Builds the capability.
            ///
            /// # Errors
            ///
            /// [`ConfigError::Invalid`](stack_auth_core::ConfigError::Invalid) (`cache`) for a
            /// zero capacity or TTL, or a duration over
            /// [`MAX_DURATION_SETTING`](crate::MAX_DURATION_SETTING).
            pub fn build(self) -> Result<$capability, stack_auth_core::ConfigError> {
                $crate::memo::validate(self.cache, "cache", "disable_cache")?;
                Ok($capability::from_parts(self.api, self.cache))
            }
        }
    };
}

pub(crate) use capability_builder;

/// An answer: the value, or why not.
pub(crate) type Answer<V> = Result<V, VerifyError>;

/// What a flight found, how long it may be kept at most beyond the settings (an API key's
/// expiry, a token's `exp`), and what it mentions.
pub(crate) struct Fetched<V> {
    pub(crate) answer: Answer<V>,
    /// An upper bound on the lifetime (`Some(ZERO)`: do not keep).
    pub(crate) bound: Option<Duration>,
    pub(crate) tags: Vec<Tag>,
    /// A success that says "no" (no such user): kept for the refusal TTL.
    negative: bool,
}

impl<V> Fetched<V> {
    /// `answer`, kept as the settings say, findable by `tags`.
    pub(crate) fn new(answer: Answer<V>, tags: Vec<Tag>) -> Self {
        Fetched {
            answer,
            bound: None,
            tags,
            negative: false,
        }
    }

    /// Keeps a successful answer only as long as a refusal (it says "there is none").
    pub(crate) fn kept_like_a_refusal(mut self) -> Self {
        self.negative = true;
        self
    }

    /// Keeps the answer at most `bound`.
    pub(crate) fn at_most(mut self, bound: Duration) -> Self {
        self.bound = Some(self.bound.map_or(bound, |b| b.min(bound)));
        self
    }
}

/// Answers by key, once: the cache, and the flights in progress. Cloning shares both.
pub(crate) struct Memo<K, V: Clone> {
    inner: Arc<MemoInner<K, V>>,
}

struct MemoInner<K, V: Clone> {
    cache: Option<TaggedCache<K, Answer<V>>>,
    flights: SingleFlight<K, V>,
    settings: CacheSettings,
    /// The fleet's tier, behind `cache` (only when `cache` is on).
    shared: Option<SharedTier<K, V>>,
}

impl<K, V: Clone> Clone for Memo<K, V> {
    fn clone(&self) -> Self {
        Memo {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<K, V> Memo<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// A memo keeping answers as `settings` say (`None`: single flight only), in this process
    /// only.
    pub(crate) fn new(settings: Option<CacheSettings>) -> Self {
        Memo::with_tier(settings, None)
    }

    /// A memo keeping answers as `settings` say, and sharing them as `share` says through
    /// `api`'s shared cache when it has one (and the cache is on).
    pub(crate) fn shared(
        settings: Option<CacheSettings>,
        api: &ServerApi,
        share: &Share<K, V>,
    ) -> Self {
        let tier = settings.and_then(|_| SharedTier::of(api, share));
        Memo::with_tier(settings, tier)
    }

    fn with_tier(settings: Option<CacheSettings>, shared: Option<SharedTier<K, V>>) -> Self {
        Memo {
            inner: Arc::new(MemoInner {
                cache: settings.map(|s| TaggedCache::new(s.capacity)),
                flights: SingleFlight::new(),
                settings: settings.unwrap_or_default(),
                shared,
            }),
        }
    }

    /// The answer for `key`: cached, or joined to the flight in progress, or found in the
    /// shared cache or fetched now by `fetch` on its own task (a caller that gives up cancels
    /// nothing), and how the in-process cache served it.
    pub(crate) async fn get<F, Fut>(&self, key: K, fetch: F) -> (Answer<V>, CacheUse)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Fetched<V>> + Send + 'static,
    {
        let inner = &self.inner;
        let stored_under = key.clone();
        let joined = inner.flights.join_or_start(
            key.clone(),
            || inner.cache.as_ref()?.get(&key),
            || {
                let work = fetch();
                let inner = Arc::clone(inner);
                async move {
                    if let Some(answer) = inner.read_shared(&stored_under).await {
                        return answer;
                    }
                    let fetched = work.await;
                    inner.store(stored_under, &fetched).await;
                    fetched.answer
                }
            },
            flight::spawn,
        );
        match joined {
            Err(e) => (Err(e), CacheUse::Off),
            Ok(Joined::Cached(answer)) => (answer, CacheUse::Hit),
            Ok(Joined::Flight { flight, leader }) => {
                let used = match (leader, inner.cache.is_some()) {
                    (false, _) => CacheUse::Joined,
                    (true, true) => CacheUse::Miss,
                    (true, false) => CacheUse::Off,
                };
                (flight.await, used)
            }
        }
    }

    /// Drops the answers `eviction` makes stale.
    pub(crate) fn evict(&self, eviction: &Eviction) {
        self.inner.evict(eviction);
    }

    /// A handle that evicts from this memo without keeping it alive, for the server API's
    /// registry of caches.
    pub(crate) fn evictor(&self) -> Weak<dyn Evict> {
        let inner: Arc<dyn Evict> = self.inner.clone();
        Arc::downgrade(&inner)
    }
}

impl<K, V> Evict for MemoInner<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn evict(&self, eviction: &Eviction) {
        if let Some(cache) = &self.cache {
            cache.evict(eviction);
        }
    }
}

impl<K, V: Clone> std::fmt::Debug for MemoInner<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoInner")
            .field("caching", &self.cache.is_some())
            .finish_non_exhaustive()
    }
}

impl<K, V> MemoInner<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// Keeps a success for the TTL, a refusal for the refusal TTL (both within the fetch's
    /// bound), and nothing else: unavailability and misconfiguration are asked again. The
    /// fleet's tier gets the same answer for the same time.
    async fn store(&self, key: K, fetched: &Fetched<V>) {
        let Some(cache) = &self.cache else { return };
        let ttl = match &fetched.answer {
            Ok(_) if fetched.negative => self.settings.refusal_ttl,
            Ok(_) => self.settings.ttl,
            Err(VerifyError::Refused(_)) => self.settings.refusal_ttl,
            Err(_) => Duration::ZERO,
        };
        let ttl = fetched.bound.map_or(ttl, |b| b.min(ttl));
        if let Some(shared) = &self.shared {
            shared
                .write(&key, &fetched.answer, ttl, &fetched.tags)
                .await;
        }
        cache.insert(key, fetched.answer.clone(), ttl, fetched.tags.clone());
    }

    /// Another process's answer for `key`, copied into this process's cache for no longer
    /// than its shared entry has left (nor this cache's own TTL for such an answer).
    async fn read_shared(&self, key: &K) -> Option<Answer<V>> {
        let (cache, shared) = (self.cache.as_ref()?, self.shared.as_ref()?);
        let found = shared.read(key).await?;
        let own = match &found.answer {
            Ok(_) => self.settings.ttl,
            Err(_) => self.settings.refusal_ttl,
        };
        let ttl = found.remaining.min(own);
        cache.insert(key.clone(), found.answer.clone(), ttl, found.tags);
        Some(found.answer)
    }
}

impl<K, V: Clone> std::fmt::Debug for Memo<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("caching", &self.inner.cache.is_some())
            .field("settings", &self.inner.settings)
            .field("shared", &self.inner.shared.is_some())
            .finish_non_exhaustive()
    }
}
