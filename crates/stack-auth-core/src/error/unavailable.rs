//! Unavailable upstreams: [`Unavailable`], [`Upstream`] and [`UnavailableKind`].

use std::{fmt, sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};

use super::SharedError;

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
    /// The upstream answered, healthily, with one user's profile larger than the configured
    /// size cap (users write their own metadata, with no size limit). It concerns that user's
    /// token alone: it is not an outage, and retrying within the verification cannot help.
    ProfileTooLarge,
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
            UnavailableKind::ProfileTooLarge => "profile_too_large",
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
            UnavailableKind::ProfileTooLarge => "user profile larger than the size cap",
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
    source: Option<SharedError>,
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
    pub fn with_shared_source(mut self, source: SharedError) -> Self {
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
