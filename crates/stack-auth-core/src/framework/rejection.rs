//! [`Rejection`]: why a request is not let in, and the framework-neutral parts of the answer.

use std::{borrow::Cow, fmt, time::Duration};

use crate::{ApiKeyExtractError, ExtractError, RefusalReason, VerifyError};

/// The `Retry-After` sent with a 503 when the upstream did not say how long to wait.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Why a request could not be authenticated, and what to answer: the RFC 6750 mapping every
/// framework integration renders.
///
/// | situation | status | `WWW-Authenticate` | [`code`](Self::code) (`error` in the JSON body) |
/// |---|---|---|---|
/// | no token sent | 401 | `Bearer` | `missing_token` |
/// | a token header or cookie that cannot be read (too large, repeated, malformed) | 400 | `Bearer error="invalid_request"` | `invalid_request` |
/// | token refused by the verifier | 401 | `Bearer error="invalid_token"` | the [`RefusalReason`] label, e.g. `expired` |
/// | an API key header that cannot be read (repeated, two different keys, malformed) | 400 | `Bearer error="invalid_request"` | `invalid_request` |
/// | API key refused by the verifier | 401 | `Bearer error="invalid_token"` | the [`RefusalReason`] label, e.g. `api_key_revoked` |
/// | user type not allowed | 403 | `Bearer error="insufficient_scope"` | `user_type_not_allowed` |
/// | the user lacks a permission the route requires | 403 | `Bearer error="insufficient_scope"` | `permission_denied` |
/// | upstream unavailable | 503 (with `Retry-After`) | none | `unavailable` |
/// | verifier misconfigured | 500 | none | `misconfigured` |
///
/// The body is [`json_body`](Self::json_body): `{"error": "<code>", "message": "<fixed text>"}`.
/// Nothing here ever contains the token or a verifier's error detail (the detail stays in
/// [`verify_error`](Self::verify_error), for logs).
///
/// ```
/// use stack_auth_core::{framework::Rejection, RefusalReason, VerifyError};
///
/// let rejection = Rejection::from(VerifyError::refused(RefusalReason::Expired));
/// assert_eq!(rejection.status(), 401);
/// assert_eq!(
///     rejection.www_authenticate().as_deref(),
///     Some(r#"Bearer error="invalid_token", error_description="the access token expired""#)
/// );
/// assert_eq!(rejection.json_body(), r#"{"error":"expired","message":"the access token expired"}"#);
/// ```
#[derive(Debug, Clone)]
pub struct Rejection {
    cause: Cause,
}

#[derive(Debug, Clone)]
enum Cause {
    Unreadable(ExtractError),
    UnreadableApiKey(ApiKeyExtractError),
    Verify(VerifyError),
    PermissionDenied,
}

impl Rejection {
    /// A rejection for a verification error (refused, unavailable or misconfigured).
    pub fn from_verify_error(error: VerifyError) -> Self {
        Rejection {
            cause: Cause::Verify(error),
        }
    }

    /// A rejection for a token header or cookie that cannot be read.
    pub fn from_extract_error(error: ExtractError) -> Self {
        Rejection {
            cause: Cause::Unreadable(error),
        }
    }

    /// A rejection for an API key header that cannot be read.
    pub fn from_api_key_extract_error(error: ApiKeyExtractError) -> Self {
        Rejection {
            cause: Cause::UnreadableApiKey(error),
        }
    }

    /// The rejection for a request that sent no token.
    pub fn missing_token() -> Self {
        Self::from_verify_error(VerifyError::refused(RefusalReason::MissingToken))
    }

    /// The rejection for an authenticated user who lacks a permission the route requires (403
    /// `permission_denied`).
    pub fn permission_denied() -> Self {
        Rejection {
            cause: Cause::PermissionDenied,
        }
    }

    /// Whether the user was authenticated but lacks a permission the route requires.
    pub fn is_permission_denied(&self) -> bool {
        matches!(self.cause, Cause::PermissionDenied)
    }

    /// The API key extraction error, when an API key header could not be read.
    pub fn api_key_extract_error(&self) -> Option<&ApiKeyExtractError> {
        match &self.cause {
            Cause::UnreadableApiKey(e) => Some(e),
            _ => None,
        }
    }

    /// The verification error, unless the token could not even be read.
    pub fn verify_error(&self) -> Option<&VerifyError> {
        match &self.cause {
            Cause::Verify(e) => Some(e),
            _ => None,
        }
    }

    /// The extraction error, when a token header or cookie could not be read.
    pub fn extract_error(&self) -> Option<&ExtractError> {
        match &self.cause {
            Cause::Unreadable(e) => Some(e),
            _ => None,
        }
    }

    /// The refusal reason, when a token was refused or missing.
    pub fn refusal_reason(&self) -> Option<RefusalReason> {
        self.verify_error().and_then(VerifyError::refusal_reason)
    }

    /// Whether the request sent no token at all.
    pub fn is_missing_token(&self) -> bool {
        self.refusal_reason() == Some(RefusalReason::MissingToken)
    }

    /// The HTTP status of the table above: 400, 401, 403, 500 or 503.
    pub fn status(&self) -> u16 {
        match &self.cause {
            Cause::Unreadable(_) | Cause::UnreadableApiKey(_) => 400,
            Cause::Verify(e) => e.http_status(),
            Cause::PermissionDenied => 403,
        }
    }

