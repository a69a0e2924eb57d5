//! Stack Auth for axum and any tower service: a [`StackUser`] extractor and a
//! [`StackAuthLayer`] that read the access token from the request, verify it with any
//! [`TokenVerifier`](stack_auth_core::TokenVerifier), and answer RFC 6750 errors when they must.
//!
//! ```
//! use std::sync::Arc;
//! use axum::{routing::get, Router};
//! use http::{Request, StatusCode};
//! use stack_auth_axum::{MaybeStackUser, StackAuth, StackUser};
//! use stack_auth_core::{test_util::StaticVerifier, RefusalReason, UserType, VerifiedUser};
//! use tower::ServiceExt;
//!
//! async fn me(user: StackUser) -> String {
//!     format!("hello {}", user.user_id())
//! }
//!
//! async fn home(MaybeStackUser(user): MaybeStackUser) -> &'static str {
//!     if user.is_some() { "welcome back" } else { "welcome" }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // In production: a JWKS, REST or composite verifier from the sibling crates.
//! let verifier = Arc::new(
//!     StaticVerifier::refuse(RefusalReason::BadSignature)
//!         .with_token("good-token", Ok(VerifiedUser::new("user-1", "p1", UserType::Normal, None))),
//! );
//! let app = Router::new()
//!     .route("/", get(home))
//!     .route("/me", get(me))
//!     .with_state(StackAuth::new(verifier));
//!
//! let request = Request::get("/me").header("authorization", "Bearer good-token").body(String::new())?;
//! let response = app.clone().oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let request = Request::get("/me").body(String::new())?;
//! let response = app.oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! assert_eq!(response.headers()["www-authenticate"], "Bearer");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! Where the verifier comes from:
//!
//! | setup | how |
//! |---|---|
//! | router state | `Router::with_state(StackAuth::new(verifier))`, or a [`StackAuth`] field of your state with `impl FromRef<AppState> for StackAuth` |
//! | a layer | `.layer(StackAuthLayer::new(verifier))`; the user is in the request extensions, and the extractors reuse it (a request is verified once per verifier, and a verdict is reused only where the asking route's token sources pick the same token) |
//! | per route | `StackAuthLayer::requiring(user_types)` behind an outer layer, or [`StackAuth::require`] |
//!
//! Routes that take API keys too use the [`StackPrincipal`] extractor with
//! [`StackAuth::api_keys`] and [`StackAuth::accept`] (access tokens only by default); routes
//! that need a permission take [`StackAuth::require_permission`] as a route layer, with a
//! [`StackAuth::permission_checker`] (a team from a path parameter or the user's selected team;
//! 403 `permission_denied` when it is missing).
//!
//! Errors follow the table on [`AuthRejection`]; replace it with an [`ErrorResponder`].
//!
//! # External types
//!
//! The crate plugs into axum 0.8 and tower 0.5, so its public signatures name their types,
//! deliberately: axum's `FromRequestParts`, `OptionalFromRequestParts`, `FromRef`,
//! `IntoResponse`, `response::Response` and `body::Body`; tower's `Layer` and `Service`; http 1's
//! `HeaderMap`, `HeaderValue`, `StatusCode`, `Request`, `Response` and `request::Parts`; the
//! `http_body::Body` and `bytes::Bytes` bounds on a service's request body.
//!
//! This crate has no features. The verifiers live in sibling crates: `stack-auth-jwks`,
//! `stack-auth-rest`, `stack-auth-composite`; `stack-auth-testkit` runs a local Stack Auth
//! stand-in; `stack-auth-core` holds the [`TokenVerifier`](stack_auth_core::TokenVerifier)
//! trait and the [`VerifiedUser`](stack_auth_core::VerifiedUser).

mod auth;
mod extract;
mod gated;
mod layer;
mod permission;
mod principal;
mod rejection;
mod responder;
mod verdict;

pub use auth::StackAuth;
pub use extract::{MaybeStackUser, StackUser};
pub use layer::{StackAuthLayer, StackAuthService};
pub use permission::{RequirePermissionLayer, RequirePermissionService};
pub use principal::StackPrincipal;
pub use rejection::{AuthRejection, DEFAULT_RETRY_AFTER};
pub use responder::ErrorResponder;
