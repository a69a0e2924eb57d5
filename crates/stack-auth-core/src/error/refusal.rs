//! Refused tokens: [`Refusal`] and its [`RefusalReason`].

use std::{borrow::Cow, fmt};

use serde::{Deserialize, Serialize};

use super::VerifyError;

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
    /// The token is valid but the session it was minted from (its `refresh_token_id`) has
    /// ended: signed out, deleted, or ended by a password change. Stack Auth itself keeps
    /// accepting such a token until it expires (PROTOCOL §10.4.4); a verifier told that the
    /// session ended (an [`Eviction::SessionEnded`](crate::Eviction::SessionEnded)) refuses it
    /// from then on (HTTP 401).
    SessionEnded,
    /// No token was presented (used by request extractors).
    MissingToken,
    /// Refused by a rule of a verifier of your own (an allow-list, a ban list, a tenant rule):
    /// the token was understood and its user is known, but not let in (HTTP 403). The label is
    /// always `custom`; say which rule refused in the [detail](Refusal::with_detail), or build
    /// it with [`Refusal::custom`]. The SDK's own verifiers never use it.
    Custom,
    /// An API key that is not in the key format, or whose checksum does not match (PROTOCOL
    /// §10.2.4): refused without asking Stack Auth.
    ApiKeyMalformed,
    /// Stack Auth knows no such API key in this project (`API_KEY_NOT_FOUND`).
    ApiKeyNotFound,
    /// The API key was revoked (`API_KEY_REVOKED`; a key both revoked and expired is revoked).
    ApiKeyRevoked,
    /// The API key expired (`API_KEY_EXPIRED`).
    ApiKeyExpired,
    /// A team key where a user key is required, or the other way round (`WRONG_API_KEY_TYPE`,
    /// or known from the key string without asking).
    WrongApiKeyType,
    /// A public (`pk_…`) API key where only secret keys are accepted: public keys are meant to
    /// be seen by anyone.
    PublicApiKeyNotAllowed,
}

impl RefusalReason {
    /// Every reason, for exhaustive tests and documentation tables.
    pub const ALL: [RefusalReason; 21] = [
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
        RefusalReason::SessionEnded,
        RefusalReason::MissingToken,
        RefusalReason::Custom,
        RefusalReason::ApiKeyMalformed,
        RefusalReason::ApiKeyNotFound,
        RefusalReason::ApiKeyRevoked,
        RefusalReason::ApiKeyExpired,
        RefusalReason::WrongApiKeyType,
        RefusalReason::PublicApiKeyNotAllowed,
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
            RefusalReason::SessionEnded => "session_ended",
            RefusalReason::MissingToken => "missing_token",
            RefusalReason::Custom => "custom",
            RefusalReason::ApiKeyMalformed => "api_key_malformed",
            RefusalReason::ApiKeyNotFound => "api_key_not_found",
            RefusalReason::ApiKeyRevoked => "api_key_revoked",
            RefusalReason::ApiKeyExpired => "api_key_expired",
            RefusalReason::WrongApiKeyType => "wrong_api_key_type",
            RefusalReason::PublicApiKeyNotAllowed => "public_api_key_not_allowed",
        }
    }

    /// Parses a label produced by [`RefusalReason::as_str`].
    pub fn from_label(label: &str) -> Option<RefusalReason> {
        RefusalReason::ALL.into_iter().find(|r| r.as_str() == label)
    }

    /// Whether the refused credential was an API key (one of the `api_key` reasons).
    pub fn is_about_an_api_key(self) -> bool {
        matches!(
            self,
            RefusalReason::ApiKeyMalformed
                | RefusalReason::ApiKeyNotFound
                | RefusalReason::ApiKeyRevoked
                | RefusalReason::ApiKeyExpired
                | RefusalReason::WrongApiKeyType
                | RefusalReason::PublicApiKeyNotAllowed
        )
    }

    /// 403 for a user type that is not allowed and for a [`Custom`](RefusalReason::Custom)
    /// refusal (the user is known, just not let in), else 401.
    pub fn http_status(self) -> u16 {
        match self {
            RefusalReason::UserTypeNotAllowed | RefusalReason::Custom => 403,
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

    /// A [`RefusalReason::Custom`] refusal: a rule of your own verifier refused the user;
    /// `detail` says which (it must not contain the token or a secret).
    ///
    /// ```
    /// use stack_auth_core::{Refusal, RefusalReason, VerifyError};
    ///
    /// let e: VerifyError = Refusal::custom("not on the allow-list").into();
    /// assert_eq!(e.refusal_reason(), Some(RefusalReason::Custom));
    /// assert_eq!((e.http_status(), e.reason_label()), (403, "custom"));
    /// assert_eq!(e.to_string(), "token refused: custom (not on the allow-list)");
    /// ```
    pub fn custom(detail: impl Into<Cow<'static, str>>) -> Self {
        Refusal::new(RefusalReason::Custom).with_detail(detail)
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
