//! `GET /api/{v1,latest}/users/me` (PROTOCOL §3).

use std::collections::BTreeMap;

use http::{header, Method, Request, Response};
use serde::Serialize;
use stack_auth_core::{RawJson, ServerUser};

use super::auth::{parse_auth, AuthError};
use super::jwks::schema_error;
use super::known_error::KnownError;
use super::respond::{internal_error, known, plain, reply, Body, JSON};
use super::state::State;

/// Answers users/me: parseAuth, then request validation, then the read handler.
pub(crate) fn users_me<B>(state: &State, req: &Request<B>, request_id: &str) -> Response<Body> {
    if req.method() != Method::GET {
        return plain(405, "Method not allowed");
    }
    let auth = match parse_auth(state, req.headers()) {
        Ok(auth) => auth,
        Err(AuthError::Known(e)) => return known(&e),
        Err(AuthError::Internal) => return internal_error(request_id),
    };
    let Some(auth) = auth else {
        return known(&KnownError::access_type_required());
    };
    if let Some(q) = req.uri().query().filter(|q| !q.is_empty()) {
        let names: Vec<String> = url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, _)| k.into_owned())
            .collect();
        let problem = format!("query contains unknown properties: {}", names.join(", "));
        return known(&schema_error(req.uri().path(), &problem));
    }
    let Some(user) = auth.user else {
        return known(&KnownError::cannot_get_own_user_without_user());
    };
    let pretty = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let text = user_json(&user, auth.access_type == "client", pretty);
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
