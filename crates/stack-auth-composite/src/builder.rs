//! [`CompositeVerifierBuilder`]: the settings of a [`CompositeVerifier`].

use std::{fmt, sync::Arc, time::Duration, time::SystemTime};

use stack_auth_core::{ConfigError, StackAuthConfig, TokenVerifier};

use crate::{
    screen::Screen, CompositeVerifier, ProfilePolicy, UnknownKeyPolicy, DEFAULT_PROFILE_POLICY,
    DEFAULT_SCREEN_LEEWAY, DEFAULT_UNKNOWN_KEY_POLICY, MAX_SCREEN_LEEWAY,
};

/// Builds a [`CompositeVerifier`]; start with [`CompositeVerifier::builder`].
///
/// ```
/// use stack_auth_composite::{CompositeVerifier, ProfilePolicy, UnknownKeyPolicy};
/// use stack_auth_core::{test_util::StaticVerifier, RefusalReason, StackAuthConfig};
///
/// let verifier = CompositeVerifier::builder(
///     StaticVerifier::refuse(RefusalReason::Expired),
///     StaticVerifier::refuse(RefusalReason::UserNotFound),
/// )
/// .config(StackAuthConfig::new("my-project")?)
/// .profile_policy(ProfilePolicy::BestEffort)
/// .unknown_key_policy(UnknownKeyPolicy::Refuse)
/// .build()?;
/// assert_eq!(verifier.profile_policy(), ProfilePolicy::BestEffort);
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
#[must_use]
pub struct CompositeVerifierBuilder<J, R> {
    jwt: J,
    rest: R,
    profile_policy: ProfilePolicy,
    unknown_key_policy: UnknownKeyPolicy,
    config: Option<StackAuthConfig>,
    screen_leeway: Duration,
    clock: Option<Arc<dyn Fn() -> SystemTime + Send + Sync>>,
}

impl<J: TokenVerifier, R: TokenVerifier + 'static> CompositeVerifierBuilder<J, R> {
    pub(crate) fn new(jwt: J, rest: R) -> Self {
        CompositeVerifierBuilder {
            jwt,
            rest,
            profile_policy: DEFAULT_PROFILE_POLICY,
            unknown_key_policy: DEFAULT_UNKNOWN_KEY_POLICY,
            config: None,
            screen_leeway: DEFAULT_SCREEN_LEEWAY,
            clock: None,
        }
    }

    /// When to fetch the profile of a token the JWT check accepted (default
    /// [`DEFAULT_PROFILE_POLICY`], i.e. [`ProfilePolicy::Required`]).
    pub fn profile_policy(mut self, policy: ProfilePolicy) -> Self {
        self.profile_policy = policy;
        self
    }

    /// Whether to ask REST about a token whose key the JWT check does not know (default
    /// [`DEFAULT_UNKNOWN_KEY_POLICY`], i.e. [`UnknownKeyPolicy::AskRest`]).
    pub fn unknown_key_policy(mut self, policy: UnknownKeyPolicy) -> Self {
        self.unknown_key_policy = policy;
        self
    }

    /// The project both verifiers are configured for. With it, a token the JWT check cannot
    /// decide goes to REST only if its (unverified) audience and issuer are this project's, for
    /// an accepted user type; without it, only its shape and expiry are screened. The default
    /// wiring always sets it; set it when you compose your own verifiers.
    pub fn config(mut self, config: impl Into<StackAuthConfig>) -> Self {
        self.config = Some(config.into());
        self
    }

    /// How far past its `exp` an undecided token may be and still go to REST (default
    /// [`DEFAULT_SCREEN_LEEWAY`], at most [`MAX_SCREEN_LEEWAY`]).
    pub fn screen_leeway(mut self, leeway: Duration) -> Self {
        self.screen_leeway = leeway;
        self
    }

    /// The clock the screen compares `exp` with (default [`SystemTime::now`]); for tests.
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Validates the settings and builds the verifier.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] when the screen leeway exceeds [`MAX_SCREEN_LEEWAY`].
    pub fn build(self) -> Result<CompositeVerifier<J, R>, ConfigError> {
        if self.screen_leeway > MAX_SCREEN_LEEWAY {
            return Err(ConfigError::Invalid {
                field: "screen_leeway",
                reason: format!("must be at most {}s", MAX_SCREEN_LEEWAY.as_secs()).into(),
            });
        }
        let screen = Screen {
            config: self.config,
            leeway: self.screen_leeway,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
        };
        Ok(CompositeVerifier::from_parts(
            self.jwt,
            Arc::new(self.rest),
            self.profile_policy,
            self.unknown_key_policy,
            screen,
        ))
    }
}

impl<J, R> fmt::Debug for CompositeVerifierBuilder<J, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompositeVerifierBuilder")
            .field("profile_policy", &self.profile_policy)
            .field("unknown_key_policy", &self.unknown_key_policy)
            .field("project_id", &self.config.as_ref().map(|c| c.project_id()))
            .field("screen_leeway", &self.screen_leeway)
            .finish_non_exhaustive()
    }
}
