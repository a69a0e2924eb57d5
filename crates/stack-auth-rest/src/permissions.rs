//! [`Permissions`]: team and project permissions (PROTOCOL §10.3), by user id or by the
//! caller's access token, cached briefly.

mod query;
mod shared;

use std::{fmt, sync::Arc};

use async_trait::async_trait;
use stack_auth_core::{
    check_permission_id, observe::record_outcome, Evict, Eviction, MisconfigKind, Misconfiguration,
    PermissionChecker, PermissionScope, VerifyError,
};
use tracing::{field::Empty, Instrument, Span};

use self::query::{Held, Item, PermissionList};
use crate::{
    cache::{self, success_ttl},
    ids::is_uuid,
    memo::{capability_builder, CacheSettings, Fetched, Memo},
    retry::Health,
    shape,
    tagged_cache::Tag,
    ServerApi,
};

capability_builder! {
    /// Builder for [`Permissions`]: the cache settings; see [`Permissions::builder`].
    PermissionsBuilder => Permissions
}

/// A user's permission list: where, whose, and whether contained permissions count.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ListKey {
    held: Held,
    user: String,
    recursive: bool,
}

/// A check by the caller's token: the token's hash, where, which permission.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TokenKey {
    token: cache::Key,
    held: Held,
    permission: String,
}

/// Team and project permissions (PROTOCOL §10.3): whether a user holds a permission, directly
/// or through one that contains it, and the lists themselves.
///
/// Stack Auth's access tokens carry no permissions, so every check is a question to Stack
/// Auth; this type asks as the official server SDK does (`GET /team-permissions?team_id=…
/// &user_id=…&recursive=true`, the user's whole list in the team) and keeps the list, so every
/// later check of the same user in the same team, whatever the permission, is answered from it.
///
/// | call | requests |
/// |---|---|
/// | a permission id Stack Auth would refuse (`^\$?[a-z0-9_:]+$`, `$` ids only the team system permissions) | 0 (`Misconfigured(InvalidRequest)`) |
/// | a user or team id that is not a UUID, or a `$` id in the project | 0 (`false`: no such grant) |
/// | a (user, team) or (user, project) list fetched within the [cache TTL](crate::DEFAULT_CACHE_TTL) (30 s) | 0 |
/// | otherwise | 1, shared by every concurrent check of the same list |
/// | [`token_has_team_permission`](Self::token_has_team_permission) | 1 request that verifies the token *and* answers (`user_id=me`, the permission only), cached per token for the TTL, never past the token's `exp` |
///
/// A permission revoked in Stack Auth is therefore still granted for up to the cache TTL, or
/// until an [`Eviction`] (`TeamPermissions`, `ProjectPermissions`, `TeamMembership`, `Team`,
/// `UserDeleted`) drops the list. Lists answered for unknown users, teams or permissions are
/// simply empty: Stack Auth does not say they do not exist (§10.3.1).
///
/// ```no_run
/// use stack_auth_rest::{Permissions, ServerApi};
///
/// # async fn run(user_id: &str, team_id: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let api = ServerApi::builder("<project id>", std::env::var("STACK_SECRET_SERVER_KEY")?).build()?;
/// let permissions = Permissions::new(&api);
/// if permissions.has_team_permission(user_id, team_id, "$update_team").await? {
///     println!("may rename the team");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Permissions {
    api: ServerApi,
    lists: Memo<ListKey, Arc<[Item]>>,
    by_token: Memo<TokenKey, bool>,
}

impl Permissions {
    fn from_parts(api: ServerApi, cache: Option<CacheSettings>) -> Self {
        let lists = Memo::shared(cache, &api, &shared::LISTS);
        let by_token = Memo::shared(cache, &api, &shared::BY_TOKEN);
        api.register_cache(lists.evictor());
        api.register_cache(by_token.evictor());
        Permissions {
            api,
            lists,
            by_token,
        }
    }

    /// Whether `user_id` holds `permission_id` in `team_id`, directly or contained in one it
    /// holds (the official SDK's `user.hasPermission(team, id)`).
    ///
    /// # Errors
    ///
    /// `Misconfigured(InvalidRequest)` for a permission id Stack Auth would refuse;
    /// unavailability and misconfiguration as for every call of the [`ServerApi`].
    pub async fn has_team_permission(
        &self,
        user_id: &str,
        team_id: &str,
        permission_id: &str,
    ) -> Result<bool, VerifyError> {
        self.has(user_id, Held::Team(team_id.to_owned()), permission_id)
            .await
    }

