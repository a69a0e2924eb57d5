//! Integration tests of `stack-auth-webhooks`, one module per concern, in one test binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod actix_extractor;
mod axum_extractor;
mod caches_that_listen;
mod end_to_end;
mod receiver;
mod vectors;
