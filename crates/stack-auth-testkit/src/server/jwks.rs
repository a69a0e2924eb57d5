//! The JWKS route and its anonymous-issuer alias (PROTOCOL §2).

use http::{header, Method, Request};
use stack_auth_core::{UserType, UserTypes};

use super::auth::{parse_auth, AuthError};
use super::known_error::KnownError;
use super::respond::{internal_error, known, plain, reply, set, Body, JSON};
use super::state::State;
use http::Response;

/// `GET /api/{v1,latest}/projects/{pid}/.well-known/jwks.json`.
/// Auth headers are optional here, but when a caller sends them the generic checks of
/// users/me run too (PROTOCOL §2.4).
pub(crate) fn jwks<B>(
    state: &State,
    req: &Request<B>,
    project_id: &str,
    request_id: &str,
) -> Response<Body> {
    if req.method() != Method::GET {
        return plain(405, "Method not allowed");
    }
    match parse_auth(state, req.headers()) {
        Ok(_) => {}
        Err(AuthError::Known(e)) => return known(&e),
        Err(AuthError::Internal) => return internal_error(request_id),
    }
    let user_types = match user_types(req.uri().query(), req.uri().path()) {
        Ok(t) => t,
        Err(e) => return known(&e),
    };
    let inner = state.lock();
    let Some(project) = inner.projects.get(project_id) else {
        return plain(404, "Project not found");
    };
    let mut res = reply(200, Some(JSON), project.minter.jwks_json(user_types));
    set(&mut res, header::CACHE_CONTROL, "public, max-age=3600");
    res
}

/// Validates the query like the route's yup schema: only `include_restricted` and
/// `include_anonymous`, each exactly `true` or `false`.
fn user_types(query: Option<&str>, path: &str) -> Result<UserTypes, KnownError> {
    let mut types = UserTypes::NORMAL_ONLY;
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let flag = match value.as_ref() {
            "true" => true,
            "false" => false,
            other => {
                return Err(schema_error(
                    path,
                    &format!(
                    "query.{name} must be one of the following values: true, false (got {other:?})"
                ),
                ))
            }
        };
        match name.as_ref() {
            "include_restricted" if flag => types = types.with(UserType::Restricted),
            "include_anonymous" if flag => {
                types = types.with(UserType::Restricted).with(UserType::Anonymous);
            }
            "include_restricted" | "include_anonymous" => {}
            other => {
                return Err(schema_error(
                    path,
                    &format!("query contains unknown properties: {other}"),
                ))
            }
        }
    }
    Ok(types)
}

/// A yup-style `SCHEMA_ERROR` for `GET path`.
pub(crate) fn schema_error(path: &str, problem: &str) -> KnownError {
    KnownError::schema_error(format!(
        "Request validation failed on GET {path}:\n  - {problem}"
    ))
}

/// `/api/{v1,latest}/projects-anonymous-users/{pid}/.well-known/{rest}`: a 307 to the same
/// path under `/api/latest/projects/`, with `include_anonymous=true` set.
pub(crate) fn anonymous_alias<B>(
    state: &State,
    req: &Request<B>,
    project_id: &str,
    rest: &str,
) -> Response<Body> {
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .filter(|(k, _)| k != "include_anonymous")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    pairs.push(("include_anonymous".into(), "true".into()));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let location = format!(
        "{}/api/latest/projects/{project_id}/.well-known/{rest}?{query}",
        state.base_url
    );
    let mut res = reply(307, None, "");
    set(&mut res, header::LOCATION, &location);
    res
}
