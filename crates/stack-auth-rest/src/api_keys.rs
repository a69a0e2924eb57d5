//! [`ApiKeys`]: the API key verifier (PROTOCOL §10.2): an offline screen, then Stack Auth's
//! check endpoint, the owner resolved, the verdict cached.

mod builder;
mod check;
mod shared;

use std::{fmt, sync::Arc, time::Duration};

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use stack_auth_core::{
    budget::TokenBucket, observe::record_outcome, parse_api_key, redact_token, ApiKeyOwner,
    ApiKeyType, ApiKeyVerifier, Evict, Eviction, ParsedApiKey, Refusal, RefusalReason,
    VerifiedApiKey, VerifiedUser, VerifyError,
};
use tracing::{field::Empty, Instrument};

pub use builder::{ApiKeysBuilder, DEFAULT_UNKNOWN_API_KEY_BUDGET};

use self::check::{ApiKeyCheck, KeyObject};
use crate::{
    cache::profile_tags,
    memo::{Fetched, Memo},
    retry::Health,
    tagged_cache::{Tag, TaggedCache},
    ServerApi, Users,
};

/// How long a key Stack Auth answered about (good, revoked or expired) counts as vouched for:
/// its checks are sent with retries and outside the unknown-key budget.
const VOUCHED_FOR: Duration = Duration::from_secs(3600);

/// Verifies API keys (PROTOCOL §10.2): whose key it is, or why it is refused.
///
/// Every check starts offline, at no cost: a string that is not in the key format or whose
/// CRC-32 does not match ([`ApiKeyMalformed`](RefusalReason::ApiKeyMalformed)), a team key
/// where a user key is asked for or the other way round
/// ([`WrongApiKeyType`](RefusalReason::WrongApiKeyType)), and a public (`pk_…`) key unless
/// [`accept_public_keys`](ApiKeysBuilder::accept_public_keys)
/// ([`PublicApiKeyNotAllowed`](RefusalReason::PublicApiKeyNotAllowed)) are refused without a
/// request. Then `POST /api/v1/{user,team}-api-keys/check` answers (the key's type picks the
/// endpoint); a user key's owner is then looked up by id ([`Users`], PROTOCOL §10.2.6), a team
/// key's owner is its team id.
///
/// | Stack Auth answer | result | HTTP hint |
/// |---|---|---|
/// | 200, a user key | [`ApiKeyOwner::User`] with the user's profile; a user of a type the [`ServerApi`]'s configuration does not accept is `Refused(user_type_not_allowed)`, a user gone since is `Refused(user_not_found)` | 200 / 403 / 401 |
/// | 200, a team key | [`ApiKeyOwner::Team`] with the team id | 200 |
/// | `API_KEY_NOT_FOUND` (404) | `Refused(api_key_not_found)` | 401 |
/// | `API_KEY_REVOKED` (401) | `Refused(api_key_revoked)` | 401 |
/// | `API_KEY_EXPIRED` (401) | `Refused(api_key_expired)` | 401 |
/// | `WRONG_API_KEY_TYPE` (400) | `Refused(wrong_api_key_type)` | 401 |
/// | plain-text 400 "… API keys are not enabled for this project." | `Misconfigured(FeatureDisabled)` | 500 |
/// | anything else | as for the [`RestVerifier`](crate::RestVerifier) (crate docs) | |
///
/// | call | requests |
/// |---|---|
/// | a malformed key, a tampered checksum, the wrong type, a `pk_` key (by default) | 0 |
/// | a key checked within the [cache TTL](crate::DEFAULT_CACHE_TTL) (30 s, never past the key's `expires_at_millis`), or refused within the [refusal TTL](crate::DEFAULT_CACHE_REFUSAL_TTL) (5 s) | 0 |
/// | a team key | 1, shared by every concurrent check of the same key |
/// | a user key | 1, plus 1 for its user unless [`Users`] has it cached |
/// | a well-formed key not vouched for, once `API_KEY_NOT_FOUND` answers spent the [unknown-key budget](ApiKeysBuilder::unknown_key_budget) | 0 (`Refused(api_key_not_found)`, not cached) |
///
/// A revoked key is therefore refused at most the cache TTL after its revocation (at once on
/// an [`Eviction::ApiKey`] with its id). Keys are never logged, cached or shown in `Debug`: the
/// cache holds their SHA-256, logs a fingerprint and the key id.
///
/// ```no_run
/// use stack_auth_core::ApiKeyOwner;
/// use stack_auth_rest::{ApiKeys, ServerApi};
///
/// # async fn run(key_from_request: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let api = ServerApi::builder("<project id>", std::env::var("STACK_SECRET_SERVER_KEY")?).build()?;
/// let keys = ApiKeys::new(&api);
/// match keys.check(key_from_request).await {
///     Ok(key) => match key.owner() {
///         ApiKeyOwner::User { user } => println!("user {}", user.user_id()),
///         ApiKeyOwner::Team { team_id, .. } => println!("team {team_id}"),
///         _ => {}
///     },
///     Err(e) => println!("answer {} ({})", e.http_status(), e.reason_label()),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ApiKeys {
    inner: Arc<Inner>,
}

