//! [`JwksVerifier`]: the token pipeline, from the raw string to a [`VerifiedUser`].

use std::{fmt, sync::Arc, time::Duration};

use async_trait::async_trait;
use jsonwebtoken::crypto::CryptoProvider;
use stack_auth_core::{
    jws::{check_expiry, DecodedJws, Segments},
    AccessTokenClaims, Clock, DynSharedCache, Refusal, RefusalReason, StackAuthConfig,
    TokenVerifier, VerifiedUser, VerifyError,
};
use tracing::{Instrument as _, Span};

use crate::{
    builder::JwksVerifierBuilder,
    fetch::Fetcher,
    keys::VerifyKey,
    keyset_cache::{KeyStore, Timing},
    observe::{self, CacheUse, KeySetUse, Timer},
    payload::{verified_user, Payload},
    revocations::Revocations,
    shared_revocations::SharedRevocations,
    status::{JwksStatus, KeySetState},
    token_cache::{TokenCache, TokenDigest},
};

/// Verifies Stack Auth access tokens locally against the project's JWKS.
///
/// Cheap to clone (the key set, caches and counters are shared); `Send + Sync`. See the
/// [crate documentation](crate) for the checks, the caching policy and the refusal reasons.
#[derive(Clone)]
pub struct JwksVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    config: StackAuthConfig,
    store: Arc<KeyStore>,
    token_cache: Option<TokenCache>,
    clock: Arc<dyn Clock>,
    leeway: Duration,
    provider: &'static CryptoProvider,
    jwks_url: String,
    /// Users deleted and sessions ended ([`Evict`](stack_auth_core::Evict)), checked on every
    /// verification.
    revocations: Revocations,
    /// The fleet's, asked on a token-cache miss.
    shared_revocations: Option<SharedRevocations>,
}

impl fmt::Debug for JwksVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksVerifier")
            .field("project_id", &self.inner.config.project_id())
            .field("accepted", &self.inner.config.accepted_user_types())
            .field("jwks_url", &self.inner.jwks_url)
            .field("token_cache", &self.inner.token_cache.is_some())
            .finish_non_exhaustive()
    }
}

impl JwksVerifier {
    /// Starts a verifier for `project_id` on the hosted service, accepting normal users.
    pub fn builder(project_id: impl Into<String>) -> JwksVerifierBuilder {
        JwksVerifierBuilder::new(project_id.into())
    }

    /// Starts a verifier from a shared [`StackAuthConfig`] (project, base URL, user types).
    pub fn builder_with_config(config: StackAuthConfig) -> JwksVerifierBuilder {
        JwksVerifierBuilder::from_config(config)
    }

    pub(crate) fn from_parts(
        config: StackAuthConfig,
        fetcher: Fetcher,
        clock: Arc<dyn Clock>,
        timing: Timing,
        rules: TokenRules,
        token_cache: Option<TokenCache>,
        provider: &'static CryptoProvider,
    ) -> Self {
        let TokenRules {
            leeway,
            max_lifetime,
            shared_cache,
        } = rules;
        let jwks_url = fetcher.url.to_string();
        let shared_revocations = shared_cache.map(|cache| SharedRevocations::new(cache, &config));
        let store = KeyStore::new(fetcher, Arc::clone(&clock), timing, token_cache.clone());
        JwksVerifier {
            inner: Arc::new(Inner {
                config,
                store: Arc::new(store),
                token_cache,
                clock,
                leeway,
                provider,
                jwks_url,
                revocations: Revocations::new(max_lifetime.saturating_add(leeway)),
                shared_revocations,
            }),
        }
    }

    /// Verifies with `keys` from now on and never fetches (see
    /// [`JwksVerifierBuilder::static_jwks`]).
    pub(crate) fn install_static_keys(&self, keys: Vec<Arc<VerifyKey>>) {
        self.inner.store.install_static(keys);
    }

    /// The project, deployment and accepted user types.
    pub fn config(&self) -> &StackAuthConfig {
        &self.inner.config
    }

    /// The URL keys are fetched from, query included.
    pub fn jwks_url(&self) -> &str {
        &self.inner.jwks_url
    }

    /// Fetches the key set now unless a fresh one is cached (joining a fetch already running),
    /// so the first verifications do not wait for the network. Optional: verification fetches
    /// lazily.
    ///
    /// # Errors
    ///
    /// [`VerifyError::Unavailable`] when the JWKS could not be fetched or parsed;
    /// [`VerifyError::Misconfigured`] when the endpoint answered 404 (unknown project).
    pub async fn prefetch(&self) -> Result<(), VerifyError> {
        self.inner.store.prefetch().await
    }