    /// Whether `user_id` holds the project permission `permission_id`, directly or contained in
    /// one it holds.
    ///
    /// # Errors
    ///
    /// As [`has_team_permission`](Self::has_team_permission).
    pub async fn has_project_permission(
        &self,
        user_id: &str,
        permission_id: &str,
    ) -> Result<bool, VerifyError> {
        self.has(user_id, Held::Project, permission_id).await
    }

    /// The ids of the permissions `user_id` holds in `team_id`: directly, or (`recursive`, the
    /// official SDK's default for a user) with every permission they contain.
    ///
    /// # Errors
    ///
    /// Unavailability and misconfiguration as for every call of the [`ServerApi`].
    pub async fn list_team_permissions(
        &self,
        user_id: &str,
        team_id: &str,
        recursive: bool,
    ) -> Result<Vec<String>, VerifyError> {
        let held = Held::Team(team_id.to_owned());
        Ok(ids(&self.list(user_id, held, recursive).await?))
    }

    /// The ids of the project permissions `user_id` holds, directly or (`recursive`) with the
    /// ones they contain.
    ///
    /// # Errors
    ///
    /// As [`list_team_permissions`](Self::list_team_permissions).
    pub async fn list_project_permissions(
        &self,
        user_id: &str,
        recursive: bool,
    ) -> Result<Vec<String>, VerifyError> {
        Ok(ids(&self.list(user_id, Held::Project, recursive).await?))
    }

    /// Verifies `access_token` and checks the permission in one request (`user_id=me`,
    /// PROTOCOL §10.3.1): whether the token's user holds `permission_id` in `team_id`. For a
    /// route that needs nothing else about the user, it saves the users/me round trip. The
    /// token is refused exactly as the [`RestVerifier`](crate::RestVerifier) refuses it (user
    /// types the [`ServerApi`]'s configuration does not accept included).
    ///
    /// # Errors
    ///
    /// `Refused` for a token Stack Auth refuses (or one that cannot be a token: no request),
    /// and the errors of [`has_team_permission`](Self::has_team_permission).
    pub async fn token_has_team_permission(
        &self,
        access_token: &str,
        team_id: &str,
        permission_id: &str,
    ) -> Result<bool, VerifyError> {
        let held = Held::Team(team_id.to_owned());
        self.by_token(access_token, held, permission_id).await
    }

    /// Like [`token_has_team_permission`](Self::token_has_team_permission), for a project
    /// permission.
    ///
    /// # Errors
    ///
    /// As [`token_has_team_permission`](Self::token_has_team_permission).
    pub async fn token_has_project_permission(
        &self,
        access_token: &str,
        permission_id: &str,
    ) -> Result<bool, VerifyError> {
        self.by_token(access_token, Held::Project, permission_id)
            .await
    }

    async fn has(
        &self,
        user_id: &str,
        held: Held,
        permission_id: &str,
    ) -> Result<bool, VerifyError> {
        if !asks_anything(&held, permission_id)? {
            return Ok(false);
        }
        let list = self.list(user_id, held, true).await?;
        Ok(list.iter().any(|item| item.id == permission_id))
    }

    /// The user's list, from the cache or one request.
    async fn list(
        &self,
        user_id: &str,
        held: Held,
        recursive: bool,
    ) -> Result<Arc<[Item]>, VerifyError> {
        if !is_uuid(user_id) || held.team().is_some_and(|t| !is_uuid(t)) {
            return Ok(Arc::from([]));
        }
        let span = permission_span(&held);
        let key = ListKey {
            held,
            user: user_id.to_owned(),
            recursive,
        };
        let (api, task_key, task_span) = (self.api.clone(), key.clone(), span.clone());
        let fetch = move || {
            async move {
                let request = query::request(&task_key.held, &task_key.user, None, recursive);
                let endpoint = PermissionList::of(&task_key.held);
                let outcome = api.inner.call(&endpoint, &request, Health::Counted).await;
                // Only the user's own grants, whatever else the answer holds.
                let answer = outcome.result.map(|items| {
                    items
                        .iter()
                        .filter(|i| i.user_id == task_key.user)
                        .cloned()
                        .collect()
                });
                Fetched::new(answer, tags(&task_key.held, &task_key.user))
            }
            .instrument(task_span)
        };
        let (answer, used) = self.lists.get(key, fetch).instrument(span.clone()).await;
        span.record("cache", used.as_str());
        record_outcome(&span, answer.as_ref().err());
        answer
    }

