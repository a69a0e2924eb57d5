//! `/api/v1/team-permissions` and `/api/v1/project-permissions`: listing (= checking) with
//! `team_id`, `user_id` (`me`), `permission_id` and `recursive`, and granting and revoking
//! (PROTOCOL §10.3.1–10.3.3, `team-permissions/crud.tsx`, `project-permissions/crud.tsx`).

use bytes::Bytes;
use http::{Method, Request};
use serde_json::json;

use super::changes::{self, ChangeError};
use super::crud::{
    answer, begin, client_own_user, created, list, project_gone, success, Call, Refused, Res,
};
use super::state::State;
use super::store::Event;
use super::validate::{Kind, Validation};

const TEAM_QUERY: [(&str, Kind, bool); 4] = [
    ("team_id", Kind::Uuid, false),
    ("user_id", Kind::UserIdOrMe, false),
    ("permission_id", Kind::PermissionId, false),
    ("recursive", Kind::TrueFalse, false),
];

const PROJECT_QUERY: [(&str, Kind, bool); 3] = [
    ("user_id", Kind::UserIdOrMe, false),
    ("permission_id", Kind::PermissionId, false),
    ("recursive", Kind::TrueFalse, false),
];

const CLIENT_403: &str = "Client can only list permissions for their own user. user_id must be either \"me\" or the ID of the current user";

/// `GET /team-permissions`, or `POST`/`DELETE /team-permissions/{team}/{user}/{id}`.
pub(crate) fn team_permissions(
    state: &State,
    req: &Request<Bytes>,
    params: &[String],
    request_id: &str,
) -> Res {
    answer(|| {
        let [team, user, id] = params else {
            return list_team(state, req, request_id);
        };
        let call = begin(state, req, request_id, &[Method::POST, Method::DELETE])?;
        let mut v = Validation::new(req, &call.auth);
        let grant = req.method() == Method::POST;
        if grant {
            v.body_object(call.body.as_ref(), &[]);
        }
        let team = v.param("team_id", team, Kind::Uuid);
        let user = v.param("user_id", user, Kind::UserIdOrMe);
        let id = v.param("permission_id", id, Kind::PermissionId);
        v.query(req, &TEAM_QUERY);
        v.finish(&call.auth, &["server", "admin"])?;
        let (team, user, id) = (
            team.unwrap_or_default(),
            user.unwrap_or_default(),
            id.unwrap_or_default(),
        );
        apply(state, &call, |p| {
            if grant {
                changes::grant_team_permission(p, &team, &user, &id)
            } else {
                changes::revoke_team_permission(p, &team, &user, &id)
            }
        })?;
        Ok(if grant {
            created(json!({ "id": id, "team_id": team, "user_id": user }).to_string())
        } else {
            success()
        })
    })
}

fn list_team(state: &State, req: &Request<Bytes>, request_id: &str) -> Result<Res, Refused> {
    let call = begin(state, req, request_id, &[Method::GET])?;
    let mut v = Validation::new(req, &call.auth);
    let q = v.query(req, &TEAM_QUERY);
    v.finish(&call.auth, &["client", "server", "admin"])?;
    client_own_user(&call, q.get("user_id"), CLIENT_403)?;
    let inner = state.lock();
    let rbac = &inner
        .project(&call.auth.project_id)
        .map_err(project_gone)?
        .data
        .rbac;
    let get = |k: &str| q.get(k).map(String::as_str);
    let items: Vec<String> = rbac
        .list_team(
            get("team_id"),
            get("user_id"),
            get("permission_id"),
            get("recursive") == Some("true"),
        )
        .into_iter()
        .map(|(t, u, id)| json!({ "id": id, "user_id": u, "team_id": t }).to_string())
        .collect();
    Ok(list(&items))
}

/// `GET /project-permissions`, or `POST`/`DELETE /project-permissions/{user}/{id}`.
pub(crate) fn project_permissions(
    state: &State,
    req: &Request<Bytes>,
    params: &[String],
    request_id: &str,
) -> Res {
    answer(|| {
        let [user, id] = params else {
            return list_project(state, req, request_id);
        };
        let call = begin(state, req, request_id, &[Method::POST, Method::DELETE])?;
        let mut v = Validation::new(req, &call.auth);
        let grant = req.method() == Method::POST;
        if grant {
            v.body_object(call.body.as_ref(), &[]);
        }
        let user = v.param("user_id", user, Kind::UserIdOrMe);
        let id = v.param("permission_id", id, Kind::PermissionId);
        v.query(req, &PROJECT_QUERY);
        v.finish(&call.auth, &["server", "admin"])?;
        let (user, id) = (user.unwrap_or_default(), id.unwrap_or_default());
        apply(state, &call, |p| {
            if grant {
                changes::grant_project_permission(p, &user, &id)
            } else {
                changes::revoke_project_permission(p, &user, &id)
            }
        })?;
        Ok(if grant {
            created(json!({ "id": id, "user_id": user }).to_string())
        } else {
            success()
        })
    })
}

fn list_project(state: &State, req: &Request<Bytes>, request_id: &str) -> Result<Res, Refused> {
    let call = begin(state, req, request_id, &[Method::GET])?;
    let mut v = Validation::new(req, &call.auth);
    let q = v.query(req, &PROJECT_QUERY);
    v.finish(&call.auth, &["client", "server", "admin"])?;
    client_own_user(&call, q.get("user_id"), CLIENT_403)?;
    let inner = state.lock();
    let rbac = &inner
        .project(&call.auth.project_id)
        .map_err(project_gone)?
        .data
        .rbac;
    let get = |k: &str| q.get(k).map(String::as_str);
    let items: Vec<String> = rbac
        .list_project(
            get("user_id"),
            get("permission_id"),
            get("recursive") == Some("true"),
        )
        .into_iter()
        .map(|(u, id)| json!({ "id": id, "user_id": u }).to_string())
        .collect();
    Ok(list(&items))
}

/// Runs a change on the request's project and sends its events.
pub(crate) fn apply(
    state: &State,
    call: &Call,
    change: impl FnOnce(&mut super::state::Project) -> Result<Vec<Event>, ChangeError>,
) -> Result<(), Refused> {
    let mut inner = state.lock();
    let project = inner
        .project_mut(&call.auth.project_id)
        .map_err(project_gone)?;
    let events = change(project).map_err(|e| Refused::from(e.known()))?;
    state.emit(&inner, &call.auth.project_id, events);
    Ok(())
}
