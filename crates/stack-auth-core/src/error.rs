//! [`VerifyError`]: why a token could not be turned into a [`VerifiedUser`](crate::VerifiedUser).

use std::{borrow::Cow, fmt, sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};

/// A shared, type-erased error source. `Arc` (not `Box`) keeps [`VerifyError`] `Clone`, so a
/// verdict can be cached and handed to many waiting callers.
pub type BoxError = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Why a token could not be verified.
///
/// | variant | meaning | HTTP hint | retry? |
/// |---|---|---|---|
/// | [`VerifyError::Refused`] | the token is not acceptable ([`RefusalReason`]) | 401 (403 for [`RefusalReason::UserTypeNotAllowed`]) | no |
/// | [`VerifyError::Unavailable`] | the JWKS endpoint or the Stack Auth API could not answer | 503 | yes |
/// | [`VerifyError::Misconfigured`] | the verifier is set up wrongly (server key, project) | 500 | no |
///
/// No variant ever holds the token or a secret, so logging an error is always safe.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The token is refused: answer 401 (or 403), do not retry with the same token.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// An upstream needed to decide is unavailable or rate-limited: answer 503, retrying can help.
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    /// The verifier is misconfigured (wrong server key, unknown project): answer 500, fix the config.
    #[error(transparent)]
    Misconfigured(#[from] Misconfiguration),
}

impl VerifyError {
    /// A refusal for `reason` with no further detail.
    pub fn refused(reason: RefusalReason) -> Self {
        VerifyError::Refused(Refusal::new(reason))
    }

    /// The HTTP status a server should answer with: 401, 403, 503 or 500.
    pub fn http_status(&self) -> u16 {
        match self {
            VerifyError::Refused(r) => r.reason().http_status(),
            VerifyError::Unavailable(_) => 503,
            VerifyError::Misconfigured(_) => 500,
        }
    }

    /// Whether the same request may succeed if retried later (only upstream unavailability).
    pub fn is_retryable(&self) -> bool {
        matches!(self, VerifyError::Unavailable(_))
    }

    /// How long the upstream asked callers to wait, when it said (HTTP `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            VerifyError::Unavailable(u) => u.retry_after(),
            _ => None,
        }
    }

    /// The refusal reason, when the token was refused.
    pub fn refusal_reason(&self) -> Option<RefusalReason> {
        match self {
            VerifyError::Refused(r) => Some(r.reason()),
            _ => None,
        }
    }

    /// A stable machine-readable code: the refusal label (e.g. `expired`), `unavailable` or
    /// `misconfigured`.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Refused(r) => r.reason().as_str(),
            VerifyError::Unavailable(_) => "unavailable",
            VerifyError::Misconfigured(_) => "misconfigured",
        }
    }
}

/// Why a token was refused. The labels ([`RefusalReason::as_str`]) are stable and match the
/// rejection categories of the interop fixtures, plus what only the REST API can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefusalReason {
    /// Not a well-formed JWS compact token with the claims Stack Auth always sets (or too large).
    Malformed,
    /// The `alg` is not `ES256` (`none`, HMAC, RSA, other curves).
    UnsupportedAlgorithm,
    /// No key of the project's key set has the token's `kid`.
    UnknownKey,
    /// The signature does not verify with the key named by `kid`.
    BadSignature,
    /// The token's `exp` has passed.
    Expired,
    /// The issuer is not the one configured for the token's user type.
    WrongIssuer,
    /// The audience is not this project's (or not a string).
    WrongAudience,
    /// The token is valid but its user type (restricted, anonymous) is not accepted.
    UserTypeNotAllowed,
    /// The claims contradict each other (PROTOCOL §1.8), e.g. anonymous but not restricted.
    InconsistentClaims,
    /// Stack Auth's API refused the token as unparsable (REST cannot tell which check failed).
    Unparsable,
    /// The token belongs to another project than the one the verifier is configured for.
    WrongProject,
    /// The token is valid but its user no longer exists (deleted).
    UserNotFound,
    /// No token was presented (used by request extractors).
    MissingToken,
}

