//! The verdict cache: results keyed by the token's SHA-256, successes never past the token's
//! `exp`, refusals only briefly, unavailability and misconfiguration never; indexed by the
//! user (and the selected team) so an eviction drops them; shared with the fleet (profiles
//! and refusals) when the server API has a shared cache.

use std::{sync::Arc, time::Duration, time::SystemTime};

use sha2::{Digest, Sha256};
use stack_auth_core::{
    CacheNamespace, Clock, Eviction, StackAuthConfig, UnavailableKind, VerifiedUser, VerifyError,
};

use crate::{
    memo::CacheSettings,
    profile::parse_profile,
    shared_tier::{Share, SharedTier},
    tagged_cache::{Tag, TaggedCache},
};

/// How long a verified token's result is reused by default (never past the token's `exp`).
pub const DEFAULT_TOKEN_CACHE_TTL: Duration = crate::DEFAULT_CACHE_TTL;

/// How long a refused token's refusal is reused by default.
pub const DEFAULT_TOKEN_CACHE_REFUSAL_TTL: Duration = crate::DEFAULT_CACHE_REFUSAL_TTL;

/// How many tokens' results are kept by default.
pub const DEFAULT_TOKEN_CACHE_CAPACITY: u64 = crate::DEFAULT_CACHE_CAPACITY;

/// A cache key: the SHA-256 of the token, so the cache never holds a token.
pub(crate) type Key = [u8; 32];

/// The key for `token`.
pub(crate) fn key(token: &str) -> Key {
    Sha256::digest(token.as_bytes()).into()
}

/// A verdict: the user, or why not.
type Verdict = Result<VerifiedUser, VerifyError>;

/// How verdicts are shared with the fleet: profiles in `profiles.v1`, refusals in
/// `refusals.v1`, under the token's SHA-256; a verified user is the server profile's JSON,
/// rebuilt with this process's project.
pub(crate) const SHARE: Share<Key, VerifiedUser> = Share {
    namespace: CacheNamespace::PROFILES,
    refusals: Some(CacheNamespace::REFUSALS),
    key: |key| *key,
    encode: |user| serde_json::to_vec(user.profile()?).ok(),
    decode: decode_user,
};

fn decode_user(bytes: &[u8], config: &StackAuthConfig) -> Option<VerifiedUser> {
    let profile = parse_profile(bytes).ok()?;
    Some(VerifiedUser::from_profile(config.project_id(), profile))
}

/// Verdicts by token hash.
#[derive(Debug)]
pub(crate) struct VerdictCache {
    cache: Option<TaggedCache<Key, Verdict>>,
    ttl: Duration,
    refusal_ttl: Duration,
    clock: Arc<dyn Clock>,
    /// The fleet's tier, behind `cache` (only when `cache` is on).
    shared: Option<SharedTier<Key, VerifiedUser>>,
}

impl VerdictCache {
    /// A cache keeping successes up to `ttl`, refusals for `refusal_ttl`, at most `capacity`
    /// entries, behind which `shared` shares them; `None` stores nothing.
    pub(crate) fn new(
        settings: Option<CacheSettings>,
        clock: Arc<dyn Clock>,
        shared: Option<SharedTier<Key, VerifiedUser>>,
    ) -> Self {
        let cache = settings.map(|s| TaggedCache::new(s.capacity));
        let (ttl, refusal_ttl) =
            settings.map_or((Duration::ZERO, Duration::ZERO), |s| (s.ttl, s.refusal_ttl));
        VerdictCache {
            shared: shared.filter(|_| cache.is_some()),
            cache,
            ttl,
            refusal_ttl,
            clock,
        }
    }

    /// Whether verdicts are kept at all.
    pub(crate) fn is_enabled(&self) -> bool {
        self.cache.is_some()
    }

    /// The cached verdict for `key`, if still fresh.
    pub(crate) fn get(&self, key: &Key) -> Option<Verdict> {
        self.cache.as_ref()?.get(key)
    }

    /// Another process's verdict for `key`, copied into this cache for no longer than its
    /// shared entry has left (nor this cache's own TTL for it).
    pub(crate) async fn read_shared(&self, key: &Key) -> Option<Verdict> {
        let (cache, shared) = (self.cache.as_ref()?, self.shared.as_ref()?);
        let found = shared.read(key).await?;
        let own = match &found.answer {
            Ok(_) => self.ttl,
            Err(_) => self.refusal_ttl,
        };
        let ttl = found.remaining.min(own);
        cache.insert(*key, found.answer.clone(), ttl, found.tags);
        Some(found.answer)
    }

