//! [`RestVerifier`]: asks Stack Auth's users/me who a token belongs to.

use std::{fmt, sync::Arc};

use async_trait::async_trait;
use reqwest::header::HeaderValue;
use stack_auth_core::{
    Evict, Eviction, Refusal, RefusalReason, SecretServerKey, ServerUser, StackAuthConfig,
    TokenVerifier, UserTypes, VerifiedUser, VerifyError,
};
use tokio::time::Instant;
use tracing::{field::Empty, Instrument, Span};

use crate::{
    api::ApiInner,
    cache::{self, VerdictCache},
    endpoint::Endpoint,
    error::RestError,
    flight::{self, Flights, Joined, Verdict},
    observe::{self, CacheUse, Timer},
    profile::parse_profile,
    request::ApiRequest,
    retry::{Health, Outcome},
    shape, RestVerifierBuilder, ServerApi, ServerApiBuilder,
};

/// Verifies Stack Auth access tokens by asking Stack Auth's `GET /api/v1/users/me` with the
/// project's secret server key, and returns the complete, current server profile.
///
/// Build it with [`RestVerifier::builder`]; see the [crate docs](crate) for the error table,
/// resilience and caching. Cloning is cheap and clones share the connection pool, cache and
/// circuit breaker.
#[derive(Clone)]
pub struct RestVerifier {
    api: ServerApi,
    verdicts: Arc<Verdicts>,
    /// How this handle's requests treat the circuit breaker (see
    /// [`RestVerifier::for_unverified_tokens`]).
    health: Health,
}

/// The verdict cache and the flights in progress, shared by a verifier's clones.
pub(crate) struct Verdicts {
    pub(crate) cache: VerdictCache,
    pub(crate) flights: Flights,
}

impl Evict for Verdicts {
    fn evict(&self, eviction: &Eviction) {
        self.cache.evict(eviction);
    }
}

impl fmt::Debug for Verdicts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verdicts")
            .field("caching", &self.cache.is_enabled())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RestVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestVerifier")
            .field("api", &self.api)
            .field("health", &self.health)
            .finish_non_exhaustive()
    }
}

/// `GET /users/me`: the caller's profile (PROTOCOL §3).
pub(crate) struct UsersMe;

impl Endpoint for UsersMe {
    type Output = ServerUser;

    fn name(&self) -> &'static str {
        "users/me"
    }

    fn parse(&self, body: &[u8]) -> Result<ServerUser, RestError> {
        parse_profile(body)
    }

    fn oversize_is_about_the_subject(&self) -> bool {
        true
    }
}

impl RestVerifier {
    /// Starts building a verifier for `project_id`, authenticating with `secret_server_key`
    /// (`ssk_…`), against the hosted service, accepting normal users only.
    pub fn builder(
        project_id: impl Into<String>,
        secret_server_key: impl Into<SecretServerKey>,
    ) -> RestVerifierBuilder {
        RestVerifierBuilder::new(ServerApi::builder(project_id, secret_server_key))
    }

    /// Starts building a verifier from a shared configuration (project, base URL, accepted user
    /// types), so it matches the other strategies exactly.
    pub fn builder_with_config(
        config: StackAuthConfig,
        secret_server_key: impl Into<SecretServerKey>,
    ) -> RestVerifierBuilder {
        RestVerifierBuilder::new(ServerApiBuilder::new(
            config.to_builder(),
            secret_server_key.into(),
        ))
    }

    /// Starts building a verifier on an existing [`ServerApi`], so it shares the connection
    /// pool, circuit breaker and request cap with the other capabilities built on it (only the
    /// token-cache settings remain to set; the user types let in are the server API's).
    ///
    /// ```
    /// use std::time::Duration;
    /// use stack_auth_rest::{RestVerifier, ServerApi};
    ///
    /// let api = ServerApi::builder("my-project", "ssk_example").build()?;
    /// let verifier = RestVerifier::builder_with_api(&api).build()?;
    /// assert!(verifier.server_api().same_as(&api));
    /// // The server API's settings are its own: set them on its builder.
    /// assert!(RestVerifier::builder_with_api(&api).timeout(Duration::from_secs(1)).build().is_err());
    /// # Ok::<(), stack_auth_core::ConfigError>(())
    /// ```
    pub fn builder_with_api(api: &ServerApi) -> RestVerifierBuilder {
        RestVerifierBuilder::shared(api.clone())
    }

