//! The verified-token cache: a verdict for the exact same token string, keyed by its SHA-256.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use moka::{sync::Cache, Expiry};
use sha2::{Digest, Sha256};
use stack_auth_core::VerifiedUser;

use crate::keys::VerifyKey;

/// SHA-256 of a token: the cache key (the raw token is never stored).
pub(crate) type TokenDigest = [u8; 32];

/// A successful verification, remembered until the token expires or its key leaves the JWKS.
#[derive(Debug)]
pub(crate) struct Verdict {
    pub(crate) user: VerifiedUser,
    /// The key that verified the signature; the verdict is void once the JWKS drops it.
    pub(crate) key: Arc<VerifyKey>,
    /// The token's `exp`, Unix seconds.
    pub(crate) exp: i64,
    /// How long moka keeps the entry: the cache TTL, or less when the token expires sooner.
    pub(crate) ttl: Duration,
}

struct VerdictExpiry;

impl Expiry<TokenDigest, Arc<Verdict>> for VerdictExpiry {
    fn expire_after_create(
        &self,
        _key: &TokenDigest,
        value: &Arc<Verdict>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// Bounded cache of successful verdicts. Refusals are never cached: they are cheap to recompute
/// locally, and caching them would let a flood of garbage tokens grow memory or evict real users.
#[derive(Clone)]
pub(crate) struct TokenCache {
    cache: Cache<TokenDigest, Arc<Verdict>>,
    max_ttl: Duration,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("entries", &self.cache.entry_count())
            .field("max_ttl", &self.max_ttl)
            .finish_non_exhaustive()
    }
}

/// Counters of the verified-token cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TokenCacheStats {
    /// Verifications answered from the cache.
    pub hits: u64,
    /// Verifications that looked in the cache and had to verify.
    pub misses: u64,
    /// Entries currently held (approximate: moka applies some operations lazily).
    pub entries: u64,
}

impl TokenCache {
    /// A cache of at most `capacity` verdicts, each kept at most `max_ttl`.
    pub(crate) fn new(capacity: u64, max_ttl: Duration) -> Self {
        TokenCache {
            cache: Cache::builder()
                .max_capacity(capacity)
                .expire_after(VerdictExpiry)
                .build(),
            max_ttl,
            hits: Arc::default(),
            misses: Arc::default(),
        }
    }

    /// The cache key of `token`.
    pub(crate) fn digest(token: &str) -> TokenDigest {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The verdict for `digest`, if cached (freshness is checked by the caller).
    pub(crate) fn get(&self, digest: &TokenDigest) -> Option<Arc<Verdict>> {
        self.cache.get(digest)
    }

    /// Counts a lookup outcome.
    pub(crate) fn record(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Remembers a verdict valid for `remaining` more (the token's lifetime left, leeway included).
    pub(crate) fn insert(
        &self,
        digest: TokenDigest,
        user: VerifiedUser,
        key: Arc<VerifyKey>,
        exp: i64,
        remaining: Duration,
    ) {
        let ttl = remaining.min(self.max_ttl);
        if ttl.is_zero() {
            return;
        }
        let verdict = Verdict {
            user,
            key,
            exp,
            ttl,
        };
        self.cache.insert(digest, Arc::new(verdict));
    }

    /// Forgets one verdict.
    pub(crate) fn remove(&self, digest: &TokenDigest) {
        self.cache.invalidate(digest);
    }

    /// Forgets every verdict (a key left the JWKS).
    pub(crate) fn clear(&self) {
        self.cache.invalidate_all();
    }

    /// Current counters.
    pub(crate) fn stats(&self) -> TokenCacheStats {
        TokenCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.cache.entry_count(),
        }
    }
}
