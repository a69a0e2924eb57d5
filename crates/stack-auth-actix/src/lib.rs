//! Stack Auth for actix-web: [`StackUser`] and [`MaybeStackUser`] extractors and a
//! [`StackAuthMiddleware`] that read the access token from the request, verify it with any
//! [`TokenVerifier`](stack_auth_core::TokenVerifier), and answer RFC 6750 errors when they must,
//! exactly as the axum crate does.
//!
//! ```
//! use std::sync::Arc;
//! use actix_web::{http::StatusCode, test, web, App};
//! use stack_auth_actix::{MaybeStackUser, StackAuth, StackUser};
//! use stack_auth_core::{test_util::StaticVerifier, RefusalReason, UserType, VerifiedUser};
//!
//! async fn me(user: StackUser) -> String {
//!     format!("hello {}", user.user_id())
//! }
//!
//! async fn home(MaybeStackUser(user): MaybeStackUser) -> &'static str {
//!     if user.is_some() { "welcome back" } else { "welcome" }
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! // In production: a JWKS, REST or composite verifier from the sibling crates.
//! let verifier = Arc::new(
//!     StaticVerifier::refuse(RefusalReason::BadSignature)
//!         .with_token("good-token", Ok(VerifiedUser::new("user-1", "p1", UserType::Normal, None))),
//! );
//! let app = test::init_service(
//!     App::new()
//!         .app_data(StackAuth::new(verifier))
//!         .route("/", web::get().to(home))
//!         .route("/me", web::get().to(me)),
//! )
//! .await;
//!
//! let request = test::TestRequest::get().uri("/me").insert_header(("authorization", "Bearer good-token"));
//! let response = test::call_service(&app, request.to_request()).await;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let response = test::call_service(&app, test::TestRequest::get().uri("/me").to_request()).await;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! assert_eq!(response.headers().get("www-authenticate").unwrap(), "Bearer");
//! # });
//! ```
//!
//! Where the verifier comes from:
//!
//! | setup | how |
//! |---|---|
//! | app data | `App::app_data(StackAuth::new(verifier))` (or `web::Data<StackAuth>`; a scope's own `app_data` overrides the app's) |
//! | a middleware | `.wrap(StackAuthMiddleware::new(verifier))`; the user is in the request extensions (`web::ReqData<VerifiedUser>`), and the extractors reuse it (a request is verified once per verifier, and a verdict is reused only where the asking route's token sources pick the same token) |
//! | per scope or resource | `.wrap(StackAuthMiddleware::requiring(user_types))` behind an outer middleware, or [`StackAuth::require`] |
//!
//! Routes that take API keys too use the [`StackPrincipal`] extractor with
//! [`StackAuth::api_keys`] and [`StackAuth::accept`] (access tokens only by default); routes
//! that need a permission wrap [`StackAuth::require_permission`] (a team from a path parameter,
//! a header or the user's selected team; 403 `permission_denied` when it is missing).
//!
//! Errors follow the table on [`AuthRejection`] (the axum crate's, from core's
//! [`Rejection`](stack_auth_core::framework::Rejection)); replace it with an [`ErrorResponder`].
//! For optional authentication take [`MaybeStackUser`], never `Option<StackUser>`: actix-web
//! turns every extractor error into `None` for `Option<T>`, which would treat a refused token
//! as no token.
//!
//! Routes that must not accept the ambient `hexclave-access` and `stack-access` cookies
//! (cross-site request forgery) read the headers only:
//! `.token_sources(TokenSources::HEADERS_ONLY)` on their middleware or app data. Behind a
//! middleware that reads every source, such a route reuses its verdict only when it was reached
//! on the same header token, and otherwise reads the headers itself. `web::ReqData<VerifiedUser>`
//! holds what the innermost middleware decided (actix-web reads it when the handler's
//! extractors are created, before they run), so a handler that takes it gets the headers-only
//! limit from a middleware (`StackAuthMiddleware::requiring(..).token_sources(..)`), not from
//! app data.
//!
//! # External types
//!
//! The crate plugs into actix-web 4, so its public signatures name its types, deliberately:
//! `FromRequest`, `HttpRequest`, `HttpResponse`, `ResponseError`, `Error`, the
//! `dev::{Transform, Service, ServiceRequest, ServiceResponse, Payload}` middleware types,
//! `body::{EitherBody, MessageBody}` and its `http` 0.2 re-exports (`StatusCode`, `HeaderMap`,
//! `HeaderValue`).
//!
//! This crate has no features, and uses actix-web without its default features (no
//! compression, cookies, HTTP/2 or macros are needed to authenticate). The verifiers live in
//! sibling crates: `stack-auth-jwks`, `stack-auth-rest`, `stack-auth-composite`;
//! `stack-auth-testkit` runs a local Stack Auth stand-in; `stack-auth-core` holds the
//! [`TokenVerifier`](stack_auth_core::TokenVerifier) trait and the
//! [`VerifiedUser`](stack_auth_core::VerifiedUser); `stack-auth-axum` and `stack-auth-tonic`
//! are the axum and gRPC integrations.

mod auth;
mod extract;
mod headers;
mod middleware;
mod permission;
mod principal;
mod rejection;
mod responder;
mod verdict;

pub use auth::StackAuth;
pub use extract::{MaybeStackUser, StackUser};
pub use middleware::{StackAuthMiddleware, StackAuthService};
pub use permission::{RequirePermission, RequirePermissionService};
pub use principal::StackPrincipal;
pub use rejection::{AuthRejection, DEFAULT_RETRY_AFTER};
pub use responder::ErrorResponder;
