//! A faithful local Stack Auth stand-in ([`LocalStackAuth`]) and access-token minter
//! ([`TokenMinter`]), for testing code that verifies Stack Auth access tokens without the
//! internet.
//!
//! The stand-in derives its keys from a server secret exactly as Stack Auth does, mints tokens
//! with the real claims, issuer, audience and kids, and serves these routes (under `/api/v1`
//! and `/api/latest`) with the real headers, status codes, processing order and KnownErrors
//! (see `PROTOCOL.md`):
//!
//! | route | PROTOCOL |
//! |---|---|
//! | `GET /projects/{pid}/.well-known/jwks.json` (and the anonymous-issuer redirect) | §2 |
//! | `GET /users/me`, `GET /users/{user_id}`, `GET /users?team_id=` | §3, §10.1, §10.3.5 |
//! | `POST /user-api-keys/check`, `POST /team-api-keys/check`, `GET /user-api-keys`, `GET /team-api-keys` | §10.2 |
//! | `GET /teams?user_id=`, `GET /teams/{team_id}`, `POST`/`DELETE /team-memberships/{team}/{user}` | §10.3.5 |
//! | `GET /team-permissions`, `POST`/`DELETE /team-permissions/{team}/{user}/{id}` | §10.3.1 |
//! | `GET /project-permissions`, `POST`/`DELETE /project-permissions/{user}/{id}` | §10.3.2 |
//! | `GET /auth/sessions?user_id=`, `DELETE /auth/sessions/{id}`, `DELETE /auth/sessions/current` | §10.4 |
//!
//! Like the renamed service (Hexclave, PROTOCOL §9) it reads every request header under its
//! `x-hexclave-` name as under its `x-stack-` name and answers errors under both, so Stack
//! Auth's own JS server SDK works against it unchanged. Tests can create, update and delete
//! users (ids are UUIDs, as Stack Auth's schemas require), teams, permission grants, sessions
//! and API keys (in the real key format); rotate keys, count requests, inject faults, mint
//! tokens issued under another host ([`TokenBuilder::issuer_origin`]), and receive every
//! change as a signed Svix webhook (PROTOCOL §10.5) at an endpoint of their own.
//!
//! A test of your own handler:
//!
//! ```
//! use http::HeaderMap;
//! use stack_auth_core::{extract_token, TokenVerifier};
//! use stack_auth_testkit::{Breakage, LocalStackAuth, UserSpec};
//! # use stack_auth_core::{RefusalReason, ServerUser, VerifiedUser, VerifyError};
//! # /// Stands in for `stack_auth_jwks` / `stack_auth_rest` (this crate cannot depend on them).
//! # #[derive(Debug)]
//! # struct AskUsersMe(LocalStackAuth);
//! # #[async_trait::async_trait]
//! # impl TokenVerifier for AskUsersMe {
//! #     async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
//! #         let res = reqwest::Client::new().get(self.0.users_me_url())
//! #             .header("x-stack-access-type", "server")
//! #             .header("x-stack-project-id", self.0.project_id())
//! #             .header("x-stack-secret-server-key", self.0.secret_server_key().expose())
//! #             .header("x-stack-access-token", token).send().await;
//! #         let user = match res { Ok(r) if r.status() == 200 => r.json::<ServerUser>().await.ok(), _ => None };
//! #         let user = user.ok_or(VerifyError::refused(RefusalReason::Unparsable))?;
//! #         Ok(VerifiedUser::from_profile(self.0.project_id(), user))
//! #     }
//! # }
//! # async fn your_verifier(stack: LocalStackAuth) -> Result<AskUsersMe, Box<dyn std::error::Error>> { Ok(AskUsersMe(stack)) }
//!
//! /// Your handler: who is calling?
//! async fn whoami(verifier: &dyn TokenVerifier, headers: &HeaderMap) -> (u16, String) {
//!     let Ok(Some(token)) = extract_token(headers) else { return (401, "no token".into()) };
//!     match verifier.verify(token.as_str()).await {
//!         Ok(user) => (200, user.email().unwrap_or_default().to_owned()),
//!         Err(e) => (e.http_status(), e.reason_label().to_owned()),
//!     }
//! }
//!
//! // #[tokio::test]
//! async fn whoami_answers_with_the_callers_email() -> Result<(), Box<dyn std::error::Error>> {
//!     let stack = LocalStackAuth::start().await?;
//!     let ada = stack.create_user(UserSpec::normal().email("ada@example.com"))?;
//!     let (good, expired) = (stack.mint(&ada), stack.token(&ada).broken(Breakage::Expired).mint());
//!     // e.g. JwksVerifier::builder_with_config(stack.config()).build()? from stack-auth-jwks
//!     let verifier = your_verifier(stack).await?;
//!     let mut headers = HeaderMap::new();
//!     headers.insert("x-stack-access-token", good.parse()?);
//!     assert_eq!(whoami(&verifier, &headers).await, (200, "ada@example.com".to_owned()));
//!     headers.insert("x-stack-access-token", expired.parse()?);
//!     assert_eq!(whoami(&verifier, &headers).await.0, 401);
//!     Ok(())
//! }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(whoami_answers_with_the_callers_email())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To check a whole [`TokenVerifier`](stack_auth_core::TokenVerifier) implementation, run the
//! [`conformance`] suite against the stand-in.
//!
//! | module / type | what it is |
//! |---|---|
//! | [`LocalStackAuth`] | the stand-in server: projects, users, tokens, counts, faults, key rotation |
//! | [`ApiKeySpec`], [`CreatedApiKey`], [`ApiKey`], [`format_api_key`] | API keys in the real format (§10.2.4) |
//! | [`TeamSpec`], [`PermissionDefinition`], [`TEAM_SYSTEM_PERMISSIONS`] | teams, memberships and permissions with containment |
//! | [`Session`] | session rows: every minted token belongs to one |
//! | [`WebhookSecret`], [`SignedWebhook`], [`sign_webhook`], [`WebhookDelivery`] | signed webhook deliveries and their log |
//! | [`TokenMinter`], [`TokenBuilder`], [`Breakage`] | minting valid and deliberately broken tokens, no server needed |
//! | [`derive_keys`] | Stack Auth's key derivation (PROTOCOL §1.7), reproducing its kids and JWKs byte for byte |
//! | [`uuid_for_name`], [`is_uuid`] | user ids from names, and the UUID check Stack Auth's schemas make |
//! | [`conformance`] | the suite any verifier can run |
//! | [`InteropFixture`] | reads a directory of interop fixtures (cases and key sets) |
//! | [`RedisServer`] | a `redis-server` process of the test's own (127.0.0.1, no persistence) that can be killed, stopped and restarted, for the shared-cache and eviction-bus tests |
//! | [`eventually`], [`quantile`] | waiting for what happens in the background with a deadline (never a fixed sleep), and reporting delays |
//!
//! This crate has no cargo features. It depends on `stack-auth-core` only, never on the
//! verifier crates it measures: `stack-auth-jwks` (local JWT check), `stack-auth-rest`
//! (users/me) and `stack-auth-composite` test themselves against it.
//!
//! # External types
//!
//! Public signatures name these crates' types, deliberately:
//!
//! | crate | types | where |
//! |---|---|---|
//! | `serde_json` 1 | `Value` | [`TokenBuilder::extra_claim`], the metadata setters of [`UserSpec`] |
//! | `serde` 1 | `Serialize`, `Deserialize` (implemented) | [`PublicJwk`], [`PrivateJwk`] |

