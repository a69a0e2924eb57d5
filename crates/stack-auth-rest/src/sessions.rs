//! [`Sessions`]: whether an access token's session is still alive (PROTOCOL §10.4), from the
//! user's session list, cached briefly, one request per user.

mod builder;
mod list;
mod memory;
mod shared;

use std::{fmt, sync::Arc, time::Duration};

use async_trait::async_trait;
use stack_auth_core::{
    single_flight::{Joined, SingleFlight},
    Evict, Eviction, SessionChecker, SessionLiveness, VerifyError,
};
use tracing::{field::Empty, Instrument};

pub use builder::{
    SessionsBuilder, DEFAULT_ENDED_SESSION_TTL, DEFAULT_SEEN_SESSION_TTL,
    DEFAULT_SESSION_CACHE_TTL, DEFAULT_SESSION_MEMORY_CAPACITY,
};

use self::{
    list::{Listed, SessionList},
    memory::Memory,
    shared::SharedLists,
};
use crate::{
    flight,
    ids::is_uuid,
    retry::Health,
    tagged_cache::{Tag, TaggedCache},
    ServerApi,
};

/// A user's list as a flight got it.
#[derive(Clone)]
struct Fetched {
    ids: Listed,
    /// Asked of Stack Auth by this flight (not read from the fleet's shared cache): only such
    /// a list may say a session is not listed.
    from_stack_auth: bool,
}

/// Whether a session is listed, as last asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Listed,
    NotListed,
}

/// Session liveness (PROTOCOL §10.4): is the session an access token was minted from (its
/// `refresh_token_id`) still alive? Stack Auth keeps accepting a token of an ended session
/// until its `exp` (§10.4.4); this asks its session list (`GET /auth/sessions?user_id=…` with
/// the secret server key), so a session policy
/// (`stack_auth_composite::SessionChecked`) can refuse such a token.
///
/// The answer ([`SessionLiveness`]) is `Alive` when the session is listed; `Ended` when it is
/// not listed but was seen listed before (or an [`Eviction::SessionEnded`] said it ended);
/// `NotListed` when it was never seen listed (it ended before anyone asked, or it is an
/// impersonation session, which a server key never sees listed: §10.4.2); `Unknown` when Stack
/// Auth cannot be asked (circuit open, timeout, 5xx, rate limited).
///
/// | call | requests |
/// |---|---|
/// | a session answered within the [cache TTL](DEFAULT_SESSION_CACHE_TTL) (15 s), or known ended (for [`DEFAULT_ENDED_SESSION_TTL`], 605 s) | 0 |
/// | a user or session id that is not a UUID | 0 (`NotListed`: no listed session has it) |
/// | otherwise | 1 for the user's whole list, shared by every concurrent check of any of the user's sessions; every session in it is answered from it for the TTL |
///
/// **Revocation bound**: a session that ends (sign-out, deletion, a password change, the user
/// deleted) is answered `Ended` at most the cache TTL later if it was seen listed before, at
/// once on an [`Eviction::SessionEnded`] (or `UserDeleted`, which drops the user's answers).
/// It is then remembered as ended, and [announced](SessionsBuilder::announce_to) once, so a
/// `JwksVerifier` told about it refuses its tokens everywhere.
///
/// ```no_run
/// use stack_auth_core::SessionLiveness;
/// use stack_auth_rest::{ServerApi, Sessions};
///
/// # async fn run(user_id: &str, session_id: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let api = ServerApi::builder("<project id>", std::env::var("STACK_SECRET_SERVER_KEY")?).build()?;
/// let sessions = Sessions::new(&api);
/// match sessions.liveness(user_id, session_id).await? {
///     SessionLiveness::Ended => println!("signed out: refuse the token"),
///     SessionLiveness::Unknown(why) => println!("cannot tell now: {why}"),
///     other => println!("{other}"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Sessions {
    inner: Arc<Inner>,
}

/// What the clones of a [`Sessions`] share.
struct Inner {
    api: ServerApi,
    /// Per session: listed or not, as last asked; tagged with the user.
    answers: Option<TaggedCache<String, Answer>>,
    ttl: Duration,
    /// The list requests in progress, by user.
    flights: SingleFlight<String, Fetched>,
    /// Sessions seen listed.
    seen: Memory,
    /// Sessions found (or said to be) ended.
    ended: Memory,
    announce: Option<Arc<dyn Evict>>,
    /// The fleet's copy of the lists, when the server API has a shared cache (and the answers
    /// are cached at all).
    shared: Option<SharedLists>,
}

