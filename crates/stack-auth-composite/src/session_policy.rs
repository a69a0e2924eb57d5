//! The two choices a [`SessionChecked`](crate::SessionChecked) verifier leaves to you: which
//! sessions to refuse, and what to do when Stack Auth cannot say.

/// The session policy [`SessionChecked::new`](crate::SessionChecked::new) starts with:
/// [`SessionPolicy::EndedOnly`].
pub const DEFAULT_SESSION_POLICY: SessionPolicy = SessionPolicy::EndedOnly;

/// What [`SessionChecked::new`](crate::SessionChecked::new) does when the session check cannot
/// be answered: [`UnknownSessionPolicy::Accept`].
pub const DEFAULT_UNKNOWN_SESSION_POLICY: UnknownSessionPolicy = UnknownSessionPolicy::Accept;

/// Which tokens a session check refuses, once the inner verifier accepted them.
///
/// A server key never sees impersonation sessions listed (PROTOCOL §10.4.2), and nothing in a
/// token says it was minted from one: an impersonation token and a token of a session that
/// ended before anyone asked look the same (not listed, never seen listed). The policies differ
/// only on those:
///
/// | the checker answers | [`EndedOnly`](SessionPolicy::EndedOnly) (default) | [`ListedOnly`](SessionPolicy::ListedOnly) |
/// |---|---|---|
/// | alive (listed) | accepted | accepted |
/// | ended (seen listed earlier, or an eviction said so) | refused `session_ended` | refused `session_ended` |
/// | not listed, never seen listed (impersonation; or ended before the first check) | **accepted** | **refused** `session_ended` |
/// | the token names no session | accepted | refused `session_ended` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SessionPolicy {
    /// Refuse only sessions known to have ended: seen listed before and missing now, or named
    /// by an [`Eviction::SessionEnded`](stack_auth_core::Eviction::SessionEnded). Impersonation
    /// tokens (dashboard impersonation, support tools) keep working. The price: a session
    /// signed out before this process first saw one of its tokens is not refused (its tokens
    /// still expire within 10 minutes), and neither is one last seen longer ago than the
    /// checker remembers (`stack_auth_rest::DEFAULT_SEEN_SESSION_TTL`, 24 h).
    #[default]
    EndedOnly,
    /// Accept only sessions Stack Auth lists now: every ended session is refused, seen before
    /// or not, and so is **every impersonation token** (a server key never sees those sessions
    /// listed). Choose it where impersonation is not used, or must not reach this server.
    ListedOnly,
}

/// What a session check does when Stack Auth cannot be asked (circuit open, timeout, 5xx,
/// rate limited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UnknownSessionPolicy {
    /// Accept the token the inner verifier accepted, and log a warning (fail open): during a
    /// Stack Auth outage revocation falls back to the token's expiry (at most 10 minutes), as
    /// without a session check, and a JWKS-verified server stays up. A session already known
    /// to have ended is still refused (that needs no request).
    #[default]
    Accept,
    /// Answer the check's unavailability (503, retryable; fail closed): nothing is let in whose
    /// session Stack Auth could not vouch for right now, so a Stack Auth outage becomes an
    /// outage of every route behind the check.
    Unavailable,
}
