//! [`StackAuth`]: the verifier, the accepted user types and the error responder, shared by the
//! extractors (as router state) and the layer.

use std::{fmt, sync::Arc};

use axum::extract::FromRef;
use http::{Extensions, HeaderMap};
use stack_auth_core::{
    extract_token_from, MisconfigKind, Misconfiguration, Refusal, RefusalReason, TokenSources,
    TokenVerifier, UserTypes, VerifiedUser, VerifyError,
};

use crate::{
    verdict::{self, Extraction, Verdict},
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
    verifier: Option<Arc<dyn TokenVerifier>>,
    required: UserTypes,
    responder: Option<Arc<dyn ErrorResponder>>,
    /// Where tokens are read from; `None`: every source, and for a verifier-less
    /// [`StackAuth::from_layer`], whatever the verdict it reuses was reached on.
    sources: Option<TokenSources>,
}

impl StackAuth {
    /// Authentication with `verifier`, letting in every user type the verifier accepts, with the
    /// default error responses.
    pub fn new(verifier: Arc<dyn TokenVerifier>) -> Self {
        StackAuth {
            verifier: Some(verifier),
            required: UserTypes::ALL,
            responder: None,
            sources: None,
        }
    }

    /// A `StackAuth` without a verifier: it reuses what a [`StackAuthLayer`] in front of it
    /// found, and answers 500 `misconfigured` when there is none. This is what a router without
    /// state hands the extractors.
    pub fn from_layer() -> Self {
        StackAuth {
            verifier: None,
            required: UserTypes::ALL,
            responder: None,
            sources: None,
        }
    }

