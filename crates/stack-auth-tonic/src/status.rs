//! The gRPC answer to a [`Rejection`]: its status code and message, and the trailers-only
//! response that carries them.

use std::sync::Arc;

use http::{header, HeaderValue, Response};
use stack_auth_core::framework::Rejection;
use tonic::{body::Body, metadata::MetadataValue, Code, Status};

/// The metadata key of gRFC A6's server pushback: how long a client should wait before it
/// retries, in milliseconds.
const RETRY_PUSHBACK: &str = "grpc-retry-pushback-ms";

/// The default gRPC status for `rejection`:
///
/// | situation (HTTP status in the axum and actix-web crates) | `grpc-status` |
/// |---|---|
/// | no token (401), an unreadable token header (400), a refused token (401) | `UNAUTHENTICATED` (16) |
/// | user type not allowed (403) | `PERMISSION_DENIED` (7) |
/// | upstream unavailable (503) | `UNAVAILABLE` (14), with `grpc-retry-pushback-ms` |
/// | verifier misconfigured (500) | `INTERNAL` (13) |
///
/// The message is `<code>: <fixed sentence>`, e.g. `expired: the access token expired`: the
/// stable [code](Rejection::code) and [message](Rejection::message) of the HTTP integrations'
/// JSON body, never the token or a verifier's detail.
///
/// ```
/// use stack_auth_core::{framework::Rejection, RefusalReason, VerifyError};
/// use tonic::Code;
///
/// let status = stack_auth_tonic::default_status(&Rejection::from(VerifyError::refused(RefusalReason::Expired)));
/// assert_eq!(status.code(), Code::Unauthenticated);
/// assert_eq!(status.message(), "expired: the access token expired");
/// ```
pub fn default_status(rejection: &Rejection) -> Status {
    let code = match rejection.status() {
        400 | 401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        503 => Code::Unavailable,
        _ => Code::Internal,
    };
    let message = format!("{}: {}", rejection.code(), rejection.message());
    let mut status = Status::new(code, message);
    if let Some(wait) = rejection.retry_after() {
        let millis = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        status
            .metadata_mut()
            .insert(RETRY_PUSHBACK, MetadataValue::from(millis));
    }
    status
}

/// Turns a [`Rejection`] into the gRPC status sent to the client, when [`default_status`] will
/// not do. Any `Fn(&Rejection) -> Status` is a responder:
///
/// ```
/// use stack_auth_core::framework::Rejection;
/// use stack_auth_tonic::StackAuthLayer;
/// use tonic::Status;
/// # let verifier = std::sync::Arc::new(stack_auth_core::test_util::StaticVerifier::refuse(stack_auth_core::RefusalReason::Expired));
///
/// // One opaque answer for every refusal, keep the rest.
/// let layer = StackAuthLayer::new(verifier).error_responder(|rejection: &Rejection| {
///     match rejection.status() {
///         400 | 401 => Status::unauthenticated("sign in again"),
///         _ => stack_auth_tonic::default_status(rejection),
///     }
/// });
/// # let _ = layer;
/// ```
///
/// A responder must not put the token into the status; the rejection does not hold it. It
/// answers gRPC calls only: other requests through the layer get the HTTP answer of the axum
/// crate's table.
pub trait ErrorResponder: Send + Sync + 'static {
    /// The status for `rejection`.
    fn respond(&self, rejection: &Rejection) -> Status;
}

impl<F> ErrorResponder for F
where
    F: Fn(&Rejection) -> Status + Send + Sync + 'static,
{
    fn respond(&self, rejection: &Rejection) -> Status {
        self(rejection)
    }
}

/// The configured responder, or the default.
pub(crate) fn status_for(
    responder: Option<&Arc<dyn ErrorResponder>>,
    rejection: &Rejection,
) -> Status {
    match responder {
        Some(responder) => responder.respond(rejection),
        None => default_status(rejection),
    }
}

/// The trailers-only response carrying `status`: HTTP 200, `content_type`, `grpc-status`,
/// `grpc-message` (percent-encoded by tonic) and the status metadata, no body.
pub(crate) fn trailers_only(status: &Status, content_type: HeaderValue) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    if status.add_header(headers).is_err() {
        // Only metadata tonic cannot encode gets here; the code alone still answers the call.
        headers.insert("grpc-status", HeaderValue::from(status.code() as i32));
    }
    response
}

/// The HTTP answer for a request that is not a gRPC call: the axum and actix-web crates'
/// default response (status, `WWW-Authenticate`, `Retry-After`, JSON body).
pub(crate) fn http_answer(rejection: &Rejection) -> Response<Body> {
    let mut response = Response::new(Body::new(rejection.json_body()));
    *response.status_mut() = http::StatusCode::from_u16(rejection.status())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(challenge) = rejection
        .www_authenticate()
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        headers.insert(header::WWW_AUTHENTICATE, challenge);
    }
    if let Some(secs) = rejection.retry_after_secs() {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}
