//! Integration tests of `stack-auth-rest`, one module per concern, built as one test binary (one link
//! instead of one per file: faster CI and a fraction of the disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod api_key_costs;
mod api_keys;
mod breaker_takeover;
mod concurrency_cap;
mod conformance;
mod error_table;
mod evict;
mod faults;
mod js_sdk;
mod metrics;
mod no_runtime;
mod observability;
mod permissions;
mod regressions;
mod resilience;
mod sessions;
mod shape_screen;
mod shared_sessions;
mod stand_in;
mod teams;
mod tracing;
mod users;
mod wire;