    /// Lets in only users of these types; others get 403 `user_type_not_allowed`. This narrows
    /// what the verifier accepts, it cannot widen it.
    #[must_use]
    pub fn require(mut self, user_types: UserTypes) -> Self {
        self.required = user_types;
        self
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
    pub fn token_sources(mut self, sources: TokenSources) -> Self {
        self.sources = Some(sources);
        self
    }

    /// A layer that authenticates every request this way (see [`StackAuthLayer`]).
    pub fn layer(&self) -> StackAuthLayer {
        StackAuthLayer::from(self.clone())
    }

    /// The verifier, unless this is [`StackAuth::from_layer`].
    pub fn verifier(&self) -> Option<&Arc<dyn TokenVerifier>> {
        self.verifier.as_ref()
    }

    /// The user types let in.
    pub fn required_user_types(&self) -> UserTypes {
        self.required
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
        let extracted = extract_token_from(headers, self.sources.unwrap_or(TokenSources::ALL));
        self.identify(&extracted)
            .await
            .and_then(|user| user.map(|u| self.check_user_type(u)).transpose())
            .map_err(|r| r.with_responder(self.responder.clone()))
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
        let (verdict, responder) = self.verdict(headers, extensions).await;
        verdict
            .and_then(|user| user.ok_or_else(AuthRejection::missing_token))
            .and_then(|user| self.check_user_type(user))
            .map_err(|r| r.with_responder(responder))
    }

    /// Like [`required_user`](Self::required_user), but `Ok(None)` when no token was sent.
    pub(crate) async fn optional_user(
        &self,
        headers: &HeaderMap,
        extensions: &mut Extensions,
    ) -> Result<Option<VerifiedUser>, AuthRejection> {
        let (verdict, responder) = self.verdict(headers, extensions).await;
        verdict
            .and_then(|user| user.map(|u| self.check_user_type(u)).transpose())
            .map_err(|r| r.with_responder(responder))
    }

    /// The verdict of this configuration kept in `extensions` (reached now, and recorded, if
    /// there is none it may reuse), and the responder for rejections: this configuration's,
    /// else the one that recorded the verdict. The request's `VerifiedUser` extension is made
    /// to match it.
    ///
    /// A verdict is reused only by the verifier that produced it (an inner layer with another
    /// verifier, say REST behind JWKS, verifies again), and only if this configuration's token
    /// sources pick the token it was reached on (see [`token_sources`](Self::token_sources)).
    /// [`StackAuth::from_layer`], which has no verifier, reuses the latest verdict (the
    /// innermost layer's) that its sources allow.
    async fn verdict(
        &self,
        headers: &HeaderMap,
        extensions: &mut Extensions,
    ) -> (
        Result<Option<VerifiedUser>, AuthRejection>,
        Option<Arc<dyn ErrorResponder>>,
    ) {
        let sources = match (&self.verifier, self.sources) {
            (_, Some(sources)) => Some(sources),
            (Some(_), None) => Some(TokenSources::ALL),
            (None, None) => None,
        };
        let extracted = sources.map(|s| extract_token_from(headers, s));
        let found = verdict::find(extensions, self.verifier.as_ref(), extracted.as_ref());
        let verdict = match (found, extracted) {
            (Some(verdict), _) => verdict,
            (None, Some(extracted)) => {
                let result = match &self.verifier {
                    Some(_) => self.identify(&extracted).await,
                    None => without_verifier(&extracted, extensions),
                };
                let verdict = Verdict {
                    verifier: self.verifier.clone(),
                    extracted,
                    result,
                    responder: self.responder.clone(),
                };
                verdict::record(extensions, verdict.clone());
                verdict
            }
            (None, None) => Verdict {
                verifier: None,
                extracted: Ok(None),
                result: Err(no_verifier("no StackAuth state and no StackAuthLayer")),
                responder: self.responder.clone(),
            },
        };
        verdict::expose(extensions, &verdict.result);
        let responder = self.responder.clone().or(verdict.responder);
        (verdict.result, responder)
    }

    /// Verifies the token `extracted` found (`Ok(None)`: there was none).
    async fn identify(
        &self,
        extracted: &Extraction,
    ) -> Result<Option<VerifiedUser>, AuthRejection> {
        let Some(verifier) = &self.verifier else {
            return Err(no_verifier("no StackAuth state and no StackAuthLayer"));
        };
        let token = match extracted {
            Ok(Some(token)) => token,
            Ok(None) => return Ok(None),
            Err(error) => {
                tracing::debug!(%error, "stack-auth: unreadable access token");
                return Err(error.clone().into());
            }
        };
        match verifier.verify(token.as_str()).await {
            Ok(user) => Ok(Some(user)),
            Err(error) => {
                log_verify_error(&error);
                Err(error.into())
            }
        }
    }

    fn check_user_type(&self, user: VerifiedUser) -> Result<VerifiedUser, AuthRejection> {
        if self.required.contains(user.user_type()) {
            return Ok(user);
        }
        let refusal = Refusal::new(RefusalReason::UserTypeNotAllowed)
            .with_detail(format!("{} users are not allowed", user.user_type()));
        Err(VerifyError::from(refusal).into())
    }
}

/// What a configuration without a verifier can say about `extracted`, which no verdict in
/// `extensions` covers: no token, an unreadable one, or (for a token no layer in front
/// verified) a misconfiguration.
fn without_verifier(
    extracted: &Extraction,
    extensions: &Extensions,
) -> Result<Option<VerifiedUser>, AuthRejection> {
    if !verdict::any(extensions) {
        return Err(no_verifier("no StackAuth state and no StackAuthLayer"));
    }
    match extracted {
        Ok(None) => Ok(None),
        Err(error) => Err(error.clone().into()),
        Ok(Some(_)) => Err(no_verifier(
            "no StackAuthLayer in front verified the token this route reads",
        )),
    }
}

/// The rejection of a configuration that has no verifier for the request.
fn no_verifier(detail: &'static str) -> AuthRejection {
    tracing::error!(
        detail,
        "stack-auth: no StackAuth in the router state and no StackAuthLayer in front of this \
         handler that verified its token"
    );
    let error = Misconfiguration::new(MisconfigKind::UnexpectedError).with_detail(detail);
    VerifyError::from(error).into()
}

fn log_verify_error(error: &VerifyError) {
    match error {
        VerifyError::Refused(_) => tracing::debug!(%error, "stack-auth: token refused"),
        VerifyError::Unavailable(_) => tracing::warn!(%error, "stack-auth: verifier unavailable"),
        _ => tracing::error!(%error, "stack-auth: verifier misconfigured"),
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
            .field("has_verifier", &self.verifier.is_some())
            .field("required", &self.required)
            .field("custom_responder", &self.responder.is_some())
            .field("sources", &self.sources)
            .finish()
    }
}
