//! The verdicts of a request, kept in its extensions so that the middleware and extractors
//! behind one reuse them instead of verifying again, but only where reuse is sound.
//!
//! The rule is core's ([`Verdicts`]): a verdict is reused only by a configuration with the same
//! verifier (or none, for [`StackAuth::from_middleware`](crate::StackAuth::from_middleware))
//! whose own token sources pick exactly the token the verdict was reached on, from the same
//! source. So a route limited to
//! [`TokenSources::HEADERS_ONLY`](stack_auth_core::TokenSources::HEADERS_ONLY) behind a
//! middleware reading every source never takes the verdict of the ambient `stack-access`
//! cookie. This module only keeps them in actix-web's request extensions.

use std::sync::Arc;

use actix_web::{HttpMessage, HttpRequest};
use stack_auth_core::{
    framework::{Outcome, Rejection, RequestAuth, Verdicts},
    TokenSources, VerifiedUser, VerifyError,
};

use crate::{headers::token_headers, ErrorResponder};

/// What is recorded with each verdict: the responder of the configuration that reached it.
pub(crate) type Responder = Option<Arc<dyn ErrorResponder>>;

/// Authenticates `request` with `auth`, reusing a verdict in its extensions where the rule
/// allows, recording a new one, and making its `VerifiedUser` extension say what the verdict
/// says (the user, or none).
///
/// # Errors
///
/// A [`Rejection`] only when a token header cannot be carried over to core (see
/// [`token_headers`]); every other answer is in the [`Outcome`].
pub(crate) async fn authenticate(
    auth: &RequestAuth,
    responder: Responder,
    request: &HttpRequest,
) -> Result<Outcome<Responder>, Rejection> {
    let headers = token_headers(
        request.headers(),
        auth.sources().unwrap_or(TokenSources::ALL),
    )?;
    // A copy (the verdicts are shared, so this is cheap): the extensions are a `RefCell`, and
    // actix-web polls a handler's extractors together, so no borrow may live across the await.
    let earlier = request.extensions().get::<Verdicts<Responder>>().cloned();
    let outcome = auth
        .authenticate_request(&headers, earlier.as_ref(), responder)
        .await;
    if let Some(rejection) = outcome.new_rejection() {
        log(rejection, auth.verifier().is_some());
    }
    let mut extensions = request.extensions_mut();
    if let Some(first) = outcome.record(extensions.get_mut::<Verdicts<Responder>>()) {
        extensions.insert(first);
    }
    match outcome.verified_user() {
        Some(user) => {
            extensions.insert(user.clone());
        }
        None => {
            extensions.remove::<VerifiedUser>();
        }
    }
    drop(extensions);
    Ok(outcome)
}

/// Logs a rejection reached now (a reused one was logged when it was reached).
pub(crate) fn log(rejection: &Rejection, has_verifier: bool) {
    match rejection.verify_error() {
        None => tracing::debug!(%rejection, "stack-auth: unreadable access token"),
        Some(VerifyError::Refused(_)) => tracing::debug!(%rejection, "stack-auth: token refused"),
        Some(VerifyError::Unavailable(_)) => {
            tracing::warn!(%rejection, "stack-auth: verifier unavailable");
        }
        Some(_) if !has_verifier => tracing::error!(
            %rejection,
            "stack-auth: no StackAuth in the app data and no StackAuthMiddleware in front of \
             this handler that verified its token"
        ),
        Some(_) => tracing::error!(%rejection, "stack-auth: verifier misconfigured"),
    }
}
