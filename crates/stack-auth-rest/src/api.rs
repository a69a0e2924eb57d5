//! [`ServerApi`]: the one HTTP machinery every server-API call of this crate goes through.

use std::{fmt, sync::Arc, time::Duration};

use stack_auth_core::{Clock, DynSharedCache, SecretServerKey, StackAuthConfig, VerifyError};
use tokio::{sync::Semaphore, time::Instant};
use tracing::Span;

use crate::{
    breaker::Breaker,
    endpoint::Endpoint,
    observe,
    registry::Caches,
    request::{ApiRequest, Transport},
    response,
    retry::{self, Gates, Health, Outcome, RetryPolicy},
    ServerApiBuilder,
};

/// Stack Auth's server API, as every capability of this crate calls it: the connection pool,
/// the project and its secret server key, the reading of answers (KnownErrors under both
/// header brands, `x-*-actual-status`, the size cap), retries, the one circuit breaker for
/// Stack Auth's health and the cap on requests in flight.
///
/// Build one and hand it to each capability you use, so they share all of it:
/// [`RestVerifier`](crate::RestVerifier) (through
/// [`builder_with_api`](crate::RestVerifier::builder_with_api), or take
/// [`RestVerifier::server_api`](crate::RestVerifier::server_api) of one you built),
/// [`Users`](crate::Users), [`ApiKeys`](crate::ApiKeys), [`Permissions`](crate::Permissions) and
/// [`Teams`](crate::Teams). Cloning is cheap; clones share everything.
///
/// ```
/// use stack_auth_rest::{ApiKeys, Permissions, RestVerifier, ServerApi, Teams, Users};
///
/// let api = ServerApi::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", "ssk_example").build()?;
/// let verifier = RestVerifier::builder_with_api(&api).build()?;
/// let (users, keys) = (Users::new(&api), ApiKeys::new(&api));
/// let (permissions, teams) = (Permissions::new(&api), Teams::new(&api));
/// assert!(verifier.server_api().same_as(&api));
/// assert_eq!(api.config().project_id(), "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e");
/// # let _ = (users, keys, permissions, teams);
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ServerApi {
    pub(crate) inner: Arc<ApiInner>,
}

/// The shared state behind a [`ServerApi`].
pub(crate) struct ApiInner {
    pub(crate) config: StackAuthConfig,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) retry: RetryPolicy,
    pub(crate) breaker: Breaker,
    /// One permit per request allowed in flight at once.
    pub(crate) slots: Semaphore,
    pub(crate) deadline: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) max_response_bytes: usize,
    /// The caches of the capabilities built on it, for evictions.
    pub(crate) caches: Caches,
    /// The fleet's second-level cache, behind every capability's own
    /// ([`ServerApiBuilder::shared_cache`]).
    pub(crate) shared: Option<Arc<DynSharedCache>>,
}

impl ServerApi {
    /// Starts building the server API of `project_id`, authenticating with `secret_server_key`
    /// (`ssk_…`), against the hosted service.
    pub fn builder(
        project_id: impl Into<String>,
        secret_server_key: impl Into<SecretServerKey>,
    ) -> ServerApiBuilder {
        ServerApiBuilder::new(
            StackAuthConfig::builder(project_id),
            secret_server_key.into(),
        )
    }

    /// Starts building the server API from a shared configuration (project, base URL, the user
    /// types let through where a caller's token or a key's owner is checked).
    pub fn builder_with_config(
        config: StackAuthConfig,
        secret_server_key: impl Into<SecretServerKey>,
    ) -> ServerApiBuilder {
        ServerApiBuilder::new(config.to_builder(), secret_server_key.into())
    }

    /// The configuration in use.
    pub fn config(&self) -> &StackAuthConfig {
        &self.inner.config
    }

    /// The wall clock (the builder's [`clock`](ServerApiBuilder::clock)).
    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// Whether two handles share one machinery (the same breaker, pool and request cap).
    pub fn same_as(&self, other: &ServerApi) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl ApiInner {
    /// One call of `endpoint`: attempts with retries (one attempt for [`Health::Uncounted`]),
    /// all within the deadline, through the request cap and the circuit breaker. Records
    /// `attempts` and `upstream_ms` on the current span.
    pub(crate) async fn call<E: Endpoint + ?Sized>(
        &self,
        endpoint: &E,
        request: &ApiRequest,
        health: Health,
    ) -> Outcome<E::Output> {
        let started = Instant::now();
        let deadline = started + self.deadline;
        let gates = Gates {
            slots: &self.slots,
            breaker: &self.breaker,
            health,
            endpoint: endpoint.name(),
        };
        let policy = match health {
            Health::Counted => self.retry,
            Health::Uncounted => RetryPolicy::none(),
        };
        let outcome = retry::run(&policy, gates, deadline, self.deadline, |n| {
            self.attempt(endpoint, request, n)
        })
        .await;
        let span = Span::current();
        span.record("attempts", outcome.attempts);
        span.record("upstream_ms", observe::millis(started.elapsed()));
        if let Err(e) = &outcome.result {
            log_failure(endpoint.name(), e, outcome.attempts);
        }
        outcome
    }

    async fn attempt<E: Endpoint + ?Sized>(
        &self,
        endpoint: &E,
        request: &ApiRequest,
        n: u32,
    ) -> Result<E::Output, retry::Failure> {
        let started = Instant::now();
        let answer = self.transport.send(request).await;
        let latency_ms = observe::millis(started.elapsed());
        let name = endpoint.name();
        match answer {
            Ok(raw) => {
                tracing::debug!(
                    target: "stack_auth_rest",
                    attempt = n,
                    status = raw.status,
                    latency_ms,
                    known_error = raw.known_error.as_deref(),
                    "{name} answered"
                );
                response::classify(&raw, endpoint, &*self.clock, self.max_response_bytes)
            }
            Err(e) => {
                tracing::debug!(target: "stack_auth_rest", attempt = n, latency_ms, "{name} failed");
                Err(response::transport_failure(e))
            }
        }
    }
}

fn log_failure(endpoint: &str, e: &VerifyError, attempts: u32) {
    match e {
        VerifyError::Refused(_) => {}
        VerifyError::Unavailable(_) => {
            tracing::warn!(target: "stack_auth_rest", endpoint, attempts, error = %e, "stack auth unavailable");
        }
        _ => {
            tracing::error!(target: "stack_auth_rest", endpoint, attempts, error = %e, "stack auth server api misconfigured")
        }
    }
}

impl fmt::Debug for ServerApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("ServerApi")
            .field("config", &inner.config)
            .field("transport", &inner.transport)
            .field("retry", &inner.retry)
            .field("timeout", &inner.deadline)
            .field("free_request_slots", &inner.slots.available_permits())
            .field("shared_cache", &inner.shared)
            .finish_non_exhaustive()
    }
}
