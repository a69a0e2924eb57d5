//! [`RequirePermissionLayer`]: a route layer that lets in only users holding a permission (403
//! `permission_denied` otherwise).

use std::task::{Context, Poll};

use axum::{
    body::{Bytes, HttpBody},
    extract::{FromRequestParts, RawPathParams},
    response::{IntoResponse, Response},
    BoxError,
};
use http::{request::Parts, Request};
use stack_auth_core::{
    framework::{Rejection, RequiredPermission},
    MisconfigKind, Misconfiguration, VerifyError,
};
use tower::{Layer, Service};

use crate::{
    gated::{self, GatedFuture},
    StackAuth,
};

impl StackAuth {
    /// A route layer that authenticates the request as the [`StackPrincipal`](crate::StackPrincipal)
    /// extractor does and lets it through only if its user holds `requirement`, asking the
    /// [`permission_checker`](Self::permission_checker). Put it on the route with
    /// `route_layer`, so the team's path parameter is known.
    ///
    /// | situation | status | code |
    /// |---|---|---|
    /// | no credential, or one refused | 401 (400 unreadable) | `missing_token`, the refusal's label |
    /// | the user's type is not let in | 403 | `user_type_not_allowed` |
    /// | the user lacks the permission (or a team key, which has no user; or no team: none selected) | 403 | `permission_denied` |
    /// | the checker cannot answer | 503 | `unavailable` |
    /// | no checker, a route without the path parameter, an invalid permission id | 500 | `misconfigured` |
    ///
    /// ```
    /// use std::sync::Arc;
    /// use axum::{routing::post, Router};
    /// use stack_auth_axum::{StackAuth, StackUser};
    /// use stack_auth_core::framework::{RequiredPermission, TeamSource};
    /// # use stack_auth_core::{test_util::StaticVerifier, PermissionChecker};
    ///
    /// # fn app(verifier: Arc<StaticVerifier>, permissions: Arc<dyn PermissionChecker>) -> Router {
    /// let auth = StackAuth::new(verifier).permission_checker(permissions);
    /// let edit = RequiredPermission::team("editor", TeamSource::PathParam("team_id".into()));
    /// Router::new()
    ///     .route(
    ///         "/teams/{team_id}/documents",
    ///         post(|user: StackUser| async move { user.user_id().to_owned() })
    ///             .route_layer(auth.require_permission(edit)),
    ///     )
    ///     .with_state(auth)
    /// # }
    /// ```
    pub fn require_permission(&self, requirement: RequiredPermission) -> RequirePermissionLayer {
        RequirePermissionLayer {
            auth: self.clone(),
            requirement,
        }
    }

    /// Authenticates the request and checks the requirement.
    async fn guard(
        &self,
        requirement: &RequiredPermission,
        parts: &mut Parts,
    ) -> Result<(), Response> {
        let principal = self
            .principal(&parts.headers, &mut parts.extensions, true)
            .await
            .map_err(IntoResponse::into_response)?
            .ok_or_else(|| crate::AuthRejection::missing_token().into_response())?;
        let Some(checker) = &self.checker else {
            let detail =
                "a permission guard without a permission checker (StackAuth::permission_checker)";
            let error = Misconfiguration::new(MisconfigKind::UnexpectedError).with_detail(detail);
            return Err(self.reject(VerifyError::from(error).into()).into_response());
        };
        let named = named_team(requirement, parts).await;
        requirement
            .check(&**checker, &principal, named.as_deref())
            .await
            .map_err(|r: Rejection| self.reject(r).into_response())
    }
}

/// The team the route or the request names, when the requirement takes it from there.
async fn named_team(requirement: &RequiredPermission, parts: &mut Parts) -> Option<String> {
    if let Some(name) = requirement.path_param() {
        let params = RawPathParams::from_request_parts(parts, &()).await.ok()?;
        return params
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned());
    }
    let header = requirement.header()?;
    let value = parts.headers.get(header)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// The layer made by [`StackAuth::require_permission`].
#[derive(Clone, Debug)]
pub struct RequirePermissionLayer {
    auth: StackAuth,
    requirement: RequiredPermission,
}

impl<S> Layer<S> for RequirePermissionLayer {
    type Service = RequirePermissionService<S>;

    fn layer(&self, inner: S) -> RequirePermissionService<S> {
        RequirePermissionService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`RequirePermissionLayer`].
#[derive(Clone, Debug)]
pub struct RequirePermissionService<S> {
    inner: S,
    layer: RequirePermissionLayer,
}

impl<S, B, ResBody> Service<Request<B>> for RequirePermissionService<S>
where
    S: Service<Request<B>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: HttpBody<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = GatedFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let layer = self.layer.clone();
        gated::call(
            &mut self.inner,
            request,
            move |mut parts: Parts| async move {
                layer.auth.guard(&layer.requirement, &mut parts).await?;
                Ok(parts)
            },
        )
    }
}
