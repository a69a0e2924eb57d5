//! Verify Stack Auth access tokens in Rust with one dependency: this crate re-exports the
//! `stack-auth-*` crates behind features and adds no logic of its own.
//!
//! ```
//! use stack_auth::{StackAuthConfig, UserType};
//!
//! let config = StackAuthConfig::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e")
//!     .accept(UserType::Restricted)
//!     .build()?;
//! assert_eq!(config.audience(UserType::Restricted), "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e:restricted");
//! # Ok::<(), stack_auth::ConfigError>(())
//! ```
//!
//! | feature | adds | crate |
//! |---|---|---|
//! | (always) | `TokenVerifier`, `VerifiedUser`, `VerifyError`, config, `Clock`, `extract_token`, `ApiKeyVerifier` and `VerifiedApiKey`, `PermissionChecker`, `framework` (what the framework integrations share) | `stack-auth-core`, re-exported at the root (an explicit list; the helpers for writing verifiers, `jws`, `single_flight`, `budget`, `observe`, are in `stack-auth-core`) |
//! | `jwks` | `jwks`: local JWT verification against the project's JWKS | `stack-auth-jwks` |
//! | `rest` | `rest`: verification through `GET /api/v1/users/me`, with the full profile; the server API (`ServerApi`): users by id, API keys, permissions, teams | `stack-auth-rest` |
//! | `composite` | `composite`: JWT first, REST for the profile (enables `jwks` and `rest`) | `stack-auth-composite` |
//! | `testkit` | `testkit`: the local Stack Auth stand-in and token minter | `stack-auth-testkit` |
//! | `axum` | `axum`: `StackUser` / `MaybeStackUser` / `StackPrincipal` extractors, `StackAuthLayer` and the permission guard | `stack-auth-axum` |
//! | `actix` | `actix`: `StackUser` / `MaybeStackUser` / `StackPrincipal` extractors, `StackAuthMiddleware` and the permission guard for actix-web | `stack-auth-actix` |
//! | `tonic` | `tonic`: `StackAuthLayer` for gRPC servers (tonic), refusing with gRPC statuses, with API keys and a permission guard | `stack-auth-tonic` |
//! | `redis` | `redis`: a cache the servers of a fleet share and an eviction bus, on Redis | `stack-auth-redis` |
//! | `webhooks` | `webhooks`: `WebhookReceiver`, verified Stack Auth webhooks whose events evict the verifiers' caches; with `axum` or `actix`, the `StackWebhook` extractor for them | `stack-auth-webhooks` |
//! | `test-util` | `test_util`: `StaticVerifier`, `FnVerifier`, `RecordingVerifier`, `StaticApiKeys`, `StaticPermissions`, `ManualClock`, `MemorySharedCache` | `stack-auth-core` |
//! | `metrics` | counters and histograms (verifications, cache, upstream requests and errors) through the `metrics` facade, in the enabled verifiers (and the shared cache and eviction bus with `redis`); `metrics`, to record the same series from verifiers of your own | `stack-auth-jwks`, `stack-auth-rest`, `stack-auth-composite`, `stack-auth-redis` |
//! | `aws_lc_rs` (default) | ECDSA through aws-lc in `jwks` | `stack-auth-jwks` |
//! | `rust_crypto` | ECDSA through the pure-Rust RustCrypto crates in `jwks` (slower) | `stack-auth-jwks` |
//! | `rustls` (default) | HTTPS through rustls (aws-lc-rs crypto, the platform's certificate verifier) in `jwks` and `rest`, `rediss://` in `redis` | `stack-auth-jwks`, `stack-auth-rest`, `stack-auth-redis` |
//! | `native-tls` | HTTPS through the platform's TLS library (OpenSSL on Linux) in `jwks` and `rest` | `stack-auth-jwks`, `stack-auth-rest` |
//! | `native-tls-vendored` | `native-tls` with OpenSSL compiled from source | `stack-auth-jwks`, `stack-auth-rest` |
//!
//! `cargo add stack-auth -F composite` is all most servers need. Without aws-lc:
//! `default-features = false, features = ["composite", "rust_crypto", "native-tls"]`.
//!
//! Each re-exported crate lists the other crates' types its public signatures name (its
//! "External types" section): `http`, `serde_json`, `serde` and `async-trait` in core;
//! `reqwest` in `jwks` and `rest`, re-exported as `jwks::reqwest` and `rest::reqwest`; axum,
//! tower and http in `axum`; actix-web in `actix`; tonic, tower and http in `tonic`; core's
//! traits only in `redis`; `serde_json` and `serde` in `testkit`; http (and the framework's
//! types, with `axum` or `actix`) in `webhooks`.

