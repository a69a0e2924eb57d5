//! The default wiring (feature `default-wiring`): a `JwksVerifier` for the JWT check and a
//! `RestVerifier` for the profile, configured alike.

use stack_auth_core::{ConfigError, SecretServerKey, StackAuthConfig};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::{RestVerifier, Sessions};

use crate::{CompositeVerifier, CompositeVerifierBuilder, SessionChecked};

impl CompositeVerifier<JwksVerifier, RestVerifier> {
    /// The documented default for `project_id` on the hosted service: normal users only, the
    /// profile [required](crate::ProfilePolicy::Required), unknown keys
    /// [asked of REST](crate::UnknownKeyPolicy::AskRest) after the screen.
    ///
    /// ```
    /// use stack_auth_composite::CompositeVerifier;
    ///
    /// let verifier = CompositeVerifier::stack_auth("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", "ssk_example")?;
    /// assert_eq!(verifier.rest_verifier().config(), verifier.jwt_verifier().config());
    /// # Ok::<(), stack_auth_core::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for an invalid project id or an empty secret server key.
    pub fn stack_auth(
        project_id: impl Into<String>,
        secret_server_key: impl Into<SecretServerKey>,
    ) -> Result<Self, ConfigError> {
        Self::from_config(StackAuthConfig::new(project_id)?, secret_server_key)
    }

    /// The default wiring for `config` (project, base URL, accepted user types), with the
    /// default policies.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when either verifier refuses the configuration (e.g. an empty secret
    /// server key).
    pub fn from_config(
        config: StackAuthConfig,
        secret_server_key: impl Into<SecretServerKey>,
    ) -> Result<Self, ConfigError> {
        Self::builder_with_config(config, secret_server_key).build()
    }

    /// A builder over a `JwksVerifier` and a `RestVerifier` both built from `config`, to set the
    /// composite's policies.
    ///
    /// ```
    /// use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
    /// use stack_auth_core::{StackAuthConfig, UserType};
    ///
    /// let config = StackAuthConfig::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e")
    ///     .base_url("https://auth.example.com")
    ///     .accept(UserType::Restricted)
    ///     .build()?;
    /// let verifier = CompositeVerifier::builder_with_config(config, "ssk_example")
    ///     .profile_policy(ProfilePolicy::BestEffort)
    ///     .build()?;
    /// assert!(verifier.rest_verifier().config().accepts(UserType::Restricted));
    /// # Ok::<(), stack_auth_core::ConfigError>(())
    /// ```
    ///
    /// Like every `builder_with_config` of the SDK, it returns the builder; a configuration
    /// either verifier refuses is reported by [`build`](CompositeVerifierBuilder::build).
    pub fn builder_with_config(
        config: StackAuthConfig,
        secret_server_key: impl Into<SecretServerKey>,
    ) -> CompositeVerifierBuilder<JwksVerifier, RestVerifier> {
        let jwks = JwksVerifier::builder_with_config(config.clone()).build();
        let rest = RestVerifier::builder_with_config(config, secret_server_key).build();
        match (jwks, rest) {
            (Ok(jwks), Ok(rest)) => Self::builder_from_verifiers(jwks, rest),
            (Err(e), _) | (_, Err(e)) => CompositeVerifierBuilder::with_verifiers(Err(e)),
        }
    }

    /// A builder over verifiers you built yourself (custom timeouts, caches, HTTP client, cap
    /// on concurrent users/me requests), after checking they are configured for the same
    /// project, base URL and user types. The composite screens undecided tokens with the JWKS
    /// verifier's configuration, so the screen accepts exactly the issuers the JWT check accepts
    /// (REST has no issuer setting: Stack Auth checks issuers itself), and asks about unknown
    /// keys through [`RestVerifier::for_unverified_tokens`], so they never count towards the
    /// REST circuit breaker.
    ///
    /// Two configurations that differ are reported by
    /// [`build`](CompositeVerifierBuilder::build): [`ConfigError::Invalid`] (field `config`).
    pub fn builder_from_verifiers(
        jwks: JwksVerifier,
        rest: RestVerifier,
    ) -> CompositeVerifierBuilder<JwksVerifier, RestVerifier> {
        let (a, b) = (jwks.config(), rest.config());
        let mismatch = if a.project_id() != b.project_id() {
            Some("project ids")
        } else if a.base_url() != b.base_url() {
            Some("base urls")
        } else if a.accepted_user_types() != b.accepted_user_types() {
            Some("accepted user types")
        } else {
            None
        };
        if let Some(what) = mismatch {
            return CompositeVerifierBuilder::with_verifiers(Err(ConfigError::Invalid {
                field: "config",
                reason: format!("the jwks and rest verifiers have different {what}").into(),
            }));
        }
        let config = a.clone();
        let unverified = rest.for_unverified_tokens();
        CompositeVerifier::builder(jwks, rest)
            .config(config)
            .unknown_key_verifier(unverified)
    }

    /// This verifier with the session check of [`SessionChecked`], under the default policies:
    /// a `stack_auth_rest::Sessions` on the REST verifier's server API (sharing its connection
    /// pool, circuit breaker and request cap), with its default cache (15 s). For other
    /// settings (the cache TTL, announcing ended sessions to an
    /// [`EvictionHub`](stack_auth_core::EvictionHub)), build the `Sessions` yourself and use
    /// [`SessionChecked::new`].
    ///
    /// ```
    /// use stack_auth_composite::{CompositeVerifier, SessionPolicy};
    ///
    /// let verifier = CompositeVerifier::stack_auth("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", "ssk_example")?
    ///     .with_session_check();
    /// assert_eq!(verifier.policy(), SessionPolicy::EndedOnly);
    /// # Ok::<(), stack_auth_core::ConfigError>(())
    /// ```
    pub fn with_session_check(self) -> SessionChecked<Self, Sessions> {
        let sessions = Sessions::new(self.rest_verifier().server_api());
        SessionChecked::new(self, sessions)
    }
}
