//! A tonic server on 127.0.0.1 whose health service reports the caller (a handler that reads
//! the `VerifiedUser` from `request.extensions()`), and a client for it.
#![allow(dead_code, unreachable_pub)]

use std::{net::SocketAddr, pin::Pin, sync::Arc};

use stack_auth_core::{
    test_util::{RecordingVerifier, StaticVerifier},
    RefusalReason, RestrictedReason, UserType, VerifiedUser,
};
use stack_auth_tonic::{verified_user, StackAuthLayer};
use tokio::net::TcpListener;
use tonic::{
    codegen::tokio_stream::Stream,
    transport::{server::TcpIncoming, Channel, Server},
    Request, Response, Status,
};
use tonic_health::pb::{
    health_check_response::ServingStatus,
    health_client::HealthClient,
    health_server::{Health, HealthServer},
    HealthCheckRequest, HealthCheckResponse,
};

/// A token the test verifier accepts as a normal user. Distinctive, so leaks are easy to find.
pub const GOOD: &str = "eyJhbGciOiJFUzI1NiJ9.Z29vZC11c2VyLWxlYWstY2FuYXJ5.c2lnbmF0dXJl";
/// A token the test verifier accepts as an anonymous user.
pub const ANON: &str = "eyJhbGciOiJFUzI1NiJ9.YW5vbi11c2VyLWxlYWstY2FuYXJ5.c2lnbmF0dXJl";
/// A token the test verifier refuses (bad signature, like every unknown token).
pub const BAD: &str = "eyJhbGciOiJFUzI1NiJ9.YmFkLXVzZXItbGVhay1jYW5hcnk.c2lnbmF0dXJl";

pub type Rec = Arc<RecordingVerifier<StaticVerifier>>;

/// Accepts [`GOOD`] (normal) and [`ANON`] (anonymous), refuses the rest; counts calls.
pub fn recording() -> Rec {
    Arc::new(RecordingVerifier::new(
        StaticVerifier::refuse(RefusalReason::BadSignature)
            .with_token(
                GOOD,
                Ok(VerifiedUser::new(
                    "user-normal",
                    "p1",
                    UserType::Normal,
                    None,
                )),
            )
            .with_token(
                ANON,
                Ok(VerifiedUser::new(
                    "user-anon",
                    "p1",
                    UserType::Anonymous,
                    Some(RestrictedReason::Anonymous),
                )),
            ),
    ))
}

/// The health service of the tests: `SERVING`, with the caller's user id (or `-`) in the
/// `x-user-id` response metadata.
#[derive(Debug, Default)]
pub struct WhoIsAsking;

#[tonic::async_trait]
impl Health for WhoIsAsking {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        let user = request.extensions().get::<VerifiedUser>();
        let id = user.map_or("-", |u| u.user_id()).parse().unwrap();
        if request.get_ref().service == "needs-user" {
            verified_user(&request)?;
        }
        let mut response = Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        });
        response.metadata_mut().insert("x-user-id", id);
        Ok(response)
    }

    type WatchStream =
        Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send + 'static>>;

    async fn watch(
        &self,
        _request: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        Err(Status::unimplemented("watch"))
    }
}

/// Serves [`WhoIsAsking`] behind `layer` on 127.0.0.1; the server stops with the test runtime.
pub async fn serve(layer: StackAuthLayer) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = Server::builder()
        .layer(layer)
        .add_service(HealthServer::new(WhoIsAsking));
    tokio::spawn(router.serve_with_incoming(TcpIncoming::from(listener)));
    addr
}

/// A client of the server at `addr`.
pub async fn client(addr: SocketAddr) -> HealthClient<Channel> {
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    HealthClient::new(channel)
}

/// A health check for `service` with the metadata `headers`.
pub fn check(service: &str, headers: &[(&'static str, &str)]) -> Request<HealthCheckRequest> {
    let mut request = Request::new(HealthCheckRequest {
        service: service.to_owned(),
    });
    for (name, value) in headers {
        request.metadata_mut().insert(*name, value.parse().unwrap());
    }
    request
}

/// Asserts a refusal says nothing of the test tokens.
pub fn assert_no_token(status: &Status) {
    let mut all = format!("{status:?} {}", status.message());
    for (key, value) in status.metadata().clone().into_headers().iter() {
        all.push_str(key.as_str());
        all.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    for token in [GOOD, ANON, BAD] {
        for part in token.split('.') {
            assert!(!all.contains(part), "status leaks part of a token: {all}");
        }
    }
    assert!(!all.contains("leak-canary"), "status leaks: {all}");
}