    pub(crate) fn from_parts(api: ServerApi, cache: VerdictCache) -> Self {
        let verdicts = Arc::new(Verdicts {
            cache,
            flights: Flights::default(),
        });
        let evictor: Arc<dyn Evict> = verdicts.clone();
        api.register_cache(Arc::downgrade(&evictor));
        RestVerifier {
            api,
            verdicts,
            health: Health::Counted,
        }
    }

    /// The server API this verifier calls, to build the other capabilities on it
    /// ([`ApiKeys::new`](crate::ApiKeys::new), ...) so they share its circuit breaker, request
    /// cap and connection pool.
    pub fn server_api(&self) -> &ServerApi {
        &self.api
    }

    fn inner(&self) -> &Arc<ApiInner> {
        &self.api.inner
    }

    /// A handle of this verifier (same connection pool, cache, request cap and circuit
    /// breaker) for tokens that nothing has verified yet, such as a composite's tokens whose
    /// key the JWT check does not know: anyone can make such a token, so their users/me
    /// requests must not decide whether Stack Auth counts as healthy.
    ///
    /// Each verification through it sends at most one request (no retries), only while the
    /// circuit is closed (open or half-open: `Unavailable(CircuitOpen)` at once), and its
    /// outcome is never recorded by the breaker. A flood of forged tokens answered with 429 or
    /// 5xx therefore cannot open the circuit for users whose tokens were verified. Bound how
    /// many such tokens reach it (the composite's unknown-key budget does).
    ///
    /// ```
    /// use stack_auth_rest::RestVerifier;
    ///
    /// let rest = RestVerifier::builder("my-project", "ssk_example").build()?;
    /// let for_unknown_keys = rest.for_unverified_tokens();
    /// assert_eq!(for_unknown_keys.config(), rest.config());
    /// # Ok::<(), stack_auth_core::ConfigError>(())
    /// ```
    #[must_use]
    pub fn for_unverified_tokens(&self) -> RestVerifier {
        RestVerifier {
            api: self.api.clone(),
            verdicts: Arc::clone(&self.verdicts),
            health: Health::Uncounted,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &StackAuthConfig {
        self.api.config()
    }

    /// Fetches the current server profile for `token`, bypassing the cache and single flight
    /// and without filtering user types (Stack Auth is asked to let every type through): one
    /// fresh users/me call (with retries, the breaker and the deadline), for callers that
    /// already verified the token some other way.
    ///
    /// # Errors
    ///
    /// The same [`VerifyError`]s as [`TokenVerifier::verify`], except that no user type is
    /// refused.
    pub async fn fetch_profile(&self, token: &str) -> Result<ServerUser, VerifyError> {
        let span = tracing::debug_span!(
            "stack_auth.fetch_profile",
            strategy = "rest",
            attempts = Empty,
            upstream_ms = Empty
        );
        async {
            let screened = shape::screen(token)?;
            flight::require_runtime()?;
            fetch(self.inner(), &screened.header, UserTypes::ALL, self.health)
                .await
                .result
        }
        .instrument(span)
        .await
    }

    /// The verification, recording on `span` (the verification's) the request's `attempts` and
    /// how long it waited (`upstream_ms`); `cache_use` tells how the cache served it.
    async fn verify_in_span(
        &self,
        token: &str,
        span: &Span,
        cache_use: &mut Option<CacheUse>,
    ) -> Verdict {
        let shape::Screened { header, exp, sub } = shape::screen(token)?;
        let key = cache::key(token);
        let verdicts = &self.verdicts;
        let joined = verdicts.flights.join_or_start(
            key,
            || verdicts.cache.get(&key),
            || {
                let inner = Arc::clone(self.inner());
                let verdicts = Arc::clone(verdicts);
                let health = self.health;
                let leader = span.clone();
                let span = tracing::debug_span!(
                    "stack_auth.rest.users_me",
                    attempts = Empty,
                    upstream_ms = Empty
                );
                async move {
                    if let Some(verdict) = verdicts.cache.read_shared(&key).await {
                        return verdict;
                    }
                    let accepted = inner.config.accepted_user_types();
                    let outcome = fetch(&inner, &header, accepted, health).await;
                    leader.record("attempts", outcome.attempts);
                    let verdict = outcome
                        .result
                        .map(|p| VerifiedUser::from_profile(inner.config.project_id(), p));
                    verdicts
                        .cache
                        .store(&key, exp, sub.as_deref(), &verdict)
                        .await;
                    verdict
                }
                .instrument(span)
            },
            flight::spawn,
        )?;
        let verdict = match joined {
            Joined::Cached(verdict) => {
                *cache_use = Some(CacheUse::Hit);
                verdict
            }
            Joined::Flight { flight, leader } => {
                *cache_use = Some(if !leader {
                    CacheUse::Joined
                } else if verdicts.cache.is_enabled() {
                    CacheUse::Miss
                } else {
                    CacheUse::Off
                });
                let started = Instant::now();
                let verdict = flight.await;
                span.record("upstream_ms", observe::millis(started.elapsed()));
                verdict
            }
        };
        self.accept(verdict?)
    }

    /// Refuses users of a type the configuration does not accept, like the JWKS verifier does
    /// after the signature holds. Stack Auth was asked to let through only the accepted types,
    /// so this is the second check, in case it let another type through anyway.
    fn accept(&self, user: VerifiedUser) -> Verdict {
        if self.config().accepts(user.user_type()) {
            Ok(user)
        } else {
            Err(Refusal::new(RefusalReason::UserTypeNotAllowed)
                .with_detail(format!("{} users are not accepted", user.user_type()))
                .into())
        }
    }
}

/// One users/me call about `token`, letting through users of the `allowed` types.
async fn fetch(
    inner: &ApiInner,
    token: &HeaderValue,
    allowed: UserTypes,
    health: Health,
) -> Outcome<ServerUser> {
    let request = ApiRequest::get("/users/me").with_token(token.clone(), allowed);
    inner.call(&UsersMe, &request, health).await
}

impl Evict for RestVerifier {
    /// Drops the cached verdicts `eviction` makes stale: those of an updated or deleted user
    /// (the verdict holds the profile; a refusal is found by the token's `sub`), and profiles
    /// showing a changed team as the selected one. Sessions ending change no verdict: Stack
    /// Auth itself keeps accepting a token until its `exp` (PROTOCOL §10.4.4). The verifier's
    /// clones share the cache.
    ///
    /// The eviction goes through the verifier's [`ServerApi`], so every other cache built on
    /// it hears it too ([`Users`](crate::Users), [`ApiKeys`](crate::ApiKeys),
    /// [`Permissions`](crate::Permissions), [`Teams`](crate::Teams),
    /// [`Sessions`](crate::Sessions)): registering the verifier (or a composite over it) with
    /// a webhook receiver reaches all of them.
    fn evict(&self, eviction: &Eviction) {
        self.api.evict(eviction);
    }
}

#[async_trait]
impl TokenVerifier for RestVerifier {
    /// Verifies `token` with users/me: from the cache when fresh, else with one request shared
    /// by every concurrent caller for the same token.
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        let timer = Timer::start();
        let span = observe::verify_span();
        let mut cache_use = None;
        let verdict = self
            .verify_in_span(token, &span, &mut cache_use)
            .instrument(span.clone())
            .await;
        observe::verification(&span, timer, cache_use, &verdict);
        if let Err(VerifyError::Refused(r)) = &verdict {
            tracing::debug!(target: "stack_auth_rest", parent: &span, reason = %r.reason(), "token refused");
        }
        verdict
    }
}