impl RefusalReason {
    /// Every reason, for exhaustive tests and documentation tables.
    pub const ALL: [RefusalReason; 13] = [
        RefusalReason::Malformed,
        RefusalReason::UnsupportedAlgorithm,
        RefusalReason::UnknownKey,
        RefusalReason::BadSignature,
        RefusalReason::Expired,
        RefusalReason::WrongIssuer,
        RefusalReason::WrongAudience,
        RefusalReason::UserTypeNotAllowed,
        RefusalReason::InconsistentClaims,
        RefusalReason::Unparsable,
        RefusalReason::WrongProject,
        RefusalReason::UserNotFound,
        RefusalReason::MissingToken,
    ];

    /// The stable snake_case label, e.g. `bad_signature`.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalReason::Malformed => "malformed",
            RefusalReason::UnsupportedAlgorithm => "unsupported_algorithm",
            RefusalReason::UnknownKey => "unknown_key",
            RefusalReason::BadSignature => "bad_signature",
            RefusalReason::Expired => "expired",
            RefusalReason::WrongIssuer => "wrong_issuer",
            RefusalReason::WrongAudience => "wrong_audience",
            RefusalReason::UserTypeNotAllowed => "user_type_not_allowed",
            RefusalReason::InconsistentClaims => "inconsistent_claims",
            RefusalReason::Unparsable => "unparsable",
            RefusalReason::WrongProject => "wrong_project",
            RefusalReason::UserNotFound => "user_not_found",
            RefusalReason::MissingToken => "missing_token",
        }
    }

    /// Parses a label produced by [`RefusalReason::as_str`].
    pub fn from_label(label: &str) -> Option<RefusalReason> {
        RefusalReason::ALL.into_iter().find(|r| r.as_str() == label)
    }

    /// 403 for a user type that is not allowed (the user is known, just not let in), else 401.
    pub fn http_status(self) -> u16 {
        match self {
            RefusalReason::UserTypeNotAllowed => 403,
            _ => 401,
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused token: the [`RefusalReason`] and an optional human-readable detail.
///
/// The detail never contains the token; it may say e.g. which issuer was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    reason: RefusalReason,
    detail: Option<Cow<'static, str>>,
}

impl Refusal {
    /// A refusal with no detail.
    pub fn new(reason: RefusalReason) -> Self {
        Refusal {
            reason,
            detail: None,
        }
    }

    /// Adds a human-readable detail (must not contain the token or a secret).
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Why the token was refused.
    pub fn reason(&self) -> RefusalReason {
        self.reason
    }

    /// The detail, if any.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token refused: {}", self.reason)?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

impl From<Refusal> for Box<VerifyError> {
    fn from(r: Refusal) -> Self {
        Box::new(VerifyError::Refused(r))
    }
}

/// Which upstream was unavailable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Upstream {
    /// The project's JWKS endpoint.
    Jwks,
    /// The Stack Auth REST API (`/api/v1/users/me`).
    Api,
}

impl fmt::Display for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Upstream::Jwks => "jwks endpoint",
            Upstream::Api => "stack auth api",
        })
    }
}

/// How the upstream failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnavailableKind {
    /// Could not connect, or the connection dropped.
    Connect,
    /// No complete answer within the deadline.
    Timeout,
    /// A 5xx (or otherwise unexpected) status.
    ServerError,
    /// HTTP 429: rate-limited.
    RateLimited,
    /// The answer was not what the protocol says (garbage, wrong shape, mismatched error codes).
    InvalidResponse,
    /// The answer exceeded the configured size cap.
    TooLarge,
    /// The circuit breaker is open after repeated failures; no request was sent.
    CircuitOpen,
    /// No usable keys: the key set could not be fetched and any stale copy is past its limit.
    NoUsableKeys,
}

