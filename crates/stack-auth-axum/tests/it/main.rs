//! Integration tests of `stack-auth-axum`, one module per concern, built as one test binary (one link
//! instead of one per file: faster CI and a fraction of the disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod api_keys;
mod csrf;
mod errors;
mod extraction;
mod layer;
mod optional;
mod permissions;
mod responder;
