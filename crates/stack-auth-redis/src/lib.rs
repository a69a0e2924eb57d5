//! A fleet of servers verifying Stack Auth credentials behaves like one server: a
//! [`RedisSharedCache`] that the processes of a deployment share behind their in-process caches,
//! and a [`RedisEvictionBus`] that carries every eviction (a webhook, an explicit call, a session
//! found ended) to every process. Redis is an accelerator here, never a dependency: with Redis
//! slow or down every call still completes, within a small bounded extra latency, with the
//! in-process behaviour, and sharing resumes when Redis is back.
//!
//! ```no_run
//! use std::time::Duration;
//! use stack_auth_core::{CacheKey, CacheNamespace, CacheTag, Evict, Eviction, EvictionHub, SharedCache};
//! use stack_auth_redis::{RedisConfig, RedisEvictionBus, RedisSharedCache};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), stack_auth_redis::BuildError> {
//! let config = RedisConfig::builder("rediss://stack-auth:s3cret@redis.internal:6380/0")
//!     .deployment("shop-production")
//!     .build()?;
//! let cache = RedisSharedCache::builder(config.clone()).build()?;
//! let hub = EvictionHub::new(); // every caching verifier of the process registers here
//! let bus = RedisEvictionBus::builder(config, hub.clone()).build()?;
//!
//! // Process A stores a profile under the token's digest (never the token) ...
//! let key = CacheKey::from_digest([7; 32]); // sha256(token)
//! let user = "3241a285-8329-4d69-8f3d-316e08cf140c";
//! let tags = [CacheTag::User(user.into()), CacheTag::UserProfile(user.into())];
//! cache.put(CacheNamespace::PROFILES, &key, br#"{"id":"..."}"#, Duration::from_secs(30), &tags).await;
//! // ... process B finds it instead of asking Stack Auth ...
//! let hit = cache.get(CacheNamespace::PROFILES, &key).await;
//! // ... and a webhook on process C voids it in Redis and in every process's hub.
//! bus.evict(&Eviction::UserDeleted { user_id: user.into() });
//! # let _ = hit;
//! # Ok(()) }
//! ```
//!
//! | feature | what it adds |
//! |---|---|
//! | `rustls` (default) | `rediss://` through rustls (aws-lc-rs crypto, the platform's roots or [`RedisConfigBuilder::root_certificates`]) |
//! | `metrics` | counters through the `metrics` facade: `stack_auth_shared_cache_total{outcome}` (`hit`, `miss`, `error`, `timeout`, `skipped`, `store`, `oversized`, `invalidate`), `stack_auth_eviction_bus_published_total`, `stack_auth_eviction_bus_received_total` |
//!
//! Sibling crates: `stack-auth-core` defines the traits this crate implements
//! ([`SharedCache`](stack_auth_core::SharedCache), [`Evict`](stack_auth_core::Evict));
//! `stack-auth-jwks`, `stack-auth-rest` and `stack-auth-composite` are the verifiers (none
//! depends on Redis); `stack-auth` re-exports this crate as `stack_auth::redis` (feature
//! `redis`).
//!
//! # What is shared, and how each cache maps onto the shared cache
//!
//! The verifiers take the cache through one setting each, and no strategy crate depends on
//! this one: `stack_auth_rest::ServerApiBuilder::shared_cache` (every capability of the REST
//! crate built on that server API) and `stack_auth_jwks::JwksVerifierBuilder::shared_cache`
//! (the deny set of deleted users and ended sessions). README "Running a fleet" shows the one
//! wiring of a process: every cache behind the shared cache, every cache in one
//! [`EvictionHub`](stack_auth_core::EvictionHub), this crate's bus in front of the hub, and the
//! webhook receiver evicting into the bus.
//!
//! Each entry is named by a [`CacheNamespace`](stack_auth_core::CacheNamespace) and a
//! [`CacheKey`](stack_auth_core::CacheKey) (a SHA-256 digest: the type holds nothing else),
//! carries [`CacheTag`](stack_auth_core::CacheTag)s, and lives no longer than the same answer
//! would in the process's own cache:
//!
//! Every key is a SHA-256 of the project (its id and Stack Auth base URL) and of what the table
//! names, so projects sharing one Redis, even under one deployment name, never read each
//! other's entries:
//!
//! | verifier cache | namespace | key: SHA-256 of | tags | TTL |
//! |---|---|---|---|---|
//! | users/me profile (accepted token) | `profiles.v1` | the token | `User`, `UserProfile`, `Session` | the REST verifier's success TTL (30 s), never past the token's `exp` |
//! | users/me refusal | `refusals.v1` | the token | none (voided by `Everything` only) | the refusal TTL (5 s) |
//! | API key verdict | `api_keys.v1` | the key string | `ApiKey(key id)`, `User` or `Team` of the owner | the API key cache's TTL |
//! | user by id | `users.v1` | the user id | `User`, `UserProfile` (and the selected team's `Team`) | the users cache's TTL (30 s); an unknown id its refusal TTL |
//! | permission list | `permissions.v1` | `(user, team or project, recursive)` | `User`, then `TeamMember` and `Team`, or `ProjectPermissions` | the permission cache's TTL |
//! | permission check by token | `permissions.v1` | `(SHA-256 of the token, team or project, permission)` | as the list's | the permission cache's TTL |
//! | a user's session list (session liveness) | `sessions.v1` | the user id | `User`, and `Session` of each listed session | the session cache's TTL (15 s) |
//! | deleted users (JWKS deny set) | `deleted_users.v1` | the user id | none | the longest token lifetime plus the leeway |
//! | ended sessions (JWKS deny set) | `ended_sessions.v1` | the session id | none | the longest token lifetime plus the leeway |
//!
//! The deny sets carry no tag of their own, only "everything": an [`Eviction::All`](stack_auth_core::Eviction::All)
//! published on the bus voids them too. Every process that heard a revocation keeps it for its
//! window in its own verifier; a process started after it, or one that missed it, then
//! refuses the user's tokens only from their expiry (at most 10 minutes).
//!
//! and each [`Eviction`](stack_auth_core::Eviction) voids the tags
//! [`Eviction::cache_tags`](stack_auth_core::Eviction::cache_tags) names: `UserUpdated` →
//! `UserProfile`, `UserDeleted` → `User`, `SessionEnded` → `Session`, `TeamPermissions` and
//! `TeamMembership` → `TeamMember`, `ProjectPermissions` → `ProjectPermissions`, `Team` →
//! `Team`, `ApiKey` → `ApiKey`, `All` → `Everything`. A verifier looks in its own cache, then in
//! the shared cache (copying a hit for no longer than
//! [`SharedHit::remaining`](stack_auth_core::SharedHit::remaining)), then asks Stack Auth and stores the answer in both.
//!
//! **Tags in Redis are epochs**, one small string per tag holding a random nonce: a store
//! records its tags' epochs beside the value (one Lua script, one round trip), a read checks
//! them (one Lua script, one round trip: `HMGET` + `MGET`), and invalidating a tag is one `DEL`,
//! however many entries carry it. The alternative, a set of entry keys per tag, makes
//! invalidation cost as many deletes as entries, grows sets of dead members that need sweeping,
//! and turns a set evicted under memory pressure into stale hits; with epochs a missing tag key
//! (invalidated, expired, evicted, Redis restarted) can only make entries miss. Every entry
//! also carries the deployment's `Everything` tag, so [`Eviction::All`](stack_auth_core::Eviction::All)
//! voids the whole shared cache with one `DEL`.
//!
//! **A known window.** A process that asked Stack Auth before an eviction and stores the answer
//! after the eviction's tags were voided stores a stale answer, as an in-process cache would;
//! it lives at most its TTL. The deleted-user list closes this window for deleted users.
//!
//! # The eviction bus: pub/sub, not streams
//!
//! Evictions are published on the channel `stack-auth:<deployment>:evictions`. Pub/sub keeps
//! nothing, so a subscriber that was disconnected misses messages; the bus converges by
//! applying [`Eviction::All`](stack_auth_core::Eviction::All) locally whenever it
//! (re)subscribes, and by keeping the evictions it could not publish until Redis is back (see
//! [`RedisEvictionBus`]). A stream with a bounded backlog would let a reconnecting process
//! replay what it missed instead, at the price of a consumer position per process, trimming,
//! and still an "all stale" fallback when the backlog was trimmed past that position. Outages
//! are rare and an in-process cache refills in seconds from the shared cache, so the simpler,
//! always-correct rule wins. Messages are `{"v":1,"origin":…,"eviction":…}` with the eviction
//! as core's tagged JSON; an eviction kind this version does not know (a newer SDK during a
//! rolling deploy) counts as "everything is stale".
//!
//! # Failure behaviour
//!
//! | Redis is | shared cache | eviction bus |
//! |---|---|---|
//! | up | one round trip per operation (a loopback get is tens of µs) | an eviction reaches the other processes within a round trip or two |
//! | slow or down | each operation gives up after its [timeout](RedisSharedCacheBuilder::timeout) (50 ms) and answers like a miss; after 5 consecutive failures the breaker skips Redis for 5 s (no extra latency), then probes | local evictions apply at once; publishing retries in the background with backoff; the subscriber reconnects with backoff |
//! | back | the next probe closes the breaker; entries are shared again | each process resubscribes and drops what it holds; pending evictions are published |
//!
//! No operation ever returns an error to the caller: [`RedisSharedCache::stats`] and
//! [`RedisEvictionBus::stats`] count what failed, and the `stack_auth_redis` tracing target
//! logs the breaker's transitions (warn) and each failure (debug), never a key or a value.
//!
//! # What Redis holds, and who may reach it
//!
//! With the shared cache in use Redis holds users' **server profiles** (names, e-mail
//! addresses, metadata: personal data), API key verdicts with their owners, permission answers
//! and session liveness, for at most their TTL, under digests of the credentials. It never
//! holds a token, an API key or a server key. Treat it as you treat the data itself: a Redis
//! **private to the deployment** (not shared with other applications, not reachable from
//! outside), with authentication (an ACL user limited to the deployment's keys and channel),
//! TLS when it is not on the same host, and no persistence needed (`--save '' --appendonly
//! no`: everything in it can be lost at any time). Anyone who can write to it can serve your
//! processes forged answers, or publish evictions; anyone who can read it reads the profiles.
//!
//! An ACL user with exactly what the crate needs (deployment `shop`):
//!
//! ```text
//! ACL SETUSER stack-auth on >s3cret resetkeys ~stack-auth:shop:* resetchannels &stack-auth:shop:evictions -@all +hmget +mget +pttl +set +pexpire +get +del +hset +evalsha +script|load +publish +subscribe +ping +multi +exec
//! ```
//!
//! (add `+select` when the URL names a database other than 0; redis-rs's `CLIENT SETINFO` at
//! connection is allowed to fail) and its URL: `rediss://stack-auth:s3cret@redis.internal:6380/0` (TLS, trusting the
//! platform's roots, or a private CA with [`RedisConfigBuilder::root_certificates`]), or
//! `redis://stack-auth:s3cret@127.0.0.1:6379/0` on the same host.
//!
//! **TTLs.** An entry never lives longer in Redis than the caller's own cache would keep it
//! (the caller passes its TTL; this crate shortens it to
//! [`max_ttl`](RedisSharedCacheBuilder::max_ttl), never lengthens it), so sharing never extends how long
//! a stale answer can be served.
//!
//! Standalone Redis (or a primary found through your own failover) is supported, not Redis
//! Cluster: the scripts read tag keys they are not given as arguments.
//!
//! # Why redis-rs
//!
//! The client is [`redis`](https://docs.rs/redis) (redis-rs), maintained under the Redis
//! organisation, with frequent releases: its `ConnectionManager` keeps one multiplexed
//! connection and re-establishes it in the background, it has async pub/sub, Lua scripts with
//! `EVALSHA` and automatic reload after a restart, and rustls TLS. `fred` has comparable
//! features (pooling, reconnection policies) but a larger surface and fewer releases; nothing
//! here needs its extras.
//!
//! # External types
//!
//! Public signatures name these crates' types, deliberately, and no others (never redis-rs's
//! or tokio's, so a client upgrade is not a breaking change):
//!
//! | crate | types | where |
//! |---|---|---|
//! | `stack-auth-core` | `SharedCache`, `Evict`, `Eviction`, `EvictionHub`, `breaker::CircuitBreakerPolicy` | the traits implemented, [`RedisEvictionBus::builder`], [`RedisSharedCacheBuilder::circuit_breaker`] |
//! | `async-trait` 0.1 | the `#[async_trait]` attribute | the [`SharedCache`](stack_auth_core::SharedCache) impl |

mod bus;
mod cache;
mod config;
mod connect;
mod error;
mod keys;
mod scripts;
mod stats;

pub use bus::{
    RedisEvictionBus, RedisEvictionBusBuilder, DEFAULT_BUS_TIMEOUT, DEFAULT_HEARTBEAT,
    DEFAULT_MAX_PENDING,
};
pub use cache::{
    RedisSharedCache, RedisSharedCacheBuilder, DEFAULT_MAX_TTL, DEFAULT_MAX_VALUE_LEN,
    DEFAULT_OPERATION_TIMEOUT,
};
pub use config::{
    RedisConfig, RedisConfigBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEPLOYMENT,
    MAX_DEPLOYMENT_LEN,
};
pub use error::BuildError;
pub use stats::{EvictionBusStats, SharedCacheStats};