/// What the clones of an [`ApiKeys`] share.
struct Inner {
    api: ServerApi,
    users: Users,
    /// Verdicts by the key's SHA-256.
    memo: Memo<[u8; 32], VerifiedApiKey>,
    budget: TokenBucket,
    /// Ids of keys Stack Auth answered about lately.
    vouched: TaggedCache<String, ()>,
    accept_public_keys: bool,
}

impl ApiKeys {
    /// An API key verifier on `api`, with the default cache and unknown-key budget, refusing
    /// public keys.
    pub fn new(api: &ServerApi) -> Self {
        ApiKeysBuilder::new(api).assemble()
    }

    /// Starts building an API key verifier on `api`.
    pub fn builder(api: &ServerApi) -> ApiKeysBuilder {
        ApiKeysBuilder::new(api)
    }

    /// Checks a key of either type: whose it is, or why it is refused (see [`ApiKeys`]).
    ///
    /// # Errors
    ///
    /// The refusals, unavailability and misconfigurations of the table on [`ApiKeys`].
    pub async fn check(&self, key: &str) -> Result<VerifiedApiKey, VerifyError> {
        self.check_as(key, None).await
    }

    /// Checks a user key: a team key is refused as
    /// [`WrongApiKeyType`](RefusalReason::WrongApiKeyType) without a request.
    ///
    /// # Errors
    ///
    /// As [`check`](Self::check).
    pub async fn check_user_key(&self, key: &str) -> Result<VerifiedApiKey, VerifyError> {
        self.check_as(key, Some(ApiKeyType::User)).await
    }

    /// Checks a team key: a user key is refused as
    /// [`WrongApiKeyType`](RefusalReason::WrongApiKeyType) without a request.
    ///
    /// # Errors
    ///
    /// As [`check`](Self::check).
    pub async fn check_team_key(&self, key: &str) -> Result<VerifiedApiKey, VerifyError> {
        self.check_as(key, Some(ApiKeyType::Team)).await
    }

    async fn check_as(
        &self,
        key: &str,
        expected: Option<ApiKeyType>,
    ) -> Result<VerifiedApiKey, VerifyError> {
        let span = tracing::debug_span!(
            "stack_auth.rest.check_api_key",
            key = %redact_token(key),
            key_id = Empty,
            outcome = Empty,
            reason = Empty,
            cache = Empty,
            attempts = Empty,
            upstream_ms = Empty,
        );
        let result = async {
            let parsed = self.screen(key, expected)?;
            tracing::Span::current().record("key_id", parsed.key_id());
            let inner = Arc::clone(&self.inner);
            let (key, task_span) = (key.to_owned(), tracing::Span::current());
            let hash: [u8; 32] = Sha256::digest(key.as_bytes()).into();
            let (answer, used) = self
                .inner
                .memo
                .get(hash, move || inner.fetch(key, parsed).instrument(task_span))
                .await;
            tracing::Span::current().record("cache", used.as_str());
            answer
        }
        .instrument(span.clone())
        .await;
        record_outcome(&span, result.as_ref().err());
        result
    }

