//! Verifies Stack Auth access tokens locally against the project's JWKS: ES256 only, cached,
//! rotation-safe and flood-proof.
//!
//! ```
//! use std::time::Duration;
//! use stack_auth_core::UserType;
//! use stack_auth_jwks::JwksVerifier;
//!
//! let verifier = JwksVerifier::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e")
//!     .accept(UserType::Restricted)
//!     .leeway(Duration::from_secs(2))
//!     .build()?;
//! assert_eq!(
//!     verifier.jwks_url(),
//!     "https://api.stack-auth.com/api/v1/projects/3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e\
//!      /.well-known/jwks.json?include_anonymous=true"
//! );
//! assert!(verifier.config().accepts(UserType::Restricted));
//! // Nothing is fetched until the first verification (or `prefetch`).
//! assert_eq!(verifier.status().fetch_count, 0);
//! # Ok::<(), stack_auth_core::ConfigError>(())
//! ```
//!
//! In a server (the network part):
//!
//! ```no_run
//! use stack_auth_core::TokenVerifier;
//! use stack_auth_jwks::JwksVerifier;
//!
//! # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = JwksVerifier::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e").build()?;
//! verifier.prefetch().await?; // optional: warm the key set at startup
//! match verifier.verify(token).await {
//!     Ok(user) => println!("hello {}", user.user_id()),
//!     Err(e) => println!("answer {} ({})", e.http_status(), e.reason_label()),
//! }
//! # Ok(()) }
//! ```
//!
//! # Features
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `aws_lc_rs` | yes | ECDSA through aws-lc, the faster backend |
//! | `rust_crypto` | no | ECDSA through the pure-Rust RustCrypto crates (slower); preferred when both backends are enabled |
//! | `rustls` | yes | HTTPS for the JWKS fetch through rustls (aws-lc-rs crypto, certificates checked by the platform's verifier) |
//! | `native-tls` | no | HTTPS through the platform's TLS library (OpenSSL on Linux, Security.framework on macOS, SChannel on Windows) |
//! | `native-tls-vendored` | no | `native-tls` with OpenSSL compiled from source and linked statically |
//! | `metrics` | no | counters and histograms through the [`metrics`](https://docs.rs/metrics) facade (see [Metrics](#metrics)) |
//!
//! Without aws-lc at all: `default-features = false, features = ["rust_crypto", "native-tls"]`
//! (`cargo tree -i aws-lc-rs` then finds nothing). With neither backend,
//! [`build`](JwksVerifierBuilder::build) fails (`crypto`). The verifier uses jsonwebtoken's
//! provider of the enabled backend and passes it to every check: it never reads or installs
//! jsonwebtoken's process-wide `CryptoProvider`, which stays the application's to choose (and
//! does not change which backend this crate uses). With no TLS feature only plain http works (a
//! loopback JWKS, or [`allow_insecure_http`](JwksVerifierBuilder::allow_insecure_http) behind a
//! TLS-terminating proxy); an https fetch fails as unavailable. For rustls with another crypto
//! provider (ring, say), enable reqwest's `rustls-no-provider` feature in your own manifest,
//! install the provider at startup (before building the verifier: reqwest panics without one)
//! and pass your client to [`http_client`](JwksVerifierBuilder::http_client).
//!
//! # External types
//!
//! One public signature names another crate's type, deliberately: [`http_client`](
//! JwksVerifierBuilder::http_client) takes a `reqwest::Client` (reqwest 0.13), so a server can
//! share its connection pool and proxy settings. The crate re-exports [`reqwest`] so you can name
//! the exact version it was built with. Everything else public comes from this crate or
//! `stack-auth-core`; jsonwebtoken, moka, tokio and the crypto backends are implementation
//! details that no signature shows.
//!
//! # What is checked, in order
//!
//! Every refusal is a [`VerifyError::Refused`](stack_auth_core::VerifyError) whose reason label
//! matches the interop fixtures:
//!
//! | reason | when |
//! |---|---|
//! | `malformed` | longer than [`MAX_TOKEN_LEN`](stack_auth_core::MAX_TOKEN_LEN) (refused before decoding); not three base64url segments; header not a JSON object; `alg` or `kid` missing or not a string; an empty `kid`; a `crit` header; an empty signature; payload not a JSON object; a claim Stack Auth always sets (`sub`, `exp`, ...) missing or of the wrong type. The token rules are the shared ones of [`stack_auth_core::jws`] |
//! | `unsupported_algorithm` | `alg` is not exactly `ES256` (`none`, `HS256`, `RS256`, `ES384`, ...) |
//! | `unknown_key` | no key of the project's JWKS has the `kid`, even after one refetch. Keys or URLs named inside the token (`jwk`, `jku`, `x5u`, `x5c`) are never used |
//! | `bad_signature` | the signature does not verify with the key named by `kid` (tampered, truncated, signed by another key); a signature that is not 64 bytes is refused before the key lookup, so it never gets `unknown_key` |
//! | `expired` | `now >= exp + leeway` (in whole seconds; jose's zero-tolerance rule widened by the leeway, [`check_expiry`](stack_auth_core::jws::check_expiry)) |
//! | `wrong_audience` | `aud` is not a string, or none of the project's three audiences |
//! | `wrong_issuer` | `iss` is not the issuer of the audience's user type on an accepted origin: the configured base URL's, its cloud-brand sibling's (`api.stack-auth.com` ↔ `api.hexclave.com`, PROTOCOL §9.1) or one added with `accept_issuer_origin` (another deployment, a failover or look-alike host, plain http, or an issuer variant that does not match the audience variant) |
//! | `inconsistent_claims` | the PROTOCOL §1.8 rules fail (anonymous implies restricted, restricted iff a reason, audience suffix matches the type, branch `main`), or `project_id` disagrees with `aud` |
//! | `user_type_not_allowed` | a valid token of a user type the verifier does not accept (HTTP 403) |
//! | `user_not_found` | a valid token of a user the verifier was told was deleted (see [Evictions](#evictions)) |
//! | `session_ended` | a valid token whose `refresh_token_id` names a session the verifier was told has ended (see [Evictions](#evictions)) |
//!
//! When keys cannot be had, verification fails as
//! [`VerifyError::Unavailable`](stack_auth_core::VerifyError) (503, retryable), never as a
//! refusal; a JWKS answering 404 (unknown project) is
//! [`VerifyError::Misconfigured`](stack_auth_core::VerifyError).
//!
//! # Fetching and caching
//!
//! * The full key set (`?include_anonymous=true`: normal, restricted and anonymous keys) is
//!   fetched whatever user types are accepted, lazily or by [`JwksVerifier::prefetch`].
//! * It is fresh for the response's `max-age`, clamped to `[min_ttl, max_ttl]`. Within
//!   `refresh_ahead` of expiry (or after it, when no verification came during the margin) a
//!   verification starts a background refresh and carries on with the current keys; once warm,
//!   no verification waits for the network.
//! * Concurrent misses share one fetch, run on a spawned task: a caller that gives up does not
//!   cancel it. The hit path takes no lock.
//! * A token naming an unknown `kid` triggers at most one refetch per `unknown_kid_cooldown`
//!   (claimed atomically). Callers that find that refetch running share its result (so the
//!   second user of a freshly rotated key gets in too); callers that find none and are inside
//!   the cooldown fail fast with `unknown_key`: nobody queues behind a limiter.
//! * Stale-if-error: when a refresh fails, the last good set keeps serving for
//!   `stale_if_error` past its freshness; past that, verifications fail as unavailable. After a
//!   failure no new attempt is made for `retry_after_error` (or the server's longer
//!   `Retry-After`, capped at 5 minutes). While a usable set (fresh, or stale within
//!   `stale_if_error`) is cached, a token whose `kid` it lacks is refused as `unknown_key`, also
//!   during that backoff and when the refetch fails: the cached set is the answer, so a
//!   composite's `UnknownKeyPolicy::Refuse` keeps holding and forged `kid`s are never turned
//!   into "unavailable".
//! * HTTP: connect and total timeouts, a response-size cap, status 200 only, no redirects,
//!   https required except for loopback.
//! * Verified-token cache: a success for the exact same token string is remembered, keyed by
//!   a 128-bit SipHash-1-3 of the whole token under a random per-verifier secret key (never the
//!   token, never the signature alone), bounded in size, never past the token's `exp`, and dropped
//!   when the key that verified it leaves the JWKS. Refusals are not cached (they are cheap to
//!   recompute and must not let garbage grow memory).
//!
//! # Evictions
//!
//! The verifier implements [`Evict`](stack_auth_core::Evict) (see the table on
//! [`JwksVerifier`]'s impl): register it with an [`EvictionHub`](stack_auth_core::EvictionHub)
//! that a webhook receiver (`stack-auth-webhooks`) feeds, and a `user.deleted` webhook makes
//! every token of that user, cached or not, refused as `user_not_found` from then on, for
//! [`max_token_lifetime`](JwksVerifierBuilder::max_token_lifetime) plus the leeway (by when every
//! token minted before has expired). An
//! [`Eviction::SessionEnded`](stack_auth_core::Eviction::SessionEnded) refuses the session's
//! tokens as `session_ended` the same way: JWKS-alone session revocation, for whoever learns that
//! a session ended (Stack Auth sends no webhook for it). The check runs on every verification,
//! after the signature and claim checks (a forged token stays `bad_signature`); while nothing is
//! revoked it is one atomic load.
//!
//! In a fleet, [`shared_cache`](JwksVerifierBuilder::shared_cache) (the deployment's Redis,
//! `stack-auth-redis`) shares that deny set: a verifier that hears of a deleted user or an
//! ended session stores it there (under a SHA-256 of the project and the id, for the same window), and one that
//! did not hear of it (a process started since, or one whose eviction bus was disconnected)
//! finds it there the first time it verifies a token in full. A token-cache hit never asks the
//! shared cache; a shared cache that is slow or down answers "not revoked" within its own
//! timeout, and the local set still applies.
//!
//! # Configuration
//!
//! | setting | default |
//! |---|---|
//! | [`base_url`](JwksVerifierBuilder::base_url) | `https://api.stack-auth.com` |
//! | [`accept`](JwksVerifierBuilder::accept) / [`accepted_user_types`](JwksVerifierBuilder::accepted_user_types) | normal users only |
//! | [`jwks_url`](JwksVerifierBuilder::jwks_url) | `{base_url}/api/v1/projects/{id}/.well-known/jwks.json` |
//! | [`static_jwks`](JwksVerifierBuilder::static_jwks) | none: keys are fetched (with a document: never fetched, for offline tools) |
//! | [`leeway`](JwksVerifierBuilder::leeway) | [`DEFAULT_LEEWAY`] (5 s) |
//! | [`min_ttl`](JwksVerifierBuilder::min_ttl) / [`max_ttl`](JwksVerifierBuilder::max_ttl) | [`DEFAULT_MIN_TTL`] (60 s) / [`DEFAULT_MAX_TTL`] (10 min) |
//! | [`refresh_ahead`](JwksVerifierBuilder::refresh_ahead) | [`DEFAULT_REFRESH_AHEAD`] (60 s) |
//! | [`unknown_kid_cooldown`](JwksVerifierBuilder::unknown_kid_cooldown) | [`DEFAULT_UNKNOWN_KID_COOLDOWN`] (30 s) |
//! | [`stale_if_error`](JwksVerifierBuilder::stale_if_error) | [`DEFAULT_STALE_IF_ERROR`] (1 h) |
//! | [`retry_after_error`](JwksVerifierBuilder::retry_after_error) | [`DEFAULT_RETRY_AFTER_ERROR`] (5 s) |
//! | [`connect_timeout`](JwksVerifierBuilder::connect_timeout) / [`timeout`](JwksVerifierBuilder::timeout) | [`DEFAULT_CONNECT_TIMEOUT`] (2 s) / [`DEFAULT_TIMEOUT`] (5 s) |
//! | [`max_response_bytes`](JwksVerifierBuilder::max_response_bytes) | [`DEFAULT_MAX_RESPONSE_BYTES`] (64 KiB) |
//! | [`token_cache_capacity`](JwksVerifierBuilder::token_cache_capacity) / [`token_cache_ttl`](JwksVerifierBuilder::token_cache_ttl) / [`disable_token_cache`](JwksVerifierBuilder::disable_token_cache) | [`DEFAULT_TOKEN_CACHE_CAPACITY`] (10,000) / [`DEFAULT_TOKEN_CACHE_TTL`] (5 min) / on |
//! | [`max_token_lifetime`](JwksVerifierBuilder::max_token_lifetime) | [`DEFAULT_MAX_TOKEN_LIFETIME`] (10 min): how long a revoked user or session is refused, plus the leeway |
//! | [`shared_cache`](JwksVerifierBuilder::shared_cache) | none: the deny set is the process's own |
//! | [`http_client`](JwksVerifierBuilder::http_client) | built-in reqwest client, no redirects |
//! | [`clock`](JwksVerifierBuilder::clock) | [`SystemClock`](stack_auth_core::SystemClock) |
//!
//! [`JwksVerifier::status`] gives a snapshot of the key set and counters for health checks.
//!
//! # Tracing
//!
//! Each verification runs in a `debug` span `stack_auth.verify`, with the same field names as the
//! other strategies (fields are recorded once known; a field that does not apply is left empty):
//!
//! | field | values |
//! |---|---|
//! | `strategy` | `jwks` |
//! | `outcome` | `ok`, `refused`, `unavailable`, `misconfigured` ([`VerifyError::outcome_label`](stack_auth_core::VerifyError::outcome_label)) |
//! | `reason` | on failure: the refusal label (`bad_signature`, `expired`, ...), the unavailability kind (`server_error`, `timeout`, `no_usable_keys`, ...) or the misconfiguration kind (`project_not_found`) ([`VerifyError::reason_label`](stack_auth_core::VerifyError::reason_label)) |
//! | `cache` | the verified-token cache: `hit`, `miss`, `stale` (a cached verdict that no longer holds: past `exp` or its key left the key set), `off` (disabled); empty when the token was refused before the lookup |
//! | `keyset` | the key set used: `fresh`, `stale` (past its freshness, served under stale-if-error), `static`, or `fetched` (the verification waited for a fetch) |
//! | `kid` | the token's `kid` header (public), cut to 64 characters; not recorded on cache hits |
//! | `upstream_ms` | how long the verification waited for a key set fetch, when it did |
//!
//! Each key set fetch runs in an `info` span `stack_auth.jwks.fetch`, a root span that follows
//! from the verification (or [`prefetch`](JwksVerifier::prefetch)) that started it: `trigger`
//! (`expiry`, `unknown_kid`, `prefetch`), `outcome`, `reason`, `status` (HTTP), `bytes`, `keys`
//! (usable keys parsed) and `upstream_ms`. Neither the token nor a key is ever recorded.
//!
//! # Metrics
//!
//! With the `metrics` feature, the verifier reports through the [`metrics`](https://docs.rs/metrics)
//! facade (install a recorder, e.g. a Prometheus exporter, in the application; without one
//! nothing is kept). Label values come from small fixed sets: no user id, no `kid`.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `stack_auth_verifications_total` | counter | `strategy` = `jwks`, `outcome`, `reason` (as in the span; `none` on success) |
//! | `stack_auth_verify_duration_seconds` | histogram | `strategy` |
//! | `stack_auth_cache_total` | counter | `strategy`, `cache` = `hit` or `miss` (a stale verdict counts as a miss; nothing when the cache is off) |
//! | `stack_auth_upstream_requests_total` | counter | `upstream` = `jwks`, `outcome` |
//! | `stack_auth_upstream_duration_seconds` | histogram | `upstream` |
//! | `stack_auth_upstream_errors_total` | counter | `upstream`, `kind` (the unavailability or misconfiguration kind) |
//! | `stack_auth_jwks_refetch_total` | counter | `trigger` = `expiry` (no set yet, or one due for a refresh), `unknown_kid` or `prefetch` |
//!
//! Sibling crates: `stack-auth-core` (the [`TokenVerifier`](stack_auth_core::TokenVerifier)
//! trait and types), `stack-auth-rest` (verification through the users/me API),
//! `stack-auth-composite` (both), `stack-auth-testkit` (a local Stack Auth stand-in),
//! `stack-auth-axum` (extractor and layer), `stack-auth` (facade).

mod backend;
mod builder;
mod defaults;
mod evict;
mod fetch;
mod keys;
mod keyset_cache;
mod observe;
mod payload;
mod revocations;
mod shared_revocations;
mod status;
mod token_cache;
mod verifier;

pub use builder::JwksVerifierBuilder;
pub use defaults::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_LEEWAY, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_TOKEN_LIFETIME, DEFAULT_MAX_TTL, DEFAULT_MIN_TTL, DEFAULT_REFRESH_AHEAD,
    DEFAULT_RETRY_AFTER_ERROR, DEFAULT_STALE_IF_ERROR, DEFAULT_TIMEOUT,
    DEFAULT_TOKEN_CACHE_CAPACITY, DEFAULT_TOKEN_CACHE_TTL, DEFAULT_UNKNOWN_KID_COOLDOWN,
    MAX_DURATION_SETTING, MAX_LEEWAY,
};
/// The HTTP client crate (0.13) whose `Client` [`JwksVerifierBuilder::http_client`] takes.
pub use reqwest;
pub use status::{FetchOutcome, JwksStatus, KeySetState, LastFetch, TokenCacheStats};
pub use verifier::JwksVerifier;
