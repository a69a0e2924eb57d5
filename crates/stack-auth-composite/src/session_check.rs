//! [`SessionChecked`]: a session policy over any verifier: once the inner verifier accepts a
//! token, its session is checked, and tokens of ended sessions are refused.

use std::{borrow::Cow, fmt, sync::Arc};

use async_trait::async_trait;
use stack_auth_core::{
    jws::UnverifiedJws, DynSessionChecker, Evict, Eviction, Refusal, RefusalReason, SessionChecker,
    SessionLiveness, TokenVerifier, VerifiedUser, VerifyError,
};
use tracing::{field::Empty, Instrument};

use crate::{
    observe::record_outcome, SessionPolicy, UnknownSessionPolicy, DEFAULT_SESSION_POLICY,
    DEFAULT_UNKNOWN_SESSION_POLICY,
};

/// A verifier that also checks the token's session: Stack Auth keeps accepting an access token
/// after its session was signed out, deleted or ended by a password change, until the token
/// expires (PROTOCOL §10.4.4); wrapped in `SessionChecked`, a verifier refuses such tokens as
/// [`session_ended`](RefusalReason::SessionEnded) (401) once the [`SessionChecker`] says so.
///
/// `V` is any [`TokenVerifier`] (a `CompositeVerifier`, a `JwksVerifier` alone, a
/// `RestVerifier`); `S` the session checker, usually `stack_auth_rest::Sessions`. Only tokens
/// the inner verifier accepts are checked, so the session ids asked about are authentic; the
/// session is the user's claims' `refresh_token_id` (read from the token itself when the inner
/// verifier returns no claims: it verified that exact token).
///
/// | inner verifier | checker answers | [`SessionPolicy::EndedOnly`] (default) | [`SessionPolicy::ListedOnly`] |
/// |---|---|---|---|
/// | refuses, unavailable, misconfigured | not asked | that error | that error |
/// | accepts | alive | the user | the user |
/// | accepts | ended | refused `session_ended` | refused `session_ended` |
/// | accepts | not listed (never seen: impersonation) | the user | refused `session_ended` |
/// | accepts | unknown (Stack Auth cannot be asked) | the user and a warning ([`UnknownSessionPolicy::Accept`], default); unavailable, 503 ([`UnknownSessionPolicy::Unavailable`]) | same |
/// | accepts | misconfigured (a wrong server key) | misconfigured (500), under every policy | same |
///
/// **Cost and delay** with `stack_auth_rest::Sessions`: a session answered within its cache
/// TTL (15 s) costs a cache lookup; otherwise one session-list request per user, shared by
/// every concurrent check of that user's sessions. A signed-out session seen alive before is
/// refused at most the TTL later, at once when an
/// [`Eviction::SessionEnded`](stack_auth_core::Eviction::SessionEnded) reaches the checker
/// (register this verifier with a webhook receiver or an
/// [`EvictionHub`](stack_auth_core::EvictionHub): it forwards every eviction to both).
///
/// ```
/// use std::sync::Arc;
/// use stack_auth_composite::{SessionChecked, SessionPolicy};
/// use stack_auth_core::{
///     async_trait, test_util::StaticVerifier, AccessTokenClaims, RefusalReason, SessionChecker,
///     SessionLiveness, TokenVerifier, VerifiedUser, VerifyError,
/// };
///
/// /// Session `gone` ended; `hidden` is an impersonation session (never listed).
/// #[derive(Debug)]
/// struct Checker;
/// #[async_trait]
/// impl SessionChecker for Checker {
///     async fn session_liveness(&self, _: &str, id: &str) -> Result<SessionLiveness, VerifyError> {
///         Ok(match id {
///             "gone" => SessionLiveness::Ended,
///             "hidden" => SessionLiveness::NotListed,
///             _ => SessionLiveness::Alive,
///         })
///     }
/// }
///
/// let user = |session: &str| {
///     let claims: AccessTokenClaims = serde_json::from_value(serde_json::json!({
///         "sub": "u1", "project_id": "p", "branch_id": "main", "iss": "i", "aud": "p",
///         "exp": 4_102_444_800_i64, "role": "authenticated", "refresh_token_id": session,
///     })).unwrap();
///     VerifiedUser::from_claims(claims)
/// };
/// let inner = StaticVerifier::refuse(RefusalReason::BadSignature)
///     .with_token("alive", Ok(user("s1")))
///     .with_token("signed-out", Ok(user("gone")))
///     .with_token("impersonating", Ok(user("hidden")));
/// let verifier = SessionChecked::new(inner, Checker);
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// assert!(verifier.verify("alive").await.is_ok());
/// let refused = verifier.verify("signed-out").await.unwrap_err();
/// assert_eq!(refused.refusal_reason(), Some(RefusalReason::SessionEnded));
/// assert!(verifier.verify("impersonating").await.is_ok()); // the default policy lets it in
/// let strict = verifier.with_policy(SessionPolicy::ListedOnly);
/// assert!(strict.verify("impersonating").await.is_err());
/// # });
/// ```
pub struct SessionChecked<V, S = Arc<DynSessionChecker>> {
    inner: V,
    sessions: S,
    policy: SessionPolicy,
    unknown: UnknownSessionPolicy,
}

