//! `GET /api/{v1,latest}/users/me` (PROTOCOL §3).

use http::{header, Method, Request, Response};
use serde_json::Value;
use stack_auth_core::ServerUser;

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
    let body = user_json(&user, auth.access_type == "client");
    let pretty = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let text = if pretty {
        serde_json::to_string_pretty(&body)
    } else {
        serde_json::to_string(&body)
    };
    reply(200, Some(JSON), text.unwrap_or_default())
}

/// The user object for the access type: the full server object, or the client view without
/// the server-only fields.
fn user_json(user: &ServerUser, client: bool) -> Value {
    let mut v = serde_json::to_value(user).unwrap_or(Value::Null);
    if client {
        if let Some(map) = v.as_object_mut() {
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
            if let Some(Value::Object(team)) = map.get_mut("selected_team") {
                team.remove("created_at_millis");
                team.remove("server_metadata");
            }
        }
    }
    v
}
