//! [`RequirePermission`]: a middleware that lets in only users holding a permission (403
//! `permission_denied` otherwise).

use std::{
    future::{ready, Future, Ready},
    pin::Pin,
    rc::Rc,
};

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform},
    Error, HttpRequest, ResponseError,
};
use stack_auth_core::{
    framework::RequiredPermission, MisconfigKind, Misconfiguration, VerifyError,
};

use crate::{AuthRejection, StackAuth};

impl StackAuth {
    /// A middleware (for `wrap` on a resource or scope) that authenticates the request as the
    /// [`StackPrincipal`](crate::StackPrincipal) extractor does and lets it through only if its
    /// user holds `requirement`, asking the [`permission_checker`](Self::permission_checker):
    /// the axum crate's statuses (403 `permission_denied`, 401, 503, 500 without a checker or
    /// for a route without the path parameter). The team comes from the resource's path
    /// parameter (`req.match_info()`), a header, or the user's selected team.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use actix_web::{web, App};
    /// use stack_auth_actix::{StackAuth, StackUser};
    /// use stack_auth_core::{framework::{RequiredPermission, TeamSource}, PermissionChecker};
    /// # use stack_auth_core::test_util::StaticVerifier;
    ///
    /// # fn app(verifier: Arc<StaticVerifier>, permissions: Arc<dyn PermissionChecker>) {
    /// let auth = StackAuth::new(verifier).permission_checker(permissions);
    /// let edit = RequiredPermission::team("editor", TeamSource::PathParam("team_id".into()));
    /// let app = App::new().app_data(auth.clone()).service(
    ///     web::resource("/teams/{team_id}/documents")
    ///         .wrap(auth.require_permission(edit))
    ///         .route(web::post().to(|user: StackUser| async move { user.user_id().to_owned() })),
    /// );
    /// # let _ = app;
    /// # }
    /// ```
    pub fn require_permission(&self, requirement: RequiredPermission) -> RequirePermission {
        RequirePermission {
            auth: self.clone(),
            requirement,
        }
    }

    /// Authenticates the request and checks the requirement.
    async fn guard(
        &self,
        requirement: &RequiredPermission,
        request: &HttpRequest,
    ) -> Result<(), AuthRejection> {
        let principal = self
            .principal(request, true)
            .await?
            .ok_or_else(AuthRejection::missing_token)?;
        let Some(checker) = &self.checker else {
            let detail =
                "a permission guard without a permission checker (StackAuth::permission_checker)";
            let error = Misconfiguration::new(MisconfigKind::UnexpectedError).with_detail(detail);
            return Err(self.reject(VerifyError::from(error).into()));
        };
        let named = match (requirement.path_param(), requirement.header()) {
            (Some(name), _) => request.match_info().get(name).map(str::to_owned),
            (None, Some(name)) => request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
            (None, None) => None,
        };
        requirement
            .check(&**checker, &principal, named.as_deref())
            .await
            .map_err(|r| self.reject(r))
    }
}

/// The middleware made by [`StackAuth::require_permission`].
#[derive(Clone, Debug)]
pub struct RequirePermission {
    auth: StackAuth,
    requirement: RequiredPermission,
}

impl<S, B> Transform<S, ServiceRequest> for RequirePermission
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RequirePermissionService<S>;
    type InitError = ();
    type Future = Ready<Result<RequirePermissionService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequirePermissionService {
            service: Rc::new(service),
            guard: self.clone(),
        }))
    }
}

/// The service made by [`RequirePermission`].
#[derive(Debug)]
pub struct RequirePermissionService<S> {
    service: Rc<S>,
    guard: RequirePermission,
}

impl<S, B> Service<ServiceRequest> for RequirePermissionService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Error>>>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let guard = self.guard.clone();
        Box::pin(async move {
            match guard
                .auth
                .guard(&guard.requirement, request.request())
                .await
            {
                Ok(()) => service
                    .call(request)
                    .await
                    .map(ServiceResponse::map_into_left_body),
                Err(rejection) => Ok(request
                    .into_response(rejection.error_response())
                    .map_into_right_body()),
            }
        })
    }
}
