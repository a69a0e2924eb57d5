//! [`RestVerifier`] verifies Stack Auth access tokens by asking Stack Auth itself
//! (`GET /api/v1/users/me` with the secret server key) and returns the complete, current server
//! profile in the same [`VerifiedUser`](stack_auth_core::VerifiedUser) as the other strategies;
//! the rest of Stack Auth's server API (users by id, API keys, permissions, teams) goes through
//! the same [`ServerApi`] (see [The server API](#the-server-api)).
//!
//! ```
//! use stack_auth_core::{RefusalReason, TokenVerifier, UserType};
//! use stack_auth_rest::RestVerifier;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = RestVerifier::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", "ssk_example")
//!     .accept(UserType::Restricted)
//!     .build()?;
//!
//! // In a request handler: `Ok(user)` carries `user.profile()`; an error says what to answer.
//! match verifier.verify("").await {
//!     Ok(user) => println!("hello {}", user.user_id()),
//!     Err(e) => {
//!         // An empty token is refused locally, without asking Stack Auth.
//!         assert_eq!(e.refusal_reason(), Some(RefusalReason::Malformed));
//!         assert_eq!(e.http_status(), 401);
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `rustls` | yes | HTTPS for users/me through rustls (aws-lc-rs crypto, certificates checked by the platform's verifier) |
//! | `native-tls` | no | HTTPS through the platform's TLS library (OpenSSL on Linux, Security.framework on macOS, SChannel on Windows) |
//! | `native-tls-vendored` | no | `native-tls` with OpenSSL compiled from source and linked statically |
//! | `metrics` | no | counters and histograms through the [`metrics`](https://docs.rs/metrics) facade (see [Metrics](#metrics)) |
//!
//! Without aws-lc: `default-features = false, features = ["native-tls"]`. With no TLS feature
//! only plain http works (loopback, or
//! [`allow_insecure_http`](RestVerifierBuilder::allow_insecure_http)); an https request fails as
//! unavailable. For rustls with another crypto provider (ring, say), enable reqwest's
//! `rustls-no-provider` feature in your own manifest, install the provider at startup (before
//! building the verifier: reqwest panics without one) and pass your client to
//! [`http_client`](RestVerifierBuilder::http_client).
//!
//! # External types
//!
//! One public signature names another crate's type, deliberately: [`http_client`](
//! RestVerifierBuilder::http_client) takes a `reqwest::Client` (reqwest 0.13), so a server can
//! share its connection pool and proxy settings. The crate re-exports [`reqwest`] so you can name
//! the exact version it was built with. Everything else public comes from this crate or
//! `stack-auth-core`; moka, tokio and rand are implementation details that no signature shows.
//!
//! # The server API
//!
//! After "who is this token's user", a backend asks "is this API key good, and whose is it?"
//! and "may this user do X in team T?" (PROTOCOL §10). Every such call goes through one
//! [`ServerApi`]: the connection pool, the project and its secret server key, the reading of
//! answers (the KnownErrors and status rules of the [error table](#errors)), retries, **one
//! circuit breaker for Stack Auth's health** and one cap on requests in flight. Each capability
//! is its own type on it, with its cache and single flight:
//!
//! | capability | type | asks | requests | a change in Stack Auth is seen |
//! |---|---|---|---|---|
//! | who a token belongs to | [`RestVerifier`] | `GET /users/me` | 1 per distinct token per TTL (30 s, never past `exp`) | after the TTL, or an eviction |
//! | users by id | [`Users`] | `GET /users/{id}` | 1 per user per TTL (30 s); unknown ids 1 per 5 s; non-UUIDs 0 | after the TTL, or an eviction |
//! | API keys | [`ApiKeys`] ([`ApiKeyVerifier`](stack_auth_core::ApiKeyVerifier)) | `POST /{user,team}-api-keys/check`, then the user | malformed, tampered, wrong-type and `pk_` keys 0; 1 per key per TTL (30 s, never past the key's expiry), + 1 for a user key's user; unknown keys within a budget | a revocation after the TTL (30 s), or at once on an eviction |
//! | permissions | [`Permissions`] ([`PermissionChecker`](stack_auth_core::PermissionChecker)) | `GET /team-permissions`, `GET /project-permissions` | 1 per (user, team) list per TTL (30 s), every permission of it answered from it; invalid ids 0 | after the TTL, or an eviction |
//! | a user's teams | [`Teams`] | `GET /teams?user_id=` | 1 per user per TTL (30 s) | after the TTL, or an eviction |
//!
//! Why here, and as separate types: the capabilities need exactly what the REST verifier
//! already has (the HTTP client, the error reading, the breaker), so they share it rather than
//! copy it, and a verifier and the capabilities built on one [`ServerApi`] share one view of
//! Stack Auth's health: five failures open the circuit for all of them. A server depends only
//! on what it uses: this crate brings reqwest, moka and tokio, nothing else (no Redis, no web
//! framework); the framework integrations depend on the core traits the capabilities implement,
//! never on this crate. Build the capabilities on the verifier's server API
//! ([`RestVerifier::server_api`]) or on one of their own ([`ServerApi::builder`]).
//!
//! ```no_run
//! use stack_auth_rest::{ApiKeys, Permissions, RestVerifier, ServerApi};
//!
//! # fn wire() -> Result<(), stack_auth_core::ConfigError> {
//! let api = ServerApi::builder("<project id>", "ssk_...").build()?;
//! let verifier = RestVerifier::builder_with_api(&api).build()?;
//! let api_keys = ApiKeys::new(&api);
//! let permissions = Permissions::new(&api);
//! # let _ = (verifier, api_keys, permissions);
//! # Ok(()) }
//! ```
//!
//! Every cache implements [`Evict`](stack_auth_core::Evict): hand the capabilities to an
//! [`EvictionHub`](stack_auth_core::EvictionHub) that a webhook receiver feeds, and a change
//! (a revoked key, a revoked permission, an updated user) is seen at once instead of after the
//! TTL. An eviction drops exactly the entries it names, found through an index (never by
//! scanning the cache). The caches' `cache_*` settings follow the builders' vocabulary
//! (`cache_ttl`, `cache_refusal_ttl`, `cache_capacity`, `disable_cache`).
//!
//! **A fleet.** Give the server API a [`SharedCache`](stack_auth_core::SharedCache) (the
//! deployment's Redis, `stack-auth-redis`) with
//! [`ServerApiBuilder::shared_cache`] (or [`RestVerifierBuilder::shared_cache`] for a verifier on
//! a server API of its own), and every capability built on it looks there after its own cache
//! and before Stack Auth, and stores what Stack Auth answered there for the other processes:
//! users/me profiles and refusals, users by id, API key verdicts, permission lists and checks
//! by token. Entries are named by SHA-256 digests (never a token or key), live no longer than
//! the in-process entry, and carry the same tags; a shared cache that is slow or down answers
//! like a miss within its own timeout. Evictions must then reach every process and the shared
//! cache: give them to the Redis eviction bus, never to a hub directly (README "Running a
//! fleet").
//!
//! Sibling crates: `stack-auth-core` (the [`TokenVerifier`](stack_auth_core::TokenVerifier)
//! trait and types), `stack-auth-jwks` (local JWT verification, no network per token),
//! `stack-auth-composite` (JWT first, this crate for the profile), `stack-auth-testkit` (a local
//! Stack Auth stand-in), `stack-auth` (facade).
//!
//! # The request
//!
//! Every request carries `x-stack-access-type: server`, `x-stack-project-id`,
//! `x-stack-secret-server-key` and `x-stack-access-token` (PROTOCOL §3.1). Stack Auth is asked to
//! let through only the user types the configuration accepts: `x-stack-allow-restricted-user:
//! true` when it accepts restricted or anonymous users, and `x-stack-allow-anonymous-user: true`
//! when it accepts anonymous users (neither for the default, normal users only). Stack Auth then
//! refuses the other types itself (`RESTRICTED_USER_NOT_ALLOWED`,
//! `ANONYMOUS_AUTHENTICATION_NOT_ALLOWED`, both
//! [`RefusalReason::UserTypeNotAllowed`](stack_auth_core::RefusalReason), 403), after checking
//! the token's signature as the JWKS verifier does; and the verifier checks the profile's type
//! again, so a user of a type not accepted is refused even if Stack Auth let it through.
//! Stack Auth checks the user type before the secret server key, so with a wrong key a token of
//! a type not accepted is refused rather than reported as a misconfiguration.
//! [`RestVerifier::fetch_profile`] filters no type and sends both headers.
//!
//! The profile's metadata (`client_metadata`, `client_read_only_metadata`, `server_metadata`,
//! the selected team's) and unknown fields are kept as raw JSON
//! ([`RawJson`](stack_auth_core::RawJson)), never parsed while verifying: users write their own
//! `client_metadata` at any depth, and a profile nested past serde_json's recursion limit
//! verifies like any other (parsing it later is a typed error for the caller who asks). The
//! body is read up to [`max_response_bytes`](RestVerifierBuilder::max_response_bytes) and no
//! further: an answer over the cap is dropped unread, and only what kind of answer it was
//! decides whether it counts against Stack Auth's health (see the table below).
//!
//! The user type is read from the profile's `is_anonymous` and `is_restricted`; a profile
//! missing either, or whose flags disagree with `restricted_reason` (a reason on a user not
//! marked restricted, say), is not trusted (`Unavailable(InvalidResponse)`).
//!
//! A string that cannot be an access token is refused without a request (the request would
//! carry the secret server key for nothing): as `malformed` when it is empty, longer than
//! [`MAX_TOKEN_LEN`](stack_auth_core::MAX_TOKEN_LEN), is not three base64url segments with a
//! non-empty signature, or its protected header is not a JSON object with a string `alg` and a
//! non-empty string `kid` (and no `crit`), or its payload is not a JSON object; as
//! `unsupported_algorithm` when `alg` is not `ES256` (the rules every verifier of this SDK
//! shares, [`stack_auth_core::jws`]). The screen verifies nothing (key,
//! signature and claims are Stack Auth's to check); it only keeps what is plainly not a token
//! away from users/me.
//!
//! The verifier does not send `x-stack-override-error-status`, so statuses are real; if a proxy
//! sends `x-hexclave-actual-status` or `x-stack-actual-status` anyway, that status is used (the
//! `x-hexclave-` one first). The request headers keep their `x-stack-` names, which every
//! version of Stack Auth (and Hexclave) accepts.
//!
//! # Errors
//!
//! The code is read from the `x-hexclave-known-error` header (else `x-stack-known-error`, PROTOCOL
//! §9.3) and the body's `code` (either alone
//! is enough; if both are present and differ, the answer is reported as an invalid response,
//! not trusted). The text is read from `error`, falling back to `message`, and kept in the
//! error's detail.
//!
//! | Stack Auth answer | [`VerifyError`](stack_auth_core::VerifyError) | HTTP hint |
//! |---|---|---|
//! | `UNPARSABLE_ACCESS_TOKEN` | `Refused(unparsable)` | 401 |
//! | `ACCESS_TOKEN_EXPIRED` | `Refused(expired)` | 401 |
//! | `INVALID_PROJECT_FOR_ACCESS_TOKEN` | `Refused(wrong_project)` | 401 |
//! | `ANONYMOUS_AUTHENTICATION_NOT_ALLOWED` | `Refused(user_type_not_allowed)` | 403 |
//! | `RESTRICTED_USER_NOT_ALLOWED` | `Refused(user_type_not_allowed)` | 403 |
//! | `CANNOT_GET_OWN_USER_WITHOUT_USER` (a token was sent, so the user is gone) | `Refused(user_not_found)` | 401 |
//! | `INVALID_SECRET_SERVER_KEY` | `Misconfigured(InvalidSecretServerKey)` | 500 |
//! | `SERVER_AUTHENTICATION_REQUIRED` | `Misconfigured(MissingSecretServerKey)` | 500 |
//! | `CURRENT_PROJECT_NOT_FOUND` | `Misconfigured(ProjectNotFound)` | 500 |
//! | `PROJECT_NOT_FOUND` | `Misconfigured(ProjectNotFound)` | 500 |
//! | `ACCESS_TYPE_REQUIRED` | `Misconfigured(InvalidRequest)` | 500 |
//! | `PROJECT_KEY_WITHOUT_ACCESS_TYPE` | `Misconfigured(InvalidRequest)` | 500 |
//! | `INVALID_ACCESS_TYPE` | `Misconfigured(InvalidRequest)` | 500 |
//! | `ACCESS_TYPE_WITHOUT_PROJECT_ID` | `Misconfigured(InvalidRequest)` | 500 |
//! | `INSUFFICIENT_ACCESS_TYPE` | `Misconfigured(InvalidRequest)` | 500 |
//! | `SCHEMA_ERROR` | `Misconfigured(InvalidRequest)` | 500 |
//! | `BODY_PARSING_ERROR` | `Misconfigured(InvalidRequest)` | 500 |
//! | `BRANCH_DOES_NOT_EXIST` | `Misconfigured(InvalidRequest)` | 500 |
//! | `ALL_OVERLOADS_FAILED` | `Misconfigured(InvalidRequest)` | 500 |
//! | another code with a 4xx status | `Misconfigured(UnexpectedError)` | 500 |
//! | another code with a 5xx status | `Unavailable(ServerError)` | 503 |
//! | header code ≠ body code, or a code that is not an upper-case identifier | `Unavailable(InvalidResponse)` | 503 |
//! | 429 (with or without a code) | `Unavailable(RateLimited)`, with its `Retry-After` | 503 |
//! | a redirect, or a 4xx other than 408 and 429 without a code: not Stack Auth answering (a wrong base URL, an `http` URL redirected to `https`, a proxy) | `Misconfigured(InvalidRequest)`, the detail naming the status | 500 |
//! | 5xx, 408, or any other status without a code (plain text) | `Unavailable(ServerError)`, with the status | 503 |
//! | 200 whose body is not a profile object with a non-empty `id`, both `is_anonymous` and `is_restricted`, and flags that agree with `restricted_reason` | `Unavailable(InvalidResponse)` | 503 |
//! | 200 JSON profile (no known error) over [`max_response_bytes`](RestVerifierBuilder::max_response_bytes): one user's profile, whose metadata the user wrote | `Unavailable(ProfileTooLarge)`, with status 200: about this token only, not counted by the circuit breaker, not retried, cached like a refusal | 503 |
//! | any other body over [`max_response_bytes`](RestVerifierBuilder::max_response_bytes) | `Unavailable(TooLarge)` | 503 |
//! | connection refused or dropped | `Unavailable(Connect)` | 503 |
//! | no answer within the [`timeout`](RestVerifierBuilder::timeout) | `Unavailable(Timeout)` | 503 |
//! | no free request slot ([`max_concurrent_requests`](RestVerifierBuilder::max_concurrent_requests) all in flight) within the timeout | `Unavailable(Timeout)`, no request sent, not counted by the breaker | 503 |
//! | circuit open | `Unavailable(CircuitOpen)`, no request sent | 503 |
//! | called outside a Tokio runtime (the verifier needs one) | `Misconfigured(UnexpectedError)` ("no tokio runtime"), no request sent | 500 |
//! | an injected [`http_client`](RestVerifierBuilder::http_client) followed a redirect (the answer came from another URL; it is not used) | `Misconfigured(InvalidRequest)` | 500 |
//! | 200 with a profile of a user type not accepted (Stack Auth was not asked to let it through) | `Refused(user_type_not_allowed)` | 403 |
//!
//! Stack Auth answers a plain 500 (hence `Unavailable(ServerError)`) for a token signed with the
//! project's real key whose claims break its invariants (PROTOCOL §1.8); only a holder of the
//! signing key can make one, and the JWKS verifier refuses it as `inconsistent_claims`. Stack Auth
//! also accepts a token whose issuer is that of another user type (it does not tie the issuer
//! variant to the audience); the JWKS verifier is stricter there.
//!
//! # Resilience
//!
//! Connection errors, dropped connections and 502/503/504 are retried with full-jitter
//! exponential backoff ([`RetryPolicy`]); a 429 is retried after its `Retry-After` (seconds or
//! an HTTP date) only if that wait fits the remaining timeout, else it is returned at once with
//! the `Retry-After`. Nothing lasts past the [`timeout`](RestVerifierBuilder::timeout). After
//! consecutive upstream failures the [circuit breaker](CircuitBreakerPolicy) fails fast for a
//! cool-off, then lets one probe through. At most
//! [`max_concurrent_requests`](RestVerifierBuilder::max_concurrent_requests) requests are in
//! flight at once (per verifier and its clones); others wait for a slot within their timeout.
//! An answer about one user (a profile over the size cap) is not an upstream failure: what one
//! user writes into their profile cannot open the circuit for everyone.
//!
//! Tokens that nothing has verified yet (a composite's tokens whose key id the JWKS does not list:
//! anyone can make one) go through [`RestVerifier::for_unverified_tokens`]: one request
//! per verification, no retries, only while the circuit is closed, and never recorded by the
//! breaker, so a flood of them answered with 429 cannot open it for verified users.
//!
//! # Caching
//!
//! Results are kept by the token's SHA-256 (the cache never holds a token): a verified user for
//! [`DEFAULT_TOKEN_CACHE_TTL`] but never past the token's `exp` (read without verification, only to
//! shorten the lifetime; a token whose `exp` cannot be read is not cached), a refusal (and a
//! `ProfileTooLarge` answer, which repeats for the same user) for
//! [`DEFAULT_TOKEN_CACHE_REFUSAL_TTL`], other unavailability and misconfiguration never (the
//! builder's `token_cache_*` settings; [`disable_token_cache`](RestVerifierBuilder::disable_token_cache)
//! turns it off). Concurrent
//! verifications of one token share one request, which runs in its own task: a caller that is
//! cancelled does not cancel it for the others.
//!
//! # Tracing
//!
//! Each verification runs in a `debug` span `stack_auth.verify`, with the same field names as the
//! other strategies (fields are recorded once known; a field that does not apply is left empty):
//!
//! | field | values |
//! |---|---|
//! | `strategy` | `rest` |
//! | `outcome` | `ok`, `refused`, `unavailable`, `misconfigured` ([`VerifyError::outcome_label`](stack_auth_core::VerifyError::outcome_label)) |
//! | `reason` | on failure: the refusal label (`unparsable`, `expired`, `user_not_found`, ...), the unavailability kind (`server_error`, `timeout`, `circuit_open`, ...) or the misconfiguration kind (`invalid_secret_server_key`, ...) ([`VerifyError::reason_label`](stack_auth_core::VerifyError::reason_label)) |
//! | `cache` | the verdict cache: `hit`, `miss` (this verification asked users/me), `joined` (it shared another verification's request), `off` (the cache is disabled); empty when the token was refused locally |
//! | `attempts` | requests the users/me call took (retries included), on the verification that started it |
//! | `upstream_ms` | how long the verification waited for users/me, when it did |
//!
//! Each users/me call runs in a `debug` span `stack_auth.rest.users_me` (`attempts`,
//! `upstream_ms`), with one event per attempt. No field ever holds the token or the secret
//! server key.
//!
//! # Metrics
//!
//! With the `metrics` feature, the verifier reports through the [`metrics`](https://docs.rs/metrics)
//! facade (install a recorder, e.g. a Prometheus exporter, in the application; without one
//! nothing is kept). Label values come from small fixed sets: no user id, no token.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `stack_auth_verifications_total` | counter | `strategy` = `rest`, `outcome`, `reason` (as in the span; `none` on success) |
//! | `stack_auth_verify_duration_seconds` | histogram | `strategy` |
//! | `stack_auth_cache_total` | counter | `strategy`, `cache` = `hit` or `miss` (a joined request counts as a miss; nothing when the cache is off) |
//! | `stack_auth_upstream_requests_total` | counter | `upstream` = `api`, `outcome` (`ok`, `refused` when users/me refused the token, `unavailable`, `misconfigured`); one per HTTP request, retries included |
//! | `stack_auth_upstream_duration_seconds` | histogram | `upstream` (per request) |
//! | `stack_auth_upstream_errors_total` | counter | `upstream`, `kind` (the unavailability or misconfiguration kind; `circuit_open` when the breaker kept a request from being sent) |

mod api;
mod api_builder;
mod api_keys;
mod breaker;
mod builder;
mod cache;
mod endpoint;
mod error;
mod flight;
mod ids;
mod known_error;
mod list;
mod memo;
mod observe;
mod permissions;
mod profile;
mod registry;
mod request;
mod response;
mod retry;
mod sessions;
mod shape;
mod shared_tier;
mod tagged_cache;
mod teams;
mod users;
mod verifier;

pub use api::ServerApi;
pub use api_builder::{
    ServerApiBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
};
pub use api_keys::{ApiKeys, ApiKeysBuilder, DEFAULT_UNKNOWN_API_KEY_BUDGET};
pub use breaker::{CircuitBreakerPolicy, DEFAULT_COOL_OFF, DEFAULT_FAILURE_THRESHOLD};
pub use builder::{RestVerifierBuilder, MAX_DURATION_SETTING};
pub use cache::{
    DEFAULT_TOKEN_CACHE_CAPACITY, DEFAULT_TOKEN_CACHE_REFUSAL_TTL, DEFAULT_TOKEN_CACHE_TTL,
};
pub use memo::{DEFAULT_CACHE_CAPACITY, DEFAULT_CACHE_REFUSAL_TTL, DEFAULT_CACHE_TTL};
pub use permissions::{Permissions, PermissionsBuilder};
pub use retry::{RetryPolicy, DEFAULT_BASE_BACKOFF, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_BACKOFF};
pub use sessions::{
    Sessions, SessionsBuilder, DEFAULT_ENDED_SESSION_TTL, DEFAULT_SEEN_SESSION_TTL,
    DEFAULT_SESSION_CACHE_TTL, DEFAULT_SESSION_MEMORY_CAPACITY,
};
pub use teams::{Teams, TeamsBuilder};
pub use users::{Users, UsersBuilder};
pub use verifier::RestVerifier;

/// The HTTP client crate (0.13) whose `Client` [`RestVerifierBuilder::http_client`] takes.
pub use reqwest;

#[cfg(test)]
mod tests;
