//! The documented defaults and limits of every [`JwksVerifierBuilder`](crate::JwksVerifierBuilder)
//! setting.

use std::time::Duration;

pub use stack_auth_core::MAX_DURATION_SETTING;

/// The default clock-skew allowance on `exp`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);
/// Largest leeway accepted (Stack Auth tokens live 10 minutes).
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);
/// Default floor of a key set's freshness, whatever `Cache-Control` says.
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(60);
/// Default ceiling of a key set's freshness (Stack Auth sends `max-age=3600`); also the
/// freshness when the response has no `max-age`.
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(600);
/// Default margin before expiry at which a verification starts a background refresh (at most
/// half the freshness lifetime is used).
pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(60);
/// Default minimum interval between two refetches caused by unknown `kid`s.
pub const DEFAULT_UNKNOWN_KID_COOLDOWN: Duration = Duration::from_secs(30);
/// Default time a key set keeps serving past its freshness while refreshes fail.
pub const DEFAULT_STALE_IF_ERROR: Duration = Duration::from_secs(3600);
/// Default minimum interval between fetch attempts after a failed one (a longer `Retry-After`
/// from the server wins).
pub const DEFAULT_RETRY_AFTER_ERROR: Duration = Duration::from_secs(5);
/// Default TCP/TLS connect timeout of the built-in HTTP client.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Default deadline for a whole JWKS fetch (connect, headers and body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default cap on the JWKS response body (Stack Auth's is under 1 KiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Default number of verified tokens remembered.
pub const DEFAULT_TOKEN_CACHE_CAPACITY: u64 = 10_000;
/// Default longest time a verdict is remembered (never past the token's `exp`).
pub const DEFAULT_TOKEN_CACHE_TTL: Duration = Duration::from_secs(300);
/// Default longest lifetime of the project's access tokens: Stack Auth's 10 minutes. A user
/// deleted or a session ended (an [`Eviction`](stack_auth_core::Eviction)) is refused for this
/// long plus the leeway, by when every token minted before has expired.
pub const DEFAULT_MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(600);
