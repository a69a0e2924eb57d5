//! The two choices a [`CompositeVerifier`](crate::CompositeVerifier) leaves to you: when to fetch
//! the profile, and whether to ask REST about a key the JWT check does not know.

use std::time::Duration;

/// The profile policy a builder starts with: [`ProfilePolicy::Required`].
pub const DEFAULT_PROFILE_POLICY: ProfilePolicy = ProfilePolicy::Required;

/// The unknown-key policy a builder starts with: [`UnknownKeyPolicy::AskRest`].
pub const DEFAULT_UNKNOWN_KEY_POLICY: UnknownKeyPolicy = UnknownKeyPolicy::AskRest;

/// How far past its `exp` a token may be and still be sent to REST when the JWT check cannot
/// decide (60 s). The screen only saves REST calls; REST applies its own, exact, expiry check.
pub const DEFAULT_SCREEN_LEEWAY: Duration = Duration::from_secs(60);

/// The largest screen leeway [`build`](crate::CompositeVerifierBuilder::build) accepts (10 min,
/// the default lifetime of a Stack Auth access token).
pub const MAX_SCREEN_LEEWAY: Duration = Duration::from_secs(600);

/// What the composite does with the profile once the JWT check has accepted a token.
///
/// | policy | REST calls per accepted token | REST unavailable | deleted user |
/// |---|---|---|---|
/// | [`Required`](ProfilePolicy::Required) | 1 (fewer when REST caches) | [`VerifyError::Unavailable`](stack_auth_core::VerifyError::Unavailable) | refused at once |
/// | [`BestEffort`](ProfilePolicy::BestEffort) | 1 (fewer when REST caches) | claims-only user, [`ProfileStatus::Unavailable`](stack_auth_core::ProfileStatus::Unavailable) | refused at once |
/// | [`OnDemand`](ProfilePolicy::OnDemand) | 0 until [`load_profile`](stack_auth_core::VerifiedUser::load_profile) | only `load_profile` fails | passes until the token expires; `load_profile` refuses |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ProfilePolicy {
    /// Every accepted token is also checked by REST; the result carries claims and profile. When
    /// REST cannot answer, verification fails as unavailable (503): nothing is let in that Stack
    /// Auth could not vouch for right now.
    #[default]
    Required,
    /// Like `Required`, but when REST cannot answer the claims-only user is returned, marked
    /// [`ProfileStatus::Unavailable`](stack_auth_core::ProfileStatus::Unavailable) (and a warning
    /// is logged). Deleted users are still refused whenever REST answers.
    BestEffort,
    /// Claims only: no REST call while verifying. The user carries a loader, and
    /// [`VerifiedUser::load_profile`](stack_auth_core::VerifiedUser::load_profile) asks REST
    /// later, when (and if) the handler needs the profile. Revocation is then only noticed on
    /// load, or when the token expires.
    OnDemand,
}

/// What the composite does when the JWT check refuses a token with
/// [`RefusalReason::UnknownKey`](stack_auth_core::RefusalReason::UnknownKey): its `kid` is not in
/// the key set, even after the JWT check refetched it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UnknownKeyPolicy {
    /// Ask REST, the authority (a key may be newer than the published key set), but only when an
    /// unverified look at the token says it could be one of this project's: well-formed, ES256,
    /// consistent claims, not expired, and (when the builder has a
    /// [`config`](crate::CompositeVerifierBuilder::config)) this project's audience and issuer
    /// for an accepted user type, and only within the
    /// [unknown-key budget](crate::UnknownKeyBudget). Anything else stays refused as
    /// `unknown_key`, at no cost to Stack Auth.
    #[default]
    AskRest,
    /// Refuse unknown keys at once, without asking REST. A token whose key the JWT check
    /// cannot look up at all (no usable key set) is not sent to REST either: it gets the JWT
    /// check's unavailability (after the screen refuses what it can). With a `JwksVerifier`, a
    /// `kid` missing from a usable cached key set is `unknown_key`, also while fetching is
    /// backed off after a failure, so this policy holds then too.
    Refuse,
}
