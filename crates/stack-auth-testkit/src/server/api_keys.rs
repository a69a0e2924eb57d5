//! `POST /api/v1/{user,team}-api-keys/check` (PROTOCOL §10.2.1–10.2.3) and the key lists
//! `GET /api/v1/user-api-keys?user_id=` / `team-api-keys?team_id=` (`(api-keys)/handlers.tsx`).

use bytes::Bytes;
use http::{Method, Request};
use serde_json::json;

use super::crud::{
    answer, begin, list, ok, project_gone, user_authentication_required, Refused, Res,
};
use super::known_error::KnownError;
use super::respond::plain;
use super::state::State;
use super::validate::{Kind, Validation};
use crate::ApiKeyType;

const ANY_ACCESS: [&str; 3] = ["client", "server", "admin"];

/// The plain-text 400 of a disabled feature.
fn disabled(key_type: ApiKeyType) -> Res {
    let text = match key_type {
        ApiKeyType::User => "User API keys are not enabled for this project.",
        ApiKeyType::Team => "Team API keys are not enabled for this project.",
    };
    plain(400, text)
}

/// The check: authentication, body `{api_key}`, the feature gate, then exact-string lookup,
/// type, revocation and expiry, in that order.
pub(crate) fn check(
    state: &State,
    req: &Request<Bytes>,
    key_type: ApiKeyType,
    request_id: &str,
) -> Res {
    answer(|| {
        let call = begin(state, req, request_id, &[Method::POST])?;
        let mut v = Validation::new(req, &call.auth);
        let body = v.body_strings(call.body.as_ref(), &[("api_key", true)]);
        v.finish(&call.auth, &["server", "admin"])?;
        let now = state.clock.now_millis();
        let inner = state.lock();
        let store = &inner
            .project(&call.auth.project_id)
            .map_err(project_gone)?
            .data
            .api_keys;
        if !store.enabled(key_type) {
            return Err(disabled(key_type).into());
        }
        let given = body.get("api_key").map(String::as_str).unwrap_or_default();
        let key = store.find(given).ok_or_else(api_key_not_found)?;
        if key.key_type != key_type {
            let (expected, actual) = (key_type.as_str(), key.key_type.as_str());
            return Err(KnownError::new(
                400,
                "WRONG_API_KEY_TYPE",
                format!("This endpoint is for {expected} API keys, but a {actual} API key was provided."),
                Some(json!({ "expected_type": expected, "actual_type": actual })),
            )
            .into());
        }
        if key.manually_revoked_at_millis.is_some() {
            return Err(
                KnownError::new(401, "API_KEY_REVOKED", "API key has been revoked.", None).into(),
            );
        }
        if key.expires_at_millis.is_some_and(|at| at < now) {
            return Err(
                KnownError::new(401, "API_KEY_EXPIRED", "API key has expired.", None).into(),
            );
        }
        Ok(ok(key.to_json().to_string()))
    })
}

fn api_key_not_found() -> Refused {
    KnownError::new(404, "API_KEY_NOT_FOUND", "API key not found.", None).into()
}

/// The list of one user's (`user_id`, `me` allowed) or team's keys, newest first, revoked
/// ones included. Client access: own keys only, team keys with `$manage_api_keys`.
pub(crate) fn list_keys(
    state: &State,
    req: &Request<Bytes>,
    key_type: ApiKeyType,
    request_id: &str,
) -> Res {
    answer(|| {
        let call = begin(state, req, request_id, &[Method::GET])?;
        let mut v = Validation::new(req, &call.auth);
        let owner_field = match key_type {
            ApiKeyType::User => ("user_id", Kind::UserIdOrMe, false),
            ApiKeyType::Team => ("team_id", Kind::Uuid, true),
        };
        let query = v.query(req, &[owner_field]);
        v.finish(&call.auth, &ANY_ACCESS)?;
        let inner = state.lock();
        let project = inner.project(&call.auth.project_id).map_err(project_gone)?;
        if !project.data.api_keys.enabled(key_type) {
            return Err(disabled(key_type).into());
        }
        let Some(owner) = query.get(owner_field.0) else {
            let text = format!(
                "{} is required for {} API keys",
                owner_field.0,
                key_type.as_str()
            );
            return Err(KnownError::schema_error(text).into());
        };
        if call.auth.access_type == "client" {
            let Some(me) = &call.auth.user else {
                return Err(user_authentication_required());
            };
            match key_type {
                ApiKeyType::User if *owner != me.id => {
                    return Err(plain(403, "Client can only manage their own api keys").into());
                }
                ApiKeyType::Team => {
                    let held = project.data.rbac.list_team(
                        Some(owner),
                        Some(&me.id),
                        Some("$manage_api_keys"),
                        true,
                    );
                    if held.is_empty() {
                        return Err(api_key_not_found());
                    }
                }
                ApiKeyType::User => {}
            }
        }
        let items: Vec<String> = project
            .data
            .api_keys
            .of_owner(key_type, owner)
            .into_iter()
            .map(|k| k.to_json().to_string())
            .collect();
        Ok(list(&items))
    })
}
