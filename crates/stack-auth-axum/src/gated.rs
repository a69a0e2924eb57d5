//! What the crate's middleware share: take the request apart, let a gate decide on its head
//! (answering itself, or letting it through with what it recorded in the extensions), and call
//! the inner service.

use std::{future::Future, pin::Pin};

use axum::{
    body::{Body, Bytes, HttpBody},
    response::Response,
    BoxError,
};
use http::{request::Parts, Request};
use tower::Service;

/// The future of a gated call.
pub(crate) type GatedFuture<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

/// Calls `inner` with `request` if `admit` lets its head through, else answers with the
/// response `admit` gave. The clone of `inner` that was not polled ready stays behind; the
/// ready one serves this request.
pub(crate) fn call<S, B, ResBody, A, Fut>(
    inner: &mut S,
    request: Request<B>,
    admit: A,
) -> GatedFuture<S::Error>
where
    S: Service<Request<B>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: HttpBody<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
    A: FnOnce(Parts) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Parts, Response>> + Send,
{
    let clone = inner.clone();
    let mut ready = std::mem::replace(inner, clone);
    Box::pin(async move {
        let (parts, body) = request.into_parts();
        match admit(parts).await {
            Ok(parts) => {
                let response = ready.call(Request::from_parts(parts, body)).await?;
                Ok(response.map(Body::new))
            }
            Err(response) => Ok(response),
        }
    })
}
