//! [`JwksVerifierBuilder`]: every setting of a [`JwksVerifier`], with documented defaults.

mod validate;

use std::{sync::Arc, time::Duration};

use stack_auth_core::{
    Clock, ConfigError, DynSharedCache, SharedCache, StackAuthConfig, StackAuthConfigBuilder,
    SystemClock, UserType, UserTypes,
};

use self::validate::{invalid, jwks_url};
use crate::{
    backend::feature_provider,
    defaults::*,
    fetch::Fetcher,
    keys::parse_jwks,
    keyset_cache::Timing,
    token_cache::TokenCache,
    verifier::{JwksVerifier, TokenRules},
};

/// Builder for [`JwksVerifier`]; see [`JwksVerifier::builder`]. Every setter consumes and returns
/// the builder; [`build`](JwksVerifierBuilder::build) validates everything.
#[derive(Debug, Clone)]
#[must_use]
pub struct JwksVerifierBuilder {
    /// Project, base URL, user types: the shared settings, resolved and checked by `build`.
    config: StackAuthConfigBuilder,
    jwks_url: Option<String>,
    leeway: Duration,
    timing: Timing,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: usize,
    http_client: Option<reqwest::Client>,
    token_cache: Option<(u64, Duration)>,
    clock: Arc<dyn Clock>,
    static_jwks: Option<String>,
    max_token_lifetime: Duration,
    shared_cache: Option<Arc<DynSharedCache>>,
}

impl JwksVerifierBuilder {
    pub(crate) fn new(project_id: String) -> Self {
        Self::with_config(StackAuthConfig::builder(project_id))
    }

    pub(crate) fn from_config(config: StackAuthConfig) -> Self {
        Self::with_config(config.to_builder())
    }

    fn with_config(config: StackAuthConfigBuilder) -> Self {
        JwksVerifierBuilder {
            config,
            jwks_url: None,
            leeway: DEFAULT_LEEWAY,
            timing: Timing {
                min_ttl: DEFAULT_MIN_TTL,
                max_ttl: DEFAULT_MAX_TTL,
                refresh_ahead: DEFAULT_REFRESH_AHEAD,
                max_stale: DEFAULT_STALE_IF_ERROR,
                retry_after_error: DEFAULT_RETRY_AFTER_ERROR,
                unknown_kid_cooldown: DEFAULT_UNKNOWN_KID_COOLDOWN,
            },
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            http_client: None,
            token_cache: Some((DEFAULT_TOKEN_CACHE_CAPACITY, DEFAULT_TOKEN_CACHE_TTL)),
            clock: Arc::new(SystemClock),
            static_jwks: None,
            max_token_lifetime: DEFAULT_MAX_TOKEN_LIFETIME,
            shared_cache: None,
        }
    }

