//! Session liveness (PROTOCOL §10.4): the [`SessionChecker`] trait a session policy takes, and
//! the [`SessionLiveness`] it answers.
//!
//! Stack Auth keeps accepting an access token after its session ended (signed out, deleted,
//! ended by a password change) until the token expires (§10.4.4); a backend that wants to
//! refuse it sooner asks whether the token's session (`refresh_token_id`) is still listed. The
//! REST crate's `Sessions` asks Stack Auth's session list and caches the answer briefly; the
//! composite crate's `SessionChecked` refuses tokens of ended sessions with it.

use std::fmt;

use crate::{forward::forwarded_trait, Unavailable, VerifyError};

/// Whether a session is still alive, as far as the checker can tell.
///
/// Stack Auth's answer is three-way (listed, not listed, could not be asked); a checker that
/// remembers what it saw splits "not listed" in two: [`Ended`](SessionLiveness::Ended) when it
/// saw the session listed before (or was told it ended), [`NotListed`](SessionLiveness::NotListed)
/// when it never did. The difference matters because a server key never sees impersonation
/// sessions listed (PROTOCOL §10.4.2): their tokens are always `NotListed`, never `Ended`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SessionLiveness {
    /// Stack Auth lists the session: it is alive.
    Alive,
    /// Not listed any more, and known to have existed: listed when the checker asked earlier,
    /// or an [`Eviction::SessionEnded`](crate::Eviction::SessionEnded) said it ended. Its
    /// tokens should be refused.
    Ended,
    /// Not listed, and never seen listed: a session that ended before the checker first asked,
    /// or an impersonation session (which a server key never sees listed). The two cannot be
    /// told apart.
    NotListed,
    /// Stack Auth could not be asked (circuit open, timeout, 5xx, rate limited): why.
    Unknown(Unavailable),
}

impl SessionLiveness {
    /// The stable snake_case label: `alive`, `ended`, `not_listed`, `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SessionLiveness::Alive => "alive",
            SessionLiveness::Ended => "ended",
            SessionLiveness::NotListed => "not_listed",
            SessionLiveness::Unknown(_) => "unknown",
        }
    }

    /// Whether Stack Auth lists the session now.
    pub fn is_alive(&self) -> bool {
        matches!(self, SessionLiveness::Alive)
    }
}

impl fmt::Display for SessionLiveness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

forwarded_trait! {
    /// Answers whether a user's session is still alive (PROTOCOL §10.4). Implemented by
    /// `stack_auth_rest::Sessions`; taken by `stack_auth_composite::SessionChecked`. Object
    /// safe ([`DynSessionChecker`]) and forwarded for `&T`, `Box<T>` and `Arc<T>`.
    ///
    /// ```
    /// use stack_auth_core::{async_trait, SessionChecker, SessionLiveness, VerifyError};
    ///
    /// /// Every session alive but `gone` (a test double).
    /// #[derive(Debug)]
    /// struct AllButOne;
    ///
    /// #[async_trait]
    /// impl SessionChecker for AllButOne {
    ///     async fn session_liveness(
    ///         &self,
    ///         _user_id: &str,
    ///         session_id: &str,
    ///     ) -> Result<SessionLiveness, VerifyError> {
    ///         Ok(if session_id == "gone" { SessionLiveness::Ended } else { SessionLiveness::Alive })
    ///     }
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert!(AllButOne.session_liveness("u1", "s1").await.unwrap().is_alive());
    /// assert_eq!(AllButOne.session_liveness("u1", "gone").await.unwrap().as_str(), "ended");
    /// # });
    /// ```
    pub trait SessionChecker: Send, Sync, fmt::Debug {
        /// Whether session `session_id` (an access token's `refresh_token_id`) of user
        /// `user_id` is alive. When Stack Auth cannot be asked the answer is
        /// [`SessionLiveness::Unknown`], not an error.
        ///
        /// # Errors
        ///
        /// [`VerifyError::Misconfigured`] when the checker cannot work as configured (a wrong
        /// secret server key or project).
        async fn session_liveness(
            &self,
            user_id: &str,
            session_id: &str
        ) -> Result<SessionLiveness, VerifyError>;
    }
}

/// The type-erased session checker.
pub type DynSessionChecker = dyn SessionChecker;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{UnavailableKind, Upstream};

    #[derive(Debug)]
    struct Fixed(SessionLiveness);

    #[async_trait::async_trait]
    impl SessionChecker for Fixed {
        async fn session_liveness(&self, _: &str, _: &str) -> Result<SessionLiveness, VerifyError> {
            Ok(self.0.clone())
        }
    }

    /// Through the `&T` forwarding impl (and `Arc<T>`, `Box<T>` under it).
    async fn ask(checker: impl SessionChecker) -> Result<SessionLiveness, VerifyError> {
        checker.session_liveness("u", "s").await
    }

    #[tokio::test]
    async fn labels_and_forwarding() {
        let unknown = SessionLiveness::Unknown(Unavailable::new(
            Upstream::Api,
            UnavailableKind::CircuitOpen,
        ));
        let cases = [
            (SessionLiveness::Alive, "alive"),
            (SessionLiveness::Ended, "ended"),
            (SessionLiveness::NotListed, "not_listed"),
            (unknown, "unknown"),
        ];
        for (liveness, label) in cases {
            assert_eq!(liveness.to_string(), label);
            assert_eq!(liveness.is_alive(), label == "alive");
            let boxed: Box<DynSessionChecker> = Box::new(Fixed(liveness));
            let shared: Arc<DynSessionChecker> = Arc::from(boxed);
            let answer = ask(&shared).await.unwrap();
            assert_eq!(answer.as_str(), label);
        }
    }
}
