//! [`AuthRejection`]: why a request was not let through, and the default response for it.

use std::{fmt, sync::Arc, time::Duration};

use actix_web::{
    http::{
        header::{self, HeaderValue},
        StatusCode,
    },
    HttpResponse, ResponseError,
};
use stack_auth_core::{framework::Rejection, ExtractError, RefusalReason, VerifyError};

use crate::ErrorResponder;

pub use stack_auth_core::framework::DEFAULT_RETRY_AFTER;

/// Why a request could not be authenticated.
///
/// It is the error of the [`StackUser`](crate::StackUser) and
/// [`MaybeStackUser`](crate::MaybeStackUser) extractors and what
/// [`StackAuthMiddleware`](crate::StackAuthMiddleware) answers with. As a [`ResponseError`] it
/// renders with the [`ErrorResponder`] configured on the [`StackAuth`](crate::StackAuth) that
/// produced it, or with the default mapping, the same as the axum crate's:
///
/// | situation | status | `WWW-Authenticate` | `error` in the JSON body |
/// |---|---|---|---|
/// | no token sent | 401 | `Bearer` | `missing_token` |
/// | a token header or cookie that cannot be read (too large, repeated, malformed) | 400 | `Bearer error="invalid_request"` | `invalid_request` |
/// | token refused by the verifier | 401 | `Bearer error="invalid_token"` | the [`RefusalReason`] label, e.g. `expired` |
/// | an API key header that cannot be read (repeated, two different keys) | 400 | `Bearer error="invalid_request"` | `invalid_request` |
/// | API key refused ([`StackPrincipal`](crate::StackPrincipal)) | 401 | `Bearer error="invalid_token"` | the [`RefusalReason`] label, e.g. `api_key_revoked` |
/// | user type not allowed | 403 | `Bearer error="insufficient_scope"` | `user_type_not_allowed` |
/// | a permission the route requires is missing ([`StackAuth::require_permission`](crate::StackAuth::require_permission)) | 403 | `Bearer error="insufficient_scope"` | `permission_denied` |
/// | upstream unavailable | 503 (with `Retry-After`) | none | `unavailable` |
/// | verifier misconfigured | 500 | none | `misconfigured` |
///
/// The body is `{"error": "<code>", "message": "<fixed text>"}`. Neither the body nor the headers
/// ever contain the token or a verifier's error detail (misconfigurations are logged with
/// `tracing` instead).
#[derive(Clone)]
pub struct AuthRejection {
    rejection: Rejection,
    responder: Option<Arc<dyn ErrorResponder>>,
}

impl AuthRejection {
    /// A rejection for a verification error (refused, unavailable or misconfigured).
    pub fn from_verify_error(error: VerifyError) -> Self {
        Rejection::from(error).into()
    }

    /// A rejection for a token header that cannot be read.
    pub fn from_extract_error(error: ExtractError) -> Self {
        Rejection::from(error).into()
    }

    /// The rejection for a request that sent no token.
    pub fn missing_token() -> Self {
        Rejection::missing_token().into()
    }

    pub(crate) fn with_responder(mut self, responder: Option<Arc<dyn ErrorResponder>>) -> Self {
        if responder.is_some() {
            self.responder = responder;
        }
        self
    }

    /// The framework-neutral description this rejection renders.
    pub fn rejection(&self) -> &Rejection {
        &self.rejection
    }

    /// The verification error, unless the token could not even be read.
    pub fn verify_error(&self) -> Option<&VerifyError> {
        self.rejection.verify_error()
    }

    /// The extraction error, when a token header or cookie could not be read.
    pub fn extract_error(&self) -> Option<&ExtractError> {
        self.rejection.extract_error()
    }

    /// The refusal reason, when a token was refused or missing.
    pub fn refusal_reason(&self) -> Option<RefusalReason> {
        self.rejection.refusal_reason()
    }

    /// Whether the request sent no token at all.
    pub fn is_missing_token(&self) -> bool {
        self.rejection.is_missing_token()
    }

    /// The status of the default response (see the table above).
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.rejection.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The stable machine-readable code: `invalid_request`, a refusal label such as `expired`,
    /// `unavailable` or `misconfigured`.
    pub fn code(&self) -> &'static str {
        self.rejection.code()
    }

    /// A fixed, human-readable sentence for the code; never contains request data.
    pub fn message(&self) -> &'static str {
        self.rejection.message()
    }

    /// How long a client should wait before retrying: the upstream's hint, else
    /// [`DEFAULT_RETRY_AFTER`]; `None` unless the upstream is unavailable.
    pub fn retry_after(&self) -> Option<Duration> {
        self.rejection.retry_after()
    }

    /// The RFC 6750 `WWW-Authenticate` challenge of the default response, if any.
    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        let challenge = self.rejection.www_authenticate()?;
        // The challenge is visible ASCII, so this cannot fail; fall back to the bare challenge
        // anyway rather than panic.
        Some(HeaderValue::from_str(&challenge).unwrap_or(HeaderValue::from_static("Bearer")))
    }

    /// The default response of the table above, ignoring any configured [`ErrorResponder`].
    /// Custom responders can start from it and adjust.
    pub fn default_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ));
        if let Some(challenge) = self.www_authenticate() {
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        if let Some(secs) = self.rejection.retry_after_secs() {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(secs)));
        }
        response.body(self.rejection.json_body())
    }
}

impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        match &self.responder {
            Some(responder) => responder.respond(self),
            None => self.default_response(),
        }
    }
}

impl fmt::Debug for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRejection")
            .field("rejection", &self.rejection)
            .field("custom_responder", &self.responder.is_some())
            .finish()
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.rejection, f)
    }
}

impl std::error::Error for AuthRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.rejection)
    }
}

impl From<Rejection> for AuthRejection {
    fn from(rejection: Rejection) -> Self {
        AuthRejection {
            rejection,
            responder: None,
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
