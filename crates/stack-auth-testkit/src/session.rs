//! [`Session`]: a refresh-token row of the stand-in (PROTOCOL §10.4).

/// A session: the refresh-token row whose id every access token of the session carries as
/// `refresh_token_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Session {
    /// The session id (= the tokens' `refresh_token_id`).
    pub id: String,
    /// The user it belongs to.
    pub user_id: String,
    /// Creation time, Unix milliseconds.
    pub created_at_millis: i64,
    /// Last token minted from it, Unix milliseconds.
    pub last_used_at_millis: i64,
    /// Whether it is an impersonation session (listed for admin access only).
    pub is_impersonation: bool,
}
