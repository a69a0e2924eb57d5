//! [`ErrorResponder`]: how an [`AuthRejection`] becomes a response, when the default will not do.

use actix_web::HttpResponse;

use crate::AuthRejection;

/// Turns an [`AuthRejection`] into the response sent to the client.
///
/// The default mapping is [`AuthRejection::default_response`] (see the table on
/// [`AuthRejection`]). Any `Fn(&AuthRejection) -> HttpResponse` is a responder, so an override
/// is one closure:
///
/// ```
/// use actix_web::{http::StatusCode, HttpResponse};
/// use stack_auth_actix::{AuthRejection, StackAuth};
/// # use std::sync::Arc;
/// # use stack_auth_core::{test_util::StaticVerifier, RefusalReason};
/// # let verifier = Arc::new(StaticVerifier::refuse(RefusalReason::Expired));
///
/// // Answer every refusal with a bare 401 for a legacy client, keep the rest.
/// let auth = StackAuth::new(verifier).error_responder(|rejection: &AuthRejection| {
///     if rejection.status() == StatusCode::UNAUTHORIZED {
///         HttpResponse::Unauthorized().finish()
///     } else {
///         rejection.default_response()
///     }
/// });
/// # let _ = auth;
/// ```
///
/// A responder must not put the token into the response; the rejection does not hold it.
pub trait ErrorResponder: Send + Sync + 'static {
    /// The response for `rejection`.
    fn respond(&self, rejection: &AuthRejection) -> HttpResponse;
}

impl<F> ErrorResponder for F
where
    F: Fn(&AuthRejection) -> HttpResponse + Send + Sync + 'static,
{
    fn respond(&self, rejection: &AuthRejection) -> HttpResponse {
        self(rejection)
    }
}
