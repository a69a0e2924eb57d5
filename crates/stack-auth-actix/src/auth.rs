//! [`StackAuth`]: the verifier, the accepted user types, the token sources and the error
//! responder, shared by the extractors (as app data) and the middleware.

use std::{fmt, sync::Arc};

use actix_web::{http::header::HeaderMap, web, HttpRequest};
use stack_auth_core::{
    framework::{CredentialAuth, Outcome, RequestAuth},
    PermissionChecker, TokenSources, TokenVerifier, UserTypes, VerifiedUser,
};

use crate::{
    headers::token_headers,
    verdict::{self, Responder},
    AuthRejection, ErrorResponder, StackAuthMiddleware,
};

/// How requests are authenticated: a verifier, the user types let in, the token sources and the
/// error responder.
///
/// Register it as app data (`App::app_data(auth)`, or wrapped in `web::Data`) for the
/// [`StackUser`](crate::StackUser) and [`MaybeStackUser`](crate::MaybeStackUser) extractors, or
/// turn it into a [`StackAuthMiddleware`] with [`StackAuth::middleware`]. Cloning is cheap.
///
/// ```
/// use std::sync::Arc;
/// use actix_web::{web, App};
/// use stack_auth_actix::{StackAuth, StackUser};
/// use stack_auth_core::{test_util::StaticVerifier, UserType, UserTypes, VerifiedUser};
///
/// let verifier = Arc::new(StaticVerifier::accept(VerifiedUser::new("u1", "p1", UserType::Normal, None)));
/// let auth = StackAuth::new(verifier).require(UserTypes::NORMAL_ONLY.with(UserType::Restricted));
/// let app = App::new()
///     .app_data(auth)
///     .route("/me", web::get().to(|StackUser(user): StackUser| async move { user.user_id().to_owned() }));
/// # let _ = app;
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
    fn tokens(&self) -> &RequestAuth {
        self.auth.tokens()
    }

    fn map_tokens(mut self, change: impl FnOnce(RequestAuth) -> RequestAuth) -> Self {
        let tokens = change(self.auth.tokens().clone());
        self.auth = self.auth.with_tokens(tokens);
        self
    }

    /// A `StackAuth` without a verifier: it reuses what a [`StackAuthMiddleware`] in front of it
    /// found, and answers 500 `misconfigured` when there is none. This is what the extractors
    /// use when the app data holds no `StackAuth`.
    pub fn from_middleware() -> Self {
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
    /// The limit also holds for verdicts found by middleware in front: one is reused only if
    /// reading the request from `sources` picks the very token it was reached on, from the
    /// same source. Otherwise this configuration reads and verifies the request itself (a
    /// [`from_middleware`](Self::from_middleware) configuration, which cannot verify, then sees
    /// no token, or a misconfiguration if there is one the middleware in front did not verify).
    #[must_use]
    pub fn token_sources(self, sources: TokenSources) -> Self {
        self.map_tokens(|t| t.token_sources(sources))
    }

    /// A middleware that authenticates every request this way (see [`StackAuthMiddleware`]).
    pub fn middleware(&self) -> StackAuthMiddleware {
        StackAuthMiddleware::from(self.clone())
    }

    /// The verifier, unless this is [`StackAuth::from_middleware`].
    pub fn verifier(&self) -> Option<&Arc<dyn TokenVerifier>> {
        self.tokens().verifier()
    }

    /// The user types let in.
    pub fn required_user_types(&self) -> UserTypes {
        self.tokens().required_user_types()
    }

    /// Reads the token from `headers` and verifies it: `Ok(None)` when no token was sent. For
    /// code outside the extractors and the middleware, which also reuse an earlier verdict.
    ///
    /// # Errors
    ///
    /// An [`AuthRejection`] when a token header cannot be read, the token is refused, its user
    /// type is not let in, or the verifier is unavailable or misconfigured.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<VerifiedUser>, AuthRejection> {
        let sources = self.tokens().sources().unwrap_or(TokenSources::ALL);
        let result = match token_headers(headers, sources) {
            Ok(headers) => self.tokens().authenticate(&headers).await,
            Err(rejection) => Err(rejection),
        };
        result.map_err(|rejection| {
            verdict::log(&rejection, self.verifier().is_some());
            AuthRejection::from(rejection).with_responder(self.responder.clone())
        })
    }

    /// The `StackAuth` of the app data (or of a `web::Data`), else
    /// [`StackAuth::from_middleware`].
    pub(crate) fn of(request: &HttpRequest) -> StackAuth {
        request
            .app_data::<StackAuth>()
            .cloned()
            .or_else(|| {
                request
                    .app_data::<web::Data<StackAuth>>()
                    .map(|data| StackAuth::clone(data))
            })
            .unwrap_or_else(StackAuth::from_middleware)
    }

    /// The user of the request, or why there is none: like
    /// [`authenticate`](Self::authenticate), but a missing token is a rejection, and the verdict
    /// of this verifier kept in the request extensions is reused (or recorded), so a request is
    /// verified once per verifier however many middleware and extractors ask.
    pub(crate) async fn required_user(
        &self,
        request: &HttpRequest,
    ) -> Result<VerifiedUser, AuthRejection> {
        let outcome = self.outcome(request).await?;
        let responder = self.responder_for(&outcome);
        outcome
            .into_required()
            .map_err(|r| AuthRejection::from(r).with_responder(responder))
    }

    /// Like [`required_user`](Self::required_user), but `Ok(None)` when no token was sent.
    pub(crate) async fn optional_user(
        &self,
        request: &HttpRequest,
    ) -> Result<Option<VerifiedUser>, AuthRejection> {
        let outcome = self.outcome(request).await?;
        let responder = self.responder_for(&outcome);
        outcome
            .into_optional()
            .map_err(|r| AuthRejection::from(r).with_responder(responder))
    }

    /// The verdict of this configuration for the request, reused from its extensions where the
    /// reuse rule allows (see [`token_sources`](Self::token_sources)), else reached now and
    /// recorded there.
    async fn outcome(&self, request: &HttpRequest) -> Result<Outcome<Responder>, AuthRejection> {
        verdict::authenticate(self.tokens(), self.responder.clone(), request)
            .await
            .map_err(|r| AuthRejection::from(r).with_responder(self.responder.clone()))
    }

    /// The responder for a rejection: this configuration's, else the one of the configuration
    /// that reached the verdict.
    fn responder_for(&self, outcome: &Outcome<Responder>) -> Responder {
        self.responder.clone().or_else(|| outcome.data().clone())
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
