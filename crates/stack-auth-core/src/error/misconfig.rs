//! Misconfigured verifiers: [`Misconfiguration`] and its [`MisconfigKind`].

use std::{borrow::Cow, fmt, sync::Arc};

use serde::{Deserialize, Serialize};

use super::SharedError;

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
    /// A feature the call needs is switched off for the project (user or team API keys: turn
    /// them on in the dashboard's API Keys app).
    FeatureDisabled,
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
            MisconfigKind::FeatureDisabled => "feature_disabled",
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
            MisconfigKind::FeatureDisabled => "feature disabled for the project",
        })
    }
}

/// The verifier is misconfigured; no token can be verified until the configuration is fixed.
#[derive(Debug, Clone)]
pub struct Misconfiguration {
    kind: MisconfigKind,
    detail: Option<Cow<'static, str>>,
    source: Option<SharedError>,
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
    pub fn with_shared_source(mut self, source: SharedError) -> Self {
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
