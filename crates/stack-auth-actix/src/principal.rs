//! API keys on a [`StackAuth`], and the [`StackPrincipal`] extractor: an access token or an API
//! key, as the route accepts.

use std::{future::Future, ops::Deref, pin::Pin, sync::Arc};

use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};
use stack_auth_core::{
    framework::{Credentials, Principal, Rejection},
    ApiKeyVerifier, PermissionChecker,
};

use crate::{headers::api_key_headers, verdict, AuthRejection, StackAuth};

impl StackAuth {
    /// Checks API keys with `verifier` (e.g. `stack_auth_rest::ApiKeys`) on routes that
    /// [`accept`](Self::accept) them.
    #[must_use]
    pub fn api_keys(mut self, verifier: Arc<dyn ApiKeyVerifier>) -> Self {
        self.auth = self.auth.api_key_verifier(verifier);
        self
    }

    /// Which credentials the [`StackPrincipal`] extractor and the permission guards accept
    /// (default [`Credentials::ACCESS_TOKEN`]); API keys are looked for first, as in the axum
    /// crate. [`StackUser`](crate::StackUser) always takes the access token only.
    #[must_use]
    pub fn accept(mut self, credentials: Credentials) -> Self {
        self.auth = self.auth.accept(credentials);
        self
    }

    /// Asks `checker` (e.g. `stack_auth_rest::Permissions`) in the guards made by
    /// [`require_permission`](Self::require_permission).
    #[must_use]
    pub fn permission_checker(mut self, checker: Arc<dyn PermissionChecker>) -> Self {
        self.checker = Some(checker);
        self
    }

    /// Who sent the request: its API key (when accepted and sent), else its access token (when
    /// accepted, reusing the verdict in its extensions); the principal goes into the
    /// extensions (`web::ReqData<Principal>`).
    pub(crate) async fn principal(
        &self,
        request: &HttpRequest,
        required: bool,
    ) -> Result<Option<Principal>, AuthRejection> {
        let headers = api_key_headers(request.headers()).map_err(|r| self.reject(r))?;
        let token = |required: bool| async move {
            if required {
                self.required_user(request).await.map(Some)
            } else {
                self.optional_user(request).await
            }
        };
        let principal = self
            .auth
            .principal(&headers, required, |r| self.reject(r), token)
            .await?;
        if let Some(p) = &principal {
            request.extensions_mut().insert(p.clone());
        }
        Ok(principal)
    }

    /// `rejection` (reached now: logged) with this configuration's responder.
    pub(crate) fn reject(&self, rejection: Rejection) -> AuthRejection {
        verdict::log(&rejection, true);
        AuthRejection::from(rejection).with_responder(self.responder.clone())
    }
}

/// Extracts who sent the request, by access token or API key, as the [`StackAuth`] of the app
/// data [`accept`s](StackAuth::accept) (access tokens only by default), or fails with an
/// [`AuthRejection`] (the axum crate's statuses: 401 with the API key refusal's code, 400 for an
/// unreadable API key header, 403 for a user key whose owner's type is not let in, 500 without
/// an [`api_keys`](StackAuth::api_keys) verifier). `Option<StackPrincipal>` would hide a
/// refused credential (actix-web turns every error into `None`): take
/// `Result<StackPrincipal, AuthRejection>` to handle one.
///
/// ```
/// use actix_web::{web, App};
/// use stack_auth_actix::{StackAuth, StackPrincipal};
/// use stack_auth_core::framework::Credentials;
///
/// async fn whoami(principal: StackPrincipal) -> String {
///     match principal.user() {
///         Some(user) => format!("user {}", user.user_id()),
///         None => format!("team {:?}", principal.team_id()),
///     }
/// }
///
/// # fn app(auth: StackAuth) {
/// let app = App::new().app_data(auth.accept(Credentials::ANY)).route("/whoami", web::get().to(whoami));
/// # let _ = app;
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

impl FromRequest for StackPrincipal {
    type Error = AuthRejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AuthRejection>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let principal = StackAuth::of(&request).principal(&request, true).await?;
            principal
                .map(StackPrincipal)
                .ok_or_else(AuthRejection::missing_token)
        })
    }
}