mod api_key;
mod breakage;
mod claims;
pub mod conformance;
mod error;
mod ids;
mod interop;
mod jose;
mod keys;
mod mint;
mod minter;
mod permission;
mod project;
mod redis_server;
mod server;
mod session;
mod team;
#[cfg(feature = "internal-tracing-capture")]
#[doc(hidden)]
pub mod tracing_capture;
mod users;
mod wait;
mod webhook;

pub use api_key::{format_api_key, ApiKey, ApiKeySpec, ApiKeyType, CreatedApiKey};
pub use breakage::Breakage;
pub use error::TestkitError;
pub use ids::{is_uuid, random_secret_server_key, random_uuid, uuid_for_name, TestClock};
pub use interop::InteropFixture;
pub use keys::{derive_keys, random_secret, DerivedKey, KeyScheme, PrivateJwk, PublicJwk};
pub use mint::{KeyChoice, TokenBuilder};
pub use minter::{TokenMinter, DEFAULT_TOKEN_LIFETIME};
pub use permission::{PermissionDefinition, PermissionScope, TEAM_SYSTEM_PERMISSIONS};
pub use project::ProjectSpec;
pub use redis_server::{RedisServer, RedisServerError};
pub use server::{
    Fault, FaultBody, LocalStackAuth, LocalStackAuthBuilder, RequestRecord, Route,
    DEFAULT_WEBHOOK_RETRY_DELAYS, DEFAULT_WEBHOOK_TIMEOUT, REDACTED_HEADERS,
};
pub use session::Session;
pub use team::TeamSpec;
pub use users::UserSpec;
pub use wait::{eventually, quantile, EVENTUALLY_WITHIN};
pub use webhook::{
    sign_webhook, DeliveryAttempt, DeliveryState, SignedWebhook, WebhookDelivery, WebhookHeaders,
    WebhookSecret,
};
