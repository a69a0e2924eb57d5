//! The verdicts of a request, kept in its extensions so that later layers and extractors reuse
//! them instead of verifying again, but only where reuse is sound.
//!
//! The rule is core's ([`Verdicts`]): a verdict is reused only by a configuration with the same
//! verifier (or none, for [`StackAuth::from_layer`](crate::StackAuth::from_layer)) whose own
//! token sources pick exactly the token the verdict was reached on, from the same source. So a
//! route limited to [`TokenSources::HEADERS_ONLY`](stack_auth_core::TokenSources::HEADERS_ONLY)
//! behind an outer layer reading every source never takes the verdict of the ambient
//! `stack-access` cookie. This module only keeps them in axum's request extensions.

use std::sync::Arc;

use http::{Extensions, HeaderMap};
use stack_auth_core::{
    framework::{Outcome, Rejection, RequestAuth, Verdicts},
    VerifiedUser, VerifyError,
};

use crate::ErrorResponder;

/// What is recorded with each verdict: the responder of the configuration that reached it.
pub(crate) type Responder = Option<Arc<dyn ErrorResponder>>;

/// Authenticates the request with `auth`, reusing a verdict in `extensions` where the rule
/// allows, recording a new one, and making the request's `VerifiedUser` extension say what the
/// verdict says (the user, or none).
pub(crate) async fn authenticate(
    auth: &RequestAuth,
    responder: Responder,
    headers: &HeaderMap,
    extensions: &mut Extensions,
) -> Outcome<Responder> {
    let outcome = auth
        .authenticate_request(headers, extensions.get::<Verdicts<Responder>>(), responder)
        .await;
    if let Some(rejection) = outcome.new_rejection() {
        log(rejection, auth.verifier().is_some());
    }
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
    outcome
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
            "stack-auth: no StackAuth in the router state and no StackAuthLayer in front of this \
             handler that verified its token"
        ),
        Some(_) => tracing::error!(%rejection, "stack-auth: verifier misconfigured"),
    }
}
