//! Integration tests of `stack-auth-cli`, one module per concern, built as one test binary (one link
//! instead of one per file: faster CI and a fraction of the disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod env;
mod help;
mod inspect;
mod serve_mint_jwks;
mod serve_server_apis;
mod server_api_commands;
mod verify_headers;
mod verify_interop;
mod verify_served;