// An explicit list, so a new item of core is a decision here, not an accident. Core's
// verifier-implementation helpers (`jws`, `single_flight`, `observe`, `parse_retry_after`) are
// used from `stack-auth-core` directly.
pub use stack_auth_core::{
    async_trait, check_permission_id, extract_api_key, extract_token, extract_token_from,
    looks_like_api_key, parse_api_key, redact_token, AccessTokenClaims, ApiKeyExtractError,
    ApiKeyFormatError, ApiKeyOwner, ApiKeySource, ApiKeyType, ApiKeyVerifier, CacheKey,
    CacheNamespace, CacheTag, Clock, ConfigError, DynApiKeyVerifier, DynPermissionChecker,
    DynSharedCache, DynTokenVerifier, Evict, Eviction, EvictionHub, ExtractError, ExtractedApiKey,
    ExtractedToken, InvalidPermissionId, MisconfigKind, Misconfiguration, OAuthProvider,
    ParsedApiKey, PermissionChecker, PermissionScope, ProfileLoader, ProfileStatus, RawJson,
    RawJsonError, Refusal, RefusalReason, RestrictedReason, RestrictedReasonObject, RiskScores,
    SecretServerKey, ServerTeam, ServerUser, ServiceUrl, SharedCache, SharedError, SharedHit,
    SignUpRiskScores, StackAuthConfig, StackAuthConfigBuilder, SystemClock, TokenSource,
    TokenSources, TokenVerifier, Unavailable, UnavailableKind, Upstream, UserType, UserTypes,
    VerifiedApiKey, VerifiedUser, VerifyError, API_KEY_MARKER, CACHE_KEY_LEN, CLOUD_HOST_PAIRS,
    DEFAULT_BASE_URL, MAIN_BRANCH, MAX_API_KEY_LEN, MAX_DURATION_SETTING, MAX_JSON_DEPTH,
    MAX_NAMESPACE_LEN, MAX_PROJECT_ID_LEN, MAX_TOKEN_LEN, TEAM_SYSTEM_PERMISSIONS,
};

/// What the framework integrations share: the RFC 6750 mapping and the verdict-reuse rule.
#[doc(inline)]
pub use stack_auth_core::framework;

/// The SDK's metric series (feature `metrics`), for verifiers of your own too.
#[cfg(feature = "metrics")]
#[doc(inline)]
pub use stack_auth_core::metrics;

/// Test doubles (feature `test-util`).
#[cfg(feature = "test-util")]
#[doc(inline)]
pub use stack_auth_core::test_util;

#[cfg(feature = "jwks")]
#[doc(inline)]
pub use stack_auth_jwks as jwks;

#[cfg(feature = "rest")]
#[doc(inline)]
pub use stack_auth_rest as rest;

#[cfg(feature = "composite")]
#[doc(inline)]
pub use stack_auth_composite as composite;

#[cfg(feature = "testkit")]
#[doc(inline)]
pub use stack_auth_testkit as testkit;

#[cfg(feature = "axum")]
#[doc(inline)]
pub use stack_auth_axum as axum;

#[cfg(feature = "actix")]
#[doc(inline)]
pub use stack_auth_actix as actix;

#[cfg(feature = "tonic")]
#[doc(inline)]
pub use stack_auth_tonic as tonic;

#[cfg(feature = "redis")]
#[doc(inline)]
pub use stack_auth_redis as redis;

#[cfg(feature = "webhooks")]
#[doc(inline)]
pub use stack_auth_webhooks as webhooks;
