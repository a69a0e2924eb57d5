//! [`RestVerifierBuilder`]: every setting of a [`RestVerifier`], with documented defaults.

use std::{borrow::Cow, sync::Arc, time::Duration};

use reqwest::header::HeaderValue;
use stack_auth_core::{
    Clock, ConfigError, SecretServerKey, StackAuthConfig, StackAuthConfigBuilder, SystemClock,
    UserType, UserTypes,
};
use tokio::sync::Semaphore;

use crate::{
    breaker::Breaker,
    cache::{TokenCacheSettings, VerdictCache},
    request::{HttpTransport, Transport},
    verifier::Inner,
    CircuitBreakerPolicy, RestVerifier, RetryPolicy,
};

/// How long establishing a connection may take by default (applies to the built-in client).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The total time one verification may take by default, retries and backoff included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest users/me response body read by default (profiles with a `data:` image URL or
/// large metadata can be large). Reading stops at the cap: a profile answer that large is
/// [`UnavailableKind::ProfileTooLarge`](stack_auth_core::UnavailableKind::ProfileTooLarge) for
/// that token alone; any other answer that large is
/// [`UnavailableKind::TooLarge`](stack_auth_core::UnavailableKind::TooLarge).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// How many users/me requests a verifier (with its clones) sends at once by default; more wait
/// for a free slot, within their deadline.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;

pub use stack_auth_core::MAX_DURATION_SETTING;

/// Builder for [`RestVerifier`]; see [`RestVerifier::builder`]. Setters consume and return the
/// builder; [`build`](RestVerifierBuilder::build) validates everything.
#[derive(Debug)]
#[must_use]
pub struct RestVerifierBuilder {
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
    token_cache: Option<TokenCacheSettings>,
    clock: Arc<dyn Clock>,
    #[cfg(test)]
    transport: Option<Arc<dyn Transport>>,
}