impl UnavailableKind {
    /// The stable snake_case label, e.g. `rate_limited` (for logs and metrics).
    pub fn as_str(self) -> &'static str {
        match self {
            UnavailableKind::Connect => "connect",
            UnavailableKind::Timeout => "timeout",
            UnavailableKind::ServerError => "server_error",
            UnavailableKind::RateLimited => "rate_limited",
            UnavailableKind::InvalidResponse => "invalid_response",
            UnavailableKind::TooLarge => "too_large",
            UnavailableKind::CircuitOpen => "circuit_open",
            UnavailableKind::NoUsableKeys => "no_usable_keys",
        }
    }
}

impl fmt::Display for UnavailableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnavailableKind::Connect => "connection failed",
            UnavailableKind::Timeout => "timed out",
            UnavailableKind::ServerError => "server error",
            UnavailableKind::RateLimited => "rate limited",
            UnavailableKind::InvalidResponse => "invalid response",
            UnavailableKind::TooLarge => "response too large",
            UnavailableKind::CircuitOpen => "circuit open after repeated failures",
            UnavailableKind::NoUsableKeys => "no usable keys",
        })
    }
}

/// An upstream (JWKS endpoint or API) could not answer. Retrying later can help.
#[derive(Debug, Clone)]
pub struct Unavailable {
    upstream: Upstream,
    kind: UnavailableKind,
    status: Option<u16>,
    retry_after: Option<Duration>,
    source: Option<BoxError>,
}

impl Unavailable {
    /// A new unavailability of `upstream`.
    pub fn new(upstream: Upstream, kind: UnavailableKind) -> Self {
        Unavailable {
            upstream,
            kind,
            status: None,
            retry_after: None,
            source: None,
        }
    }

    /// Records the HTTP status the upstream answered with.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Records how long the upstream asked to wait.
    #[must_use]
    pub fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    /// Records the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Records an underlying error that is already shared.
    #[must_use]
    pub fn with_shared_source(mut self, source: BoxError) -> Self {
        self.source = Some(source);
        self
    }

    /// Which upstream failed.
    pub fn upstream(&self) -> Upstream {
        self.upstream
    }

    /// How it failed.
    pub fn kind(&self) -> UnavailableKind {
        self.kind
    }

    /// The HTTP status it answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The `Retry-After` it gave, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} unavailable: {}", self.upstream, self.kind)?;
        if let Some(s) = self.status {
            write!(f, " (status {s})")?;
        }
        if let Some(r) = self.retry_after {
            write!(f, ", retry after {}s", r.as_secs())?;
        }
        Ok(())
    }
}

impl std::error::Error for Unavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What is wrong with the verifier's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MisconfigKind {
    /// Stack Auth rejected the secret server key (`INVALID_SECRET_SERVER_KEY`).
    InvalidSecretServerKey,
    /// No secret server key was sent (`SERVER_AUTHENTICATION_REQUIRED`).
    MissingSecretServerKey,
    /// Stack Auth does not know the configured project.
    ProjectNotFound,
    /// Stack Auth rejected the request itself (access type, schema, branch): an SDK or proxy bug.
    InvalidRequest,
    /// Stack Auth answered with an error this SDK does not know how to interpret.
    UnexpectedError,
}

impl MisconfigKind {
    /// The stable snake_case label, e.g. `invalid_secret_server_key` (for logs and metrics).
    pub fn as_str(self) -> &'static str {
        match self {
            MisconfigKind::InvalidSecretServerKey => "invalid_secret_server_key",
            MisconfigKind::MissingSecretServerKey => "missing_secret_server_key",
            MisconfigKind::ProjectNotFound => "project_not_found",
            MisconfigKind::InvalidRequest => "invalid_request",
            MisconfigKind::UnexpectedError => "unexpected_error",
        }
    }
}

