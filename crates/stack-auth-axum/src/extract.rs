//! The [`StackUser`] and [`MaybeStackUser`] extractors.

use std::ops::Deref;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use stack_auth_core::VerifiedUser;

use crate::{AuthRejection, StackAuth};

/// Extracts the verified user of the request, or rejects it with an [`AuthRejection`].
///
/// The token is read with the core extraction rules
/// ([`extract_token`](stack_auth_core::extract_token): `x-hexclave-access-token` /
/// `x-stack-access-token`, `Authorization: Bearer` with the official client's
/// `stackauth_`/`hexclave_` auth JSON or a bare token, `x-stack-auth`, the `hexclave-access`
/// then `stack-access` cookie) from the sources the [`StackAuth`] allows, and verified with the
/// [`StackAuth`] of the router state. When a [`StackAuthLayer`](crate::StackAuthLayer) or another
/// extractor already authenticated the request with the same verifier (or the state is
/// [`StackAuth::from_layer`](crate::StackAuth::from_layer)), its verdict is reused: a request
/// is verified once per verifier. A verdict is reused only if the state's
/// [token sources](crate::StackAuth::token_sources) pick the very token it was reached on
/// (a headers-only state never takes a verdict reached with the `stack-access` cookie). A
/// router without state (`Router<()>`) must have a `StackAuthLayer` in front of the handler;
/// without one the extractor answers 500 `misconfigured`.
///
/// `Option<StackUser>` behaves like [`MaybeStackUser`].
///
/// ```
/// use axum::{routing::get, Router};
/// use stack_auth_axum::StackUser;
///
/// async fn me(user: StackUser) -> String {
///     format!("hello {}", user.user_id())
/// }
///
/// # fn app(auth: stack_auth_axum::StackAuth) -> Router {
/// Router::new().route("/me", get(me)).with_state(auth)
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StackUser(pub VerifiedUser);

/// Extracts the verified user if the request sent a token, `None` if it sent none.
///
/// A token that is sent but cannot be read or is refused is still rejected (a client with a bad
/// token must learn that it is bad, not be silently treated as anonymous).
///
/// ```
/// use stack_auth_axum::MaybeStackUser;
///
/// async fn greet(MaybeStackUser(user): MaybeStackUser) -> String {
///     match user {
///         Some(user) => format!("hello {}", user.user_id()),
///         None => "hello stranger".to_owned(),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MaybeStackUser(pub Option<VerifiedUser>);

impl StackUser {
    /// The verified user.
    pub fn into_inner(self) -> VerifiedUser {
        self.0
    }
}

impl Deref for StackUser {
    type Target = VerifiedUser;

    fn deref(&self) -> &VerifiedUser {
        &self.0
    }
}

impl MaybeStackUser {
    /// The verified user, if a token was sent.
    pub fn into_inner(self) -> Option<VerifiedUser> {
        self.0
    }
}

impl<S> FromRequestParts<S> for StackUser
where
    S: Send + Sync,
    StackAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = StackAuth::from_ref(state);
        let user = auth
            .required_user(&parts.headers, &mut parts.extensions)
            .await?;
        Ok(StackUser(user))
    }
}

impl<S> OptionalFromRequestParts<S> for StackUser
where
    S: Send + Sync,
    StackAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let auth = StackAuth::from_ref(state);
        let user = auth
            .optional_user(&parts.headers, &mut parts.extensions)
            .await?;
        Ok(user.map(StackUser))
    }
}

impl<S> FromRequestParts<S> for MaybeStackUser
where
    S: Send + Sync,
    StackAuth: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user =
            <StackUser as OptionalFromRequestParts<S>>::from_request_parts(parts, state).await?;
        Ok(MaybeStackUser(user.map(StackUser::into_inner)))
    }
}
