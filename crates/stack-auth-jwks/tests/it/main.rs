//! Integration tests of `stack-auth-jwks`, one module per concern, built as one test binary (one link
//! instead of one per file: faster CI and a fraction of the disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod cache_control;
mod caching;
mod claims;
mod evictions;
mod faults;
mod hardening;
mod interop;
mod issuers;
mod metrics;
mod observability;
mod runtime_shutdown;
mod shared_revocations;
mod static_jwks;
mod token_cache;
mod unknown_kid_backoff;
mod wall_clock_steps;
