//! [`RestVerifierBuilder`]: every setting of a [`RestVerifier`], with documented defaults: the
//! server API's (forwarded to a [`ServerApiBuilder`]) and the token cache's.

use std::{sync::Arc, time::Duration};

use stack_auth_core::{Clock, ConfigError, SharedCache, UserType, UserTypes};

use crate::{
    api_builder::invalid,
    cache::{self, VerdictCache},
    memo::{self, CacheSettings},
    shared_tier::SharedTier,
    CircuitBreakerPolicy, RestVerifier, RetryPolicy, ServerApi, ServerApiBuilder,
};

pub use stack_auth_core::MAX_DURATION_SETTING;

/// Builder for [`RestVerifier`]; see [`RestVerifier::builder`]. Setters consume and return the
/// builder; [`build`](RestVerifierBuilder::build) validates everything.
///
/// The connection, retry, breaker and size settings are those of the [`ServerApi`] the verifier
/// builds (documented on [`ServerApiBuilder`]); a verifier made with
/// [`RestVerifier::builder_with_api`] uses an existing one and has only the token-cache
/// settings.
#[derive(Debug)]
#[must_use]
pub struct RestVerifierBuilder {
    api: ApiSource,
    token_cache: Option<CacheSettings>,
    /// A server-API setting given for a shared server API (refused by `build`).
    fixed: Option<&'static str>,
}

/// Where the verifier's server API comes from.
#[derive(Debug)]
enum ApiSource {
    /// Built with the verifier.
    Build(Box<ServerApiBuilder>),
    /// Shared with other capabilities.
    Shared(ServerApi),
}

/// Forwards a setter to the [`ServerApiBuilder`]; for a shared server API, whose settings are
/// fixed, `build` refuses it.
macro_rules! forward {
    ($(#[$meta:meta])* $name:ident($arg:ident: $ty:ty)) => {
        $(#[$meta])*
        pub fn $name(mut self, $arg: $ty) -> Self {
            self.api = match self.api {
                ApiSource::Build(api) => ApiSource::Build(Box::new(api.$name($arg))),
                shared => {
                    self.fixed.get_or_insert(stringify!($name));
                    shared
                }
            };
            self
        }
    };
}

impl RestVerifierBuilder {
    pub(crate) fn new(api: ServerApiBuilder) -> Self {
        RestVerifierBuilder {
            api: ApiSource::Build(Box::new(api)),
            token_cache: Some(CacheSettings::default()),
            fixed: None,
        }
    }

    pub(crate) fn shared(api: ServerApi) -> Self {
        RestVerifierBuilder {
            api: ApiSource::Shared(api),
            token_cache: Some(CacheSettings::default()),
            fixed: None,
        }
    }

    forward! {
        /// The API base URL of a self-hosted deployment (see [`ServerApiBuilder::base_url`]).
        base_url(base_url: impl Into<String>)
    }
    forward! {
        /// Also accept users of `user_type` (normal users are accepted by default).
        accept(user_type: UserType)
    }
    forward! {
        /// Replaces the set of accepted user types.
        accepted_user_types(accepted: UserTypes)
    }
    forward! {
        /// Allows plain http to a non-loopback host (see
        /// [`ServerApiBuilder::allow_insecure_http`]); the secret key travels in the clear.
        allow_insecure_http(allow: bool)
    }
    forward! {
        /// Uses this client, which **must not follow redirects** (see
        /// [`ServerApiBuilder::http_client`]).
        http_client(client: reqwest::Client)
    }
    forward! {
        /// How long connecting may take (see [`ServerApiBuilder::connect_timeout`]).
        connect_timeout(timeout: Duration)
    }
    forward! {
        /// The most one verification may take, all retries and waits included (see
        /// [`ServerApiBuilder::timeout`]).
        timeout(timeout: Duration)
    }
    forward! {
        /// The largest response body read (see [`ServerApiBuilder::max_response_bytes`]).
        max_response_bytes(max: usize)
    }
    forward! {
        /// How many requests may be in flight at once, for this verifier and its clones (see
        /// [`ServerApiBuilder::max_concurrent_requests`]).
        max_concurrent_requests(max: usize)
    }
    forward! {
        /// How failures are retried (see [`ServerApiBuilder::retry_policy`]).
        retry_policy(policy: RetryPolicy)
    }
    forward! {
        /// When to fail fast after repeated upstream failures (see
        /// [`ServerApiBuilder::circuit_breaker`]).
        circuit_breaker(policy: CircuitBreakerPolicy)
    }
    forward! {
        /// The wall clock used to bound cache lifetimes by `exp` (see
        /// [`ServerApiBuilder::clock`]).
        clock(clock: impl Clock + 'static)
    }
    forward! {
        /// A second-level cache shared by the processes of the deployment, behind the token
        /// cache (profiles and refusals, under the token's SHA-256; see
        /// [`ServerApiBuilder::shared_cache`]).
        shared_cache(cache: impl SharedCache + 'static)
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

    /// Replaces the HTTP transport (tests drive retries and the breaker with scripted answers).
    #[cfg(test)]
    pub(crate) fn transport(mut self, transport: Arc<dyn crate::request::Transport>) -> Self {
        if let ApiSource::Build(api) = self.api {
            self.api = ApiSource::Build(Box::new(api.transport(transport)));
        } else {
            panic!("a shared ServerApi has its own transport");
        }
        self
    }

    /// Validates the settings and builds the verifier.
    ///
    /// # Errors
    ///
    /// Every error of [`ServerApiBuilder::build`], and [`ConfigError::Invalid`] for a token-cache
    /// duration over [`MAX_DURATION_SETTING`] or a zero token-cache capacity or TTL
    /// (`token_cache`), or a server-API setting given to a verifier that shares an existing
    /// [`ServerApi`] (the setting's name: set it on that server API's builder).
    pub fn build(self) -> Result<RestVerifier, ConfigError> {
        if let Some(field) = self.fixed {
            return Err(invalid(
                field,
                "is a setting of the shared ServerApi: set it on the ServerApi's builder",
            ));
        }
        let api = match self.api {
            ApiSource::Build(api) => api.build()?,
            ApiSource::Shared(api) => api,
        };
        memo::validate(self.token_cache, "token_cache", "disable_token_cache")?;
        let shared = SharedTier::of(&api, &cache::SHARE);
        let cache = VerdictCache::new(self.token_cache, Arc::clone(api.clock()), shared);
        Ok(RestVerifier::from_parts(api, cache))
    }
}
