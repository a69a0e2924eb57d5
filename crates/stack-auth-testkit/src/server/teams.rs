//! `GET /api/v1/teams?user_id=` and `GET /api/v1/teams/{team_id}` (PROTOCOL §10.3.5,
//! `teams/crud.tsx`).

use bytes::Bytes;
use http::{Method, Request};
use stack_auth_core::ServerTeam;

use super::changes::{ensure_member, ChangeError};
use super::crud::{
    answer, begin, client_own_user, list, ok, project_gone, user_authentication_required, Res,
};
use super::state::State;
use super::validate::{Kind, Validation};

const ANY_ACCESS: [&str; 3] = ["client", "server", "admin"];

/// The query schema of every teams operation.
const QUERY: [(&str, Kind, bool); 2] = [
    ("user_id", Kind::UserIdOrMe, false),
    ("add_current_user", Kind::TrueFalse, false),
];

/// The team object: the server view, or the client view without `created_at_millis` and
/// `server_metadata`.
pub(crate) fn team_json(team: &ServerTeam, client: bool) -> String {
    let text = serde_json::to_string(team).unwrap_or_default();
    if !client {
        return text;
    }
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_default();
    map.remove("created_at_millis");
    map.remove("server_metadata");
    serde_json::Value::Object(map).to_string()
}

/// The teams of `user_id` (or every team of the project), oldest first.
pub(crate) fn list_teams(state: &State, req: &Request<Bytes>, request_id: &str) -> Res {
    answer(|| {
        let call = begin(state, req, request_id, &[Method::GET])?;
        let mut v = Validation::new(req, &call.auth);
        let query = v.query(req, &QUERY);
        v.finish(&call.auth, &ANY_ACCESS)?;
        let user_id = query.get("user_id");
        let client = call.auth.access_type == "client";
        client_own_user(&call, user_id, "Client can only list teams for their own user. user_id must be either \"me\" or the ID of the current user")?;
        let inner = state.lock();
        let teams = &inner
            .project(&call.auth.project_id)
            .map_err(project_gone)?
            .data
            .teams;
        let found = match user_id {
            Some(u) => teams.of_user(u),
            None => teams.all(),
        };
        let items: Vec<String> = found.into_iter().map(|t| team_json(t, client)).collect();
        Ok(list(&items))
    })
}

/// One team: `TEAM_NOT_FOUND`; with client access only the caller's teams.
pub(crate) fn read_team(
    state: &State,
    req: &Request<Bytes>,
    team_id: &str,
    request_id: &str,
) -> Res {
    answer(|| {
        let call = begin(state, req, request_id, &[Method::GET])?;
        let mut v = Validation::new(req, &call.auth);
        let team_id = v.param("team_id", team_id, Kind::Uuid);
        v.query(req, &QUERY);
        v.finish(&call.auth, &ANY_ACCESS)?;
        let team_id = team_id.unwrap_or_default();
        let client = call.auth.access_type == "client";
        let inner = state.lock();
        let project = inner.project(&call.auth.project_id).map_err(project_gone)?;
        if client {
            let me = call
                .auth
                .user
                .as_ref()
                .ok_or_else(user_authentication_required)?;
            ensure_member(project, &team_id, &me.id).map_err(|e| e.known())?;
        }
        let team = project
            .data
            .teams
            .get(&team_id)
            .ok_or_else(|| ChangeError::TeamNotFound(team_id.clone()).known())?;
        Ok(ok(team_json(team, client)))
    })
}
