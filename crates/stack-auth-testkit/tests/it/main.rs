//! Integration tests of `stack-auth-testkit`, one module per concern, built as one test binary (one link
//! instead of one per file: faster CI and a fraction of the disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod api_keys;
mod conformance;
mod control;
mod derivation;
mod hexclave;
mod independent_jwt;
mod js_sdk;
mod js_sdk_server_api;
mod jwks_route;
mod permission_grants;
mod permissions;
mod sessions;
mod teams;
mod users_me_errors;
mod users_me_ok;
mod webhooks;