    /// One `user_id=me` request with the token, for the one permission.
    async fn by_token(
        &self,
        token: &str,
        held: Held,
        permission_id: &str,
    ) -> Result<bool, VerifyError> {
        let screened = shape::screen(token)?;
        if !asks_anything(&held, permission_id)? || held.team().is_some_and(|t| !is_uuid(t)) {
            // Nothing can be held there: `false` without a request (and so without verifying
            // the token, as documented).
            return Ok(false);
        }
        let span = permission_span(&held);
        let key = TokenKey {
            token: cache::key(token),
            held: held.clone(),
            permission: permission_id.to_owned(),
        };
        let (api, task_span, permission) =
            (self.api.clone(), span.clone(), permission_id.to_owned());
        let fetch = move || {
            async move {
                let config = api.config();
                let request = query::request(&held, "me", Some(&permission), true)
                    .with_token(screened.header, config.accepted_user_types());
                let outcome = api
                    .inner
                    .call(&PermissionList::of(&held), &request, Health::Counted)
                    .await;
                let owner = outcome
                    .result
                    .as_ref()
                    .ok()
                    .and_then(|items| items.first())
                    .map(|item| item.user_id.clone())
                    .or(screened.sub);
                let answer = outcome
                    .result
                    .map(|items| items.iter().any(|i| i.id == permission));
                let tags = owner.map(|user| tags(&held, &user)).unwrap_or_default();
                let lives = success_ttl(std::time::Duration::MAX, screened.exp, api.clock().now());
                Fetched::new(answer, tags).at_most(lives)
            }
            .instrument(task_span)
        };
        let (answer, used) = self.by_token.get(key, fetch).instrument(span.clone()).await;
        span.record("cache", used.as_str());
        record_outcome(&span, answer.as_ref().err());
        answer
    }
}

/// Whether a check of `permission_id` in `held` needs asking at all.
///
/// # Errors
///
/// `Misconfigured(InvalidRequest)` for an id Stack Auth would refuse (PROTOCOL §10.3.3).
fn asks_anything(held: &Held, permission_id: &str) -> Result<bool, VerifyError> {
    check_permission_id(permission_id).map_err(|e| {
        VerifyError::from(
            Misconfiguration::new(MisconfigKind::InvalidRequest).with_detail(e.to_string()),
        )
    })?;
    // Team system permissions never appear in project-permission answers.
    Ok(!(*held == Held::Project && permission_id.starts_with('$')))
}

/// The span of one permission call.
fn permission_span(held: &Held) -> Span {
    tracing::debug_span!(
        "stack_auth.rest.permissions",
        scope = if held.team().is_some() {
            "team"
        } else {
            "project"
        },
        outcome = Empty,
        reason = Empty,
        cache = Empty,
        attempts = Empty,
        upstream_ms = Empty,
    )
}

/// What an answer about `user`'s permissions in `held` mentions.
fn tags(held: &Held, user: &str) -> Vec<Tag> {
    let mut tags = vec![Tag::User(user.to_owned())];
    match held {
        Held::Team(team) => {
            tags.push(Tag::TeamUser(team.clone(), user.to_owned()));
            tags.push(Tag::Team(team.clone()));
        }
        Held::Project => tags.push(Tag::ProjectPermissions(user.to_owned())),
    }
    tags
}

/// The permission ids of a list, in Stack Auth's order.
fn ids(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i.id.clone()).collect()
}

#[async_trait]
impl PermissionChecker for Permissions {
    /// [`has_team_permission`](Permissions::has_team_permission) or
    /// [`has_project_permission`](Permissions::has_project_permission).
    async fn has_permission(
        &self,
        user_id: &str,
        scope: PermissionScope<'_>,
        permission_id: &str,
    ) -> Result<bool, VerifyError> {
        match scope {
            PermissionScope::Team(team) => {
                self.has_team_permission(user_id, team, permission_id).await
            }
            _ => self.has_project_permission(user_id, permission_id).await,
        }
    }
}

impl Evict for Permissions {
    /// Drops the cached lists an eviction names: `TeamPermissions` and `TeamMembership` of the
    /// (team, user), `ProjectPermissions` and `UserDeleted` of the user, `Team` of the team,
    /// `All`.
    fn evict(&self, eviction: &Eviction) {
        self.lists.evict(eviction);
        self.by_token.evict(eviction);
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permissions")
            .field("api", &self.api)
            .field("cache", &self.lists)
            .finish_non_exhaustive()
    }
}
