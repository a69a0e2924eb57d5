//! [`AuthRejection`]: why a request was not let through, and the default response for it.

use std::{fmt, sync::Arc, time::Duration};

use axum::{
    body::Body,
    response::{IntoResponse, Response},
};
use http::{header, HeaderValue, StatusCode};
use stack_auth_core::{ExtractError, RefusalReason, VerifyError};

use crate::ErrorResponder;

/// The `Retry-After` sent with a 503 when the upstream did not say how long to wait.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Why a request could not be authenticated.
///
/// It is the rejection of the [`StackUser`](crate::StackUser) and
/// [`MaybeStackUser`](crate::MaybeStackUser) extractors and what
/// [`StackAuthLayer`](crate::StackAuthLayer) answers with. Turning it into a response uses the
/// [`ErrorResponder`] configured on the [`StackAuth`](crate::StackAuth) that produced it, or the
/// default mapping:
///
/// | situation | status | `WWW-Authenticate` | `error` in the JSON body |
/// |---|---|---|---|
/// | no token sent | 401 | `Bearer` | `missing_token` |
/// | a token header or cookie that cannot be read (too large, repeated, malformed) | 400 | `Bearer error="invalid_request"` | `invalid_request` |
/// | token refused by the verifier | 401 | `Bearer error="invalid_token"` | the [`RefusalReason`] label, e.g. `expired` |
/// | user type not allowed | 403 | `Bearer error="insufficient_scope"` | `user_type_not_allowed` |
/// | upstream unavailable | 503 (with `Retry-After`) | none | `unavailable` |
/// | verifier misconfigured | 500 | none | `misconfigured` |
///
/// The body is `{"error": "<code>", "message": "<fixed text>"}`. Neither the body nor the headers
/// ever contain the token or a verifier's error detail (misconfigurations are logged with
/// `tracing` instead).
#[derive(Clone)]
pub struct AuthRejection {
    cause: Cause,
    responder: Option<Arc<dyn ErrorResponder>>,
}

#[derive(Debug, Clone)]
enum Cause {
    Unreadable(ExtractError),
    Verify(VerifyError),
}

impl AuthRejection {
    /// A rejection for a verification error (refused, unavailable or misconfigured).
    pub fn from_verify_error(error: VerifyError) -> Self {
        AuthRejection {
            cause: Cause::Verify(error),
            responder: None,
        }
    }

    /// A rejection for a token header that cannot be read.
    pub fn from_extract_error(error: ExtractError) -> Self {
        AuthRejection {
            cause: Cause::Unreadable(error),
            responder: None,
        }
    }

    /// The rejection for a request that sent no token.
    pub fn missing_token() -> Self {
        Self::from_verify_error(VerifyError::refused(RefusalReason::MissingToken))
    }

    pub(crate) fn with_responder(mut self, responder: Option<Arc<dyn ErrorResponder>>) -> Self {
        if responder.is_some() {
            self.responder = responder;
        }
        self
    }

    /// The verification error, unless the token could not even be read.
    pub fn verify_error(&self) -> Option<&VerifyError> {
        match &self.cause {
            Cause::Verify(e) => Some(e),
            Cause::Unreadable(_) => None,
        }
    }

    /// The extraction error, when a token header or cookie could not be read.
    pub fn extract_error(&self) -> Option<&ExtractError> {
        match &self.cause {
            Cause::Unreadable(e) => Some(e),
            Cause::Verify(_) => None,
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

    /// The status of the default response (see the table above).
    pub fn status(&self) -> StatusCode {
        match &self.cause {
            Cause::Unreadable(_) => StatusCode::BAD_REQUEST,
            Cause::Verify(e) => {
                StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    /// The stable machine-readable code: `invalid_request`, a refusal label such as `expired`,
    /// `unavailable` or `misconfigured`.
    pub fn code(&self) -> &'static str {
        match &self.cause {
            Cause::Unreadable(_) => "invalid_request",
            Cause::Verify(VerifyError::Refused(r)) => r.reason().as_str(),
            Cause::Verify(e) => e.outcome_label(),
        }
    }

    /// A fixed, human-readable sentence for the code; never contains request data.
    pub fn message(&self) -> &'static str {
        match &self.cause {
            Cause::Unreadable(e) => unreadable_message(e),
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

    /// The RFC 6750 `WWW-Authenticate` challenge of the default response, if any.
    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        let error = match &self.cause {
            Cause::Unreadable(_) => "invalid_request",
            Cause::Verify(VerifyError::Refused(r)) => match r.reason() {
                RefusalReason::MissingToken => return Some(HeaderValue::from_static("Bearer")),
                RefusalReason::UserTypeNotAllowed | RefusalReason::Custom => "insufficient_scope",
                _ => "invalid_token",
            },
            Cause::Verify(_) => return None,
        };
        // The message is a fixed ASCII sentence without quotes, so this cannot fail; fall back
        // to the bare challenge anyway rather than panic.
        let value = format!(
            "Bearer error=\"{error}\", error_description=\"{}\"",
            self.message()
        );
        Some(HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("Bearer")))
    }

    /// The default response of the table above, ignoring any configured [`ErrorResponder`].
    /// Custom responders can start from it and adjust.
    pub fn default_response(&self) -> Response {
        let body = serde_json::json!({ "error": self.code(), "message": self.message() });
        let mut response = Response::new(Body::from(body.to_string()));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(challenge) = self.www_authenticate() {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        if let Some(wait) = self.retry_after() {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match &self.responder {
            Some(responder) => responder.respond(&self),
            None => self.default_response(),
        }
    }
}

impl fmt::Debug for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRejection")
            .field("cause", &self.cause)
            .field("custom_responder", &self.responder.is_some())
            .finish()
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Cause::Unreadable(e) => write!(f, "unauthenticated: {e}"),
            Cause::Verify(e) => write!(f, "unauthenticated: {e}"),
        }
    }
}

impl std::error::Error for AuthRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Cause::Unreadable(e) => Some(e),
            Cause::Verify(e) => Some(e),
        }
    }
}

impl From<VerifyError> for AuthRejection {
    fn from(error: VerifyError) -> Self {
        Self::from_verify_error(error)
    }
}

impl From<ExtractError> for AuthRejection {
    fn from(error: ExtractError) -> Self {
        Self::from_extract_error(error)
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
        RefusalReason::WrongProject => "the access token belongs to another project",
        _ => "the access token is invalid",
    }
}
