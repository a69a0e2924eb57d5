//! [`TestkitError`]: what can go wrong when setting up the stand-in or minting keys.

use std::borrow::Cow;

/// An error of the testkit's setup API (never of the code under test).
///
/// Its text never contains a server secret, a secret server key or a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestkitError {
    /// The server secret is not a base64url string (Stack Auth's only check on
    /// `STACK_SERVER_SECRET`).
    #[error("the server secret is not base64url")]
    InvalidSecret,
    /// A key cannot be derived for this audience (the legacy scheme forbids the audience `kid`,
    /// and a derived scalar outside the curve order is astronomically unlikely but typed).
    #[error("cannot derive a key for audience {audience:?}: {reason}")]
    KeyDerivation {
        /// The audience.
        audience: String,
        /// Why.
        reason: &'static str,
    },
    /// The project id or base URL is not usable (same rules as `stack_auth_core::StackAuthConfig`).
    #[error("invalid configuration: {0}")]
    Config(#[from] stack_auth_core::ConfigError),
    /// A project with this id already exists on the stand-in.
    #[error("project {0} already exists")]
    DuplicateProject(String),
    /// No project with this id exists on the stand-in.
    #[error("unknown project {0}")]
    UnknownProject(String),
    /// No user with this id exists on the stand-in.
    #[error("unknown user {0}")]
    UnknownUser(String),
    /// The user spec contradicts itself or the project (e.g. an email-not-verified user in a
    /// project that does not require verified emails).
    #[error("invalid user: {0}")]
    InvalidUser(Cow<'static, str>),
    /// No team with this id exists on the stand-in.
    #[error("unknown team {0}")]
    UnknownTeam(String),
    /// No API key with this id exists on the stand-in.
    #[error("unknown API key {0}")]
    UnknownApiKey(String),
    /// No session with this id exists on the stand-in.
    #[error("unknown session {0}")]
    UnknownSession(String),
    /// The team spec contradicts the project (e.g. a duplicate id, or a member that is not a
    /// user of the project).
    #[error("invalid team: {0}")]
    InvalidTeam(Cow<'static, str>),
    /// An API key cannot be created as specified (bad owner, secret part or id).
    #[error("invalid API key: {0}")]
    InvalidApiKey(Cow<'static, str>),
    /// A permission change the real server refuses: an unknown permission, one of the other
    /// scope, a bad id, a user who is not a member of the team, or a grant that does not exist.
    #[error("permission refused: {0}")]
    Permission(Cow<'static, str>),
    /// A webhook secret that is not `whsec_<base64>`.
    #[error("the webhook secret is not whsec_ followed by standard base64")]
    InvalidWebhookSecret,
    /// An interop fixture directory cannot be read (see
    /// [`InteropFixture`](crate::InteropFixture)).
    #[error("cannot read the interop fixture {path}: {reason}")]
    Fixture {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// Binding the local listener failed.
    #[error("could not start the local Stack Auth stand-in")]
    Bind(#[source] std::io::Error),
}
