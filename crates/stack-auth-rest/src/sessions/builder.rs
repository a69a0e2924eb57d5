//! [`SessionsBuilder`]: the settings of a [`Sessions`] checker, with documented defaults.

use std::{sync::Arc, time::Duration};

use stack_auth_core::{single_flight::SingleFlight, ConfigError, Evict};

use super::{memory::Memory, shared::SharedLists, Inner, Sessions};
use crate::{
    api_builder::{check_durations, invalid},
    tagged_cache::TaggedCache,
    ServerApi, DEFAULT_CACHE_CAPACITY,
};

/// How long a session list's answer is reused by default (15 s): the longest a session that
/// ended goes unseen by [`Sessions`] (unless an eviction comes first), and so the revocation
/// bound of a session policy.
pub const DEFAULT_SESSION_CACHE_TTL: Duration = Duration::from_secs(15);

/// How long a session found ended (or said to have ended by an eviction) is remembered and
/// refused without asking, by default: Stack Auth's 10-minute access-token lifetime plus the
/// JWKS verifier's 5 s leeway, by when every token minted before the end has expired.
pub const DEFAULT_ENDED_SESSION_TTL: Duration = Duration::from_secs(605);

/// How long a session seen listed is remembered by default, after it was last seen (24 h):
/// a session seen alive within it and then missing from the list is known to have ended.
pub const DEFAULT_SEEN_SESSION_TTL: Duration = Duration::from_secs(24 * 3600);

/// How many sessions seen listed (and, separately, sessions ended) are remembered at most by
/// default.
pub const DEFAULT_SESSION_MEMORY_CAPACITY: u64 = 100_000;

/// Builder for [`Sessions`]; see [`Sessions::builder`].
///
/// ```
/// use std::time::Duration;
/// use stack_auth_core::EvictionHub;
/// use stack_auth_rest::{ServerApi, Sessions};
///
/// let api = ServerApi::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", "ssk_example").build()?;
/// let hub = EvictionHub::new(); // the process's caches (a JwksVerifier) are registered here
/// let sessions = Sessions::builder(&api)
///     .cache_ttl(Duration::from_secs(10))
///     .announce_to(hub.clone())
///     .build()?;
/// assert_eq!(sessions.cache_ttl(), Duration::from_secs(10));
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct SessionsBuilder {
    api: ServerApi,
    cache: Option<(u64, Duration)>,
    memory_capacity: u64,
    seen_ttl: Duration,
    ended_ttl: Duration,
    announce: Option<Arc<dyn Evict>>,
}

impl SessionsBuilder {
    pub(super) fn new(api: &ServerApi) -> Self {
        SessionsBuilder {
            api: api.clone(),
            cache: Some((DEFAULT_CACHE_CAPACITY, DEFAULT_SESSION_CACHE_TTL)),
            memory_capacity: DEFAULT_SESSION_MEMORY_CAPACITY,
            seen_ttl: DEFAULT_SEEN_SESSION_TTL,
            ended_ttl: DEFAULT_ENDED_SESSION_TTL,
            announce: None,
        }
    }

