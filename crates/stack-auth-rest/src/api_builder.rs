//! [`ServerApiBuilder`]: every setting of the server-API machinery, with documented defaults.

use std::{borrow::Cow, sync::Arc, time::Duration};

use reqwest::header::HeaderValue;
use stack_auth_core::{
    Clock, ConfigError, DynSharedCache, SecretServerKey, SharedCache, StackAuthConfigBuilder,
    SystemClock, UserType, UserTypes, MAX_DURATION_SETTING,
};
use tokio::sync::Semaphore;

use crate::{
    api::ApiInner,
    breaker::Breaker,
    registry::Caches,
    request::{HttpTransport, Transport},
    CircuitBreakerPolicy, RetryPolicy, ServerApi,
};

/// How long establishing a connection may take by default (applies to the built-in client).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The total time one call may take by default, retries and backoff included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest response body read by default (profiles with a `data:` image URL or large
/// metadata can be large). Reading stops at the cap: a profile answer that large is
/// [`UnavailableKind::ProfileTooLarge`](stack_auth_core::UnavailableKind::ProfileTooLarge) for
/// that token or user alone; any other answer that large is
/// [`UnavailableKind::TooLarge`](stack_auth_core::UnavailableKind::TooLarge).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// How many requests the server API (every capability sharing it) sends at once by default;
/// more wait for a free slot, within their deadline.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;

/// Builder for [`ServerApi`]; see [`ServerApi::builder`]. Setters consume and return the
/// builder; [`build`](ServerApiBuilder::build) validates everything.
#[derive(Debug)]
#[must_use]
pub struct ServerApiBuilder {
    /// Project, base URL, user types: the shared settings, resolved and checked by `build`.
    config: StackAuthConfigBuilder,
    secret_server_key: SecretServerKey,
    client: Option<reqwest::Client>,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: usize,
    max_concurrent_requests: usize,
    retry: RetryPolicy,
    breaker: CircuitBreakerPolicy,
    clock: Arc<dyn Clock>,
    shared: Option<Arc<DynSharedCache>>,
    #[cfg(test)]
    transport: Option<Arc<dyn Transport>>,
}

impl ServerApiBuilder {
    pub(crate) fn new(config: StackAuthConfigBuilder, key: SecretServerKey) -> Self {
        ServerApiBuilder {
            config,
            secret_server_key: key,
            client: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            retry: RetryPolicy::default(),
            breaker: CircuitBreakerPolicy::default(),
            clock: Arc::new(SystemClock),
            shared: None,
            #[cfg(test)]
            transport: None,
        }
    }

