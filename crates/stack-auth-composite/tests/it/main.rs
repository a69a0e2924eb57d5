//! Integration tests of `stack-auth-composite`, one module per concern, built as one test binary (one link
//! instead of one per file: faster CI and a fraction of the disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod breaker_takeover;
mod evictions;
mod faults;
mod jwt_first;
mod metrics;
mod observability;
mod on_demand;
mod refuse_policy;
mod request_cap;
#[cfg(feature = "default-wiring")]
mod session_liveness;
mod session_policy;
mod stand_in;
mod tracing;
mod undecided;
mod unknown_key_budget;
