//! [`StackAuthLayer`]: authenticate every call of a gRPC server once.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Request, Response};
use stack_auth_core::{
    framework::{
        CredentialAuth, Credentials, Principal, Rejection, RequestAuth, RequiredPermission,
    },
    ApiKeyVerifier, PermissionChecker, TokenSources, TokenVerifier, UserTypes, VerifiedUser,
};
use tonic::body::Body;
use tower::{Layer, Service};

use crate::status::{http_answer, status_for, trailers_only, ErrorResponder};

/// A tower [`Layer`] for a gRPC server: it authenticates each call before the services see it,
/// and refuses the gRPC way.
///
/// The token is read from the call's metadata (HTTP/2 headers: `authorization: Bearer …`,
/// `x-hexclave-access-token`, `x-stack-access-token`, `x-stack-auth`; by default not the
/// cookies, see [`token_sources`](Self::token_sources)) and verified once; on success the
/// [`VerifiedUser`] goes into the request extensions, where a tonic handler finds it with
/// `request.extensions().get::<VerifiedUser>()` (or [`verified_user`](crate::verified_user)).
/// A refused call never reaches the service: a gRPC call (`content-type: application/grpc…`)
/// gets a trailers-only response (HTTP 200, `grpc-status`, `grpc-message`; see
/// [`default_status`](crate::default_status)), any other request the HTTP answer of the axum
/// crate (401 with `WWW-Authenticate`, JSON body, ...).
///
/// One layer in front of the server authenticates every service; each `StackAuthLayer`
/// verifies on its own (unlike the axum layers, gRPC layers share no verdicts), so a service
/// with stricter needs checks the user in its handler (`user.user_type()`, say).
///
/// ```no_run
/// use std::sync::Arc;
/// use stack_auth_core::{TokenVerifier, UserTypes};
/// use stack_auth_tonic::StackAuthLayer;
///
/// # async fn serve(verifier: Arc<dyn TokenVerifier>) -> Result<(), Box<dyn std::error::Error>> {
/// let (_, health) = tonic_health::server::health_reporter();
/// tonic::transport::Server::builder()
///     .layer(StackAuthLayer::new(verifier).require(UserTypes::NORMAL_ONLY))
///     .add_service(health)
///     .serve("127.0.0.1:50051".parse()?)
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct StackAuthLayer {
    auth: CredentialAuth,
    optional: bool,
    responder: Option<Arc<dyn ErrorResponder>>,
    /// The permission every call needs, and who answers.
    permission: Option<(Arc<dyn PermissionChecker>, RequiredPermission)>,
}

impl StackAuthLayer {
    /// A layer verifying tokens with `verifier`, reading the headers only; calls without a valid
    /// token are refused with `UNAUTHENTICATED`.
    pub fn new(verifier: Arc<dyn TokenVerifier>) -> Self {
        let tokens = RequestAuth::new(verifier).token_sources(TokenSources::HEADERS_ONLY);
        StackAuthLayer {
            auth: CredentialAuth::new(tokens),
            optional: false,
            responder: None,
            permission: None,
        }
    }

    fn map_tokens(mut self, change: impl FnOnce(RequestAuth) -> RequestAuth) -> Self {
        let tokens = change(self.auth.tokens().clone());
        self.auth = self.auth.with_tokens(tokens);
        self
    }

    /// Lets in only users of these types; others get `PERMISSION_DENIED`.
    #[must_use]
    pub fn require(self, user_types: UserTypes) -> Self {
        self.map_tokens(|t| t.require(user_types))
    }

    /// Checks API keys with `verifier` (e.g. `stack_auth_rest::ApiKeys`) when
    /// [`accept`](Self::accept) lets them in.
    #[must_use]
    pub fn api_keys(mut self, verifier: Arc<dyn ApiKeyVerifier>) -> Self {
        self.auth = self.auth.api_key_verifier(verifier);
        self
    }

    /// Which credentials a call may carry (default [`Credentials::ACCESS_TOKEN`]): with API
    /// keys, the `x-hexclave-api-key` / `x-stack-api-key` metadata (or `authorization: Bearer`
    /// carrying a key) is looked for first. The call's [`Principal`] goes into its extensions
    /// (see [`principal`](crate::principal)), and a user key's owner as its
    /// [`VerifiedUser`].
    #[must_use]
    pub fn accept(mut self, credentials: Credentials) -> Self {
        self.auth = self.auth.accept(credentials);
        self
    }

    /// Lets in only callers whose user holds `requirement`, asking `checker` (e.g.
    /// `stack_auth_rest::Permissions`): `PERMISSION_DENIED` (`permission_denied`) otherwise.
    /// gRPC has no path parameters: take the team from a metadata key
    /// ([`TeamSource::Header`](stack_auth_core::framework::TeamSource::Header)) or the user's
    /// selected team.
    #[must_use]
    pub fn require_permission(
        mut self,
        checker: Arc<dyn PermissionChecker>,
        requirement: RequiredPermission,
    ) -> Self {
        self.permission = Some((checker, requirement));
        self
    }

