//! [`StackAuthMiddleware`]: authenticate every request of an app, scope or resource once.

use std::{
    future::{ready, Future, Ready},
    pin::Pin,
    rc::Rc,
    sync::Arc,
};

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform},
    Error, ResponseError,
};
use stack_auth_core::{TokenSources, TokenVerifier, UserTypes};

use crate::{ErrorResponder, StackAuth};

/// An actix-web middleware that authenticates each request before the wrapped service sees it.
///
/// The token is read and verified once per request; on success the
/// [`VerifiedUser`](stack_auth_core::VerifiedUser) goes into the request extensions (take it
/// with `web::ReqData<VerifiedUser>`, or with [`StackUser`](crate::StackUser), which reuses the
/// verdict instead of verifying again). On failure the request never reaches the service: the
/// client gets the [`AuthRejection`](crate::AuthRejection) response.
///
/// Middleware nests: an inner `StackAuthMiddleware` with the same verifier (the same `Arc`, or a
/// clone of it) or made by [`requiring`](Self::requiring) reuses the verdict of an outer one,
/// so an app can authenticate optionally at the top and require a user (or a user type) per
/// scope or resource. An inner middleware with a *different* verifier verifies the request
/// again with it; extractors and `requiring` middleware further in then see the innermost
/// verdict. An inner middleware with narrower [`token_sources`](Self::token_sources) reuses an
/// outer verdict only if its sources pick the same token from the same source: behind an outer
/// `.optional()` middleware reading every source, a
/// [`TokenSources::HEADERS_ONLY`] resource reads the headers itself and never acts on the
/// ambient `stack-access` cookie.
///
/// ```
/// use std::sync::Arc;
/// use actix_web::{web, App};
/// use stack_auth_actix::{MaybeStackUser, StackAuthMiddleware, StackUser};
/// use stack_auth_core::{test_util::StaticVerifier, UserType, UserTypes, VerifiedUser};
///
/// let verifier = Arc::new(StaticVerifier::accept(VerifiedUser::new("u1", "p1", UserType::Normal, None)));
/// let app = App::new()
///     // anonymous users are refused here (403), requests without a token too (401)
///     .service(
///         web::resource("/orders")
///             .wrap(StackAuthMiddleware::requiring(UserTypes::ALL.without(UserType::Anonymous)))
///             .route(web::get().to(|user: StackUser| async move { user.user_id().to_owned() })),
///     )
///     .route("/", web::get().to(|MaybeStackUser(user): MaybeStackUser| async move { user.is_some().to_string() }))
///     // every request: verified if it has a token, let through without a user if not
///     .wrap(StackAuthMiddleware::new(verifier).optional());
/// # let _ = app;
/// ```
#[derive(Clone, Debug)]
pub struct StackAuthMiddleware {
    auth: StackAuth,
    optional: bool,
}

impl StackAuthMiddleware {
    /// A middleware verifying tokens with `verifier`; requests without a valid token are refused.
    pub fn new(verifier: Arc<dyn TokenVerifier>) -> Self {
        StackAuthMiddleware::from(StackAuth::new(verifier))
    }

    /// A middleware that verifies nothing itself: it reuses the verdict of an outer
    /// `StackAuthMiddleware` and lets in only users of `user_types` (others get 403). Without an
    /// outer one it answers 500 `misconfigured`.
    pub fn requiring(user_types: UserTypes) -> Self {
        StackAuthMiddleware::from(StackAuth::from_middleware().require(user_types))
    }

    /// Lets in only users of these types; others get 403 `user_type_not_allowed`.
    #[must_use]
    pub fn require(mut self, user_types: UserTypes) -> Self {
        self.auth = self.auth.require(user_types);
        self
    }

    /// Reads the token only from `sources`, and reuses an outer verdict only when these sources
    /// pick the same token; see [`StackAuth::token_sources`].
    #[must_use]
    pub fn token_sources(mut self, sources: TokenSources) -> Self {
        self.auth = self.auth.token_sources(sources);
        self
    }

    /// Lets requests without a token through, with no user in their extensions. A token that is
    /// sent is still verified, and refused if bad.
    #[must_use]
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Uses `responder` instead of the default mapping (see
    /// [`AuthRejection`](crate::AuthRejection)); it also renders the rejections of extractors
    /// behind this middleware that have no responder of their own.
    #[must_use]
    pub fn error_responder(mut self, responder: impl ErrorResponder) -> Self {
        self.auth = self.auth.error_responder(responder);
        self
    }
}

impl From<StackAuth> for StackAuthMiddleware {
    fn from(auth: StackAuth) -> Self {
        StackAuthMiddleware {
            auth,
            optional: false,
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for StackAuthMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = StackAuthService<S>;
    type InitError = ();
    type Future = Ready<Result<StackAuthService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(StackAuthService {
            service: Rc::new(service),
            auth: self.auth.clone(),
            optional: self.optional,
        }))
    }
}

/// The service made by [`StackAuthMiddleware`].
#[derive(Debug)]
pub struct StackAuthService<S> {
    service: Rc<S>,
    auth: StackAuth,
    optional: bool,
}

impl<S, B> Service<ServiceRequest> for StackAuthService<S>
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
        let auth = self.auth.clone();
        let optional = self.optional;
        Box::pin(async move {
            let outcome = if optional {
                auth.optional_user(request.request()).await.map(drop)
            } else {
                auth.required_user(request.request()).await.map(drop)
            };
            match outcome {
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