    /// A snapshot of the key set's state and the counters.
    pub fn status(&self) -> JwksStatus {
        let store = &self.inner.store;
        let set = store.snapshot();
        let now = store.now_ms();
        // A static set was never fetched and has no lifetime.
        let fetched = set.as_ref().filter(|s| !s.is_static);
        let state = match &set {
            None => KeySetState::Empty,
            Some(s) if s.is_static => KeySetState::Static,
            Some(s) if now < s.fresh_until_ms => KeySetState::Fresh,
            Some(s) if now < s.stale_until_ms => KeySetState::Stale,
            Some(_) => KeySetState::Expired,
        };
        let stats = &store.stats;
        let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        JwksStatus {
            state,
            key_ids: set
                .as_ref()
                .map(|s| s.keys.iter().map(|k| k.kid().to_owned()).collect())
                .unwrap_or_default(),
            fetched_at: fetched.map(|s| s.fetched_at),
            fresh_until: fetched.map(|s| s.wall_time(s.fresh_until_ms)),
            stale_until: fetched.map(|s| s.wall_time(s.stale_until_ms)),
            last_fetch: store.last_fetch(),
            fetch_count: load(&stats.fetches),
            failed_fetch_count: load(&stats.failures),
            unknown_kid_refetch_count: load(&stats.unknown_kid_refetches),
            fetch_in_flight: store.fetch_in_flight(),
            token_cache: self.inner.token_cache.as_ref().map(TokenCache::stats),
        }
    }

    /// Forgets every cached verdict (the key set is kept).
    pub fn clear_token_cache(&self) {
        if let Some(cache) = &self.inner.token_cache {
            cache.clear();
        }
    }

    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.inner.clock.now()
    }

    /// The users and sessions refused since an eviction said so.
    pub(crate) fn revocations(&self) -> &Revocations {
        &self.inner.revocations
    }

    /// The fleet's deny set, with a shared cache.
    pub(crate) fn shared_revocations(&self) -> Option<&SharedRevocations> {
        self.inner.shared_revocations.as_ref()
    }

    /// The pipeline, recording on `span` what it learns; `cache` tells how the token cache
    /// served it, once it was consulted.
    async fn verify_token(
        &self,
        token: &str,
        span: &Span,
        cache_use: &mut Option<CacheUse>,
    ) -> Result<VerifiedUser, VerifyError> {
        let segments = Segments::split(token)?;
        let digest = self.inner.token_cache.as_ref().map(|c| c.digest(token));
        *cache_use = Some(CacheUse::Off);
        if let (Some(cache), Some(digest)) = (&self.inner.token_cache, &digest) {
            let lookup = self.cached(cache, digest, span).await;
            cache.record(matches!(lookup, Lookup::Hit(_) | Lookup::Revoked(_)));
            match lookup {
                Lookup::Hit(user) => {
                    *cache_use = Some(CacheUse::Hit);
                    return Ok(user);
                }
                Lookup::Revoked(refusal) => {
                    *cache_use = Some(CacheUse::Hit);
                    return Err(refusal.into());
                }
                Lookup::Miss => *cache_use = Some(CacheUse::Miss),
                Lookup::Stale => *cache_use = Some(CacheUse::Stale),
            }
        }
        let jws = DecodedJws::from_segments(segments)?;
        observe::record(span, "kid", observe::shortened(jws.kid()));
        let payload = Payload::parse(jws.payload_bytes())?;
        // Checked before the key lookup, so a malformed signature cannot spend the one
        // unknown-kid refetch a cooldown allows.
        let signature = jws.es256_signature()?;
        let key = self.key_for(jws.kid(), span).await?;
        if !key.verify(self.inner.provider, jws.signing_input(), signature) {
            return Err(Refusal::new(RefusalReason::BadSignature).into());
        }
        let claims = payload.into_claims()?;
        let remaining = self.check_claims(&claims)?;
        self.check_revocations(&claims).await?;
        if let (Some(cache), Some(digest)) = (&self.inner.token_cache, digest) {
            cache.insert(digest, Arc::clone(&claims), key, remaining);
        }
        Ok(verified_user(claims))
    }

    /// A cached verdict that still holds (unexpired, its key still in the current set), or
    /// whether there was none or one that no longer holds.
    async fn cached(&self, cache: &TokenCache, digest: &TokenDigest, span: &Span) -> Lookup {
        let Some(verdict) = cache.get(digest) else {
            return Lookup::Miss;
        };
        let now = self.now();
        if check_expiry(verdict.claims.exp, now, self.inner.leeway).is_err() {
            cache.remove(digest);
            return Lookup::Stale;
        }
        let Ok((set, used)) = self.inner.store.current_tracked(span).await else {
            return Lookup::Miss;
        };
        observe::record(span, "keyset", used.as_str());
        if !set.holds(&verdict.key) {
            cache.remove(digest);
            return Lookup::Stale;
        }
        if let Err(refusal) = self.inner.revocations.check(&verdict.claims, || now) {
            return Lookup::Revoked(refusal);
        }
        Lookup::Hit(verified_user(verdict.claims))
    }

    /// The key named `kid`, refetching once (cooldown permitting) when it is unknown.
    async fn key_for(&self, kid: &str, span: &Span) -> Result<Arc<VerifyKey>, VerifyError> {
        let (set, used) = self.inner.store.current_tracked(span).await?;
        observe::record(span, "keyset", used.as_str());
        if let Some(key) = set.find(kid) {
            return Ok(Arc::clone(key));
        }
        if used == KeySetUse::Fetched {
            // Fetched while this verification waited: a refetch would be no newer.
            return Err(unknown_key());
        }
        self.inner
            .store
            .refetch_for_unknown_kid(kid, &set, span)
            .await?
            .ok_or_else(unknown_key)
    }

    /// The claim checks after the signature holds; returns how long the token stays valid.
    fn check_claims(&self, claims: &AccessTokenClaims) -> Result<Duration, Refusal> {
        let config = &self.inner.config;
        let remaining = check_expiry(claims.exp, self.now(), self.inner.leeway)?;
        let Some(aud_type) = config.user_type_for_audience(&claims.aud) else {
            return Err(Refusal::new(RefusalReason::WrongAudience)
                .with_detail("aud is none of this project's audiences"));
        };
        if !config.accepts_issuer(aud_type, &claims.iss) {
            return Err(
                Refusal::new(RefusalReason::WrongIssuer).with_detail(format!(
                    "expected the {aud_type} issuer of {}",
                    config.issuer_origins().join(" or ")
                )),
            );
        }
        // Includes a `project_id` that disagrees with `aud` (already this project's).
        claims.check_consistency()?;
        let user_type = claims.user_type();
        if !config.accepts(user_type) {
            return Err(Refusal::new(RefusalReason::UserTypeNotAllowed)
                .with_detail(format!("{user_type} users are not accepted")));
        }
        Ok(remaining)
    }
}

