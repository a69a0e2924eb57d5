//! [`CompositeVerifier`]: the JWT check first, REST for the profile and for what the JWT check
//! cannot decide.

use std::{fmt, sync::Arc};

use async_trait::async_trait;
use stack_auth_core::{
    budget::TokenBucket, DynTokenVerifier, Refusal, RefusalReason, TokenVerifier, Unavailable,
    VerifiedUser, VerifyError,
};
use tracing::{Instrument, Span};

use crate::{
    combine::{merge, with_server_checked_claims},
    loader::RestProfileLoader,
    observe::{self, Timer},
    screen::Screen,
    CompositeVerifierBuilder, ProfilePolicy, UnknownKeyPolicy,
};

/// Verifies a token with a JWT check first and asks REST for the full profile (see the
/// [crate docs](crate) for the decision table).
///
/// `J` is the JWT check (usually a `JwksVerifier`), `R` the profile verifier (usually a
/// `RestVerifier`); any two [`TokenVerifier`]s compose. Both default to `Arc<`[`DynTokenVerifier`]`>`.
/// The composite keeps no cache of its own: it relies on the caches of the two verifiers.
pub struct CompositeVerifier<J = Arc<DynTokenVerifier>, R = Arc<DynTokenVerifier>> {
    pub(crate) jwt: J,
    pub(crate) rest: Arc<R>,
    /// Asked about tokens the JWT check refused as `unknown_key`.
    pub(crate) undecided: Arc<dyn TokenVerifier>,
    pub(crate) profile_policy: ProfilePolicy,
    pub(crate) unknown_key_policy: UnknownKeyPolicy,
    /// The unknown-key budget, shared by clones.
    pub(crate) budget: Arc<TokenBucket>,
    pub(crate) screen: Screen,
}

/// Which way a verification went, as recorded on its tracing span.
#[derive(Clone, Copy)]
enum Path {
    JwtRefused,
    JwtMisconfigured,
    JwtThenRest,
    ClaimsOnly,
    UnknownKeyRefused,
    UnknownKeyScreenedOut,
    UnknownKeyOverBudget,
    UnknownKeyAskedRest,
    JwtUnavailableScreenedOut,
    JwtUnavailableNotAsked,
    JwtUnavailableAskedRest,
}

impl Path {
    fn as_str(self) -> &'static str {
        match self {
            Path::JwtRefused => "jwt_refused",
            Path::JwtMisconfigured => "jwt_misconfigured",
            Path::JwtThenRest => "jwt_then_rest",
            Path::ClaimsOnly => "claims_only",
            Path::UnknownKeyRefused => "unknown_key_refused",
            Path::UnknownKeyScreenedOut => "unknown_key_screened_out",
            Path::UnknownKeyOverBudget => "unknown_key_over_budget",
            Path::UnknownKeyAskedRest => "unknown_key_asked_rest",
            Path::JwtUnavailableScreenedOut => "jwt_unavailable_screened_out",
            Path::JwtUnavailableNotAsked => "jwt_unavailable_not_asked",
            Path::JwtUnavailableAskedRest => "jwt_unavailable_asked_rest",
        }
    }
}

