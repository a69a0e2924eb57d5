//! API keys on a [`StackAuth`], and the [`StackPrincipal`] extractor: an access token or an API
//! key, as the route accepts.

use std::{ops::Deref, sync::Arc};

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::{request::Parts, Extensions, HeaderMap};
use stack_auth_core::{
    framework::{Credentials, Principal, Rejection},
    ApiKeyVerifier, PermissionChecker,
};

use crate::{verdict, AuthRejection, StackAuth};

impl StackAuth {
    /// Checks API keys with `verifier` (e.g. `stack_auth_rest::ApiKeys`) on routes that
    /// [`accept`](Self::accept) them.
    #[must_use]
    pub fn api_keys(mut self, verifier: Arc<dyn ApiKeyVerifier>) -> Self {
        self.auth = self.auth.api_key_verifier(verifier);
        self
    }

    /// Which credentials the [`StackPrincipal`] extractor and the permission guards accept
    /// (default [`Credentials::ACCESS_TOKEN`]). With API keys accepted, a request's API key
    /// (`x-hexclave-api-key`, `x-stack-api-key`, or `Authorization: Bearer` carrying a key)
    /// is looked for first, then its access token. [`StackUser`](crate::StackUser) always
    /// takes the access token only.
    #[must_use]
    pub fn accept(mut self, credentials: Credentials) -> Self {
        self.auth = self.auth.accept(credentials);
        self
    }

    /// Asks `checker` (e.g. `stack_auth_rest::Permissions`) in the permission guards made by
    /// [`require_permission`](Self::require_permission).
    #[must_use]
    pub fn permission_checker(mut self, checker: Arc<dyn PermissionChecker>) -> Self {
        self.checker = Some(checker);
        self
    }

    /// Who sent the request: its API key (when accepted and sent), else its access token (when
    /// accepted; the verdict of this verifier in `extensions` is reused or recorded, as for
    /// [`StackUser`](crate::StackUser)); `Ok(None)` when it sent neither and `required` is
    /// false. The principal goes into `extensions` (take it with `Extension<Principal>`).
    pub(crate) async fn principal(
        &self,
        headers: &HeaderMap,
        extensions: &mut Extensions,
        required: bool,
    ) -> Result<Option<Principal>, AuthRejection> {
        let reborrowed = &mut *extensions;
        let token = |required: bool| async move {
            if required {
                self.required_user(headers, reborrowed).await.map(Some)
            } else {
                self.optional_user(headers, reborrowed).await
            }
        };
        let principal = self
            .auth
            .principal(headers, required, |r| self.reject(r), token)
            .await?;
        if let Some(p) = &principal {
            extensions.insert(p.clone());
        }
        Ok(principal)
    }

    /// `rejection` (reached now: logged) with this configuration's responder.
    pub(crate) fn reject(&self, rejection: Rejection) -> AuthRejection {
        verdict::log(&rejection, true);
        AuthRejection::from(rejection).with_responder(self.responder.clone())
    }
}

/// Extracts who sent the request, by access token or API key, as the [`StackAuth`] of the router
/// state [`accept`s](StackAuth::accept) (access tokens only by default), or rejects it with an
/// [`AuthRejection`]: 401 with the API key refusal's code (`api_key_revoked`, ...), 400 for
/// an unreadable API key header, 403 for a user key whose owner's user type is not let in, 500
/// for accepted API keys without an [`api_keys`](StackAuth::api_keys) verifier.
///
/// `Option<StackPrincipal>` is `None` when the request sent no credential (a bad one is still
/// rejected). API key verdicts are not kept in the request: each extraction asks the verifier,
/// whose cache answers repeats.
///
/// ```
/// use axum::{routing::get, Router};
/// use stack_auth_axum::{StackAuth, StackPrincipal};
/// use stack_auth_core::framework::{Credentials, Principal};
///
/// async fn whoami(StackPrincipal(principal): StackPrincipal) -> String {
///     match &principal {
///         Principal::AccessToken(user) => format!("user {}", user.user_id()),
///         Principal::ApiKey(key) => format!("key {} of {:?}", key.key_id(), key.owner()),
///         _ => "someone".to_owned(),
///     }
/// }
///
/// # fn app(auth: StackAuth) -> Router {
/// Router::new().route("/whoami", get(whoami)).with_state(auth.accept(Credentials::ANY))
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct StackPrincipal(pub Principal);

impl StackPrincipal {
    /// Who sent the request.
    pub fn into_inner(self) -> Principal {
        self.0
    }
}

impl Deref for StackPrincipal {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<S> FromRequestParts<S> for StackPrincipal
where
    S: Send + Sync,
    StackAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = StackAuth::from_ref(state);
        let principal = auth
            .principal(&parts.headers, &mut parts.extensions, true)
            .await?;
        principal
            .map(StackPrincipal)
            .ok_or_else(AuthRejection::missing_token)
    }
}

impl<S> OptionalFromRequestParts<S> for StackPrincipal
where
    S: Send + Sync,
    StackAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let auth = StackAuth::from_ref(state);
        let principal = auth
            .principal(&parts.headers, &mut parts.extensions, false)
            .await?;
        Ok(principal.map(StackPrincipal))
    }
}