    /// The stable machine-readable code: `invalid_request`, a refusal label such as `expired`,
    /// `permission_denied`, `unavailable` or `misconfigured`.
    pub fn code(&self) -> &'static str {
        match &self.cause {
            Cause::Unreadable(_) | Cause::UnreadableApiKey(_) => "invalid_request",
            Cause::Verify(VerifyError::Refused(r)) => r.reason().as_str(),
            Cause::Verify(e) => e.outcome_label(),
            Cause::PermissionDenied => "permission_denied",
        }
    }

    /// A fixed, human-readable sentence for the code; never contains request data.
    pub fn message(&self) -> &'static str {
        match &self.cause {
            Cause::Unreadable(e) => unreadable_message(e),
            Cause::UnreadableApiKey(ApiKeyExtractError::Malformed(_)) => {
                "the api key header is malformed"
            }
            Cause::UnreadableApiKey(_) => "the api key is sent more than once",
            Cause::PermissionDenied => "you lack a permission this requires",
            Cause::Verify(VerifyError::Refused(r)) => refusal_message(r.reason()),
            Cause::Verify(VerifyError::Unavailable(_)) => {
                "authentication is temporarily unavailable, retry later"
            }
            Cause::Verify(_) => "authentication is misconfigured on this server",
        }
    }

    /// How long a client should wait before retrying: the upstream's hint, else
    /// [`DEFAULT_RETRY_AFTER`]; `None` unless the upstream is unavailable.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.cause {
            Cause::Verify(e @ VerifyError::Unavailable(_)) => {
                Some(e.retry_after().unwrap_or(DEFAULT_RETRY_AFTER))
            }
            _ => None,
        }
    }

    /// The `Retry-After` header value: [`retry_after`](Self::retry_after) in whole seconds,
    /// rounded up, at least 1.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after().map(|wait| {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            secs.max(1)
        })
    }

    /// The RFC 6750 `WWW-Authenticate` challenge, if the status has one (400, 401, 403). It is
    /// visible ASCII, a valid header value in every HTTP library.
    pub fn www_authenticate(&self) -> Option<Cow<'static, str>> {
        let error = match &self.cause {
            Cause::Unreadable(_) | Cause::UnreadableApiKey(_) => "invalid_request",
            Cause::PermissionDenied => "insufficient_scope",
            Cause::Verify(VerifyError::Refused(r)) => match r.reason() {
                RefusalReason::MissingToken => return Some(Cow::Borrowed("Bearer")),
                RefusalReason::UserTypeNotAllowed | RefusalReason::Custom => "insufficient_scope",
                _ => "invalid_token",
            },
            Cause::Verify(_) => return None,
        };
        Some(Cow::Owned(format!(
            "Bearer error=\"{error}\", error_description=\"{}\"",
            self.message()
        )))
    }

    /// The JSON body: `{"error":"<code>","message":"<message>"}`, compact.
    pub fn json_body(&self) -> String {
        serde_json::json!({ "error": self.code(), "message": self.message() }).to_string()
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Cause::Unreadable(e) => write!(f, "unauthenticated: {e}"),
            Cause::UnreadableApiKey(e) => write!(f, "unauthenticated: {e}"),
            Cause::Verify(e) => write!(f, "unauthenticated: {e}"),
            Cause::PermissionDenied => f.write_str("forbidden: a required permission is missing"),
        }
    }
}

impl std::error::Error for Rejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Cause::Unreadable(e) => Some(e),
            Cause::UnreadableApiKey(e) => Some(e),
            Cause::Verify(e) => Some(e),
            Cause::PermissionDenied => None,
        }
    }
}

impl From<VerifyError> for Rejection {
    fn from(error: VerifyError) -> Self {
        Self::from_verify_error(error)
    }
}

impl From<ExtractError> for Rejection {
    fn from(error: ExtractError) -> Self {
        Self::from_extract_error(error)
    }
}

impl From<ApiKeyExtractError> for Rejection {
    fn from(error: ApiKeyExtractError) -> Self {
        Self::from_api_key_extract_error(error)
    }
}

fn unreadable_message(error: &ExtractError) -> &'static str {
    match error {
        ExtractError::TooLarge(_) => "the access token is too large",
        ExtractError::Ambiguous(_) | ExtractError::Conflict(..) => {
            "the access token is sent more than once"
        }
        _ => "the access token header or cookie is malformed",
    }
}

fn refusal_message(reason: RefusalReason) -> &'static str {
    match reason {
        RefusalReason::MissingToken => "an access token is required",
        RefusalReason::Expired => "the access token expired",
        RefusalReason::UserTypeNotAllowed => "this user type is not allowed here",
        RefusalReason::Custom => "this user is not allowed here",
        RefusalReason::UserNotFound => "the user of this access token no longer exists",
        RefusalReason::SessionEnded => "the session of this access token has ended",
        RefusalReason::WrongProject => "the access token belongs to another project",
        RefusalReason::ApiKeyMalformed => "the api key is malformed",
        RefusalReason::ApiKeyNotFound => "the api key is not known",
        RefusalReason::ApiKeyRevoked => "the api key was revoked",
        RefusalReason::ApiKeyExpired => "the api key expired",
        RefusalReason::WrongApiKeyType => "this kind of api key is not accepted here",
        RefusalReason::PublicApiKeyNotAllowed => "public api keys are not accepted here",
        _ => "the access token is invalid",
    }
}
