//! [`CompositeVerifierBuilder`]: the settings of a [`CompositeVerifier`].

use std::{fmt, sync::Arc, time::Duration};

use stack_auth_core::{
    budget::TokenBucket, Clock, ConfigError, StackAuthConfig, SystemClock, TokenVerifier,
    MAX_DURATION_SETTING,
};

use crate::{
    screen::Screen, CompositeVerifier, ProfilePolicy, UnknownKeyBudget, UnknownKeyPolicy,
    DEFAULT_PROFILE_POLICY, DEFAULT_SCREEN_LEEWAY, DEFAULT_UNKNOWN_KEY_BUDGET,
    DEFAULT_UNKNOWN_KEY_POLICY, MAX_SCREEN_LEEWAY,
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
    /// The two verifiers, or why the default wiring could not make or pair them (reported by
    /// `build`, so every `builder_with_config` returns a builder).
    verifiers: Result<(J, R), ConfigError>,
    profile_policy: ProfilePolicy,
    unknown_key_policy: UnknownKeyPolicy,
    unknown_key_budget: UnknownKeyBudget,
    unknown_key_verifier: Option<Arc<dyn TokenVerifier>>,
    config: Option<StackAuthConfig>,
    screen_leeway: Duration,
    clock: Arc<dyn Clock>,
}

impl<J: TokenVerifier, R: TokenVerifier + 'static> CompositeVerifierBuilder<J, R> {
    pub(crate) fn new(jwt: J, rest: R) -> Self {
        Self::with_verifiers(Ok((jwt, rest)))
    }

    /// A builder over `verifiers`, or one whose `build` reports why there are none.
    pub(crate) fn with_verifiers(verifiers: Result<(J, R), ConfigError>) -> Self {
        CompositeVerifierBuilder {
            verifiers,
            profile_policy: DEFAULT_PROFILE_POLICY,
            unknown_key_policy: DEFAULT_UNKNOWN_KEY_POLICY,
            unknown_key_budget: DEFAULT_UNKNOWN_KEY_BUDGET,
            unknown_key_verifier: None,
            config: None,
            screen_leeway: DEFAULT_SCREEN_LEEWAY,
            clock: Arc::new(SystemClock),
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

    /// How many tokens refused as `unknown_key` (that pass the screen) may be sent to REST
    /// under [`UnknownKeyPolicy::AskRest`] (default [`DEFAULT_UNKNOWN_KEY_BUDGET`], 5 per
    /// minute), shared by every caller of the verifier and its clones. Once spent, such tokens
    /// are refused as `unknown_key` without a request until it refills.
    pub fn unknown_key_budget(mut self, budget: UnknownKeyBudget) -> Self {
        self.unknown_key_budget = budget;
        self
    }

    /// The verifier asked about tokens refused as `unknown_key` (default: the profile verifier
    /// itself). Anyone can make such a token, so give one whose requests do not count towards
    /// the profile verifier's health: the default wiring passes
    /// `RestVerifier::for_unverified_tokens()`, which sends one request per token, only while
    /// its circuit is closed, and never feeds its breaker. With a verifier of your own that has
    /// a circuit breaker, do the same, or forged tokens answered with 429 can open it for
    /// everyone.
    pub fn unknown_key_verifier(mut self, verifier: impl TokenVerifier + 'static) -> Self {
        self.unknown_key_verifier = Some(Arc::new(verifier));
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

    /// The wall clock the screen compares `exp` with (default [`SystemClock`]; a
    /// [`ManualClock`](stack_auth_core::test_util::ManualClock) in tests). The unknown-key
    /// budget refills on Tokio's monotonic clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Validates the settings and builds the verifier.
    ///
    /// # Errors
    ///
    /// The error the default wiring met making or pairing the two verifiers (see
    /// [`CompositeVerifier::builder_with_config`]); [`ConfigError::Invalid`] when the screen
    /// leeway exceeds [`MAX_SCREEN_LEEWAY`] (`screen_leeway`), or the unknown-key budget's
    /// period is longer than [`MAX_DURATION_SETTING`] or too short to refill one request per
    /// nanosecond (`unknown_key_budget`).
    pub fn build(self) -> Result<CompositeVerifier<J, R>, ConfigError> {
        let (jwt, rest) = self.verifiers?;
        let invalid = |field: &'static str, reason: String| ConfigError::Invalid {
            field,
            reason: reason.into(),
        };
        if self.screen_leeway > MAX_SCREEN_LEEWAY {
            let reason = format!("must be at most {}s", MAX_SCREEN_LEEWAY.as_secs());
            return Err(invalid("screen_leeway", reason));
        }
        let budget = self.unknown_key_budget;
        if !budget.is_valid(MAX_DURATION_SETTING) {
            let reason = "the period must be at most 30 days, and long enough for its requests";
            return Err(invalid("unknown_key_budget", reason.to_owned()));
        }
        let screen = Screen {
            config: self.config,
            leeway: self.screen_leeway,
            clock: self.clock,
        };
        let rest = Arc::new(rest);
        let undecided = match self.unknown_key_verifier {
            Some(verifier) => verifier,
            None => Arc::clone(&rest) as Arc<dyn TokenVerifier>,
        };
        Ok(CompositeVerifier {
            jwt,
            rest,
            undecided,
            profile_policy: self.profile_policy,
            unknown_key_policy: self.unknown_key_policy,
            budget: Arc::new(TokenBucket::new(budget)),
            screen,
        })
    }
}

impl<J, R> fmt::Debug for CompositeVerifierBuilder<J, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompositeVerifierBuilder")
            .field("profile_policy", &self.profile_policy)
            .field("unknown_key_policy", &self.unknown_key_policy)
            .field("unknown_key_budget", &self.unknown_key_budget)
            .field("project_id", &self.config.as_ref().map(|c| c.project_id()))
            .field("screen_leeway", &self.screen_leeway)
            .finish_non_exhaustive()
    }
}
