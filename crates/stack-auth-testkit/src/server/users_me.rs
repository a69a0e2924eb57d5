//! `GET /api/{v1,latest}/users/me` (PROTOCOL §3) and `GET /api/{v1,latest}/users/{user_id}`
//! (PROTOCOL §9.3, §10.1).

use std::collections::BTreeMap;

use http::{header, Method, Request, Response};
use serde::Serialize;
use stack_auth_core::{RawJson, ServerUser};

use super::crud::{authenticate, Refused};
use super::jwks::schema_error;
use super::known_error::KnownError;
use super::respond::{known, plain, reply, Body, JSON};
use super::state::State;
use crate::ids::is_uuid;

/// Answers users/me: parseAuth, then request validation, then the read handler.
pub(crate) fn users_me<B>(state: &State, req: &Request<B>, request_id: &str) -> Response<Body> {
    if req.method() != Method::GET {
        return plain(405, "Method not allowed");
    }
    let auth = match authenticate(state, req, request_id) {
        Ok(auth) => auth,
        Err(Refused(res)) => return *res,
    };
    if let Some(res) = unknown_query(req) {
        return res;
    }
    let Some(user) = auth.user else {
        return known(&KnownError::cannot_get_own_user_without_user());
    };
    answer_user(req, &user, auth.access_type == "client")
}

/// Answers `GET /users/{user_id}`: server (or admin) access only, checked before the id; a
/// well-formed id of no user of the project is `USER_NOT_FOUND`. No user-type filtering.
pub(crate) fn user_by_id<B>(
    state: &State,
    req: &Request<B>,
    user_id: &str,
    request_id: &str,
) -> Response<Body> {
    if req.method() != Method::GET {
        return plain(405, "Method not allowed");
    }
    let auth = match authenticate(state, req, request_id) {
        Ok(auth) => auth,
        Err(Refused(res)) => return *res,
    };
    if !matches!(auth.access_type.as_str(), "server" | "admin") {
        let allowed = ["server", "admin"];
        return known(&KnownError::insufficient_access_type(
            &auth.access_type,
            &allowed,
        ));
    }
    if !is_uuid(user_id) {
        return known(&schema_error(
            req.uri().path(),
            "params.user_id must be a valid UUID",
        ));
    }
    if let Some(res) = unknown_query(req) {
        return res;
    }
    let user = {
        let inner = state.lock();
        inner
            .projects
            .get(&auth.project_id)
            .and_then(|p| p.users.get(user_id).cloned())
    };
    match user {
        Some(user) => answer_user(req, &user, false),
        None => known(&KnownError::user_not_found()),
    }
}

/// `SCHEMA_ERROR` for any query parameter (these routes take none).
fn unknown_query<B>(req: &Request<B>) -> Option<Response<Body>> {
    let q = req.uri().query().filter(|q| !q.is_empty())?;
    let names: Vec<String> = url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    let problem = format!("query contains unknown properties: {}", names.join(", "));
    Some(known(&schema_error(req.uri().path(), &problem)))
}

/// 200 with the user object (pretty JSON for a browser).
fn answer_user<B>(req: &Request<B>, user: &ServerUser, client: bool) -> Response<Body> {
    let pretty = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let text = user_json(user, client, pretty);
    reply(200, Some(JSON), text)
}

/// The user object for the access type, as JSON text: the full server object, or the client
/// view without the server-only fields. Metadata goes out verbatim, however deeply it nests
/// (the real server sets no depth limit), so nothing here parses it.
fn user_json(user: &ServerUser, client: bool, pretty: bool) -> String {
    if !client {
        return to_text(user, pretty);
    }
    let mut map: Fields = serde_json::from_str(&to_text(user, pretty)).unwrap_or_default();
    for field in [
        "primary_email_auth_enabled",
        "server_metadata",
        "last_active_at_millis",
        "restricted_by_admin_private_details",
        "country_code",
        "risk_scores",
    ] {
        map.remove(field);
    }
    if let Some(team) = map.get_mut("selected_team") {
        if let Ok(mut fields) = team.parse::<Fields>() {
            fields.remove("created_at_millis");
            fields.remove("server_metadata");
            *team = RawJson::from_json(to_text(&fields, pretty)).unwrap_or_else(|_| team.clone());
        }
    }
    to_text(&map, pretty)
}

/// An object's fields, their values kept as text.
type Fields = BTreeMap<String, RawJson>;

/// `value` as JSON text, compact or indented.
fn to_text<T: Serialize>(value: &T, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    text.unwrap_or_default()
}
