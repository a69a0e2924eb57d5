//! Stack Auth for gRPC servers built on tonic: a tower [`StackAuthLayer`] that reads the access
//! token from a call's metadata, verifies it with any
//! [`TokenVerifier`](stack_auth_core::TokenVerifier), hands the
//! [`VerifiedUser`](stack_auth_core::VerifiedUser) to the handler, and refuses the gRPC way: a
//! trailers-only response with `UNAUTHENTICATED`, `PERMISSION_DENIED`, `UNAVAILABLE` or
//! `INTERNAL`, never an HTTP error a gRPC client would read as a transport failure.
//!
//! ```
//! use std::{convert::Infallible, sync::Arc};
//! use http::{Request, Response};
//! use stack_auth_core::{test_util::StaticVerifier, RefusalReason, UserType, VerifiedUser};
//! use stack_auth_tonic::StackAuthLayer;
//! use tower::{Layer, ServiceExt};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // In production: a JWKS, REST or composite verifier from the sibling crates.
//! let verifier = Arc::new(
//!     StaticVerifier::refuse(RefusalReason::BadSignature)
//!         .with_token("good-token", Ok(VerifiedUser::new("user-1", "p1", UserType::Normal, None))),
//! );
//! // Any gRPC server (`tonic::transport::Server::builder().layer(..)`), here a bare service.
//! let service = StackAuthLayer::new(verifier).layer(tower::service_fn(|request: Request<()>| async move {
//!     let user = request.extensions().get::<VerifiedUser>().map(|u| u.user_id().to_owned());
//!     Ok::<_, Infallible>(Response::new(tonic::body::Body::new(format!("{user:?}"))))
//! }));
//!
//! let call = |token: &str| {
//!     Request::post("/grpc.health.v1.Health/Check")
//!         .header("content-type", "application/grpc")
//!         .header("authorization", format!("Bearer {token}"))
//!         .body(())
//!         .unwrap()
//! };
//! let response = service.clone().oneshot(call("good-token")).await?;
//! assert!(response.headers().get("grpc-status").is_none()); // the service answered
//!
//! let response = service.oneshot(call("forged")).await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.headers()["grpc-status"], "16"); // UNAUTHENTICATED
//! assert_eq!(response.headers()["grpc-message"], "bad_signature:%20the%20access%20token%20is%20invalid");
//! # Ok::<(), Infallible>(())
//! # }).unwrap();
//! ```
//!
//! In a tonic handler the user is in the request extensions:
//! `request.extensions().get::<VerifiedUser>()`, or [`verified_user`]`(&request)?`. A layer
//! that [`accept`s](StackAuthLayer::accept) API keys ([`StackAuthLayer::api_keys`]) puts the
//! caller ([`principal`]) there too; [`StackAuthLayer::require_permission`] lets in only
//! users holding a permission (`PERMISSION_DENIED`, `permission_denied`, otherwise).
//!
//! | situation | `grpc-status` | HTTP status in the axum and actix-web crates |
//! |---|---|---|
//! | no token, an unreadable token header, a refused token | `UNAUTHENTICATED` (16) | 401 / 400 |
//! | user type not allowed, a required permission missing | `PERMISSION_DENIED` (7) | 403 |
//! | upstream unavailable | `UNAVAILABLE` (14), with `grpc-retry-pushback-ms` | 503 with `Retry-After` |
//! | verifier misconfigured | `INTERNAL` (13) | 500 |
//!
//! `grpc-message` is `<code>: <fixed sentence>` (e.g. `expired: the access token expired`), the
//! code and message of the HTTP crates' JSON body, never the token or a verifier's detail.
//! Replace the mapping with an [`ErrorResponder`]. Requests that are not gRPC calls (no
//! `content-type: application/grpc…`) get the HTTP answers of the axum crate instead.
//!
//! The token is read from the metadata an HTTP client would send as headers
//! (`authorization: Bearer …` and the other header sources of
//! [`extract_token`](stack_auth_core::extract_token)); cookies are not read unless
//! [`StackAuthLayer::token_sources`] adds them, because gRPC clients do not send the browser's
//! cookies.
//!
//! # External types
//!
//! The crate plugs into tonic 0.14 and tower 0.5, so its public signatures name their types,
//! deliberately: tonic's `Status`, `Request` and `body::Body`; tower's `Layer` and `Service`;
//! http 1's `Request` and `Response`; the `http_body::Body` and `bytes::Bytes` bounds on a
//! service's response body. It uses tonic without its default features (no transport, router
//! or codegen).
//!
//! This crate has no features. The verifiers live in sibling crates: `stack-auth-jwks`,
//! `stack-auth-rest`, `stack-auth-composite`; `stack-auth-testkit` runs a local Stack Auth
//! stand-in; `stack-auth-core` holds the [`TokenVerifier`](stack_auth_core::TokenVerifier)
//! trait; `stack-auth-axum` and `stack-auth-actix` are the HTTP integrations.

mod layer;
mod status;
mod user;

pub use layer::{StackAuthLayer, StackAuthService};
pub use status::{default_status, ErrorResponder};
pub use user::{principal, verified_user};
