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
//! | (always) | `TokenVerifier`, `VerifiedUser`, `VerifyError`, config, `extract_token`, `framework` (what the framework integrations share) | `stack-auth-core`, re-exported at the root |
//! | `jwks` | `jwks`: local JWT verification against the project's JWKS | `stack-auth-jwks` |
//! | `rest` | `rest`: verification through `GET /api/v1/users/me`, with the full profile | `stack-auth-rest` |
//! | `composite` | `composite`: JWT first, REST for the profile (enables `jwks` and `rest`) | `stack-auth-composite` |
//! | `testkit` | `testkit`: the local Stack Auth stand-in and token minter | `stack-auth-testkit` |
//! | `axum` | `axum`: `StackUser` / `MaybeStackUser` extractors and `StackAuthLayer` | `stack-auth-axum` |
//! | `actix` | `actix`: `StackUser` / `MaybeStackUser` extractors and `StackAuthMiddleware` for actix-web | `stack-auth-actix` |
//! | `tonic` | `tonic`: `StackAuthLayer` for gRPC servers (tonic), refusing with gRPC statuses | `stack-auth-tonic` |
//! | `test-util` | `test_util`: `StaticVerifier`, `FnVerifier`, `RecordingVerifier` | `stack-auth-core` |
//! | `metrics` | counters and histograms (verifications, cache, upstream requests and errors) through the `metrics` facade, in the enabled verifiers; adds nothing on its own | `stack-auth-jwks`, `stack-auth-rest`, `stack-auth-composite` |
//! | `aws_lc_rs` (default) | ECDSA through aws-lc in `jwks` | `stack-auth-jwks` |
//! | `rust_crypto` | ECDSA through the pure-Rust RustCrypto crates in `jwks` (slower) | `stack-auth-jwks` |
//! | `rustls` (default) | HTTPS through rustls (aws-lc-rs crypto, the platform's certificate verifier) in `jwks` and `rest` | `stack-auth-jwks`, `stack-auth-rest` |
//! | `native-tls` | HTTPS through the platform's TLS library (OpenSSL on Linux) in `jwks` and `rest` | `stack-auth-jwks`, `stack-auth-rest` |
//! | `native-tls-vendored` | `native-tls` with OpenSSL compiled from source | `stack-auth-jwks`, `stack-auth-rest` |
//!
//! `cargo add stack-auth -F composite` is all most servers need. Without aws-lc:
//! `default-features = false, features = ["composite", "rust_crypto", "native-tls"]`.
//!
//! Each re-exported crate lists the other crates' types its public signatures name (its
//! "External types" section): `http`, `serde_json`, `serde` and `async-trait` in core;
//! `reqwest` in `jwks` and `rest`, re-exported as `jwks::reqwest` and `rest::reqwest`; axum,
//! tower and http in `axum`; actix-web in `actix`; tonic, tower and http in `tonic`;
//! `serde_json`, `serde` and `tracing` in `testkit`.

pub use stack_auth_core::*;

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
