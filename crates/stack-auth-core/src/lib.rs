//! The core of the Stack Auth Rust SDK: the [`TokenVerifier`] trait, the [`VerifiedUser`] every
//! strategy returns, the [`VerifyError`] that says what to do when verification fails, the shared
//! [`StackAuthConfig`], [`extract_token`] for reading a token from request headers, the
//! server-API traits the framework integrations take ([`ApiKeyVerifier`] with
//! [`VerifiedApiKey`] and the offline key check [`parse_api_key`]; [`PermissionChecker`];
//! [`SessionChecker`] with its [`SessionLiveness`]), the eviction trait every cache implements
//! ([`Evict`]), and [`framework`]: what the axum, actix-web and gRPC integrations share (the RFC 6750 rejection mapping, the verdict-reuse
//! rule, the credentials a route accepts and its permission requirement).
//!
//! ```
//! use stack_auth_core::{extract_token, RefusalReason, TokenVerifier, VerifyError};
//!
//! async fn authenticate(
//!     verifier: &dyn TokenVerifier,
//!     headers: &http::HeaderMap,
//! ) -> Result<String, VerifyError> {
//!     let token = extract_token(headers)
//!         .ok()
//!         .flatten()
//!         .ok_or(VerifyError::refused(RefusalReason::MissingToken))?;
//!     let user = verifier.verify(token.as_str()).await?;
//!     Ok(user.user_id().to_owned())
//! }
//! ```
//!
//! For writing verifiers (the SDK's strategies use them, so every strategy follows the same
//! rules): [`jws`] (the one unverified-JWS parser and the expiry rule), [`Clock`] (wall-clock
//! time), [`single_flight`] (concurrent callers share one piece of work), [`budget`] (how many
//! requests credentials nothing has vouched for may cost), [`observe`] (the
//! labels, span fields and timer every strategy reports), [`parse_retry_after`] and
//! [`ServiceUrl`] (the check every configured URL passes), [`breaker`] (skip a failing service
//! for a cool-off). The builders of the strategies share
//! one vocabulary (`timeout`, `token_cache_*`, `disable_token_cache`, [`MAX_DURATION_SETTING`]),
//! tabled in the repository's README.
//!
//! | feature | what it adds |
//! |---|---|
//! | `test-util` | test doubles: [`test_util::StaticVerifier`], [`test_util::FnVerifier`], [`test_util::RecordingVerifier`], [`test_util::StaticApiKeys`], [`test_util::StaticPermissions`], [`test_util::ManualClock`] |
//! | `metrics` | `metrics`: the SDK's metric series (the strategies' `metrics` features turn it on), for verifiers of your own too; [`observe::Timer`] measures |
//! | `tracing` | [`observe::record_outcome`] and [`observe::verification`]: the span fields (and metrics) every strategy records (the strategies turn it on) |
//!
//! # External types
//!
//! Public signatures name these crates' types, deliberately, and no others (never reqwest,
//! jsonwebtoken, moka or tokio, so the trait does not inherit their version churn):
//!
//! | crate | types | where |
//! |---|---|---|
//! | `http` 1 | `HeaderMap` | [`extract_token`], [`extract_token_from`], [`framework::RequestAuth`] |
//! | `serde_json` 1 | `Value`, `Map<String, Value>` | unknown claims and profile fields (`extra`), metadata fields of [`ServerUser`] and [`ServerTeam`], [`AccessTokenClaims::from_json_value`] |
//! | `serde` 1 | `Serialize`, `Deserialize` (implemented) | [`AccessTokenClaims`], [`ServerUser`], the error and user-type enums; [`VerifiedUser`] (`Serialize` only) |
//! | `async-trait` 0.1 | the `#[async_trait]` attribute, re-exported as [`async_trait`](macro@async_trait) | implementing [`TokenVerifier`] |
//! | `tracing` 0.1 | `Span` | [`observe`], feature `tracing` only |
//!
//! For caches: [`Evict`] and [`EvictionHub`] (how every cache of a process hears what went
//! stale), and [`SharedCache`] (a second-level cache the processes of a fleet share, keyed by
//! [`CacheKey`] digests and voided by [`CacheTag`]; `stack-auth-redis` implements it on Redis,
//! with an eviction bus that carries each [`Eviction`] to every process).
//!
//! Strategies live in sibling crates: `stack-auth-jwks` (local JWT check), `stack-auth-rest`
//! (users/me), `stack-auth-composite` (both); `stack-auth-testkit` runs a local Stack Auth
//! stand-in; `stack-auth` re-exports them behind features.

mod api_key;
pub mod breaker;
pub mod budget;
mod claims;
mod clock;
mod config;
mod error;
mod evict;
mod extract;
mod forward;
pub mod framework;
pub mod jws;
#[cfg(feature = "metrics")]
pub mod metrics;
pub mod observe;
mod permission;
mod profile;
mod raw_json;
mod retry_after;
mod secret;
mod session;
mod shared_cache;
pub mod single_flight;
mod user;
mod user_type;
mod verifier;

#[cfg(feature = "test-util")]
pub mod test_util;

pub use api_key::{
    looks_like_api_key, parse_api_key, ApiKeyFormatError, ApiKeyOwner, ApiKeyType, ApiKeyVerifier,
    DynApiKeyVerifier, ParsedApiKey, VerifiedApiKey, API_KEY_MARKER, MAX_API_KEY_LEN,
};
pub use async_trait::async_trait;
pub use claims::{AccessTokenClaims, MAIN_BRANCH};
pub use clock::{Clock, SystemClock};
pub use config::{
    ConfigError, ServiceUrl, StackAuthConfig, StackAuthConfigBuilder, CLOUD_HOST_PAIRS,
    DEFAULT_BASE_URL, MAX_DURATION_SETTING, MAX_PROJECT_ID_LEN,
};
pub use error::{
    MisconfigKind, Misconfiguration, Refusal, RefusalReason, SharedError, Unavailable,
    UnavailableKind, Upstream, VerifyError,
};
pub use evict::{Evict, Eviction, EvictionHub};
pub use extract::{
    extract_api_key, extract_token, extract_token_from, ApiKeyExtractError, ApiKeySource,
    ExtractError, ExtractedApiKey, ExtractedToken, TokenSource, TokenSources, MAX_TOKEN_LEN,
};
pub use permission::{
    check_permission_id, DynPermissionChecker, InvalidPermissionId, PermissionChecker,
    PermissionScope, TEAM_SYSTEM_PERMISSIONS,
};
pub use profile::{OAuthProvider, RiskScores, ServerTeam, ServerUser, SignUpRiskScores};
pub use raw_json::{RawJson, RawJsonError, MAX_JSON_DEPTH};
pub use retry_after::parse_retry_after;
pub use secret::{redact_token, SecretServerKey};
pub use session::{DynSessionChecker, SessionChecker, SessionLiveness};
pub use shared_cache::{
    CacheKey, CacheNamespace, CacheScope, CacheTag, DynSharedCache, SharedCache, SharedHit,
    CACHE_KEY_LEN, MAX_NAMESPACE_LEN,
};
pub use user::{ProfileLoader, ProfileStatus, VerifiedUser};
pub use user_type::{RestrictedReason, RestrictedReasonObject, UserType, UserTypes};
pub use verifier::{DynTokenVerifier, TokenVerifier};
