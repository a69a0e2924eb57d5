//! [`Endpoint`]: what one server-API endpoint's answers mean. The machinery
//! ([`ServerApi`](crate::ServerApi)) reads every answer the same way (status, rate limits, size
//! cap, KnownErrors, redirects); an endpoint says only what is its own: how to read its 200
//! body, which error codes are answers about the thing asked for, and what a plain-text client
//! error of its own means.

use stack_auth_core::VerifyError;

use crate::{error::RestError, known_error::KnownError};

/// One endpoint of Stack Auth's server API, as the machinery sees it.
pub(crate) trait Endpoint: Send + Sync {
    /// What a successful call yields.
    type Output: Clone + Send + Sync + 'static;

    /// The endpoint's name for logs (`users/me`, `users/{id}`, ...).
    fn name(&self) -> &'static str;

    /// Reads the body of a 200 answer.
    ///
    /// # Errors
    ///
    /// A [`RestError`] when the body is not what the endpoint answers (reported as an invalid
    /// response).
    fn parse(&self, body: &[u8]) -> Result<Self::Output, RestError>;

    /// What a KnownError this endpoint answers about the thing asked for means: an answer
    /// (`USER_NOT_FOUND` for a user by id: no such user) or a refusal (`API_KEY_REVOKED`).
    /// `None` leaves the code to the table every endpoint shares (authentication, project,
    /// schema, the caller's token).
    fn known(&self, _known: &KnownError) -> Option<Result<Self::Output, VerifyError>> {
        None
    }

    /// What a client error without a KnownError code (a plain-text body) means when the
    /// endpoint sends one of its own (the API key checks' "not enabled" 400); `None` leaves it
    /// to the shared rule (not Stack Auth answering: a misconfiguration naming the status).
    fn plain_client_error(&self, _status: u16, _text: &str) -> Option<VerifyError> {
        None
    }

    /// Whether a 200 JSON answer over the size cap concerns the one subject asked about (a
    /// profile whose metadata its user wrote: `ProfileTooLarge`, not counted by the breaker)
    /// rather than Stack Auth's health (`TooLarge`).
    fn oversize_is_about_the_subject(&self) -> bool {
        false
    }
}