    /// The API base URL of a self-hosted deployment (default
    /// [`DEFAULT_BASE_URL`](stack_auth_core::DEFAULT_BASE_URL)).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.config = self.config.base_url(base_url);
        self
    }

    /// Also accept users of `user_type` (normal users are accepted by default): where a
    /// caller's access token is checked (users/me, `user_id=me`) Stack Auth is asked to let
    /// them through, and API keys of such users are accepted.
    pub fn accept(mut self, user_type: UserType) -> Self {
        self.config = self.config.accept(user_type);
        self
    }

    /// Replaces the set of accepted user types.
    pub fn accepted_user_types(mut self, accepted: UserTypes) -> Self {
        self.config = self.config.accepted_user_types(accepted);
        self
    }

    /// Allows plain http to a non-loopback host (see
    /// [`StackAuthConfigBuilder::allow_insecure_http`]); the secret key travels in the clear.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.config = self.config.allow_insecure_http(allow);
        self
    }

    /// Uses this client (share one across your application to share its connection pool). The
    /// [`connect_timeout`](Self::connect_timeout) then does not apply: configure it on the
    /// client. The built-in client keeps connections alive, does not follow redirects and uses
    /// rustls.
    ///
    /// **The client must not follow redirects**: build it with
    /// `reqwest::Client::builder().redirect(reqwest::redirect::Policy::none())`.
    /// `reqwest::Client::new()` follows them, and reqwest only strips `Authorization` and
    /// `Cookie` on a cross-origin redirect, so the secret server key
    /// (`x-stack-secret-server-key`), a user's access token (`x-stack-access-token`) and an API
    /// key being checked would be sent to wherever a redirect points. When a response comes
    /// from another URL than the one asked, it is not used and the answer is
    /// [`MisconfigKind::InvalidRequest`](stack_auth_core::MisconfigKind::InvalidRequest)
    /// ("the HTTP client followed a redirect"), but by then the request has already been sent:
    /// treat that error as a leaked key and rotate it.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// How long connecting may take (default [`DEFAULT_CONNECT_TIMEOUT`]; built-in client only).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The most one call may take, all retries and waits included (default
    /// [`DEFAULT_TIMEOUT`], at most [`MAX_DURATION_SETTING`]). Past it the answer is
    /// [`UnavailableKind::Timeout`](stack_auth_core::UnavailableKind::Timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body read (default [`DEFAULT_MAX_RESPONSE_BYTES`]); see that
    /// constant for what an answer over it means.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// How many requests may be in flight at once, for every capability sharing this server
    /// API (default [`DEFAULT_MAX_CONCURRENT_REQUESTS`]). A call that finds every slot taken
    /// waits for one within its [`timeout`](Self::timeout) (the one shared by every caller of
    /// the same flight); if none frees up in time it fails as
    /// [`UnavailableKind::Timeout`](stack_auth_core::UnavailableKind::Timeout) without sending
    /// anything, and the circuit breaker does not count it. Each retry takes a slot anew.
    pub fn max_concurrent_requests(mut self, max: usize) -> Self {
        self.max_concurrent_requests = max;
        self
    }

    /// How failures are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// When to fail fast after repeated upstream failures (default
    /// [`CircuitBreakerPolicy::default`]).
    pub fn circuit_breaker(mut self, policy: CircuitBreakerPolicy) -> Self {
        self.breaker = policy;
        self
    }

    /// The wall clock used to bound cache lifetimes by a token's `exp` or a key's
    /// `expires_at_millis`, and to read HTTP dates (default [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// A second-level cache shared by the processes of the deployment (`stack-auth-redis`'s
    /// `RedisSharedCache`, or any [`SharedCache`]), behind the in-process cache of every
    /// capability built on this server API (default: none). An answer missing from a
    /// process's own cache is looked for there before Stack Auth is asked; an answer Stack
    /// Auth gives is stored there too, for no longer than in the process, under SHA-256
    /// digests (never a token or a key), with the tags an eviction voids it by:
    ///
    /// Every key also digests the project id and base URL: projects sharing one cache never
    /// read each other's answers.
    ///
    /// | capability | namespace | key: SHA-256 of | value |
    /// |---|---|---|---|
    /// | [`RestVerifier`](crate::RestVerifier) | `profiles.v1`, refusals `refusals.v1` | the token | the server profile, or the refusal |
    /// | [`Users`](crate::Users) | `users.v1` | the user id | the server profile, or "none" |
    /// | [`ApiKeys`](crate::ApiKeys) | `api_keys.v1` | the key | the key's id, owner (a user's profile, or the team id) and dates, or the refusal |
    /// | [`Permissions`](crate::Permissions) | `permissions.v1` | the user, team or project, and `recursive` (or the token and the permission) | the permission ids, or the answer |
    /// | [`Sessions`](crate::Sessions) | `sessions.v1` | the user id | the ids of the user's listed sessions (what a process saw and found ended stays its own, and travels as evictions) |
    ///
    /// [`Teams`](crate::Teams) keeps its lists to itself (a membership eviction names one
    /// team, not the user's list). A process copies a shared answer for no longer than the
    /// entry has left. The shared cache only ever saves requests: one that is slow or down
    /// answers like a miss within its own timeout, and the answers are Stack Auth's.
    ///
    /// Evictions must void the shared entries too, once for the fleet: give them to an
    /// eviction bus (`RedisEvictionBus`) in front of the process's
    /// [`EvictionHub`](stack_auth_core::EvictionHub), or call
    /// [`SharedCache::invalidate`] with [`Eviction::cache_tags`](stack_auth_core::Eviction::cache_tags)
    /// yourself. A cache only evicted in-process would copy the shared entry back.
    pub fn shared_cache(mut self, cache: impl SharedCache + 'static) -> Self {
        self.shared = Some(Arc::new(cache));
        self
    }

    /// Replaces the HTTP transport (tests drive retries and the breaker with scripted answers).
    #[cfg(test)]
    pub(crate) fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Checks the settings that the shared configuration does not cover; returns the project
    /// id and secret key as header values.
    fn validate(&self, project_id: &str) -> Result<(HeaderValue, HeaderValue), ConfigError> {
        if self.secret_server_key.is_empty() {
            return Err(invalid("secret_server_key", "is empty"));
        }
        let not_header = "has characters not allowed in a header";
        let key = HeaderValue::from_str(self.secret_server_key.expose())
            .map_err(|_| invalid("secret_server_key", not_header))?;
        let project =
            HeaderValue::from_str(project_id).map_err(|_| invalid("project_id", not_header))?;
        if self.timeout.is_zero() {
            return Err(invalid("timeout", "must be positive"));
        }
        check_durations(&[
            ("timeout", self.timeout),
            ("circuit_breaker", self.breaker.cool_off()),
        ])?;
        if self.max_response_bytes == 0 {
            return Err(invalid("max_response_bytes", "must be positive"));
        }
        if self.max_concurrent_requests == 0
            || self.max_concurrent_requests > Semaphore::MAX_PERMITS
        {
            return Err(invalid(
                "max_concurrent_requests",
                "must be positive and at most tokio's Semaphore::MAX_PERMITS",
            ));
        }
        if self.retry.max_attempts() == 0 {
            return Err(invalid("retry_policy", "needs at least one attempt"));
        }
        Ok((project, key))
    }

    /// Validates the settings and builds the server API.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for an invalid project id, base URL or user-type set, and
    /// [`ConfigError::Invalid`] for an empty or non-header-safe secret server key
    /// (`secret_server_key`), a zero timeout or any duration over [`MAX_DURATION_SETTING`]
    /// (`timeout`, `circuit_breaker`), a zero body cap (`max_response_bytes`), a zero request
    /// cap (`max_concurrent_requests`), zero attempts (`retry_policy`), or a client that cannot
    /// be built (`http_client`).
    pub fn build(mut self) -> Result<ServerApi, ConfigError> {
        let config = self.config.clone().build()?;
        let (project, key) = self.validate(config.project_id())?;
        let client = match self.client.take() {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| ConfigError::Invalid {
                    field: "http_client",
                    reason: Cow::Owned(e.to_string()),
                })?,
        };
        let http = HttpTransport::new(
            client,
            config.api_url(""),
            project,
            key,
            self.max_response_bytes,
        );
        #[cfg(not(test))]
        let transport: Arc<dyn Transport> = Arc::new(http);
        #[cfg(test)]
        let transport: Arc<dyn Transport> = self.transport.unwrap_or_else(|| Arc::new(http));
        Ok(ServerApi {
            inner: Arc::new(ApiInner {
                config,
                transport,
                retry: self.retry,
                breaker: Breaker::new(self.breaker),
                slots: Semaphore::new(self.max_concurrent_requests),
                deadline: self.timeout,
                clock: self.clock,
                max_response_bytes: self.max_response_bytes,
                caches: Caches::default(),
                shared: self.shared,
            }),
        })
    }
}

/// A [`ConfigError::Invalid`] naming `field`.
pub(crate) fn invalid(field: &'static str, reason: &'static str) -> ConfigError {
    ConfigError::Invalid {
        field,
        reason: Cow::Borrowed(reason),
    }
}

/// Refuses the first duration over [`MAX_DURATION_SETTING`], naming its field.
///
/// # Errors
///
/// [`ConfigError::Invalid`] ("must be at most 30 days").
pub(crate) fn check_durations(settings: &[(&'static str, Duration)]) -> Result<(), ConfigError> {
    match settings.iter().find(|(_, d)| *d > MAX_DURATION_SETTING) {
        Some((field, _)) => Err(invalid(field, "must be at most 30 days")),
        None => Ok(()),
    }
}
