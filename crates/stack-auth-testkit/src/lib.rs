//! A faithful local Stack Auth stand-in server and access-token minter, for testing code that
//! verifies Stack Auth access tokens.
//!
//! TODO(docs): example written once the server exists.

mod breakage;
mod claims;
mod error;
mod ids;
mod jose;
mod keys;
mod mint;
mod minter;
mod project;
mod server;
mod users;

pub use breakage::Breakage;
pub use error::TestkitError;
pub use ids::{random_secret_server_key, random_uuid, TestClock};
pub use keys::{derive_keys, random_secret, DerivedKey, KeyScheme, PrivateJwk, PublicJwk};
pub use mint::{KeyChoice, TokenBuilder};
pub use minter::{TokenMinter, DEFAULT_TOKEN_LIFETIME};
pub use project::ProjectSpec;
pub use server::{
    Fault, FaultBody, LocalStackAuth, LocalStackAuthBuilder, RequestRecord, Route, REDACTED_HEADERS,
};
pub use users::UserSpec;
