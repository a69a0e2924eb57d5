//! The actix-web and gRPC integrations: every token, sent every way, through actix-web's test
//! service and the gRPC layer; their responses (status, headers, body) and logs are audited.

use std::{convert::Infallible, sync::Arc};

use actix_web::{test as actix_test, web, App};
use stack_auth_composite::CompositeVerifier;
use stack_auth_tonic::StackAuthLayer;
use tower::{Layer, ServiceExt};

use super::{Audit, World, SERVER_KEY};

/// The ways a client sends `token`: bearer, access-token header, auth JSON, cookie.
fn token_headers(token: &str) -> [(&'static str, String); 4] {
    [
        ("authorization", format!("Bearer {token}")),
        ("x-stack-access-token", token.to_owned()),
        ("x-stack-auth", format!(r#"{{"accessToken":"{token}"}}"#)),
        (
            "cookie",
            format!("stack-access=%5B%22r%22%2C%22{token}%22%5D"),
        ),
    ]
}

pub(super) async fn actix_paths(w: &World, audit: &mut Audit) {
    let verifier = CompositeVerifier::from_config(w.stack.config(), SERVER_KEY).unwrap();
    let app = actix_test::init_service(
        App::new()
            .app_data(stack_auth_actix::StackAuth::new(Arc::new(verifier)))
            .route(
                "/me",
                web::get().to(|user: stack_auth_actix::StackUser| async move {
                    user.user_id().to_owned()
                }),
            ),
    )
    .await;
    for (label, token) in w.tokens.iter().filter(|(_, t)| t.len() < 8192) {
        for header in token_headers(token) {
            let request = actix_test::TestRequest::get()
                .uri("/me")
                .insert_header(header);
            let response = actix_test::call_service(&app, request.to_request()).await;
            let head = format!("{} {:?}", response.status(), response.headers());
            let body = actix_test::read_body(response).await;
            let body = String::from_utf8_lossy(&body);
            audit.see(
                format!("actix response, {label}"),
                format!("{head}\n{body}"),
            );
        }
    }
}

pub(super) async fn grpc_paths(w: &World, audit: &mut Audit) {
    let verifier = CompositeVerifier::from_config(w.stack.config(), SERVER_KEY).unwrap();
    let service = StackAuthLayer::new(Arc::new(verifier)).layer(tower::service_fn(
        |_: http::Request<()>| async {
            Ok::<_, Infallible>(http::Response::new(tonic::body::Body::empty()))
        },
    ));
    for (label, token) in w.tokens.iter().filter(|(_, t)| t.len() < 8192) {
        for (name, value) in token_headers(token) {
            let request = http::Request::post("/grpc.health.v1.Health/Check")
                .header("content-type", "application/grpc")
                .header(name, value)
                .body(())
                .unwrap();
            let response = service.clone().oneshot(request).await.unwrap();
            let head = format!("{} {:?}", response.status(), response.headers());
            audit.see(format!("grpc response, {label}"), head);
        }
    }
}
