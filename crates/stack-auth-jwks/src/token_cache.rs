//! The verified-token cache: a verdict for the exact same token string, keyed by a secret-keyed
//! 128-bit SipHash-1-3 of the whole token.
//!
//! Why this key: a token that collides with a cached one would be accepted as that token's user,
//! so the key must be collision-resistant against whoever writes tokens. SipHash is a
//! pseudorandom function under its key, drawn here from the operating system per cache and never
//! shown: without it no one can compute a digest, let alone aim for a collision, and 128 bits
//! make a chance one negligible. No one even sees a digest: a guess can only be tried by sending
//! a token, and a wrong guess is a miss that verifies in full. It covers the whole token, never
//! the signature alone (an ECDSA signature is malleable and does not pin the string it came
//! with). The 1-3 rounds are those Rust's standard `HashMap` runs on attacker-chosen keys; no
//! attack on them as a pseudorandom function is known. It takes under a third of the time of a
//! SHA-256 of the same token, and half of SipHash-2-4 (the `verify/token_digest_*` benches).

use std::{
    fmt,
    hash::{BuildHasher, Hasher},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use moka::{sync::Cache, Expiry};
use siphasher::sip128::SipHasher13;
use stack_auth_core::AccessTokenClaims;

use crate::keys::VerifyKey;

/// The keyed digest of a token: the cache key (the raw token is never stored).
pub(crate) type TokenDigest = u128;

/// A successful verification, remembered until the token expires or its key leaves the JWKS:
/// only what the user is rebuilt from, shared with the user the verification returned.
#[derive(Clone)]
pub(crate) struct Verdict {
    /// The verified claims (`exp` included).
    pub(crate) claims: Arc<AccessTokenClaims>,
    /// The key that verified the signature; the verdict is void once the JWKS drops it.
    pub(crate) key: Arc<VerifyKey>,
    /// How long moka keeps the entry: the cache TTL, or less when the token expires sooner.
    ttl: Duration,
}

struct VerdictExpiry;

impl Expiry<TokenDigest, Verdict> for VerdictExpiry {
    fn expire_after_create(
        &self,
        _key: &TokenDigest,
        value: &Verdict,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// Hashes a [`TokenDigest`] for moka's table by taking its low 64 bits: the digest is already
/// the output of a keyed pseudorandom function, so hashing it again would only cost time.
#[derive(Debug, Clone, Copy, Default)]
struct DigestBits;

impl BuildHasher for DigestBits {
    type Hasher = DigestHasher;

    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0)
    }
}

/// See [`DigestBits`].
#[derive(Debug, Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u128` is reached for a `TokenDigest`; fold anything else in all the same.
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
        }
    }

    fn write_u128(&mut self, digest: u128) {
        // Truncation intended: the low half of a pseudorandom value.
        self.0 ^= digest as u64;
    }
}

/// Bounded cache of successful verdicts. Refusals are never cached: they are cheap to recompute
/// locally, and caching them would let a flood of garbage tokens grow memory or evict real users.
#[derive(Clone)]
pub(crate) struct TokenCache {
    cache: Cache<TokenDigest, Verdict, DigestBits>,
    /// The SipHash key: secret, so never in `Debug`.
    key: (u64, u64),
    max_ttl: Duration,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
    /// A cache of at most `capacity` verdicts, each kept at most `max_ttl`, under a new random
    /// key.
    ///
    /// # Errors
    ///
    /// When the operating system gives no random bytes for the key.
    pub(crate) fn new(capacity: u64, max_ttl: Duration) -> Result<Self, getrandom::Error> {
        let mut key = [0u8; 16];
        getrandom::fill(&mut key)?;
        let half = |i: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&key[i..i + 8]);
            u64::from_le_bytes(bytes)
        };
        Ok(TokenCache {
            cache: Cache::builder()
                .max_capacity(capacity)
                .expire_after(VerdictExpiry)
                .build_with_hasher(DigestBits),
            key: (half(0), half(8)),
            max_ttl,
            hits: Arc::default(),
            misses: Arc::default(),
        })
    }

    /// The cache key of `token`: its SipHash-1-3, 128 bits, under this cache's key.
    pub(crate) fn digest(&self, token: &str) -> TokenDigest {
        SipHasher13::new_with_keys(self.key.0, self.key.1)
            .hash(token.as_bytes())
            .into()
    }

    /// The verdict for `digest`, if cached (freshness is checked by the caller).
    pub(crate) fn get(&self, digest: &TokenDigest) -> Option<Verdict> {
        self.cache.get(digest)
    }

    /// Counts a lookup outcome.
    pub(crate) fn record(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Remembers that `claims` were verified with `key`, for `remaining` more (the token's
    /// lifetime left, leeway included) or the cache TTL, whichever is shorter.
    pub(crate) fn insert(
        &self,
        digest: TokenDigest,
        claims: Arc<AccessTokenClaims>,
        key: Arc<VerifyKey>,
        remaining: Duration,
    ) {
        let ttl = remaining.min(self.max_ttl);
        if ttl.is_zero() {
            return;
        }
        self.cache.insert(digest, Verdict { claims, key, ttl });
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

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher as _;

    use super::*;

    fn cache() -> TokenCache {
        TokenCache::new(10, Duration::from_secs(60)).unwrap()
    }

    #[test]
    fn every_byte_of_the_token_counts() {
        let cache = cache();
        let token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl";
        assert_eq!(cache.digest(token), cache.digest(token));
        let (signed, signature) = token.rsplit_once('.').unwrap();
        // Another header or payload with the same signature is another key.
        for other in [
            format!("eyJhbGciOiJFUzI1NiJ8.eyJzdWIiOiJhIn0.{signature}"),
            format!("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiIn0.{signature}"),
            format!("{signed}.c2lnbmF0dXJm"),
            format!("{token}."),
            token[1..].to_owned(),
        ] {
            assert_ne!(cache.digest(token), cache.digest(&other), "{other}");
        }
    }

    #[test]
    fn each_cache_has_its_own_secret_key() {
        let (a, b) = (cache(), cache());
        assert_ne!(a.key, b.key);
        assert_ne!(a.digest("token"), b.digest("token"));
        let shown = format!("{a:?}");
        for half in [a.key.0, a.key.1] {
            assert!(!shown.contains(&half.to_string()), "{shown}");
            assert!(!shown.contains(&format!("{half:x}")), "{shown}");
        }
    }

    #[test]
    fn moka_hashes_a_digest_by_its_low_half() {
        let digest: TokenDigest = (7 << 64) | 0x1234_5678_9abc_def0;
        assert_eq!(DigestBits.hash_one(digest), 0x1234_5678_9abc_def0);
        // Other input is folded, not ignored.
        assert_ne!(DigestBits.hash_one("a"), DigestBits.hash_one("b"));
    }
}
