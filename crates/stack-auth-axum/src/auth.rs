//! [`StackAuth`]: the verifier, the accepted user types and the error responder, shared by the
//! extractors (as router state) and the layer.

use std::{fmt, sync::Arc};

use axum::extract::FromRef;
use http::{Extensions, HeaderMap};
use stack_auth_core::{
    framework::{CredentialAuth, Outcome, RequestAuth},
    PermissionChecker, TokenSources, TokenVerifier, UserTypes, VerifiedUser,
};

use crate::{
    verdict::{self, Responder},
    AuthRejection, ErrorResponder, StackAuthLayer,
};

/// How requests are authenticated: a verifier, the user types let in, and the error responder.
///
/// Put it in your router state for the [`StackUser`](crate::StackUser) and
/// [`MaybeStackUser`](crate::MaybeStackUser) extractors (directly, or as a field of your state
/// with a [`FromRef`] impl), or turn it into a [`StackAuthLayer`] with [`StackAuth::layer`].
/// Cloning is cheap.
///
/// ```
/// use std::sync::Arc;
/// use axum::{routing::get, Router};
/// use stack_auth_axum::{StackAuth, StackUser};
/// use stack_auth_core::{test_util::StaticVerifier, UserType, UserTypes, VerifiedUser};
///
/// let verifier = Arc::new(StaticVerifier::accept(VerifiedUser::new("u1", "p1", UserType::Normal, None)));
/// let auth = StackAuth::new(verifier).require(UserTypes::NORMAL_ONLY.with(UserType::Restricted));
/// let app: Router = Router::new()
///     .route("/me", get(|StackUser(user): StackUser| async move { user.user_id().to_owned() }))
///     .with_state(auth);
/// ```
#[derive(Clone)]
pub struct StackAuth {
    /// The verifier, the user types and the token sources, the API key verifier and the
    /// credentials accepted, and the procedures (core's).
    pub(crate) auth: CredentialAuth,
    pub(crate) responder: Responder,
    /// What the permission guards ask.
    pub(crate) checker: Option<Arc<dyn PermissionChecker>>,
}

impl StackAuth {
    /// Authentication with `verifier`, letting in every user type the verifier accepts, with the
    /// default error responses.
    pub fn new(verifier: Arc<dyn TokenVerifier>) -> Self {
        Self::with_tokens(RequestAuth::new(verifier))
    }

    fn with_tokens(tokens: RequestAuth) -> Self {
        StackAuth {
            auth: CredentialAuth::new(tokens),
            responder: None,
            checker: None,
        }
    }

    /// The access-token configuration.
    pub(crate) fn tokens(&self) -> &RequestAuth {
        self.auth.tokens()
    }

    fn map_tokens(mut self, change: impl FnOnce(RequestAuth) -> RequestAuth) -> Self {
        let tokens = change(self.auth.tokens().clone());
        self.auth = self.auth.with_tokens(tokens);
        self
    }

    /// A `StackAuth` without a verifier: it reuses what a [`StackAuthLayer`] in front of it
    /// found, and answers 500 `misconfigured` when there is none. This is what a router without
    /// state hands the extractors.
    pub fn from_layer() -> Self {
        Self::with_tokens(RequestAuth::reusing())
    }

    /// Lets in only users of these types; others get 403 `user_type_not_allowed`. This narrows
    /// what the verifier accepts, it cannot widen it.
    #[must_use]
    pub fn require(self, user_types: UserTypes) -> Self {
        self.map_tokens(|t| t.require(user_types))
    }

    /// Uses `responder` instead of the default mapping (see [`AuthRejection`]).
    #[must_use]
    pub fn error_responder(mut self, responder: impl ErrorResponder) -> Self {
        self.responder = Some(Arc::new(responder));
        self
    }

    /// Reads the token only from `sources` (default: all of them). Use
    /// [`TokenSources::HEADERS_ONLY`] when routes must not accept the ambient `hexclave-access`
    /// and `stack-access` cookies (cross-site request forgery).
    ///
    /// The limit also holds for verdicts found by layers in front: one is reused only if
    /// reading the request from `sources` picks the very token it was reached on, from the
    /// same source. Otherwise this configuration reads and verifies the request itself (a
    /// [`from_layer`](Self::from_layer) configuration, which cannot verify, then sees no token,
    /// or a misconfiguration if there is one the layers in front did not verify).
    #[must_use]
    pub fn token_sources(self, sources: TokenSources) -> Self {
        self.map_tokens(|t| t.token_sources(sources))
    }

