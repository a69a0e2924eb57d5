//! `/api/v1/auth/sessions`: the list (`user_id` required, newest first, impersonation for
//! admin access only, `is_current_session`), deleting one by id, and signing out the current
//! one (PROTOCOL §10.4, `auth/sessions/crud.tsx`, `current/route.tsx`).

use bytes::Bytes;
use http::{Method, Request};
use serde_json::json;

use super::crud::{answer, begin, client_own_user, list, project_gone, success, Res};
use super::known_error::KnownError;
use super::respond::plain;
use super::state::State;
use super::validate::{Kind, Validation};

const ANY_ACCESS: [&str; 3] = ["client", "server", "admin"];
const QUERY: [(&str, Kind, bool); 1] = [("user_id", Kind::UserIdOrMe, true)];

/// `GET /auth/sessions?user_id=`.
pub(crate) fn list_sessions(state: &State, req: &Request<Bytes>, request_id: &str) -> Res {
    answer(|| {
        let call = begin(state, req, request_id, &[Method::GET])?;
        let mut v = Validation::new(req, &call.auth);
        let q = v.query(req, &QUERY);
        v.finish(&call.auth, &ANY_ACCESS)?;
        let user_id = q.get("user_id").cloned().unwrap_or_default();
        client_own_user(
            &call,
            Some(&user_id),
            "Client can only list sessions for their own user.",
        )?;
        let inner = state.lock();
        let sessions = &inner
            .project(&call.auth.project_id)
            .map_err(project_gone)?
            .data
            .sessions;
        let items: Vec<String> = sessions
            .of_user(&user_id, call.auth.access_type == "admin")
            .into_iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "user_id": s.user_id,
                    "created_at": s.created_at_millis,
                    "last_used_at": s.last_used_at_millis,
                    "is_impersonation": s.is_impersonation,
                    "is_current_session": call.auth.session_id.as_deref() == Some(s.id.as_str()),
                })
                .to_string()
            })
            .collect();
        Ok(list(&items))
    })
}

/// `DELETE /auth/sessions/{id}?user_id=` (the list's query schema applies, so `user_id` is
/// required although the handler ignores it).
pub(crate) fn delete_session(
    state: &State,
    req: &Request<Bytes>,
    id: &str,
    request_id: &str,
) -> Res {
    answer(|| {
        let call = begin(state, req, request_id, &[Method::DELETE])?;
        let mut v = Validation::new(req, &call.auth);
        let id = v.param("id", id, Kind::Uuid);
        v.query(req, &QUERY);
        v.finish(&call.auth, &ANY_ACCESS)?;
        let id = id.unwrap_or_default();
        let mut inner = state.lock();
        let sessions = &mut inner
            .project_mut(&call.auth.project_id)
            .map_err(project_gone)?
            .data
            .sessions;
        let owner = sessions.get(&id).map(|s| s.user_id.clone());
        let visible = match (&owner, call.auth.access_type.as_str()) {
            (None, _) => false,
            (Some(owner), "client") => call.auth.user.as_ref().is_some_and(|u| &u.id == owner),
            (Some(_), _) => true,
        };
        if !visible {
            return Err(plain(404, "Session not found.").into());
        }
        if call.auth.session_id.as_deref() == Some(id.as_str()) {
            return Err(KnownError::new(
                400,
                "CANNOT_DELETE_CURRENT_SESSION",
                "Cannot delete the current session.",
                None,
            )
            .into());
        }
        sessions.remove(&id);
        Ok(success())
    })
}

/// `DELETE /auth/sessions/current`: signs out the token's session.
pub(crate) fn sign_out(state: &State, req: &Request<Bytes>, request_id: &str) -> Res {
    answer(|| {
        let call = begin(state, req, request_id, &[Method::DELETE])?;
        Validation::new(req, &call.auth).finish(&call.auth, &ANY_ACCESS)?;
        let Some(session) = &call.auth.session_id else {
            let details = json!({"expired_at_millis": state.clock.now_millis(), "project_id": null, "user_id": null, "refresh_token_id": null});
            return Err(
                KnownError::access_token_expired(details, Some(state.clock.now_millis())).into(),
            );
        };
        let mut inner = state.lock();
        let sessions = &mut inner
            .project_mut(&call.auth.project_id)
            .map_err(project_gone)?
            .data
            .sessions;
        if sessions.remove(session).is_none() {
            return Err(KnownError::new(401, "REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED", "Refresh token not found for this project, or the session has expired/been revoked.", None).into());
        }
        Ok(success())
    })
}