impl<V: TokenVerifier, S: SessionChecker> SessionChecked<V, S> {
    /// `inner`, whose accepted tokens `sessions` checks, under the default policies
    /// ([`DEFAULT_SESSION_POLICY`], [`DEFAULT_UNKNOWN_SESSION_POLICY`]).
    pub fn new(inner: V, sessions: S) -> Self {
        SessionChecked {
            inner,
            sessions,
            policy: DEFAULT_SESSION_POLICY,
            unknown: DEFAULT_UNKNOWN_SESSION_POLICY,
        }
    }

    /// Which sessions are refused (default [`SessionPolicy::EndedOnly`]).
    #[must_use]
    pub fn with_policy(mut self, policy: SessionPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// What happens when the check cannot be answered (default
    /// [`UnknownSessionPolicy::Accept`]).
    #[must_use]
    pub fn with_unknown_policy(mut self, policy: UnknownSessionPolicy) -> Self {
        self.unknown = policy;
        self
    }

    /// The inner verifier.
    pub fn inner(&self) -> &V {
        &self.inner
    }

    /// The session checker.
    pub fn session_checker(&self) -> &S {
        &self.sessions
    }

    /// Which sessions are refused.
    pub fn policy(&self) -> SessionPolicy {
        self.policy
    }

    /// What happens when the check cannot be answered.
    pub fn unknown_policy(&self) -> UnknownSessionPolicy {
        self.unknown
    }

    /// The session check of a user the inner verifier accepted for `token`.
    async fn check(&self, token: &str, user: VerifiedUser) -> Result<VerifiedUser, VerifyError> {
        let span = tracing::Span::current();
        let Some(session) = session_of(&user, token) else {
            span.record("session", "none");
            return match self.policy {
                SessionPolicy::ListedOnly => Err(refused("the token names no session")),
                _ => Ok(user),
            };
        };
        let liveness = match self
            .sessions
            .session_liveness(user.user_id(), &session)
            .await
        {
            Ok(liveness) => liveness,
            Err(VerifyError::Unavailable(why)) => SessionLiveness::Unknown(why),
            Err(e) => return Err(e),
        };
        span.record("session", liveness.as_str());
        match (liveness, self.policy) {
            (SessionLiveness::Alive, _) => Ok(user),
            (SessionLiveness::Ended, _) => Err(refused("the session ended")),
            (SessionLiveness::NotListed, SessionPolicy::ListedOnly) => {
                Err(refused("stack auth does not list the session"))
            }
            (SessionLiveness::Unknown(why), _) => match self.unknown {
                UnknownSessionPolicy::Unavailable => Err(why.into()),
                _ => {
                    tracing::warn!(
                        kind = %why.kind(),
                        "session unknown (stack auth cannot be asked); accepting the token"
                    );
                    Ok(user)
                }
            },
            _ => Ok(user),
        }
    }
}

/// The token's session: from the user's claims, else from the token the inner verifier just
/// accepted (its payload is authentic).
fn session_of<'a>(user: &'a VerifiedUser, token: &str) -> Option<Cow<'a, str>> {
    if let Some(session) = user.session_id() {
        return Some(Cow::Borrowed(session));
    }
    let jws = UnverifiedJws::parse(token).ok()?;
    let session = jws.payload().get("refresh_token_id")?.as_str()?;
    Some(Cow::Owned(session.to_owned()))
}

fn refused(detail: &'static str) -> VerifyError {
    Refusal::new(RefusalReason::SessionEnded)
        .with_detail(detail)
        .into()
}

#[async_trait]
impl<V: TokenVerifier, S: SessionChecker> TokenVerifier for SessionChecked<V, S> {
    /// The inner verifier, then the session check in a `stack_auth.session_check` span
    /// (`session`: `alive`, `ended`, `not_listed`, `unknown`, `none`; `outcome`, `reason`).
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        let user = self.inner.verify(token).await?;
        let span = tracing::debug_span!(
            "stack_auth.session_check",
            session = Empty,
            outcome = Empty,
            reason = Empty,
        );
        let result = self.check(token, user).instrument(span.clone()).await;
        record_outcome(&span, result.as_ref().err());
        result
    }
}

/// Forwards every eviction to the inner verifier, then to the session checker (with
/// `stack_auth_rest::Sessions`, an `Eviction::SessionEnded` makes the session refused at once).
impl<V: Evict, S: Evict> Evict for SessionChecked<V, S> {
    fn evict(&self, eviction: &Eviction) {
        self.inner.evict(eviction);
        self.sessions.evict(eviction);
    }
}

impl<V: Clone, S: Clone> Clone for SessionChecked<V, S> {
    fn clone(&self) -> Self {
        SessionChecked {
            inner: self.inner.clone(),
            sessions: self.sessions.clone(),
            policy: self.policy,
            unknown: self.unknown,
        }
    }
}

impl<V: fmt::Debug, S: fmt::Debug> fmt::Debug for SessionChecked<V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionChecked")
            .field("inner", &self.inner)
            .field("sessions", &self.sessions)
            .field("policy", &self.policy)
            .field("unknown_policy", &self.unknown)
            .finish()
    }
}