impl Sessions {
    /// A session checker on `api`, with the default cache and memory, announcing nowhere.
    ///
    /// ```
    /// use stack_auth_rest::{ServerApi, Sessions, DEFAULT_SESSION_CACHE_TTL};
    ///
    /// let api = ServerApi::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", "ssk_example").build()?;
    /// assert_eq!(Sessions::new(&api).cache_ttl(), DEFAULT_SESSION_CACHE_TTL);
    /// # Ok::<(), stack_auth_core::ConfigError>(())
    /// ```
    pub fn new(api: &ServerApi) -> Self {
        SessionsBuilder::new(api).assemble()
    }

    /// Starts building a session checker on `api`.
    pub fn builder(api: &ServerApi) -> SessionsBuilder {
        SessionsBuilder::new(api)
    }

    /// How long an answer is reused (zero when the cache is disabled).
    pub fn cache_ttl(&self) -> Duration {
        self.inner.ttl
    }

    /// Whether session `session_id` of `user_id` is alive (see [`Sessions`]).
    ///
    /// # Errors
    ///
    /// [`VerifyError::Misconfigured`] for a wrong secret server key or project; when Stack
    /// Auth cannot be asked the answer is [`SessionLiveness::Unknown`], not an error.
    pub async fn liveness(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> Result<SessionLiveness, VerifyError> {
        let span = tracing::debug_span!(
            "stack_auth.rest.session_liveness",
            liveness = Empty,
            cache = Empty,
            attempts = Empty,
            upstream_ms = Empty,
        );
        let answer = self
            .inner
            .liveness(user_id, session_id)
            .instrument(span.clone())
            .await;
        if let Ok(liveness) = &answer {
            span.record("liveness", liveness.as_str());
        }
        answer
    }
}

impl Inner {
    async fn liveness(
        self: &Arc<Self>,
        user_id: &str,
        session_id: &str,
    ) -> Result<SessionLiveness, VerifyError> {
        if self.ended.contains(session_id) {
            return Ok(SessionLiveness::Ended);
        }
        if !is_uuid(user_id) || !is_uuid(session_id) {
            return Ok(SessionLiveness::NotListed);
        }
        let span = tracing::Span::current();
        if let Some(answer) = self.answers.as_ref().and_then(|a| a.get(session_id)) {
            span.record("cache", "hit");
            // Not ended a moment ago (checked above): a listed session is alive.
            if answer == Answer::Listed {
                return Ok(SessionLiveness::Alive);
            }
            return Ok(self.decide(user_id, session_id, answer));
        }
        let this = Arc::clone(self);
        let (user, asked) = (user_id.to_owned(), session_id.to_owned());
        let task_span = span.clone();
        let joined = self.flights.join_or_start(
            user_id.to_owned(),
            || None,
            move || this.fetch(user, asked).instrument(task_span),
            flight::spawn,
        )?;
        let (listed, leader) = match joined {
            Joined::Cached(listed) => (listed, false),
            Joined::Flight { flight, leader } => {
                span.record("cache", if leader { "miss" } else { "joined" });
                (flight.await, leader)
            }
        };
        match listed {
            Ok(fetched) if fetched.ids.contains(session_id) => {
                Ok(self.decide(user_id, session_id, Answer::Listed))
            }
            // This check's own flight: Stack Auth's list, asked after the check began (`fetch`
            // kept the answer).
            Ok(_) if leader => Ok(self.decide(user_id, session_id, Answer::NotListed)),
            // Joined to a flight for another session of the user, whose list was asked before
            // this check began (it may predate a new sign-in) or read from the fleet's cache
            // (it lists the leader's session, not necessarily this one): nothing is kept, so
            // the next check asks, and an ended session is derived only from Stack Auth's list
            // (newer than any list that showed the session: one flight per user at a time).
            Ok(fetched) if fetched.from_stack_auth => {
                Ok(self.decide(user_id, session_id, Answer::NotListed))
            }
            Ok(_) if self.ended.contains(session_id) => Ok(SessionLiveness::Ended),
            Ok(_) => Ok(SessionLiveness::NotListed),
            Err(VerifyError::Unavailable(why)) => Ok(SessionLiveness::Unknown(why)),
            Err(e) => Err(e),
        }
    }

