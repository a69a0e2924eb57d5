//! [`verified_user`]: the user [`StackAuthLayer`](crate::StackAuthLayer) put in a call's
//! extensions, from a tonic handler.

use stack_auth_core::{
    framework::{Principal, Rejection},
    VerifiedUser,
};
use tonic::{Request, Status};

use crate::default_status;

/// The verified user of a call, from a tonic handler behind a
/// [`StackAuthLayer`](crate::StackAuthLayer).
///
/// ```
/// use stack_auth_tonic::verified_user;
/// use tonic::{Request, Response, Status};
///
/// async fn whoami(request: Request<()>) -> Result<Response<String>, Status> {
///     let user = verified_user(&request)?;
///     Ok(Response::new(user.user_id().to_owned()))
/// }
/// ```
///
/// # Errors
///
/// `UNAUTHENTICATED` when the call has no user: an
/// [`optional`](crate::StackAuthLayer::optional) layer let it in without a token (or no layer
/// is in front).
pub fn verified_user<T>(request: &Request<T>) -> Result<&VerifiedUser, Status> {
    request
        .extensions()
        .get::<VerifiedUser>()
        .ok_or_else(|| default_status(&Rejection::missing_token()))
}

/// Who sent a call (its access token's user, or its API key), from a tonic handler behind a
/// [`StackAuthLayer`](crate::StackAuthLayer) that [`accept`s](crate::StackAuthLayer::accept)
/// API keys.
///
/// # Errors
///
/// `UNAUTHENTICATED` when the call has no credential (an optional layer let it in without one,
/// or no layer is in front).
pub fn principal<T>(request: &Request<T>) -> Result<&Principal, Status> {
    request
        .extensions()
        .get::<Principal>()
        .ok_or_else(|| default_status(&Rejection::missing_token()))
}
