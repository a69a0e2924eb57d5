//! [`Users`]: users by id (PROTOCOL §10.1), cached like the verifier's profiles.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use stack_auth_core::{CacheNamespace, Evict, Eviction, ServerUser, StackAuthConfig, VerifyError};
use tracing::{field::Empty, Instrument};

use crate::{
    cache::profile_tags,
    endpoint::Endpoint,
    error::RestError,
    ids::is_uuid,
    known_error::KnownError,
    memo::{capability_builder, CacheSettings, Fetched, Memo},
    profile::parse_profile,
    request::ApiRequest,
    retry::Health,
    shared_tier::Share,
    ServerApi,
};

/// A user, or `None` when there is none with that id.
type MaybeUser = Option<Arc<ServerUser>>;

/// How users are shared with the fleet: in `users.v1` under the id's SHA-256, the profile's
/// JSON (empty: no such user).
const SHARE: Share<String, MaybeUser> = Share {
    namespace: CacheNamespace::USERS,
    refusals: None,
    key: |id| Sha256::digest(id.as_bytes()).into(),
    encode: |user| match user {
        Some(user) => serde_json::to_vec(&**user).ok(),
        None => Some(Vec::new()),
    },
    decode: decode_user,
};

fn decode_user(bytes: &[u8], _: &StackAuthConfig) -> Option<MaybeUser> {
    if bytes.is_empty() {
        return Some(None);
    }
    parse_profile(bytes).ok().map(|p| Some(Arc::new(p)))
}

/// Users by id: `GET /api/v1/users/{user_id}` with the secret server key, the server user
/// object of PROTOCOL §3.4 (the same as users/me), or `None` for an id Stack Auth does not know
/// (`USER_NOT_FOUND`).
///
/// Every user is returned, anonymous and restricted ones included (check
/// [`ServerUser::user_type`]): this answers "who is user X", not "may this token in".
///
/// | call | requests |
/// |---|---|
/// | a user asked about within the [cache TTL](crate::DEFAULT_CACHE_TTL) (30 s) | 0 |
/// | an unknown id asked about within the [refusal TTL](crate::DEFAULT_CACHE_REFUSAL_TTL) (5 s) | 0 |
/// | an id that is not a UUID | 0 (`None`: no user has it) |
/// | otherwise | 1, shared by every concurrent caller asking about the same id |
///
/// A change to the user is seen after the cache TTL at the latest, or at once when an
/// [`Eviction`] says so ([`Evict`]: `UserUpdated`, `UserDeleted`, `Team` of the user's
/// selected team).
///
/// ```no_run
/// use stack_auth_rest::{ServerApi, Users};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let api = ServerApi::builder("<project id>", std::env::var("STACK_SECRET_SERVER_KEY")?).build()?;
/// let users = Users::new(&api);
/// match users.get_user("3241a285-8329-4d69-8f3d-316e08cf140c").await? {
///     Some(user) => println!("{:?}", user.primary_email),
///     None => println!("no such user"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Users {
    api: ServerApi,
    memo: Memo<String, MaybeUser>,
}

capability_builder! {
    /// Builder for [`Users`]: the cache settings; see [`Users::builder`].
    UsersBuilder => Users
}

impl Users {
    fn from_parts(api: ServerApi, cache: Option<CacheSettings>) -> Self {
        let memo = Memo::shared(cache, &api, &SHARE);
        api.register_cache(memo.evictor());
        Users { api, memo }
    }

    /// The user with id `user_id`, or `None` when Stack Auth knows none (or the id is not a
    /// UUID, which no user has).
    ///
    /// # Errors
    ///
    /// [`VerifyError::Unavailable`] when Stack Auth cannot answer (including
    /// [`ProfileTooLarge`](stack_auth_core::UnavailableKind::ProfileTooLarge) for a profile
    /// over the size cap), [`VerifyError::Misconfigured`] for a wrong server key or project.
    pub async fn get_user(&self, user_id: &str) -> Result<Option<ServerUser>, VerifyError> {
        let user = self.get_shared(user_id).await?;
        Ok(user.map(|u| (*u).clone()))
    }

    /// The server API it calls.
    pub(crate) fn api(&self) -> &ServerApi {
        &self.api
    }

    /// [`get_user`](Self::get_user), sharing the cached profile instead of copying it.
    pub(crate) async fn get_shared(&self, user_id: &str) -> Result<MaybeUser, VerifyError> {
        if !is_uuid(user_id) {
            return Ok(None);
        }
        let span = tracing::debug_span!(
            "stack_auth.rest.get_user",
            cache = Empty,
            attempts = Empty,
            upstream_ms = Empty
        );
        let id = user_id.to_owned();
        let api = self.api.clone();
        let task_span = span.clone();
        let (answer, used) = self
            .memo
            .get(id.clone(), move || {
                async move {
                    let request = ApiRequest::get(format!("/users/{id}"));
                    let outcome = api.inner.call(&UserById, &request, Health::Counted).await;
                    let (tags, absent) = match &outcome.result {
                        Ok(Some(user)) => {
                            (profile_tags(&id, user.selected_team_id.as_deref()), false)
                        }
                        answer => (profile_tags(&id, None), matches!(answer, Ok(None))),
                    };
                    let fetched = Fetched::new(outcome.result, tags);
                    // No such user: kept as briefly as a refusal (the id may be a new user's).
                    if absent {
                        fetched.kept_like_a_refusal()
                    } else {
                        fetched
                    }
                }
                .instrument(task_span)
            })
            .instrument(span.clone())
            .await;
        span.record("cache", used.as_str());
        answer
    }
}

impl Evict for Users {
    /// Drops the cached user an eviction names: `UserUpdated` and `UserDeleted` of the user,
    /// `Team` of their selected team, `All`.
    fn evict(&self, eviction: &Eviction) {
        self.memo.evict(eviction);
    }
}

/// `GET /users/{user_id}` (PROTOCOL §10.1).
struct UserById;

impl Endpoint for UserById {
    type Output = MaybeUser;

    fn name(&self) -> &'static str {
        "users/{id}"
    }

    fn parse(&self, body: &[u8]) -> Result<MaybeUser, RestError> {
        parse_profile(body).map(|p| Some(Arc::new(p)))
    }

    fn known(&self, known: &KnownError) -> Option<Result<MaybeUser, VerifyError>> {
        (known.code == "USER_NOT_FOUND").then_some(Ok(None))
    }

    fn oversize_is_about_the_subject(&self) -> bool {
        true
    }
}
