//! Response helpers: the headers every Stack Auth response carries, KnownErrors, plain-text
//! errors, and the override-error-status rewrite.

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use http_body_util::Full;

use super::headers::has_request_header;
use super::known_error::KnownError;

/// The body type of every response.
pub(crate) type Body = Full<Bytes>;

/// `content-type` of JSON answers.
pub(crate) const JSON: &str = "application/json; charset=utf-8";
/// `content-type` of plain-text answers.
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";
/// The default `cache-control` of Stack Auth's smart responses.
pub(crate) const NO_STORE: &str = "no-store, max-age=0";

/// A response with `status`, `content-type` and body, and the default `cache-control`.
pub(crate) fn reply(
    status: u16,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut res = Response::new(Full::new(body.into()));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = content_type {
        set(&mut res, header::CONTENT_TYPE, ct);
    }
    set(&mut res, header::CACHE_CONTROL, NO_STORE);
    res
}

/// A plain-text failure (`StatusError`): no known-error header.
pub(crate) fn plain(status: u16, text: &str) -> Response<Body> {
    reply(status, Some(TEXT), text.to_owned())
}

/// The real server's 500 for an internal error (e.g. a failed assertion).
pub(crate) fn internal_error(request_id: &str) -> Response<Body> {
    plain(500, &format!("Something went wrong. Please make sure the data you entered is correct.\n\nRequest ID: {request_id}"))
}

/// A KnownError: pretty JSON `{code, details?, error}` and the code in both
/// `x-stack-known-error` and `x-hexclave-known-error` (PROTOCOL §9.3).
pub(crate) fn known(err: &KnownError) -> Response<Body> {
    let mut res = reply(err.status, Some(JSON), err.body());
    set(&mut res, "x-stack-known-error", &err.code);
    set(&mut res, "x-hexclave-known-error", &err.code);
    res
}

/// Sets a header (values built by the stand-in are always valid).
pub(crate) fn set(res: &mut Response<Body>, name: impl header::IntoHeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(name, v);
    }
}

/// Adds what every answer of the real service carries: the request id and the CORS headers
/// of `proxy.tsx`.
pub(crate) fn finish(mut res: Response<Body>, request_id: &str) -> Response<Body> {
    set(&mut res, "x-stack-request-id", request_id);
    set(&mut res, header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    set(&mut res, header::ACCESS_CONTROL_MAX_AGE, "86400");
    set(
        &mut res,
        header::VARY,
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    );
    res
}

/// With `x-hexclave-override-error-status` or `x-stack-override-error-status` in the request, a
/// 4xx becomes 200 plus the real status in both `x-hexclave-actual-status` and
/// `x-stack-actual-status` (body and known-error headers unchanged); 5xx are left alone.
pub(crate) fn override_status(mut res: Response<Body>, request: &HeaderMap) -> Response<Body> {
    let status = res.status();
    if has_request_header(request, "x-stack-override-error-status") && status.is_client_error() {
        set(&mut res, "x-stack-actual-status", status.as_str());
        set(&mut res, "x-hexclave-actual-status", status.as_str());
        *res.status_mut() = StatusCode::OK;
    }
    res
}