    /// Reads the token only from `sources`. The default is
    /// [`TokenSources::HEADERS_ONLY`]: gRPC clients send metadata, not the browser's
    /// `hexclave-access` / `stack-access` cookies; [`TokenSources::ALL`] adds them (for a
    /// gRPC-Web client on the same site, say).
    #[must_use]
    pub fn token_sources(self, sources: TokenSources) -> Self {
        self.map_tokens(|t| t.token_sources(sources))
    }

    /// Lets calls without a token through, with no user in their extensions. A token that is
    /// sent is still verified, and refused if bad.
    #[must_use]
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Uses `responder` instead of [`default_status`](crate::default_status) for gRPC calls.
    #[must_use]
    pub fn error_responder(mut self, responder: impl ErrorResponder) -> Self {
        self.responder = Some(Arc::new(responder));
        self
    }

    /// Who sent a request with these `headers` (`None` for an optional layer and no
    /// credential), checked against the required permission.
    async fn principal(&self, headers: &HeaderMap) -> Result<Option<Principal>, Rejection> {
        let checked = match self.auth.authenticate(headers).await {
            Ok(None) if !self.optional || self.permission.is_some() => {
                Err(Rejection::missing_token())
            }
            Ok(principal) => self.permitted(headers, principal).await,
            Err(rejection) => Err(rejection),
        };
        checked.inspect_err(log)
    }

    /// `principal`, if it holds the permission the layer requires (if any).
    async fn permitted(
        &self,
        headers: &HeaderMap,
        principal: Option<Principal>,
    ) -> Result<Option<Principal>, Rejection> {
        let (Some((checker, requirement)), Some(who)) = (&self.permission, &principal) else {
            return Ok(principal);
        };
        let named = requirement
            .header()
            .and_then(|name| headers.get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty());
        requirement.check(&**checker, who, named).await?;
        Ok(principal)
    }

    /// The answer to a refused request: gRPC for a gRPC call, HTTP otherwise.
    fn refuse(&self, headers: &HeaderMap, rejection: &Rejection) -> Response<Body> {
        match grpc_content_type(headers) {
            Some(content_type) => trailers_only(
                &status_for(self.responder.as_ref(), rejection),
                content_type,
            ),
            None => http_answer(rejection),
        }
    }
}

/// The content type to answer a gRPC call with (`application/grpc`, or the request's own for
/// gRPC-Web), or `None` when the request is not a gRPC call.
fn grpc_content_type(headers: &HeaderMap) -> Option<HeaderValue> {
    let value = headers.get(header::CONTENT_TYPE)?;
    let lower = value.to_str().ok()?.to_ascii_lowercase();
    if lower.starts_with("application/grpc-web") {
        Some(value.clone())
    } else if lower.starts_with("application/grpc") {
        Some(HeaderValue::from_static("application/grpc"))
    } else {
        None
    }
}

/// Logs a refused call: the reason at `debug`, an unavailable upstream at `warn`, a
/// misconfiguration at `error`.
fn log(rejection: &Rejection) {
    match rejection.status() {
        503 => tracing::warn!(%rejection, "stack-auth: verifier unavailable"),
        500 => tracing::error!(%rejection, "stack-auth: verifier misconfigured"),
        _ => tracing::debug!(%rejection, "stack-auth: call refused"),
    }
}

impl<S> Layer<S> for StackAuthLayer {
    type Service = StackAuthService<S>;

    fn layer(&self, inner: S) -> StackAuthService<S> {
        StackAuthService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`StackAuthLayer`].
#[derive(Clone, Debug)]
pub struct StackAuthService<S> {
    inner: S,
    layer: StackAuthLayer,
}

impl<S, B, ResBody> Service<Request<B>> for StackAuthService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was not polled ready stays behind; the ready one serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            match layer.principal(&parts.headers).await {
                Ok(principal) => {
                    match principal.as_ref().and_then(Principal::user) {
                        Some(user) => parts.extensions.insert(user.clone()),
                        None => parts.extensions.remove::<VerifiedUser>(),
                    };
                    match principal {
                        Some(principal) => parts.extensions.insert(principal),
                        None => parts.extensions.remove::<Principal>(),
                    };
                    let response = inner.call(Request::from_parts(parts, body)).await?;
                    Ok(response.map(Body::new))
                }
                Err(rejection) => Ok(layer.refuse(&parts.headers, &rejection)),
            }
        })
    }
}

impl fmt::Debug for StackAuthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StackAuthLayer")
            .field("auth", &self.auth)
            .field("optional", &self.optional)
            .field(
                "permission",
                &self.permission.as_ref().map(|(_, requirement)| requirement),
            )
            .field("custom_responder", &self.responder.is_some())
            .finish()
    }
}
