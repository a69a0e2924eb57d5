//! What every server-API route shares (PROTOCOL §10.0): method, body parsing, authentication,
//! the CRUD envelope, `201` on create and `{"success":true}` on delete.

use bytes::Bytes;
use http::{header, Method, Request, Response};
use serde_json::Value;

use super::auth::{parse_auth, Auth, AuthError};
use super::known_error::KnownError;
use super::respond::{internal_error, known, plain, reply, Body, JSON};
use super::state::State;

/// An answer.
pub(crate) type Res = Response<Body>;

/// The answer to a request refused before its handler ran.
#[derive(Debug)]
pub(crate) struct Refused(pub(crate) Box<Res>);

impl From<KnownError> for Refused {
    fn from(e: KnownError) -> Self {
        Refused(Box::new(known(&e)))
    }
}

impl From<Res> for Refused {
    fn from(res: Res) -> Self {
        Refused(Box::new(res))
    }
}

/// parseAuth, with a request without any access type refused as `ACCESS_TYPE_REQUIRED`.
pub(crate) fn authenticate<B>(
    state: &State,
    req: &Request<B>,
    request_id: &str,
) -> Result<Auth, Refused> {
    match parse_auth(state, req.headers()) {
        Ok(Some(auth)) => Ok(auth),
        Ok(None) => Err(KnownError::access_type_required().into()),
        Err(AuthError::Known(e)) => Err(e.into()),
        Err(AuthError::Internal) => Err(internal_error(request_id).into()),
    }
}

/// A request past the smart-request stage: method allowed, body parsed, authenticated.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) auth: Auth,
    /// The parsed body (`None`: no body, or a GET).
    pub(crate) body: Option<Value>,
}

/// `createSmartRequest`: the method (plain 405), then the body by its content type
/// (`BODY_PARSING_ERROR`), then parseAuth.
pub(crate) fn begin(
    state: &State,
    req: &Request<Bytes>,
    request_id: &str,
    methods: &[Method],
) -> Result<Call, Refused> {
    if !methods.contains(req.method()) {
        return Err(plain(405, "Method not allowed").into());
    }
    let body = parse_body(req)?;
    let auth = authenticate(state, req, request_id)?;
    Ok(Call { auth, body })
}

/// `parseBody`: ignored for GET; no content type → no body; JSON, text and forms parsed;
/// anything else refused.
fn parse_body(req: &Request<Bytes>) -> Result<Option<Value>, KnownError> {
    if req.method() == Method::GET {
        return Ok(None);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let Some(ct) = content_type else {
        return Ok(None);
    };
    let essence = ct.split(';').next().unwrap_or_default();
    let text = || {
        std::str::from_utf8(req.body())
            .map_err(|_| body_parsing_error("Request body cannot be parsed as UTF-8"))
    };
    match essence {
        "" => Ok(None),
        "application/json" => serde_json::from_str(text()?)
            .map(Some)
            .map_err(|_| body_parsing_error("Invalid JSON in request body")),
        "text/plain" => Ok(Some(Value::String(text()?.to_owned()))),
        "application/x-www-form-urlencoded" => Ok(Some(Value::Object(
            url::form_urlencoded::parse(text()?.as_bytes())
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect(),
        ))),
        other => Err(body_parsing_error(&format!(
            "Unknown content type in request body: {other}"
        ))),
    }
}

fn body_parsing_error(message: &str) -> KnownError {
    KnownError::new(400, "BODY_PARSING_ERROR", message, None)
}

/// 200 with a JSON body (compact).
pub(crate) fn ok(json: impl Into<String>) -> Res {
    reply(200, Some(JSON), json.into())
}

/// 201 with the created object.
pub(crate) fn created(json: impl Into<String>) -> Res {
    reply(201, Some(JSON), json.into())
}

/// A delete's answer: 200 `{"success":true}`.
pub(crate) fn success() -> Res {
    ok(r#"{"success":true}"#)
}

/// A list: `{"items":[…],"is_paginated":false}`, items given as JSON text.
pub(crate) fn list(items: &[String]) -> Res {
    ok(format!(
        "{{\"items\":[{}],\"is_paginated\":false}}",
        items.join(",")
    ))
}

/// Runs a handler, answering a refusal as itself.
pub(crate) fn answer(f: impl FnOnce() -> Result<Res, Refused>) -> Res {
    f().unwrap_or_else(|r| *r.0)
}

/// The project of an authenticated request was removed meanwhile (the stand-in never removes
/// projects, so this does not happen): the real server's 500.
pub(crate) fn project_gone<E>(_: E) -> Refused {
    plain(
        500,
        "Something went wrong. Please make sure the data you entered is correct.",
    )
    .into()
}

/// `USER_AUTHENTICATION_REQUIRED` (401).
pub(crate) fn user_authentication_required() -> Refused {
    KnownError::new(
        401,
        "USER_AUTHENTICATION_REQUIRED",
        "User authentication required for this endpoint.",
        None,
    )
    .into()
}

/// Client access to a list of one user's things: the caller must be that user (`me` or its
/// id); no user → `CANNOT_GET_OWN_USER_WITHOUT_USER`, another → plain-text 403 `text`. Other
/// access types pass.
pub(crate) fn client_own_user(
    call: &Call,
    user_id: Option<&String>,
    text: &str,
) -> Result<(), Refused> {
    if call.auth.access_type != "client" {
        return Ok(());
    }
    let me = call
        .auth
        .user
        .as_ref()
        .ok_or_else(KnownError::cannot_get_own_user_without_user)?;
    if user_id != Some(&me.id) {
        return Err(plain(403, text).into());
    }
    Ok(())
}
