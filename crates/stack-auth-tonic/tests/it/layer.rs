//! The layer alone: the exact trailers-only response of a refused gRPC call, gRPC-Web, and the
//! HTTP answer for requests that are not gRPC calls.

use std::{convert::Infallible, sync::Arc, time::Duration};

use http::{Request, Response, StatusCode};
use stack_auth_core::{
    test_util::StaticVerifier, Unavailable, UnavailableKind, Upstream, VerifiedUser,
};
use stack_auth_tonic::{StackAuthLayer, StackAuthService};
use tonic::body::Body;
use tower::{service_fn, Layer, ServiceExt};

use crate::common::{recording, BAD, GOOD};

type Echo = tower::util::ServiceFn<
    fn(Request<()>) -> std::future::Ready<Result<Response<Body>, Infallible>>,
>;

/// Answers with the id of the user in the request extensions.
fn echo(request: Request<()>) -> std::future::Ready<Result<Response<Body>, Infallible>> {
    let user = request.extensions().get::<VerifiedUser>();
    let id = user.map_or("-".to_owned(), |u| u.user_id().to_owned());
    std::future::ready(Ok(Response::new(Body::new(id))))
}

fn service(layer: StackAuthLayer) -> StackAuthService<Echo> {
    layer.layer(service_fn(echo as fn(_) -> _))
}

fn request(content_type: Option<&str>, headers: &[(&str, &str)]) -> Request<()> {
    let mut builder = Request::post("/grpc.health.v1.Health/Check");
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap()
}

async fn body_of(response: Response<Body>) -> String {
    use http_body_util::BodyExt;
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn a_refused_grpc_call_gets_a_trailers_only_response() {
    let bearer = format!("Bearer {BAD}");
    let response = service(StackAuthLayer::new(recording()))
        .oneshot(request(
            Some("application/grpc+proto"),
            &[("authorization", &bearer)],
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/grpc");
    assert_eq!(headers["grpc-status"], "16");
    assert_eq!(
        headers["grpc-message"],
        "bad_signature:%20the%20access%20token%20is%20invalid"
    );
    assert!(headers.get("www-authenticate").is_none());
    for (_, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        assert!(!value.contains(&BAD[..20]));
    }
    assert_eq!(body_of(response).await, "");
}

#[tokio::test]
async fn grpc_web_calls_get_their_own_content_type_back() {
    let response = service(StackAuthLayer::new(recording()))
        .oneshot(request(Some("application/grpc-web+proto"), &[]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/grpc-web+proto"
    );
    assert_eq!(response.headers()["grpc-status"], "16");
}

#[tokio::test]
async fn other_requests_get_the_http_answers_of_the_axum_crate() {
    let service = service(StackAuthLayer::new(recording()));
    let response = service
        .clone()
        .oneshot(request(Some("application/json"), &[]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert!(response.headers().get("grpc-status").is_none());
    assert_eq!(
        body_of(response).await,
        r#"{"error":"missing_token","message":"an access token is required"}"#
    );

    let unavailable = Unavailable::new(Upstream::Jwks, UnavailableKind::Timeout)
        .with_retry_after(Duration::from_millis(1500));
    let failing = StackAuthLayer::new(Arc::new(StaticVerifier::fail(unavailable.into())));
    let response = self::service(failing)
        .oneshot(request(None, &[("x-stack-access-token", GOOD)]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "2");
}

#[tokio::test]
async fn an_accepted_call_reaches_the_service_with_the_user() {
    let response = service(StackAuthLayer::new(recording()))
        .oneshot(request(
            Some("application/grpc"),
            &[("x-stack-access-token", GOOD)],
        ))
        .await
        .unwrap();
    assert!(response.headers().get("grpc-status").is_none());
    assert_eq!(body_of(response).await, "user-normal");
}