    /// Stores a verdict for the token with unverified expiry `exp` and subject `sub`: a user
    /// until `min(ttl, exp)`; a refusal, or a profile over the size cap (an answer about this
    /// token that repeats), for the refusal TTL; other errors are not stored. A user is found
    /// again by its id and selected team, a refusal by the token's (unverified) `sub`, for
    /// [`evict`](Self::evict). The fleet's tier gets the profile or refusal for the same time.
    pub(crate) async fn store(
        &self,
        key: &Key,
        exp: Option<i64>,
        sub: Option<&str>,
        result: &Verdict,
    ) {
        let Some(cache) = &self.cache else { return };
        let ttl = match result {
            Ok(_) => success_ttl(self.ttl, exp, self.clock.now()),
            Err(VerifyError::Refused(_)) => self.refusal_ttl,
            Err(VerifyError::Unavailable(u)) if u.kind() == UnavailableKind::ProfileTooLarge => {
                self.refusal_ttl
            }
            Err(_) => Duration::ZERO,
        };
        let tags = match result {
            Ok(user) => profile_tags(
                user.user_id(),
                user.profile().and_then(|p| p.selected_team_id.as_deref()),
            ),
            Err(_) => sub
                .map(|s| vec![Tag::Profile(s.to_owned()), Tag::User(s.to_owned())])
                .unwrap_or_default(),
        };
        if let Some(shared) = &self.shared {
            shared.write(key, result, ttl, &tags).await;
        }
        cache.insert(*key, result.clone(), ttl, tags);
    }

    /// Drops the verdicts `eviction` makes stale: those holding an updated or deleted user's
    /// profile (or a refusal of their token), or a profile naming a changed team as selected.
    pub(crate) fn evict(&self, eviction: &Eviction) {
        if let Some(cache) = &self.cache {
            cache.evict(eviction);
        }
    }
}

/// The tags of an answer holding the profile of user `id`: the user, and the selected team the
/// profile shows.
pub(crate) fn profile_tags(id: &str, selected_team: Option<&str>) -> Vec<Tag> {
    let mut tags = vec![Tag::Profile(id.to_owned()), Tag::User(id.to_owned())];
    tags.extend(selected_team.map(|team| Tag::Team(team.to_owned())));
    tags
}

/// `min(ttl, exp - now)`; zero when the token's `exp` could not be read or has passed.
///
/// The `exp` is read without verifying anything (by the shared parser,
/// [`UnverifiedJws::exp`](stack_auth_core::jws::UnverifiedJws::exp)): it only shortens how
/// long Stack Auth's own answer is reused, it never makes a token acceptable.
pub(crate) fn success_ttl(ttl: Duration, exp: Option<i64>, now: SystemTime) -> Duration {
    let Some(exp) = exp else {
        return Duration::ZERO;
    };
    let Ok(exp_secs) = u64::try_from(exp) else {
        return Duration::ZERO;
    };
    let Some(expires_at) = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(exp_secs)) else {
        return ttl;
    };
    expires_at
        .duration_since(now)
        .map_or(Duration::ZERO, |left| left.min(ttl))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    use stack_auth_core::jws::UnverifiedJws;

    /// A token whose header is {"alg":"ES256","kid":"k1"}.
    fn token_with(payload: &str) -> String {
        format!(
            "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.{}.c2ln",
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    fn success_ttl(ttl: Duration, token: &str, now: SystemTime) -> Duration {
        let exp = UnverifiedJws::parse(token).ok().and_then(|j| j.exp());
        super::success_ttl(ttl, exp, now)
    }

    #[test]
    fn ttl_is_bounded_by_exp() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_millis(1_000_000_000_500);
        let ttl = Duration::from_secs(30);
        let soon = token_with(r#"{"sub":"u","exp":1000000002}"#);
        assert_eq!(success_ttl(ttl, &soon, now), Duration::from_millis(1_500));
        let later = token_with(r#"{"exp":1000003600}"#);
        assert_eq!(success_ttl(ttl, &later, now), ttl);
        let past = token_with(r#"{"exp":999999999}"#);
        assert_eq!(success_ttl(ttl, &past, now), Duration::ZERO);
        for bad in [
            token_with(r#"{"sub":"no exp"}"#),
            token_with(r#"{"exp":"soon"}"#),
            token_with(r#"{"exp":-5}"#),
            "not-a-jwt".to_owned(),
            "a.!!!.c".to_owned(),
        ] {
            assert_eq!(success_ttl(ttl, &bad, now), Duration::ZERO, "{bad}");
        }
    }

    #[test]
    fn keys_are_sha256() {
        let k = key("abc");
        assert_eq!(k[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert_ne!(key("abc"), key("abd"));
    }
}