    /// How long an answer is reused (default [`DEFAULT_SESSION_CACHE_TTL`], 15 s): the longest
    /// a session that ended goes unnoticed, unless an eviction comes first. Each distinct user
    /// costs one session-list request per TTL; re-enables the cache if it was disabled.
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache.get_or_insert((DEFAULT_CACHE_CAPACITY, ttl)).1 = ttl;
        self
    }

    /// How many sessions' answers are kept (default
    /// [`DEFAULT_CACHE_CAPACITY`](crate::DEFAULT_CACHE_CAPACITY)); re-enables the cache if it
    /// was disabled.
    pub fn cache_capacity(mut self, capacity: u64) -> Self {
        self.cache
            .get_or_insert((capacity, DEFAULT_SESSION_CACHE_TTL))
            .0 = capacity;
        self
    }

    /// Asks Stack Auth on every check (concurrent checks of one user still share one request).
    /// What the checker saw listed and found ended is still remembered.
    pub fn disable_cache(mut self) -> Self {
        self.cache = None;
        self
    }

    /// How many sessions seen listed, and how many found ended, are remembered (default
    /// [`DEFAULT_SESSION_MEMORY_CAPACITY`] each). Past it the least useful are forgotten: a
    /// session forgotten while alive answers [`NotListed`](stack_auth_core::SessionLiveness)
    /// instead of `Ended` once it ends.
    pub fn memory_capacity(mut self, capacity: u64) -> Self {
        self.memory_capacity = capacity;
        self
    }

    /// How long a session seen listed is remembered after it was last seen (default
    /// [`DEFAULT_SEEN_SESSION_TTL`], 24 h). A session that ends after being seen within it
    /// answers `Ended`; one not seen for longer answers `NotListed` once it ends.
    pub fn seen_session_ttl(mut self, ttl: Duration) -> Self {
        self.seen_ttl = ttl;
        self
    }

    /// How long a session found ended is remembered and answered `Ended` without a request
    /// (default [`DEFAULT_ENDED_SESSION_TTL`], 605 s). Raise it if your project issues access
    /// tokens that live longer than 10 minutes: it must outlast every token of the session.
    pub fn ended_session_ttl(mut self, ttl: Duration) -> Self {
        self.ended_ttl = ttl;
        self
    }

    /// Where a session found ended is announced, as an
    /// [`Eviction::SessionEnded`](stack_auth_core::Eviction::SessionEnded), once per session:
    /// the process's [`EvictionHub`](stack_auth_core::EvictionHub) (so a `JwksVerifier`
    /// registered with it refuses the session's tokens everywhere, with or without a session
    /// policy) or a fleet's eviction bus. Default: nowhere (the checker itself answers `Ended`
    /// from then on).
    ///
    /// The sink may hold this checker (a hub it is registered with): then the two keep each
    /// other alive, as long as the process. The announcement comes back to the checker, which
    /// already knows.
    pub fn announce_to(mut self, sink: impl Evict + 'static) -> Self {
        self.announce = Some(Arc::new(sink));
        self
    }

    /// Builds the checker.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`]: `cache` for a zero capacity or TTL, `memory_capacity` for
    /// zero, `seen_session_ttl` or `ended_session_ttl` for zero; any duration over
    /// [`MAX_DURATION_SETTING`](crate::MAX_DURATION_SETTING) names its setting.
    pub fn build(self) -> Result<Sessions, ConfigError> {
        let ttl = self.cache.map_or(Duration::ZERO, |(_, ttl)| ttl);
        check_durations(&[
            ("cache", ttl),
            ("seen_session_ttl", self.seen_ttl),
            ("ended_session_ttl", self.ended_ttl),
        ])?;
        if self
            .cache
            .is_some_and(|(capacity, ttl)| capacity == 0 || ttl.is_zero())
        {
            return Err(invalid(
                "cache",
                "capacity and ttl must be positive (use disable_cache to turn it off)",
            ));
        }
        if self.memory_capacity == 0 {
            return Err(invalid("memory_capacity", "must be positive"));
        }
        for (field, ttl) in [
            ("seen_session_ttl", self.seen_ttl),
            ("ended_session_ttl", self.ended_ttl),
        ] {
            if ttl.is_zero() {
                return Err(invalid(field, "must be positive"));
            }
        }
        Ok(self.assemble())
    }

    /// The checker of these settings, already checked (the defaults always are).
    pub(super) fn assemble(self) -> Sessions {
        let ttl = self.cache.map_or(Duration::ZERO, |(_, ttl)| ttl);
        let inner = Arc::new(Inner {
            answers: self.cache.map(|(capacity, _)| TaggedCache::new(capacity)),
            ttl,
            flights: SingleFlight::new(),
            seen: Memory::new(self.memory_capacity, self.seen_ttl),
            ended: Memory::new(self.memory_capacity, self.ended_ttl),
            announce: self.announce,
            shared: self.cache.and_then(|_| SharedLists::of(&self.api)),
            api: self.api,
        });
        let evictor: Arc<dyn Evict> = inner.clone();
        inner.api.register_cache(Arc::downgrade(&evictor));
        Sessions { inner }
    }
}
