//! [`RestVerifier`]: asks Stack Auth's users/me who a token belongs to.

use std::{fmt, sync::Arc, time::Duration};

use async_trait::async_trait;
use reqwest::header::HeaderValue;
use stack_auth_core::{
    Clock, Refusal, RefusalReason, SecretServerKey, ServerUser, StackAuthConfig, TokenVerifier,
    UserTypes, VerifiedUser, VerifyError,
};
use tokio::{sync::Semaphore, time::Instant};
use tracing::{field::Empty, Instrument, Span};

use crate::{
    breaker::Breaker,
    cache::{self, VerdictCache},
    flight::{self, Flights, Joined, Verdict},
    observe::{self, CacheUse, Timer},
    request::Transport,
    response,
    retry::{self, Gates, Health, Outcome, RetryPolicy},
    shape, RestVerifierBuilder,
};

/// Verifies Stack Auth access tokens by asking Stack Auth's `GET /api/v1/users/me` with the
/// project's secret server key, and returns the complete, current server profile.
///
/// Build it with [`RestVerifier::builder`]; see the [crate docs](crate) for the error table,
/// resilience and caching. Cloning is cheap and clones share the connection pool, cache and
/// circuit breaker.
#[derive(Clone)]
pub struct RestVerifier {
    inner: Arc<Inner>,
    /// How this handle's requests treat the circuit breaker (see
    /// [`RestVerifier::for_unverified_tokens`]).
    health: Health,
}

/// The shared state behind a [`RestVerifier`].
pub(crate) struct Inner {
    pub(crate) config: StackAuthConfig,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) retry: RetryPolicy,
    pub(crate) breaker: Breaker,
    /// One permit per users/me request allowed in flight at once.
    pub(crate) slots: Semaphore,
    pub(crate) deadline: Duration,
    pub(crate) cache: VerdictCache,
    pub(crate) flights: Arc<Flights>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) max_response_bytes: usize,
}

impl fmt::Debug for RestVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("RestVerifier")
            .field("config", &inner.config)
            .field("transport", &inner.transport)
            .field("retry", &inner.retry)
            .field("timeout", &inner.deadline)
            .field("free_request_slots", &inner.slots.available_permits())
            .field("health", &self.health)
            .finish_non_exhaustive()
    }
}

impl RestVerifier {
    /// Starts building a verifier for `project_id`, authenticating with `secret_server_key`
    /// (`ssk_…`), against the hosted service, accepting normal users only.
    pub fn builder(
        project_id: impl Into<String>,
        secret_server_key: impl Into<SecretServerKey>,
    ) -> RestVerifierBuilder {
        RestVerifierBuilder::new(
            StackAuthConfig::builder(project_id),
            secret_server_key.into(),
        )
    }

    /// Starts building a verifier from a shared configuration (project, base URL, accepted user
    /// types), so it matches the other strategies exactly.
    pub fn builder_with_config(
        config: StackAuthConfig,
        secret_server_key: impl Into<SecretServerKey>,
    ) -> RestVerifierBuilder {
        RestVerifierBuilder::new(config.to_builder(), secret_server_key.into())
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        RestVerifier {
            inner: Arc::new(inner),
            health: Health::Counted,
        }
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
            inner: Arc::clone(&self.inner),
            health: Health::Uncounted,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &StackAuthConfig {
        &self.inner.config
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
            self.inner
                .fetch(&screened.header, UserTypes::ALL, self.health)
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
        let shape::Screened { header, exp } = shape::screen(token)?;
        let key = cache::key(token);
        let inner = &self.inner;
        let joined = inner.flights.join_or_start(
            key,
            || inner.cache.get(&key),
            || {
                let inner = Arc::clone(inner);
                let health = self.health;
                let leader = span.clone();
                let span = tracing::debug_span!(
                    "stack_auth.rest.users_me",
                    attempts = Empty,
                    upstream_ms = Empty
                );
                async move {
                    let accepted = inner.config.accepted_user_types();
                    let outcome = inner.fetch(&header, accepted, health).await;
                    leader.record("attempts", outcome.attempts);
                    let verdict = outcome
                        .result
                        .map(|p| VerifiedUser::from_profile(inner.config.project_id(), p));
                    inner.cache.store(&key, exp, &verdict);
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
                } else if inner.cache.is_enabled() {
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
        if self.inner.config.accepts(user.user_type()) {
            Ok(user)
        } else {
            Err(Refusal::new(RefusalReason::UserTypeNotAllowed)
                .with_detail(format!("{} users are not accepted", user.user_type()))
                .into())
        }
    }
}

impl Inner {
    /// One users/me verification, letting through users of the `allowed` types: attempts with
    /// retries (one attempt for [`Health::Uncounted`]), all within the deadline.
    pub(crate) async fn fetch(
        &self,
        token: &HeaderValue,
        allowed: UserTypes,
        health: Health,
    ) -> Outcome {
        let started = Instant::now();
        let deadline = started + self.deadline;
        let gates = Gates {
            slots: &self.slots,
            breaker: &self.breaker,
            health,
        };
        let policy = match health {
            Health::Counted => self.retry,
            Health::Uncounted => RetryPolicy::none(),
        };
        let outcome = retry::run(&policy, gates, deadline, self.deadline, |n| {
            self.attempt(token, allowed, n)
        })
        .await;
        let span = Span::current();
        span.record("attempts", outcome.attempts);
        span.record("upstream_ms", observe::millis(started.elapsed()));
        if let Err(e) = &outcome.result {
            log_failure(e, outcome.attempts);
        }
        outcome
    }

    async fn attempt(
        &self,
        token: &HeaderValue,
        allowed: UserTypes,
        n: u32,
    ) -> Result<ServerUser, retry::Failure> {
        let started = Instant::now();
        let answer = self.transport.users_me(token, allowed).await;
        let latency_ms = observe::millis(started.elapsed());
        match answer {
            Ok(raw) => {
                tracing::debug!(
                    target: "stack_auth_rest",
                    attempt = n,
                    status = raw.status,
                    latency_ms,
                    known_error = raw.known_error.as_deref(),
                    "users/me answered"
                );
                response::classify(&raw, &*self.clock, self.max_response_bytes)
            }
            Err(e) => {
                tracing::debug!(target: "stack_auth_rest", attempt = n, latency_ms, "users/me failed");
                Err(response::transport_failure(e))
            }
        }
    }
}

fn log_failure(e: &VerifyError, attempts: u32) {
    match e {
        VerifyError::Refused(_) => {}
        VerifyError::Unavailable(_) => {
            tracing::warn!(target: "stack_auth_rest", attempts, error = %e, "stack auth unavailable");
        }
        _ => {
            tracing::error!(target: "stack_auth_rest", attempts, error = %e, "rest verifier misconfigured")
        }
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
