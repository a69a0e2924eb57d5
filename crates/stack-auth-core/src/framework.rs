//! Request authentication for framework integrations: what the axum, actix-web and gRPC crates
//! share, so that each renders the same answers and follows the same reuse rule.
//!
//! - [`Rejection`]: why a request is not let in, with the RFC 6750 mapping (status,
//!   `WWW-Authenticate`, JSON body, `Retry-After`) as plain numbers and strings;
//! - [`RequestAuth`]: a verifier, the user types let in and the token sources, and the
//!   procedure that reads a request's token, reuses an earlier [verdict](Verdicts) where that is
//!   sound, or verifies;
//! - [`Verdicts`]: the verdicts of one request, kept in its extensions by the integration;
//! - [`Outcome`]: what one configuration found;
//! - [`CredentialAuth`]: routes that accept API keys too ([`Credentials`]), and who sent the
//!   request ([`Principal`]);
//! - [`RequiredPermission`]: a route's permission requirement and its check (403
//!   `permission_denied`), with the team from a [`TeamSource`].
//!
//! None of it names a framework type: an integration converts the request headers to an
//! `http::HeaderMap` (the type [`extract_token`](crate::extract_token) reads) and renders the
//! [`Rejection`] with its own response type. Writing an integration for another framework
//! starts here; application code uses the integrations.
//!
//! ```
//! use std::sync::Arc;
//! use http::HeaderMap;
//! use stack_auth_core::{
//!     async_trait, framework::RequestAuth, RefusalReason, TokenVerifier, VerifiedUser, VerifyError,
//! };
//!
//! #[derive(Debug)]
//! struct Expired;
//!
//! #[async_trait]
//! impl TokenVerifier for Expired {
//!     async fn verify(&self, _token: &str) -> Result<VerifiedUser, VerifyError> {
//!         Err(VerifyError::refused(RefusalReason::Expired))
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let auth = RequestAuth::new(Arc::new(Expired));
//! let mut headers = HeaderMap::new();
//! headers.insert("authorization", "Bearer eyJ.a.b".parse().unwrap());
//! let rejection = auth.authenticate(&headers).await.unwrap_err();
//! assert_eq!((rejection.status(), rejection.code()), (401, "expired"));
//! assert_eq!(rejection.json_body(), r#"{"error":"expired","message":"the access token expired"}"#);
//! # });
//! ```

mod credentials;
mod guard;
mod outcome;
mod rejection;
mod request_auth;
mod verdicts;

pub use credentials::{CredentialAuth, Credentials, Principal};
pub use guard::{RequiredPermission, TeamSource};
pub use outcome::Outcome;
pub use rejection::{Rejection, DEFAULT_RETRY_AFTER};
pub use request_auth::RequestAuth;
pub use verdicts::Verdicts;

#[cfg(test)]
mod credential_tests;
#[cfg(test)]
mod tests;
