//! [`SharedRevocations`]: the deleted users and ended sessions of the whole fleet, in the
//! deployment's [`SharedCache`](stack_auth_core::SharedCache) (builder setting
//! [`shared_cache`](crate::JwksVerifierBuilder::shared_cache)).
//!
//! A verifier that hears of a revocation (a webhook, the eviction bus, a call) stores it there
//! too, under a SHA-256 of the project and the id for the revocation window; a verifier that misses it (a process
//! started since, or one whose bus subscription was down, which then clears its token cache)
//! finds it the first time it verifies a token of that user or session in full. Only a
//! token-cache miss asks: a token verified before is answered from the cache and the local set,
//! without a round trip to the shared cache.

use std::{sync::Arc, time::Duration};

use stack_auth_core::{
    AccessTokenClaims, CacheKey, CacheNamespace, CacheScope, DynSharedCache, Refusal,
    StackAuthConfig,
};

use crate::{revocations::Kind, JwksVerifier};

/// The fleet's deny set.
#[derive(Debug)]
pub(crate) struct SharedRevocations {
    cache: Arc<DynSharedCache>,
    /// The project every key is made in: projects sharing a cache keep their own deny sets.
    scope: CacheScope,
}

/// The namespace of a kind of revocation.
fn namespace(kind: Kind) -> CacheNamespace {
    match kind {
        Kind::User => CacheNamespace::DELETED_USERS,
        Kind::Session => CacheNamespace::ENDED_SESSIONS,
    }
}

impl SharedRevocations {
    /// The deny set of `config`'s project (and Stack Auth host) in `cache`.
    pub(crate) fn new(cache: Arc<DynSharedCache>, config: &StackAuthConfig) -> Self {
        SharedRevocations {
            cache,
            scope: CacheScope::of(config),
        }
    }

    /// The key of an id: a digest of the project's scope and the id.
    fn key(&self, id: &str) -> CacheKey {
        self.scope.key(&[id.as_bytes()])
    }

    /// Stores that `kind`'s `id` is refused for `window`, in the background (an eviction must
    /// not wait); outside a Tokio runtime it stays local.
    pub(crate) fn publish(&self, kind: Kind, id: &str, window: Duration) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (cache, key) = (Arc::clone(&self.cache), self.key(id));
        runtime.spawn(async move {
            // No tag: an eviction of the user voids their answers, not the fact they are gone.
            cache.put(namespace(kind), &key, b"1", window, &[]).await;
        });
    }

    /// Whether the token's user was deleted or its session ended somewhere in the fleet, and
    /// for how much longer that refuses (both asked at once; a shared cache that is slow or
    /// down answers "no" within its own timeout).
    pub(crate) async fn lookup(&self, claims: &AccessTokenClaims) -> Option<(Kind, Duration)> {
        let cache = &self.cache;
        let (user_key, session_key) = (
            self.key(&claims.sub),
            claims.refresh_token_id.as_deref().map(|id| self.key(id)),
        );
        let user = cache.get(namespace(Kind::User), &user_key);
        let (user, session) = match &session_key {
            Some(session_key) => {
                let session = cache.get(namespace(Kind::Session), session_key);
                tokio::join!(user, session)
            }
            None => (user.await, None),
        };
        let found = |kind, hit: Option<stack_auth_core::SharedHit>| Some((kind, hit?.remaining()));
        found(Kind::User, user).or_else(|| found(Kind::Session, session))
    }
}

impl JwksVerifier {
    /// Refuses `kind`'s `id` from now on (an eviction said so), here and, with a shared cache,
    /// in the fleet.
    pub(crate) fn revoke(&self, kind: Kind, id: &str) {
        let revocations = self.revocations();
        match kind {
            Kind::User => revocations.revoke_user(id, self.now()),
            Kind::Session => revocations.end_session(id, self.now()),
        }
        if let Some(shared) = self.shared_revocations() {
            shared.publish(kind, id, revocations.window());
        }
    }

    /// The revocation check of a token verified in full: the local set, then the fleet's
    /// (whose answer the local set keeps for the rest of its window).
    pub(crate) async fn check_revocations(
        &self,
        claims: &AccessTokenClaims,
    ) -> Result<(), Refusal> {
        let revocations = self.revocations();
        revocations.check(claims, || self.now())?;
        let Some(shared) = self.shared_revocations() else {
            return Ok(());
        };
        let Some((kind, lasts)) = shared.lookup(claims).await else {
            return Ok(());
        };
        let id = match kind {
            Kind::User => Some(claims.sub.as_str()),
            Kind::Session => claims.refresh_token_id.as_deref(),
        };
        if let Some(id) = id {
            revocations.revoke_for(kind, id, self.now(), lasts);
        }
        revocations.check(claims, || self.now())
    }
}
