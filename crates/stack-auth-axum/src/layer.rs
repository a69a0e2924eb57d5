//! [`StackAuthLayer`]: authenticate every request of a tower service once.

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use axum::{
    body::{Bytes, HttpBody},
    response::{IntoResponse, Response},
    BoxError,
};
use http::{request::Parts, Request};
use stack_auth_core::{TokenVerifier, UserTypes};
use tower::{Layer, Service};

use crate::{
    gated::{self, GatedFuture},
    ErrorResponder, StackAuth,
};

/// A tower [`Layer`] that authenticates each request before the inner service sees it.
///
/// The token is read and verified once per request; on success the
/// [`VerifiedUser`](stack_auth_core::VerifiedUser) goes into the request extensions (take it with
/// `Extension<VerifiedUser>`, or with [`StackUser`](crate::StackUser), which reuses the verdict
/// instead of verifying again). On failure the request never reaches the inner service: the
/// client gets the [`AuthRejection`](crate::AuthRejection) response.
///
/// Layers nest: an inner `StackAuthLayer` with the same verifier (the same `Arc`, or a clone
/// of it) or made by [`requiring`](Self::requiring) reuses the verdict of an outer one, so an
/// app can authenticate optionally at the top and require a user (or a user type) per route. An
/// inner layer with a *different* verifier verifies the request again with it (a REST check on
/// `/admin` behind a JWKS layer for the whole app is not skipped); extractors and `requiring`
/// layers further in then see the innermost verdict. An inner layer with narrower
/// [`token_sources`](Self::token_sources) reuses an outer verdict only if its sources pick the
/// same token from the same source: behind an outer `.optional()` layer reading every source,
/// a [`TokenSources::HEADERS_ONLY`](stack_auth_core::TokenSources::HEADERS_ONLY) route reads
/// the headers itself and never acts on the ambient `stack-access` cookie.
///
/// ```
/// use std::sync::Arc;
/// use axum::{routing::get, Router};
/// use stack_auth_axum::{MaybeStackUser, StackAuthLayer, StackUser};
/// use stack_auth_core::{test_util::StaticVerifier, UserType, UserTypes, VerifiedUser};
///
/// let verifier = Arc::new(StaticVerifier::accept(VerifiedUser::new("u1", "p1", UserType::Normal, None)));
/// let app: Router = Router::new()
///     // anonymous users are refused here (403), requests without a token too (401)
///     .route(
///         "/orders",
///         get(|user: StackUser| async move { user.user_id().to_owned() })
///             .layer(StackAuthLayer::requiring(UserTypes::ALL.without(UserType::Anonymous))),
///     )
///     .route("/", get(|MaybeStackUser(user): MaybeStackUser| async move { user.is_some().to_string() }))
///     // every request: verified if it has a token, let through without a user if not
///     .layer(StackAuthLayer::new(verifier).optional());
/// ```
#[derive(Clone, Debug)]
pub struct StackAuthLayer {
    auth: StackAuth,
    optional: bool,
}

impl StackAuthLayer {
    /// A layer verifying tokens with `verifier`; requests without a valid token are refused.
    pub fn new(verifier: Arc<dyn TokenVerifier>) -> Self {
        StackAuthLayer::from(StackAuth::new(verifier))
    }

    /// A layer that verifies nothing itself: it reuses the verdict of an outer `StackAuthLayer`
    /// and lets in only users of `user_types` (others get 403). Without an outer layer it answers
    /// 500 `misconfigured`.
    pub fn requiring(user_types: UserTypes) -> Self {
        StackAuthLayer::from(StackAuth::from_layer().require(user_types))
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
    pub fn token_sources(mut self, sources: stack_auth_core::TokenSources) -> Self {
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
    /// behind this layer that have no responder of their own.
    #[must_use]
    pub fn error_responder(mut self, responder: impl ErrorResponder) -> Self {
        self.auth = self.auth.error_responder(responder);
        self
    }
}

impl From<StackAuth> for StackAuthLayer {
    fn from(auth: StackAuth) -> Self {
        StackAuthLayer {
            auth,
            optional: false,
        }
    }
}

impl<S> Layer<S> for StackAuthLayer {
    type Service = StackAuthService<S>;

    fn layer(&self, inner: S) -> StackAuthService<S> {
        StackAuthService {
            inner,
            auth: self.auth.clone(),
            optional: self.optional,
        }
    }
}

/// The service made by [`StackAuthLayer`].
#[derive(Clone, Debug)]
pub struct StackAuthService<S> {
    inner: S,
    auth: StackAuth,
    optional: bool,
}

impl<S, B, ResBody> Service<Request<B>> for StackAuthService<S>
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
        let auth = self.auth.clone();
        let optional = self.optional;
        gated::call(
            &mut self.inner,
            request,
            move |mut parts: Parts| async move {
                let outcome = if optional {
                    auth.optional_user(&parts.headers, &mut parts.extensions)
                        .await
                        .map(drop)
                } else {
                    auth.required_user(&parts.headers, &mut parts.extensions)
                        .await
                        .map(drop)
                };
                outcome.map(|()| parts).map_err(IntoResponse::into_response)
            },
        )
    }
}