/// How a verifier judges tokens: the times, and where revocations are shared.
pub(crate) struct TokenRules {
    /// Clock-skew allowance on `exp`.
    pub(crate) leeway: Duration,
    /// The longest lifetime of the project's tokens: how long a revocation lasts (plus the
    /// leeway).
    pub(crate) max_lifetime: Duration,
    /// The fleet's shared cache, holding the revocations of every process.
    pub(crate) shared_cache: Option<Arc<DynSharedCache>>,
}

/// What the verified-token cache had for a token.
enum Lookup {
    Hit(VerifiedUser),
    /// A verdict that holds, of a user or session revoked since.
    Revoked(Refusal),
    Miss,
    Stale,
}

fn unknown_key() -> VerifyError {
    Refusal::new(RefusalReason::UnknownKey)
        .with_detail("no key of the project's JWKS has this kid")
        .into()
}

#[async_trait]
impl TokenVerifier for JwksVerifier {
    /// Verifies `token` in a `stack_auth.verify` span (see the [crate docs](crate#tracing)).
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        let timer = Timer::start();
        let span = observe::verify_span();
        let mut cache_use = None;
        // Wrapping the pipeline's future moves it (a large copy): only worth it when someone
        // listens.
        let result = if span.is_disabled() {
            self.verify_token(token, &span, &mut cache_use).await
        } else {
            let pipeline = self.verify_token(token, &span, &mut cache_use);
            pipeline.instrument(span.clone()).await
        };
        observe::verification(&span, timer, cache_use, &result);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeySetState;
    use stack_auth_core::test_util::ManualClock;

    fn assert_shareable<T: Clone + Send + Sync + 'static>() {}

    #[test]
    fn is_cheap_to_share_and_usable_as_a_trait_object() {
        assert_shareable::<JwksVerifier>();
        let verifier = JwksVerifier::builder("p").build().unwrap();
        let shared: Arc<stack_auth_core::DynTokenVerifier> = Arc::new(verifier.clone());
        drop(shared);
        assert!(Arc::ptr_eq(&verifier.inner, &verifier.clone().inner));
    }

    #[test]
    fn a_new_verifier_has_fetched_nothing() {
        let verifier = JwksVerifier::builder("p")
            .clock(ManualClock::at_unix_secs(1_767_225_600))
            .build()
            .unwrap();
        let status = verifier.status();
        assert_eq!(status.state, KeySetState::Empty);
        assert!(!status.is_usable());
        assert_eq!((status.fetch_count, status.key_ids.len()), (0, 0));
        assert!(status.last_fetch.is_none() && !status.fetch_in_flight);
        assert_eq!(status.token_cache.map(|s| s.hits), Some(0));
        let shown = format!("{verifier:?}");
        assert!(shown.contains("include_anonymous=true"), "{shown}");
    }

    #[tokio::test]
    async fn garbage_is_refused_without_any_request() {
        // The JWKS URL points at a closed port: any fetch would fail as unavailable.
        let verifier = JwksVerifier::builder("p")
            .jwks_url("http://127.0.0.1:9/jwks")
            .build()
            .unwrap();
        for token in [
            "",
            "a.b",
            "a.b.c",
            "e30.e30.e30",
            "eyJhbGciOiJub25lIn0.e30.",
        ] {
            let err = verifier.verify(token).await.unwrap_err();
            assert!(err.refusal_reason().is_some(), "{token}: {err}");
        }
        assert_eq!(verifier.status().fetch_count, 0);
    }
}