impl RestVerifierBuilder {
    pub(crate) fn new(config: StackAuthConfigBuilder, key: SecretServerKey) -> Self {
        RestVerifierBuilder {
            config,
            secret_server_key: key,
            client: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            retry: RetryPolicy::default(),
            breaker: CircuitBreakerPolicy::default(),
            token_cache: Some(TokenCacheSettings::default()),
            clock: Arc::new(SystemClock),
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

    /// Also accept users of `user_type` (normal users are accepted by default).
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
    /// (`x-stack-secret-server-key`) and the user's access token (`x-stack-access-token`) would
    /// be sent to wherever a redirect points. When a response comes from another URL than
    /// users/me, the verifier does not use it and answers
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

    /// The most one verification may take, all retries and waits included (default
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

    /// How many users/me requests may be in flight at once, for this verifier and its clones
    /// (default [`DEFAULT_MAX_CONCURRENT_REQUESTS`]). A verification that finds every slot
    /// taken waits for one within its [`timeout`](Self::timeout) (the one shared by every
    /// caller of the same token); if none frees up in time it fails as
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

    /// How many tokens' verdicts are kept (default
    /// [`DEFAULT_TOKEN_CACHE_CAPACITY`](crate::DEFAULT_TOKEN_CACHE_CAPACITY)); re-enables the
    /// cache if it was disabled.
    pub fn token_cache_capacity(mut self, capacity: u64) -> Self {
        self.token_cache
            .get_or_insert_with(Default::default)
            .capacity = capacity;
        self
    }

    /// How long a verified token's result is reused (default
    /// [`DEFAULT_TOKEN_CACHE_TTL`](crate::DEFAULT_TOKEN_CACHE_TTL), never past the token's
    /// `exp`); re-enables the cache if it was disabled.
    pub fn token_cache_ttl(mut self, ttl: Duration) -> Self {
        self.token_cache.get_or_insert_with(Default::default).ttl = ttl;
        self
    }

    /// How long a refusal is reused (default
    /// [`DEFAULT_TOKEN_CACHE_REFUSAL_TTL`](crate::DEFAULT_TOKEN_CACHE_REFUSAL_TTL); zero:
    /// refusals are not cached); re-enables the cache if it was disabled.
    pub fn token_cache_refusal_ttl(mut self, ttl: Duration) -> Self {
        self.token_cache
            .get_or_insert_with(Default::default)
            .refusal_ttl = ttl;
        self
    }

    /// Asks users/me for every verification (no token cache; concurrent verifications of one
    /// token still share one request).
    pub fn disable_token_cache(mut self) -> Self {
        self.token_cache = None;
        self
    }

    /// The wall clock used to bound cache lifetimes by `exp` (default [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Replaces the HTTP transport (tests drive retries and the breaker with scripted answers).
    #[cfg(test)]
    pub(crate) fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    fn config(&self) -> Result<StackAuthConfig, ConfigError> {
        self.config.clone().build()
    }

    /// Checks the settings that `config` does not cover; returns the project id and secret key
    /// as header values.
    fn validate(
        &self,
        config: &StackAuthConfig,
    ) -> Result<(HeaderValue, HeaderValue), ConfigError> {
        let invalid = |field: &'static str, reason: &'static str| ConfigError::Invalid {
            field,
            reason: Cow::Borrowed(reason),
        };
        if self.secret_server_key.is_empty() {
            return Err(invalid("secret_server_key", "is empty"));
        }
        let not_header = "has characters not allowed in a header";
        let key = HeaderValue::from_str(self.secret_server_key.expose())
            .map_err(|_| invalid("secret_server_key", not_header))?;
        let project = HeaderValue::from_str(config.project_id())
            .map_err(|_| invalid("project_id", not_header))?;
        if self.timeout.is_zero() {
            return Err(invalid("timeout", "must be positive"));
        }
        let longest = [
            ("timeout", self.timeout),
            ("circuit_breaker", self.breaker.cool_off()),
            (
                "token_cache",
                self.token_cache.map_or(Duration::ZERO, |c| c.ttl),
            ),
            (
                "token_cache",
                self.token_cache.map_or(Duration::ZERO, |c| c.refusal_ttl),
            ),
        ];
        if let Some((field, _)) = longest.iter().find(|(_, d)| *d > MAX_DURATION_SETTING) {
            return Err(invalid(field, "must be at most 30 days"));
        }
        if let Some(c) = self.token_cache {
            if c.capacity == 0 || c.ttl.is_zero() {
                return Err(invalid(
                    "token_cache",
                    "capacity and ttl must be positive (use disable_token_cache to turn it off)",
                ));
            }
        }
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

    /// Validates the settings and builds the verifier.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for an invalid project id, base URL or user-type set, and
    /// [`ConfigError::Invalid`] for an empty or non-header-safe secret server key
    /// (`secret_server_key`), a zero timeout or any duration over [`MAX_DURATION_SETTING`]
    /// (`timeout`, `circuit_breaker`, `token_cache`), a zero token-cache capacity or TTL
    /// (`token_cache`), a zero body cap (`max_response_bytes`), a zero request cap
    /// (`max_concurrent_requests`), zero attempts (`retry_policy`), or a client that cannot
    /// be built (`http_client`).
    pub fn build(mut self) -> Result<RestVerifier, ConfigError> {
        let config = self.config()?;
        let (project, key) = self.validate(&config)?;
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
            config.users_me_url(),
            project,
            key,
            self.max_response_bytes,
        );
        #[cfg(not(test))]
        let transport: Arc<dyn Transport> = Arc::new(http);
        #[cfg(test)]
        let transport: Arc<dyn Transport> = self.transport.unwrap_or_else(|| Arc::new(http));
        let cache = VerdictCache::new(self.token_cache, Arc::clone(&self.clock));
        Ok(RestVerifier::from_inner(Inner {
            config,
            transport,
            retry: self.retry,
            breaker: Breaker::new(self.breaker),
            slots: Semaphore::new(self.max_concurrent_requests),
            deadline: self.timeout,
            cache,
            flights: Arc::default(),
            clock: self.clock,
            max_response_bytes: self.max_response_bytes,
        }))
    }
}