    /// A layer that authenticates every request this way (see [`StackAuthLayer`]).
    pub fn layer(&self) -> StackAuthLayer {
        StackAuthLayer::from(self.clone())
    }

    /// The verifier, unless this is [`StackAuth::from_layer`].
    pub fn verifier(&self) -> Option<&Arc<dyn TokenVerifier>> {
        self.tokens().verifier()
    }

    /// The user types let in.
    pub fn required_user_types(&self) -> UserTypes {
        self.tokens().required_user_types()
    }

    /// Reads the token from `headers` and verifies it: `Ok(None)` when no token was sent.
    /// For code outside axum; the extractors and the layer also reuse an earlier verdict.
    ///
    /// # Errors
    ///
    /// An [`AuthRejection`] when a token header cannot be read, the token is refused, its user
    /// type is not let in, or the verifier is unavailable or misconfigured.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<VerifiedUser>, AuthRejection> {
        self.tokens()
            .authenticate(headers)
            .await
            .map_err(|rejection| {
                verdict::log(&rejection, self.verifier().is_some());
                AuthRejection::from(rejection).with_responder(self.responder.clone())
            })
    }

    /// The user of the request, or why there is none: like
    /// [`authenticate`](Self::authenticate), but a missing token is a rejection, and the verdict
    /// of this verifier kept in `extensions` is reused (or recorded), so a request is verified
    /// once per verifier however many layers and extractors ask.
    pub(crate) async fn required_user(
        &self,
        headers: &HeaderMap,
        extensions: &mut Extensions,
    ) -> Result<VerifiedUser, AuthRejection> {
        let outcome = self.outcome(headers, extensions).await;
        let responder = self.responder_for(&outcome);
        outcome
            .into_required()
            .map_err(|r| AuthRejection::from(r).with_responder(responder))
    }

    /// Like [`required_user`](Self::required_user), but `Ok(None)` when no token was sent.
    pub(crate) async fn optional_user(
        &self,
        headers: &HeaderMap,
        extensions: &mut Extensions,
    ) -> Result<Option<VerifiedUser>, AuthRejection> {
        let outcome = self.outcome(headers, extensions).await;
        let responder = self.responder_for(&outcome);
        outcome
            .into_optional()
            .map_err(|r| AuthRejection::from(r).with_responder(responder))
    }

    /// The verdict of this configuration for the request, reused from `extensions` where the
    /// reuse rule allows (see [`token_sources`](Self::token_sources)), else reached now and
    /// recorded there. [`StackAuth::from_layer`], which has no verifier, reuses the latest
    /// verdict (the innermost layer's) that its sources allow.
    async fn outcome(
        &self,
        headers: &HeaderMap,
        extensions: &mut Extensions,
    ) -> Outcome<Responder> {
        verdict::authenticate(self.tokens(), self.responder.clone(), headers, extensions).await
    }

    /// The responder for a rejection: this configuration's, else the one of the configuration
    /// that reached the verdict.
    pub(crate) fn responder_for(&self, outcome: &Outcome<Responder>) -> Responder {
        self.responder.clone().or_else(|| outcome.data().clone())
    }
}

impl FromRef<()> for StackAuth {
    /// [`StackAuth::from_layer`]: a router without state relies on a [`StackAuthLayer`].
    fn from_ref(_: &()) -> Self {
        StackAuth::from_layer()
    }
}

impl fmt::Debug for StackAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StackAuth")
            .field("has_verifier", &self.verifier().is_some())
            .field("required", &self.required_user_types())
            .field("custom_responder", &self.responder.is_some())
            .field("sources", &self.tokens().sources())
            .field("credentials", &self.auth.accepted())
            .field("has_api_key_verifier", &self.auth.has_api_key_verifier())
            .field("has_permission_checker", &self.checker.is_some())
            .finish()
    }
}
