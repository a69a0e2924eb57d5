//! Integration tests of `stack-auth-core`, one module per concern, built as one test binary (one link
//! instead of one per file: faster CI and a fraction of the disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod forwarding;
mod interop_claims;
mod profile_content;
mod profile_raw;
mod properties;
mod verified_user;
