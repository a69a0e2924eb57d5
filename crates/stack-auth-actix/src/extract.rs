//! The [`StackUser`] and [`MaybeStackUser`] extractors.

use std::{future::Future, ops::Deref, pin::Pin};

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use stack_auth_core::VerifiedUser;

use crate::{AuthRejection, StackAuth};

/// Extracts the verified user of the request, or fails with an [`AuthRejection`].
///
/// The token is read with the core extraction rules
/// ([`extract_token`](stack_auth_core::extract_token): `x-hexclave-access-token` /
/// `x-stack-access-token`, `Authorization: Bearer` with the official client's
/// `stackauth_`/`hexclave_` auth JSON or a bare token, `x-stack-auth`, the `hexclave-access`
/// then `stack-access` cookie) from the sources the [`StackAuth`] allows, and verified with the
/// [`StackAuth`] of the app data (`App::app_data(auth)` or `web::Data<StackAuth>`; the nearest
/// scope's wins). When a [`StackAuthMiddleware`](crate::StackAuthMiddleware) already
/// authenticated the request with the same verifier (or the app data holds no `StackAuth`), its
/// verdict is reused: a request is verified once per verifier. A verdict is reused only if the
/// app data's [token sources](crate::StackAuth::token_sources) pick the very token it was
/// reached on (a headers-only configuration never takes a verdict reached with the
/// `stack-access` cookie). Without `StackAuth` app data the extractor needs the middleware in
/// front; without either it answers 500 `misconfigured`.
///
/// actix-web polls a handler's extractors together, so two Stack Auth extractors of one handler
/// without the middleware in front may each verify (the verifiers' caches make the second
/// cheap); behind the middleware they reuse its verdict.
///
/// Take [`MaybeStackUser`] for optional authentication, **not** `Option<StackUser>`: actix-web
/// turns any extractor error into `None` for `Option<T>`, so a refused token would pass as
/// "no token". `Result<StackUser, AuthRejection>` gives the handler the rejection.
///
/// ```
/// use actix_web::{web, App};
/// use stack_auth_actix::StackUser;
///
/// async fn me(user: StackUser) -> String {
///     format!("hello {}", user.user_id())
/// }
///
/// # fn app(auth: stack_auth_actix::StackAuth) {
/// let app = App::new().app_data(auth).route("/me", web::get().to(me));
/// # let _ = app;
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
/// use stack_auth_actix::MaybeStackUser;
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

/// The future of the extractors: the request is authenticated when it is first polled.
type Extraction<T> = Pin<Box<dyn Future<Output = Result<T, AuthRejection>>>>;

impl FromRequest for StackUser {
    type Error = AuthRejection;
    type Future = Extraction<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let user = StackAuth::of(&request).required_user(&request).await?;
            Ok(StackUser(user))
        })
    }
}

impl FromRequest for MaybeStackUser {
    type Error = AuthRejection;
    type Future = Extraction<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let user = StackAuth::of(&request).optional_user(&request).await?;
            Ok(MaybeStackUser(user))
        })
    }
}
