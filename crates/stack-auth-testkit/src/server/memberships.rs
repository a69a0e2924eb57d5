//! `POST` / `DELETE /api/v1/team-memberships/{team_id}/{user_id}`
//! (`team-memberships/crud.tsx`): adding (server access) and removing members.

use bytes::Bytes;
use http::{Method, Request};
use serde_json::json;

use super::changes::{self, Joined};
use super::crud::{answer, begin, created, success, Res};
use super::known_error::KnownError;
use super::permission_routes::apply;
use super::state::State;
use super::validate::{Kind, Validation};

/// Adds or removes a member. Client access may remove itself, or others with
/// `$remove_members`.
pub(crate) fn membership(
    state: &State,
    req: &Request<Bytes>,
    team: &str,
    user: &str,
    request_id: &str,
) -> Res {
    answer(|| {
        let call = begin(state, req, request_id, &[Method::POST, Method::DELETE])?;
        let mut v = Validation::new(req, &call.auth);
        let add = req.method() == Method::POST;
        if add {
            v.body_object(call.body.as_ref(), &[]);
        }
        let team = v.param("team_id", team, Kind::Uuid).unwrap_or_default();
        let user = v
            .param("user_id", user, Kind::UserIdOrMe)
            .unwrap_or_default();
        v.query(req, &[]);
        let allowed: &[&str] = if add {
            &["server", "admin"]
        } else {
            &["client", "server", "admin"]
        };
        v.finish(&call.auth, allowed)?;
        if add {
            apply(state, &call, |p| {
                changes::add_member(p, &team, &user, Joined::Member)
            })?;
            return Ok(created(
                json!({ "team_id": team, "user_id": user }).to_string(),
            ));
        }
        if call.auth.access_type == "client" {
            let me = call
                .auth
                .user
                .as_ref()
                .ok_or_else(KnownError::cannot_get_own_user_without_user)?;
            if me.id != user {
                let inner = state.lock();
                let held = inner
                    .project(&call.auth.project_id)
                    .map(|p| {
                        !p.data
                            .rbac
                            .list_team(Some(&team), Some(&me.id), Some("$remove_members"), true)
                            .is_empty()
                    })
                    .unwrap_or(false);
                if !held {
                    return Err(KnownError::new(
                        401,
                        "TEAM_PERMISSION_REQUIRED",
                        format!("User {} does not have permission $remove_members in team {team}.", me.id),
                        Some(json!({ "team_id": team, "user_id": me.id, "permission_id": "$remove_members" })),
                    )
                    .into());
                }
            }
        }
        apply(state, &call, |p| changes::remove_member(p, &team, &user))?;
        Ok(success())
    })
}
