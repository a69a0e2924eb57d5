//! [`StackAuth`]: the verifier, the accepted user types and the error responder, shared by the
//! extractors (as router state) and the layer.

use std::{fmt, sync::Arc};

use axum::extract::FromRef;
use http::{Extensions, HeaderMap};
use stack_auth_core::{
    extract_token_from, MisconfigKind, Misconfiguration, Refusal, RefusalReason, TokenSources,
    TokenVerifier, UserTypes, VerifiedUser, VerifyError,
};

use crate::{AuthRejection, ErrorResponder, StackAuthLayer};

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
    sources: TokenSources,
}

/// What authenticating a request with one verifier found, kept in its extensions so that later
/// layers and extractors using the same verifier reuse it instead of verifying again.
#[derive(Clone)]
pub(crate) struct Verdict {
    /// The verifier that produced it (`None`: a [`StackAuth::from_layer`] found no verdict).
    verifier: Option<Arc<dyn TokenVerifier>>,
    result: Result<Option<VerifiedUser>, AuthRejection>,
    responder: Option<Arc<dyn ErrorResponder>>,
}

/// The verdicts of a request, one per verifier, in the order they were reached (outermost
/// first).
#[derive(Clone, Default)]
struct Verdicts(Vec<Verdict>);

/// Whether `a` and `b` are the same verifier (the same allocation; clones of one `Arc` are).
/// Only the data pointers are compared: the vtable of one type may differ between codegen
/// units.
fn same_verifier(a: &Arc<dyn TokenVerifier>, b: &Arc<dyn TokenVerifier>) -> bool {
    std::ptr::eq(Arc::as_ptr(a).cast::<()>(), Arc::as_ptr(b).cast::<()>())
}

impl StackAuth {
    /// Authentication with `verifier`, letting in every user type the verifier accepts, with the
    /// default error responses.
    pub fn new(verifier: Arc<dyn TokenVerifier>) -> Self {
        StackAuth {
            verifier: Some(verifier),
            required: UserTypes::ALL,
            responder: None,
            sources: TokenSources::ALL,
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
            sources: TokenSources::ALL,
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
    #[must_use]
    pub fn token_sources(mut self, sources: TokenSources) -> Self {
        self.sources = sources;
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
        self.identify(headers)
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

    /// The verdict of this configuration's verifier kept in `extensions` (recorded now if there
    /// is none yet), and the responder for rejections: this configuration's, else the one that
    /// recorded the verdict.
    ///
    /// A verdict is reused only by the verifier that produced it: an inner layer with another
    /// verifier (say REST behind JWKS) verifies again. [`StackAuth::from_layer`], which has no
    /// verifier, reuses the latest verdict (the innermost layer's).
    async fn verdict(
        &self,
        headers: &HeaderMap,
        extensions: &mut Extensions,
    ) -> (
        Result<Option<VerifiedUser>, AuthRejection>,
        Option<Arc<dyn ErrorResponder>>,
    ) {
        let found = extensions.get::<Verdicts>().and_then(|all| {
            all.0
                .iter()
                .rev()
                .find(|v| match (&self.verifier, &v.verifier) {
                    (None, _) => true,
                    (Some(mine), Some(theirs)) => same_verifier(mine, theirs),
                    (Some(_), None) => false,
                })
                .cloned()
        });
        let verdict = match found {
            Some(verdict) => verdict,
            None => {
                let verdict = Verdict {
                    verifier: self.verifier.clone(),
                    result: self.identify(headers).await,
                    responder: self.responder.clone(),
                };
                if let Ok(Some(user)) = &verdict.result {
                    extensions.insert(user.clone());
                }
                let mut all = extensions.remove::<Verdicts>().unwrap_or_default();
                all.0.push(verdict.clone());
                extensions.insert(all);
                verdict
            }
        };
        let responder = self.responder.clone().or(verdict.responder);
        (verdict.result, responder)
    }

    async fn identify(&self, headers: &HeaderMap) -> Result<Option<VerifiedUser>, AuthRejection> {
        let Some(verifier) = &self.verifier else {
            tracing::error!(
                "stack-auth: no StackAuth in the router state and no StackAuthLayer in front \
                 of this handler"
            );
            let error = Misconfiguration::new(MisconfigKind::UnexpectedError)
                .with_detail("no StackAuth state and no StackAuthLayer");
            return Err(VerifyError::from(error).into());
        };
        let token = match extract_token_from(headers, self.sources) {
            Ok(Some(token)) => token,
            Ok(None) => return Ok(None),
            Err(error) => {
                tracing::debug!(%error, "stack-auth: unreadable access token");
                return Err(error.into());
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
            .finish()
    }
}

impl fmt::Debug for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verdict")
            .field("result", &self.result)
            .finish_non_exhaustive()
    }
}
