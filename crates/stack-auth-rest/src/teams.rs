//! [`Teams`]: the teams a user belongs to (PROTOCOL §10.3.5), cached briefly.

use std::{fmt, sync::Arc};

use stack_auth_core::{Evict, Eviction, ServerTeam, VerifyError};
use tracing::{field::Empty, Instrument};

use crate::{
    endpoint::Endpoint,
    error::RestError,
    ids::is_uuid,
    list::items,
    memo::{capability_builder, CacheSettings, Fetched, Memo},
    request::ApiRequest,
    retry::Health,
    tagged_cache::Tag,
    ServerApi,
};

capability_builder! {
    /// Builder for [`Teams`]: the cache settings; see [`Teams::builder`].
    TeamsBuilder => Teams
}

/// The teams a user belongs to: `GET /api/v1/teams?user_id=…` (PROTOCOL §10.3.5), oldest
/// first, each the server's team object.
///
/// | call | requests |
/// |---|---|
/// | a user asked about within the [cache TTL](crate::DEFAULT_CACHE_TTL) (30 s) | 0 |
/// | a user id that is not a UUID | 0 (no teams) |
/// | otherwise | 1, shared by every concurrent caller asking about the same user |
///
/// A membership ended in Stack Auth is therefore still listed for up to the cache TTL, or until
/// an [`Eviction`] (`TeamMembership`, `Team`, `UserDeleted`) drops the list. A token's
/// `selected_team_id` names the team the user selected, not proof of membership: check it
/// here ([`is_member`](Self::is_member)).
///
/// ```no_run
/// use stack_auth_rest::{ServerApi, Teams};
///
/// # async fn run(user_id: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let api = ServerApi::builder("<project id>", std::env::var("STACK_SECRET_SERVER_KEY")?).build()?;
/// for team in Teams::new(&api).teams_of(user_id).await? {
///     println!("{} {}", team.id, team.display_name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Teams {
    api: ServerApi,
    memo: Memo<String, Arc<[ServerTeam]>>,
}

impl Teams {
    fn from_parts(api: ServerApi, cache: Option<CacheSettings>) -> Self {
        let memo = Memo::new(cache);
        api.register_cache(memo.evictor());
        Teams { api, memo }
    }

    /// The teams `user_id` belongs to, oldest first (none for an unknown user).
    ///
    /// # Errors
    ///
    /// Unavailability and misconfiguration as for every call of the [`ServerApi`].
    pub async fn teams_of(&self, user_id: &str) -> Result<Vec<ServerTeam>, VerifyError> {
        Ok(self.shared(user_id).await?.to_vec())
    }

    /// Whether `user_id` is a member of `team_id`.
    ///
    /// # Errors
    ///
    /// As [`teams_of`](Self::teams_of).
    pub async fn is_member(&self, user_id: &str, team_id: &str) -> Result<bool, VerifyError> {
        let teams = self.shared(user_id).await?;
        Ok(teams.iter().any(|t| t.id.eq_ignore_ascii_case(team_id)))
    }

    async fn shared(&self, user_id: &str) -> Result<Arc<[ServerTeam]>, VerifyError> {
        if !is_uuid(user_id) {
            return Ok(Arc::from([]));
        }
        let span = tracing::debug_span!(
            "stack_auth.rest.teams_of",
            cache = Empty,
            attempts = Empty,
            upstream_ms = Empty
        );
        let (api, user, task_span) = (self.api.clone(), user_id.to_owned(), span.clone());
        let fetch = move || {
            async move {
                let request = ApiRequest::get(format!("/teams?user_id={user}"));
                let outcome = api.inner.call(&TeamList, &request, Health::Counted).await;
                let mut tags = vec![Tag::TeamsOf(user.clone()), Tag::User(user.clone())];
                if let Ok(teams) = &outcome.result {
                    tags.extend(teams.iter().map(|t| Tag::Team(t.id.clone())));
                }
                Fetched::new(outcome.result, tags)
            }
            .instrument(task_span)
        };
        let (answer, used) = self
            .memo
            .get(user_id.to_owned(), fetch)
            .instrument(span.clone())
            .await;
        span.record("cache", used.as_str());
        answer
    }
}

impl Evict for Teams {
    /// Drops the cached lists an eviction names: `TeamMembership` and `UserDeleted` of the
    /// user, `Team` of a team a list holds, `All`.
    fn evict(&self, eviction: &Eviction) {
        self.memo.evict(eviction);
    }
}

impl fmt::Debug for Teams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Teams")
            .field("api", &self.api)
            .field("cache", &self.memo)
            .finish()
    }
}

/// `GET /teams?user_id=` (PROTOCOL §10.3.5).
struct TeamList;

impl Endpoint for TeamList {
    type Output = Arc<[ServerTeam]>;

    fn name(&self) -> &'static str {
        "teams"
    }

    fn parse(&self, body: &[u8]) -> Result<Arc<[ServerTeam]>, RestError> {
        items(body).map(Vec::into)
    }
}
