//! [`VerifyError`]: why a token could not be turned into a [`VerifiedUser`](crate::VerifiedUser).

mod misconfig;
mod refusal;
mod unavailable;

use std::{sync::Arc, time::Duration};

pub use misconfig::{MisconfigKind, Misconfiguration};
pub use refusal::{Refusal, RefusalReason};
pub use unavailable::{Unavailable, UnavailableKind, Upstream};

/// A shared, type-erased error source. `Arc` (not `Box`) keeps [`VerifyError`] `Clone`, so a
/// verdict can be cached and handed to many waiting callers; hence the name (tower's and axum's
/// `BoxError` is a `Box`).
pub type SharedError = Arc<dyn std::error::Error + Send + Sync + 'static>;

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
}

#[cfg(test)]
mod tests;