    /// One request for `user`'s list; every session in it is answered and remembered as seen,
    /// and `asked` (the leader's session) as not listed when it is not in it.
    /// A list another process of the fleet stored is used in its place, for the time it has
    /// left, when it lists `asked`: one that does not may predate the session (a new sign-in)
    /// or be stale, and only Stack Auth may say a session is not listed.
    async fn fetch(self: Arc<Self>, user: String, asked: String) -> Result<Fetched, VerifyError> {
        let span = tracing::Span::current();
        let shared = match &self.shared {
            Some(shared) => shared.read(&user).await,
            None => None,
        };
        let (result, ttl, from_stack_auth) = match shared.filter(|(ids, _)| ids.contains(&asked)) {
            Some((ids, remaining)) => {
                span.record("cache", "shared");
                (Ok(ids), remaining.min(self.ttl), false)
            }
            None => {
                let endpoint = SessionList {
                    user_id: user.clone(),
                };
                let outcome = self
                    .api
                    .inner
                    .call(&endpoint, &list::request(&user), Health::Counted)
                    .await;
                span.record("attempts", outcome.attempts);
                if let (Ok(ids), Some(shared)) = (&outcome.result, &self.shared) {
                    shared.write(&user, ids, self.ttl).await;
                }
                (outcome.result, self.ttl, true)
            }
        };
        if let Ok(ids) = &result {
            for id in ids.iter() {
                self.seen.insert(id);
                self.store(&user, id, Answer::Listed, ttl);
            }
            if !ids.contains(&asked) {
                self.store(&user, &asked, Answer::NotListed, ttl);
            }
        }
        result.map(|ids| Fetched {
            ids,
            from_stack_auth,
        })
    }

    fn store(&self, user: &str, session: &str, answer: Answer, ttl: Duration) {
        if let Some(answers) = &self.answers {
            let tags = vec![Tag::User(user.to_owned())];
            answers.insert(session.to_owned(), answer, ttl, tags);
        }
    }

    /// The liveness of `session` given Stack Auth's `answer` and what was seen before: a
    /// session not listed that was seen listed has ended (announced once, by whichever caller
    /// forgets it first); one found ended since the answer stays ended.
    fn decide(&self, user: &str, session: &str, answer: Answer) -> SessionLiveness {
        if answer == Answer::NotListed && self.seen.contains(session) {
            self.ended.insert(session);
            if self.seen.remove(session) {
                self.announce(user, session);
            }
            return SessionLiveness::Ended;
        }
        if self.ended.contains(session) {
            return SessionLiveness::Ended;
        }
        match answer {
            Answer::Listed => SessionLiveness::Alive,
            Answer::NotListed => SessionLiveness::NotListed,
        }
    }

    fn announce(&self, user: &str, session: &str) {
        tracing::debug!(
            target: "stack_auth_rest",
            user_id = user,
            session_id = session,
            "session ended: no longer listed"
        );
        if let Some(sink) = &self.announce {
            sink.evict(&Eviction::SessionEnded {
                user_id: user.to_owned(),
                session_id: session.to_owned(),
            });
        }
    }
}

impl Evict for Inner {
    fn evict(&self, eviction: &Eviction) {
        if let Eviction::SessionEnded { session_id, .. } = eviction {
            self.ended.insert(session_id);
            self.seen.remove(session_id);
        }
        if let Some(answers) = &self.answers {
            answers.evict(eviction);
        }
    }
}

impl Evict for Sessions {
    /// `SessionEnded`: the session answers `Ended` from now on (for the
    /// [ended-session TTL](SessionsBuilder::ended_session_ttl)), without a request;
    /// `UserDeleted`: the user's answers are dropped (the next check asks, and every session
    /// of the user seen before answers `Ended`); `All`: every answer is dropped (what was seen
    /// and found ended is kept: facts, not caches). Others change nothing here.
    fn evict(&self, eviction: &Eviction) {
        self.inner.evict(eviction);
    }
}

#[async_trait]
impl SessionChecker for Sessions {
    /// [`Sessions::liveness`].
    async fn session_liveness(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> Result<SessionLiveness, VerifyError> {
        self.liveness(user_id, session_id).await
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("api", &self.api)
            .field("cache_ttl", &self.ttl)
            .field("seen", &self.seen.len())
            .field("ended", &self.ended.len())
            .field("announces", &self.announce.is_some())
            .field("shared_cache", &self.shared.is_some())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}
