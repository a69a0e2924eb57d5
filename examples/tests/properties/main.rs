//! Property tests (issue 10), built as one test binary: token verification and JWKS documents
//! (`jwks`), and users/me response handling (`users_me`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod jwks;
mod users_me;