impl<J: TokenVerifier, R: TokenVerifier + 'static> CompositeVerifier<J, R> {
    /// Starts a composite of `jwt` (asked first, for every token) and `rest` (asked for the
    /// profile, and for the tokens `jwt` cannot decide).
    pub fn builder(jwt: J, rest: R) -> CompositeVerifierBuilder<J, R> {
        CompositeVerifierBuilder::new(jwt, rest)
    }

    /// The JWT check.
    pub fn jwt_verifier(&self) -> &J {
        &self.jwt
    }

    /// The profile (REST) verifier.
    pub fn rest_verifier(&self) -> &R {
        &self.rest
    }

    /// When the profile is fetched.
    pub fn profile_policy(&self) -> ProfilePolicy {
        self.profile_policy
    }

    /// Whether REST is asked about unknown keys.
    pub fn unknown_key_policy(&self) -> UnknownKeyPolicy {
        self.unknown_key_policy
    }

    async fn decide(&self, token: &str, span: &Span) -> Result<VerifiedUser, VerifyError> {
        match self.jwt.verify(token).await {
            Ok(user) if self.profile_policy == ProfilePolicy::OnDemand => {
                record(span, Path::ClaimsOnly);
                Ok(self.with_loader(token, user))
            }
            Ok(user) => {
                record(span, Path::JwtThenRest);
                self.complete(token, user).await
            }
            Err(VerifyError::Refused(r)) if r.reason() == RefusalReason::UnknownKey => {
                self.unknown_key(token, r, span).await
            }
            Err(VerifyError::Unavailable(u)) => self.jwt_unavailable(token, u, span).await,
            Err(e @ VerifyError::Misconfigured(_)) => {
                record(span, Path::JwtMisconfigured);
                Err(e)
            }
            Err(e) => {
                record(span, Path::JwtRefused);
                Err(e)
            }
        }
    }

    /// The JWT check knows no key for the token: REST decides, if the policy and screen allow.
    async fn unknown_key(
        &self,
        token: &str,
        refusal: Refusal,
        span: &Span,
    ) -> Result<VerifiedUser, VerifyError> {
        if self.unknown_key_policy == UnknownKeyPolicy::Refuse {
            record(span, Path::UnknownKeyRefused);
            return Err(refusal.into());
        }
        let Ok(claims) = self.screen.check(token) else {
            record(span, Path::UnknownKeyScreenedOut);
            return Err(refusal.into());
        };
        if !self.budget.try_take(tokio::time::Instant::now().into_std()) {
            record(span, Path::UnknownKeyOverBudget);
            tracing::debug!("unknown kid: the budget for asking rest is spent; refused");
            return Err(refusal
                .with_detail("no key of the project's JWKS has this kid (unknown-key budget spent)")
                .into());
        }
        record(span, Path::UnknownKeyAskedRest);
        match self.undecided.verify(token).await {
            Ok(rest_user) => with_server_checked_claims(claims, rest_user),
            // REST cannot tell which check failed; the local reason is more precise.
            Err(e) if e.refusal_reason() == Some(RefusalReason::Unparsable) => Err(refusal.into()),
            Err(e) => Err(e),
        }
    }

    /// The JWT check has no usable key set: the screen refuses what it can; REST decides the
    /// rest, unless the policy is [`UnknownKeyPolicy::Refuse`] (whether the token's key is
    /// known cannot be told now, and that policy never sends such a token to REST): then the
    /// JWT check's unavailability stands.
    async fn jwt_unavailable(
        &self,
        token: &str,
        unavailable: Unavailable,
        span: &Span,
    ) -> Result<VerifiedUser, VerifyError> {
        let claims = self.screen.check(token).inspect_err(|_| {
            record(span, Path::JwtUnavailableScreenedOut);
        })?;
        if self.unknown_key_policy == UnknownKeyPolicy::Refuse {
            record(span, Path::JwtUnavailableNotAsked);
            return Err(unavailable.into());
        }
        record(span, Path::JwtUnavailableAskedRest);
        tracing::debug!(
            upstream = %unavailable.upstream(),
            kind = %unavailable.kind(),
            "jwt check unavailable; asking rest"
        );
        with_server_checked_claims(claims, self.rest.verify(token).await?)
    }

    /// The JWT check accepted: REST completes the user, or refuses it.
    async fn complete(&self, token: &str, user: VerifiedUser) -> Result<VerifiedUser, VerifyError> {
        match self.rest.verify(token).await {
            Ok(rest_user) => merge(user, rest_user),
            Err(VerifyError::Unavailable(u))
                if self.profile_policy == ProfilePolicy::BestEffort =>
            {
                tracing::warn!(
                    upstream = %u.upstream(),
                    kind = %u.kind(),
                    "profile unavailable; returning the verified claims only (best effort)"
                );
                Ok(user.with_profile_unavailable())
            }
            Err(e) => Err(e),
        }
    }

    fn with_loader(&self, token: &str, user: VerifiedUser) -> VerifiedUser {
        let rest: Arc<dyn TokenVerifier> = self.rest.clone();
        let loader = RestProfileLoader::new(rest, token, user.user_id(), user.project_id());
        user.with_profile_loader(Arc::new(loader))
    }
}

fn record(span: &Span, path: Path) {
    span.record("path", path.as_str());
}

#[async_trait]
impl<J: TokenVerifier, R: TokenVerifier + 'static> TokenVerifier for CompositeVerifier<J, R> {
    /// Verifies `token` in a `stack_auth.verify` span (see the [crate docs](crate#tracing)).
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        let timer = Timer::start();
        let span = observe::verify_span();
        let result = self.decide(token, &span).instrument(span.clone()).await;
        observe::verification(&span, timer, &result);
        result
    }
}

/// Cloning shares the profile verifier and the unknown-key budget, and clones the JWT check
/// (cheap for `JwksVerifier`, whose state is shared).
impl<J: Clone, R> Clone for CompositeVerifier<J, R> {
    fn clone(&self) -> Self {
        CompositeVerifier {
            jwt: self.jwt.clone(),
            rest: Arc::clone(&self.rest),
            undecided: Arc::clone(&self.undecided),
            profile_policy: self.profile_policy,
            unknown_key_policy: self.unknown_key_policy,
            budget: Arc::clone(&self.budget),
            screen: self.screen.clone(),
        }
    }
}

impl<J, R> fmt::Debug for CompositeVerifier<J, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompositeVerifier")
            .field("profile_policy", &self.profile_policy)
            .field("unknown_key_policy", &self.unknown_key_policy)
            .field("unknown_key_budget", &self.budget)
            .field("screen", &self.screen)
            .finish_non_exhaustive()
    }
}