    /// The Stack Auth API base URL (default `https://api.stack-auth.com`). It determines the
    /// issuers tokens must carry (with its cloud-brand sibling's, see
    /// [`StackAuthConfig`](stack_auth_core::StackAuthConfig)) and, unless
    /// [`jwks_url`](Self::jwks_url) overrides it, where keys are fetched.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.config = self.config.base_url(base_url);
        self
    }

    /// Also accepts tokens issued under `origin` (repeatable); see
    /// [`StackAuthConfigBuilder::accept_issuer_origin`](stack_auth_core::StackAuthConfigBuilder::accept_issuer_origin).
    /// Keys are still fetched from the base URL.
    pub fn accept_issuer_origin(mut self, origin: impl Into<String>) -> Self {
        self.config = self.config.accept_issuer_origin(origin);
        self
    }

    /// Whether a cloud base URL also accepts its sibling brand's issuers (default `true`); see
    /// [`StackAuthConfigBuilder::accept_sibling_brand`](stack_auth_core::StackAuthConfigBuilder::accept_sibling_brand).
    pub fn accept_sibling_brand(mut self, accept: bool) -> Self {
        self.config = self.config.accept_sibling_brand(accept);
        self
    }

    /// Also accept tokens of `user_type` (normal users are accepted by default).
    pub fn accept(mut self, user_type: UserType) -> Self {
        self.config = self.config.accept(user_type);
        self
    }

    /// Replaces the set of accepted user types. Keys of every type are fetched regardless; a
    /// valid token of a type not accepted is refused as `user_type_not_allowed`.
    pub fn accepted_user_types(mut self, accepted: UserTypes) -> Self {
        self.config = self.config.accepted_user_types(accepted);
        self
    }

    /// Allows plain http to a host that is not loopback, for the base URL and the JWKS URL
    /// (default off: keys fetched over plain http can be replaced by anyone on the path).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.config = self.config.allow_insecure_http(allow);
        self
    }

    /// Fetches keys from this URL instead of `{base_url}/api/v1/projects/{id}/.well-known/jwks.json`,
    /// for a proxy or a test server. Accepted issuers still follow the base URL. The URL must have no
    /// query: `?include_anonymous=true` is appended.
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = Some(url.into());
        self
    }

    /// Clock-skew allowance for `exp` (default [`DEFAULT_LEEWAY`], at most [`MAX_LEEWAY`]).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Floor of the key set's freshness (default [`DEFAULT_MIN_TTL`]).
    pub fn min_ttl(mut self, ttl: Duration) -> Self {
        self.timing.min_ttl = ttl;
        self
    }

    /// Ceiling of the key set's freshness, and its freshness when the response has no
    /// `max-age` (default [`DEFAULT_MAX_TTL`]).
    pub fn max_ttl(mut self, ttl: Duration) -> Self {
        self.timing.max_ttl = ttl;
        self
    }

    /// How long before expiry a verification starts a background refresh (default
    /// [`DEFAULT_REFRESH_AHEAD`]; at most half the freshness lifetime is used).
    pub fn refresh_ahead(mut self, margin: Duration) -> Self {
        self.timing.refresh_ahead = margin;
        self
    }

    /// Minimum interval between refetches caused by unknown `kid`s (default
    /// [`DEFAULT_UNKNOWN_KID_COOLDOWN`]; must be at least one second).
    pub fn unknown_kid_cooldown(mut self, cooldown: Duration) -> Self {
        self.timing.unknown_kid_cooldown = cooldown;
        self
    }

    /// How long past its freshness the last good key set keeps serving while refreshes fail
    /// (default [`DEFAULT_STALE_IF_ERROR`]; zero disables stale serving).
    pub fn stale_if_error(mut self, max_age: Duration) -> Self {
        self.timing.max_stale = max_age;
        self
    }

    /// Minimum interval between fetch attempts after a failure (default
    /// [`DEFAULT_RETRY_AFTER_ERROR`]; at least one second, so an outage is never met with
    /// back-to-back requests).
    pub fn retry_after_error(mut self, interval: Duration) -> Self {
        self.timing.retry_after_error = interval;
        self
    }

    /// Uses this HTTP client instead of the built-in one. The built-in client follows no
    /// redirects and has the connect timeout; with your own, configure those yourself
    /// (`reqwest::redirect::Policy::none()`). The total timeout, the size cap and the status and
    /// redirect checks apply either way.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Connect timeout of the built-in HTTP client (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Deadline for a whole fetch (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Cap on the response body (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Number of verified tokens remembered (default [`DEFAULT_TOKEN_CACHE_CAPACITY`]);
    /// re-enables the cache if it was disabled.
    pub fn token_cache_capacity(mut self, capacity: u64) -> Self {
        let ttl = self.token_cache.map_or(DEFAULT_TOKEN_CACHE_TTL, |(_, t)| t);
        self.token_cache = Some((capacity, ttl));
        self
    }

    /// Longest time a verdict is remembered, never past the token's `exp` (default
    /// [`DEFAULT_TOKEN_CACHE_TTL`]); re-enables the cache if it was disabled.
    pub fn token_cache_ttl(mut self, ttl: Duration) -> Self {
        let capacity = self
            .token_cache
            .map_or(DEFAULT_TOKEN_CACHE_CAPACITY, |(c, _)| c);
        self.token_cache = Some((capacity, ttl));
        self
    }

    /// The longest lifetime of the project's access tokens (default
    /// [`DEFAULT_MAX_TOKEN_LIFETIME`], Stack Auth's 10 minutes; raise it if your project issues
    /// longer-lived tokens). When the verifier is told that a user was deleted or a session
    /// ended (its [`Evict`](stack_auth_core::Evict) impl), it refuses that user's or session's
    /// tokens for this long plus the [`leeway`](Self::leeway): by then every token minted before
    /// has expired.
    pub fn max_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_token_lifetime = lifetime;
        self
    }

    /// The cache shared by the processes of the deployment (`stack-auth-redis`'s
    /// `RedisSharedCache`, or any [`SharedCache`]; default: none), where the fleet's deny set
    /// lives: a user deleted or a session ended that this verifier is told about
    /// ([`Evict`](stack_auth_core::Evict)) is stored there for the
    /// [revocation window](Self::max_token_lifetime) (`deleted_users.v1`,
    /// `ended_sessions.v1`, under a SHA-256 of the project and the id), and a token verified in full (not from the
    /// token cache) is checked against it, so a process started since, or one that missed the
    /// eviction, refuses it too. A token answered from the token cache costs no shared-cache
    /// call; without a token cache, every verification makes one (two lookups, at once). A
    /// shared cache that is slow or down answers "not revoked" within its own timeout.
    pub fn shared_cache(mut self, cache: impl SharedCache + 'static) -> Self {
        self.shared_cache = Some(Arc::new(cache));
        self
    }

    /// Verifies every token in full, every time (no verified-token cache).
    pub fn disable_token_cache(mut self) -> Self {
        self.token_cache = None;
        self
    }

    /// Verifies against the keys of this JWKS document (the JSON body a JWKS endpoint answers)
    /// instead of fetching the project's key set: nothing is ever fetched,
    /// [`prefetch`](JwksVerifier::prefetch) does nothing, a `kid` the document lacks is refused
    /// as `unknown_key` at once, and [`status`](JwksVerifier::status) reports
    /// [`KeySetState::Static`](crate::KeySetState::Static). Keys are parsed once, by
    /// [`build`](Self::build), exactly as fetched ones (short coordinates left-padded, unusable
    /// keys skipped). Default: none, keys are fetched.
    ///
    /// For offline tools and tests (`stack-auth verify --jwks-file`); a server should fetch, so
    /// key rotations reach it.
    ///
    /// ```
    /// use stack_auth_jwks::{JwksVerifier, KeySetState};
    ///
    /// let jwks = r#"{"keys":[{"kty":"EC","alg":"ES256","crv":"P-256","kid":"n0EcVSMdeW8t",
    ///     "x":"CcawdwerBvLllJmVE7n2DbqUQUcz6vlag-IKpyT0drY",
    ///     "y":"2Gtaa8blZCfCauC6HRNSHZy6XpHzTtyp3NO6DGbPDK0"}]}"#;
    /// let verifier = JwksVerifier::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e")
    ///     .static_jwks(jwks)
    ///     .build()?;
    /// let status = verifier.status();
    /// assert_eq!(status.state, KeySetState::Static);
    /// assert_eq!(status.key_ids, ["n0EcVSMdeW8t"]);
    /// # Ok::<(), stack_auth_core::ConfigError>(())
    /// ```
    pub fn static_jwks(mut self, document: impl Into<String>) -> Self {
        self.static_jwks = Some(document.into());
        self
    }

    /// The wall clock `exp` is checked against (default [`SystemClock`]); it also dates fetches
    /// in [`status`](crate::JwksVerifier::status). Freshness, cooldowns, backoff and stale limits
    /// run on Tokio's monotonic clock (tests drive them with `tokio::time::pause`), so a
    /// wall-clock step cannot stretch or skip them.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Validates the settings and builds the verifier. No request is made: keys are fetched on
    /// first use or by [`JwksVerifier::prefetch`].
    ///
    /// # Errors
    ///
    /// The core [`ConfigError`]s for the project, base URL and user types;
    /// [`ConfigError::Invalid`] naming the setting for a bad JWKS URL, a zero or inverted
    /// duration (the token cache TTL, the maximum token lifetime, ...), a cooldown or retry
    /// interval under one second, a leeway above [`MAX_LEEWAY`], a zero size cap or cache
    /// capacity, or an HTTP client that cannot be built; [`ConfigError::Invalid`] (`static_jwks`) for a
    /// [static document](Self::static_jwks) that is not a JWKS or has no usable ES256 key;
    /// [`ConfigError::Invalid`] (`crypto`) when neither the `aws_lc_rs` nor the `rust_crypto`
    /// feature is enabled; [`ConfigError::Invalid`] (`token_cache`) when the operating system
    /// gives no random bytes for the token cache's key.
    pub fn build(self) -> Result<JwksVerifier, ConfigError> {
        let config = self.config()?;
        self.check_settings()?;
        let static_keys = match &self.static_jwks {
            Some(document) => Some(
                parse_jwks(document.as_bytes(), &[])
                    .map_err(|e| invalid("static_jwks", e.to_string()))?,
            ),
            None => None,
        };
        let url = jwks_url(
            self.jwks_url.as_deref().unwrap_or(&config.jwks_url()),
            config.allows_insecure_http(),
        )?;
        let client = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("stack-auth-jwks/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| invalid("http_client", e.to_string()))?,
        };
        let fetcher = Fetcher {
            client,
            url,
            timeout: self.timeout,
            max_bytes: self.max_response_bytes,
            clock: Arc::clone(&self.clock),
        };
        let provider = feature_provider().ok_or_else(|| {
            invalid(
                "crypto",
                "no crypto backend: enable the aws_lc_rs or rust_crypto feature",
            )
        })?;
        let token_cache = match self.token_cache {
            Some((capacity, ttl)) => Some(TokenCache::new(capacity, ttl).map_err(|e| {
                invalid("token_cache", format!("no random key for the cache ({e})"))
            })?),
            None => None,
        };
        let verifier = JwksVerifier::from_parts(
            config,
            fetcher,
            self.clock,
            self.timing,
            TokenRules {
                leeway: self.leeway,
                max_lifetime: self.max_token_lifetime,
                shared_cache: self.shared_cache,
            },
            token_cache,
            provider,
        );
        if let Some(keys) = static_keys {
            verifier.install_static_keys(keys);
        }
        Ok(verifier)
    }
}