    /// The offline checks: format and checksum, type, public keys.
    fn screen(&self, key: &str, expected: Option<ApiKeyType>) -> Result<ParsedApiKey, VerifyError> {
        let parsed = parse_api_key(key).map_err(|e| {
            VerifyError::from(
                Refusal::new(RefusalReason::ApiKeyMalformed).with_detail(e.to_string()),
            )
        })?;
        if let Some(expected) = expected.filter(|t| *t != parsed.key_type()) {
            let detail = format!(
                "a {} key where a {expected} key is required",
                parsed.key_type()
            );
            return Err(Refusal::new(RefusalReason::WrongApiKeyType)
                .with_detail(detail)
                .into());
        }
        if parsed.is_public() && !self.inner.accept_public_keys {
            return Err(Refusal::new(RefusalReason::PublicApiKeyNotAllowed)
                .with_detail("public keys are not accepted (accept_public_keys)")
                .into());
        }
        Ok(parsed)
    }

    /// The [`Users`] that resolves user keys' owners.
    pub fn users(&self) -> &Users {
        &self.inner.users
    }

    /// Says that the key with id `key_id` (the key object's `id`, PROTOCOL §10.2.2; never the
    /// key string) is no longer good: your own endpoint revoked it through Stack Auth, say.
    /// Stack Auth sends no webhook for a revoked key, so without this a cached verdict accepts
    /// the key for up to the cache TTL. Every cache built on this server API drops what it
    /// holds about the key ([`Eviction::ApiKey`]), and with a
    /// [shared cache](crate::ServerApiBuilder::shared_cache) the fleet's copies are voided first
    /// (so this process cannot copy them back); the next check asks Stack Auth. Returns the
    /// eviction, to hand to the other processes of a fleet (an eviction bus) for their own
    /// in-process caches.
    ///
    /// ```no_run
    /// use stack_auth_rest::{ApiKeys, ServerApi};
    ///
    /// # async fn run(key_id: &str) -> Result<(), stack_auth_core::ConfigError> {
    /// let api = ServerApi::builder("<project id>", "ssk_...").build()?;
    /// let keys = ApiKeys::new(&api);
    /// // ... after `DELETE`/`PATCH` of the key in Stack Auth:
    /// let eviction = keys.revoked(key_id).await;
    /// # let _ = eviction; Ok(()) }
    /// ```
    pub async fn revoked(&self, key_id: &str) -> Eviction {
        let eviction = Eviction::ApiKey {
            key_id: key_id.to_owned(),
        };
        if let Some(shared) = &self.inner.api.inner.shared {
            shared.invalidate(&eviction.cache_tags()).await;
        }
        self.inner.api.evict(&eviction);
        eviction
    }
}

impl Inner {
    /// Asks Stack Auth about `key` (within the unknown-key budget when it is not vouched for)
    /// and resolves its owner.
    async fn fetch(self: Arc<Self>, key: String, parsed: ParsedApiKey) -> Fetched<VerifiedApiKey> {
        let key_id = parsed.key_id().to_owned();
        let tags = vec![Tag::ApiKey(key_id.clone())];
        let now = || tokio::time::Instant::now().into_std();
        let vouched = self.vouched.get(&key_id).is_some();
        if !vouched && !self.budget.has_room(now()) {
            let refusal = Refusal::new(RefusalReason::ApiKeyNotFound)
                .with_detail("not asked: the budget for unknown api keys is spent");
            return Fetched::new(Err(refusal.into()), tags).at_most(Duration::ZERO);
        }
        let health = if vouched {
            Health::Counted
        } else {
            Health::Uncounted
        };
        let request = check::request(parsed.key_type(), &key);
        let endpoint = ApiKeyCheck {
            key_type: parsed.key_type(),
            key_id: key_id.clone(),
        };
        let outcome = self.api.inner.call(&endpoint, &request, health).await;
        match outcome
            .result
            .as_ref()
            .err()
            .and_then(VerifyError::refusal_reason)
        {
            Some(RefusalReason::ApiKeyNotFound) if !vouched => self.budget.charge(now()),
            Some(_) => self.vouch(&key_id),
            None if outcome.result.is_ok() => self.vouch(&key_id),
            None => {}
        }
        match outcome.result {
            Ok(object) => self.resolve(object, &key_id, tags).await,
            Err(e) => Fetched::new(Err(e), tags),
        }
    }