impl fmt::Display for MisconfigKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MisconfigKind::InvalidSecretServerKey => "invalid secret server key",
            MisconfigKind::MissingSecretServerKey => "missing secret server key",
            MisconfigKind::ProjectNotFound => "project not found",
            MisconfigKind::InvalidRequest => "request rejected by stack auth",
            MisconfigKind::UnexpectedError => "unexpected error from stack auth",
        })
    }
}

/// The verifier is misconfigured; no token can be verified until the configuration is fixed.
#[derive(Debug, Clone)]
pub struct Misconfiguration {
    kind: MisconfigKind,
    detail: Option<Cow<'static, str>>,
    source: Option<BoxError>,
}

impl Misconfiguration {
    /// A new misconfiguration of `kind`.
    pub fn new(kind: MisconfigKind) -> Self {
        Misconfiguration {
            kind,
            detail: None,
            source: None,
        }
    }

    /// Adds a detail such as the error code Stack Auth answered with (never a secret).
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Records the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Records an underlying error that is already shared.
    #[must_use]
    pub fn with_shared_source(mut self, source: BoxError) -> Self {
        self.source = Some(source);
        self
    }

    /// What is wrong.
    pub fn kind(&self) -> MisconfigKind {
        self.kind
    }

    /// The detail, if any.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for Misconfiguration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "verifier misconfigured: {}", self.kind)?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Misconfiguration {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_retry_hints() {
        assert_eq!(
            VerifyError::refused(RefusalReason::Expired).http_status(),
            401
        );
        assert_eq!(
            VerifyError::refused(RefusalReason::UserTypeNotAllowed).http_status(),
            403
        );
        let u = Unavailable::new(Upstream::Api, UnavailableKind::RateLimited)
            .with_status(429)
            .with_retry_after(Duration::from_secs(7));
        let e = VerifyError::from(u);
        assert_eq!(e.http_status(), 503);
        assert!(e.is_retryable());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(e.code(), "unavailable");
        let m = VerifyError::from(Misconfiguration::new(MisconfigKind::InvalidSecretServerKey));
        assert_eq!(m.http_status(), 500);
        assert!(!m.is_retryable());
        assert_eq!(m.code(), "misconfigured");
    }

    #[test]
    fn kind_labels_match_their_serde_names() {
        use UnavailableKind as U;
        for k in [
            U::Connect,
            U::Timeout,
            U::ServerError,
            U::RateLimited,
            U::InvalidResponse,
            U::TooLarge,
            U::CircuitOpen,
            U::NoUsableKeys,
        ] {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
        use MisconfigKind as M;
        for k in [
            M::InvalidSecretServerKey,
            M::MissingSecretServerKey,
            M::ProjectNotFound,
            M::InvalidRequest,
            M::UnexpectedError,
        ] {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
    }

    #[test]
    fn labels_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in RefusalReason::ALL {
            assert!(seen.insert(r.as_str()));
            assert_eq!(RefusalReason::from_label(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(RefusalReason::from_label("nope"), None);
    }

    #[test]
    fn display_is_lower_case_without_period() {
        let e =
            VerifyError::from(Refusal::new(RefusalReason::WrongIssuer).with_detail("expected x"));
        assert_eq!(e.to_string(), "token refused: wrong_issuer (expected x)");
        let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "deadline");
        let e = VerifyError::from(
            Unavailable::new(Upstream::Jwks, UnavailableKind::Timeout).with_source(io),
        );
        assert_eq!(e.to_string(), "jwks endpoint unavailable: timed out");
        let src = std::error::Error::source(&e).unwrap();
        assert_eq!(src.to_string(), "deadline");
        for e in [e.clone(), VerifyError::refused(RefusalReason::Malformed)] {
            let s = e.to_string();
            assert!(!s.ends_with('.'));
            assert_eq!(s, s.to_lowercase());
        }
    }
}