    fn vouch(&self, key_id: &str) {
        self.vouched
            .insert(key_id.to_owned(), (), VOUCHED_FOR, Vec::new());
    }

    /// The verified key for a 200 answer: its owner resolved, kept no longer than it lives.
    async fn resolve(
        &self,
        object: KeyObject,
        key_id: &str,
        mut tags: Vec<Tag>,
    ) -> Fetched<VerifiedApiKey> {
        let owner_id = object.owner_id().unwrap_or_default().to_owned();
        if object.manually_revoked_at_millis.is_some() {
            // Never in a 200 check (PROTOCOL §10.2.2); if it is, the key is revoked.
            let refusal = Refusal::new(RefusalReason::ApiKeyRevoked).with_detail("revoked");
            return Fetched::new(Err(refusal.into()), tags);
        }
        let owner = match object.key_type {
            ApiKeyType::Team => {
                tags.push(Tag::Team(owner_id.clone()));
                Ok(ApiKeyOwner::team(owner_id))
            }
            ApiKeyType::User => {
                let user = self.owner(&owner_id).await;
                let selected = user.as_ref().ok().and_then(|u| u.selected_team_id());
                tags.extend(profile_tags(&owner_id, selected));
                user.map(ApiKeyOwner::user)
            }
        };
        let key = owner.map(|owner| {
            VerifiedApiKey::new(key_id, owner)
                .with_description(object.description.clone().unwrap_or_default())
                .with_public(object.is_public)
                .with_created_at_millis(object.created_at_millis.map(|m| m as i64))
                .with_expires_at_millis(object.expires_at_millis.map(|m| m as i64))
                .with_last_four(object.value.as_ref().map_or("", |v| v.last_four.as_str()))
        });
        let fetched = Fetched::new(key, tags);
        match object.expires_at_millis {
            Some(at) => fetched.at_most(self.left_until(at)),
            None => fetched,
        }
    }

    /// The user who owns a user key, as a verified user of the accepted types.
    async fn owner(&self, user_id: &str) -> Result<VerifiedUser, VerifyError> {
        let config = self.api.config();
        let Some(profile) = self.users.get_shared(user_id).await? else {
            return Err(Refusal::new(RefusalReason::UserNotFound)
                .with_detail("the key's user no longer exists")
                .into());
        };
        let user = VerifiedUser::new(user_id, config.project_id(), profile.user_type(), None)
            .with_shared_profile(profile);
        if !config.accepts(user.user_type()) {
            let detail = format!("the key's user is {}, not accepted", user.user_type());
            return Err(Refusal::new(RefusalReason::UserTypeNotAllowed)
                .with_detail(detail)
                .into());
        }
        Ok(user)
    }

    /// How long until Unix millisecond `at` by the wall clock (zero when it has passed).
    fn left_until(&self, at_millis: f64) -> Duration {
        let now = self
            .api
            .clock()
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Duration::try_from_secs_f64(at_millis / 1000.0)
            .map_or(Duration::ZERO, |at| at.saturating_sub(now))
    }
}

#[async_trait]
impl ApiKeyVerifier for ApiKeys {
    /// [`ApiKeys::check`]: a key of either type.
    async fn verify_api_key(&self, key: &str) -> Result<VerifiedApiKey, VerifyError> {
        self.check(key).await
    }
}

impl Evict for ApiKeys {
    /// Drops the cached verdicts an eviction names: `ApiKey` by the key's id; a user key's
    /// verdict on `UserUpdated` or `UserDeleted` of its owner (it holds the profile); a team
    /// key's on `Team` of its team; everything on `All`. The [`Users`] it resolves owners
    /// with hears the eviction too.
    fn evict(&self, eviction: &Eviction) {
        self.inner.memo.evict(eviction);
        self.inner.users.evict(eviction);
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeys")
            .field("api", &self.inner.api)
            .field("accept_public_keys", &self.inner.accept_public_keys)
            .field("budget", &self.inner.budget)
            .finish_non_exhaustive()
    }
}
