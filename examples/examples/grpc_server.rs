//! A gRPC server (tonic) authenticated with Stack Auth: the standard health service, whose
//! handler reads the caller from the request extensions, behind `StackAuthLayer`. Refused calls
//! get gRPC statuses (`UNAUTHENTICATED`, `PERMISSION_DENIED`, `UNAVAILABLE`, `INTERNAL`), not
//! HTTP errors.
//!
//! ```sh
//! # against a local Stack Auth stand-in (prints how to call it with a fresh token):
//! cargo run -p stack-auth-examples --example grpc_server
//! # against your project:
//! HEXCLAVE_PROJECT_ID=... HEXCLAVE_SECRET_SERVER_KEY=ssk_... cargo run -p stack-auth-examples --example grpc_server
//! # start, make a few calls to itself, exit (used as a smoke test):
//! cargo run -p stack-auth-examples --example grpc_server -- --smoke
//! ```
//!
//! The health service comes with `tonic-health`, so nothing here needs `protoc`. Optional:
//! `HEXCLAVE_API_URL` (default the hosted service), `PORT` (default 50051). Each `HEXCLAVE_*`
//! variable may be given by its older `STACK_*` name, read after it.
#![allow(clippy::print_stdout)]

use std::{net::SocketAddr, pin::Pin, sync::Arc};

use stack_auth_core::TokenVerifier;
use stack_auth_examples::backend::{expect, port, Backend, BoxResult};
use stack_auth_tonic::{verified_user, StackAuthLayer};
use tokio::net::TcpListener;
use tonic::{
    codegen::tokio_stream::Stream,
    metadata::MetadataValue,
    transport::{server::TcpIncoming, Channel, Server},
    Code, Request, Response, Status,
};
use tonic_health::pb::{
    health_check_response::ServingStatus,
    health_client::HealthClient,
    health_server::{Health, HealthServer},
    HealthCheckRequest, HealthCheckResponse,
};

/// The health service: `SERVING`, telling the caller who they are (`x-user-id`, `x-user-name`
/// response metadata), from the user `StackAuthLayer` put in the request extensions.
#[derive(Debug)]
struct WhoAmI;

#[tonic::async_trait]
impl Health for WhoAmI {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        let user = verified_user(&request)?;
        let id = MetadataValue::try_from(user.user_id())
            .map_err(|_| Status::internal("user id is not ASCII"))?;
        let name = user
            .display_name()
            .and_then(|name| MetadataValue::try_from(name).ok());
        let mut response = Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        });
        response.metadata_mut().insert("x-user-id", id);
        if let Some(name) = name {
            response.metadata_mut().insert("x-user-name", name);
        }
        Ok(response)
    }

    type WatchStream =
        Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send + 'static>>;

    async fn watch(
        &self,
        _request: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        Err(Status::unimplemented("watch is not served here"))
    }
}

/// Serves the health service behind `StackAuthLayer` on `listener` until the task is dropped.
fn start(verifier: Arc<dyn TokenVerifier>, listener: TcpListener) -> tokio::task::JoinHandle<()> {
    let router = Server::builder()
        .layer(StackAuthLayer::new(verifier))
        .add_service(HealthServer::new(WhoAmI));
    tokio::spawn(async move {
        if let Err(error) = router
            .serve_with_incoming(TcpIncoming::from(listener))
            .await
        {
            eprintln!("grpc server stopped: {error}");
        }
    })
}

#[tokio::main]
async fn main() -> BoxResult<()> {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let backend = Backend::from_env_or_stand_in().await?;
    let listener =
        TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port(smoke, 50051)?))).await?;
    let addr = listener.local_addr()?;
    let server = start(backend.verifier.clone(), listener);
    if smoke {
        smoke_test(addr, backend.token().as_deref()).await?;
        server.abort();
        println!("smoke test passed");
        return Ok(());
    }
    backend.print_intro(
        |token| {
            format!(
                "  grpc_health_probe -addr={addr} -rpc-header='authorization: Bearer {token}'\n  \
                 grpcurl -plaintext -H 'authorization: Bearer {token}' -proto health.proto \
                 {addr} grpc.health.v1.Health/Check\n\n\
                 (health.proto: grpc/health/v1/health.proto of the gRPC project; without the \
                 header both answer UNAUTHENTICATED)\n"
            )
        },
        &format!(
            "Listening on {addr} (gRPC; send a Stack Auth access token as `authorization: Bearer`)"
        ),
    );
    tokio::signal::ctrl_c().await?;
    server.abort();
    Ok(())
}

/// Makes calls to the running server and checks the answers.
async fn smoke_test(addr: SocketAddr, token: Option<&str>) -> BoxResult<()> {
    let channel = Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let mut client = HealthClient::new(channel);
    let check = |bearer: Option<&str>| -> BoxResult<Request<HealthCheckRequest>> {
        let mut request = Request::new(HealthCheckRequest::default());
        if let Some(token) = bearer {
            let value = format!("Bearer {token}").parse()?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    };
    let refused = client.check(check(None)?).await;
    expect(
        refused.err().map(|s| s.code()),
        Some(Code::Unauthenticated),
        "a call without a token",
    )?;
    let forged = client.check(check(Some("forged.token.here"))?).await;
    expect(
        forged.err().map(|s| s.code()),
        Some(Code::Unauthenticated),
        "a call with a forged token",
    )?;
    let Some(token) = token else {
        return Ok(());
    };
    let response = client.check(check(Some(token))?).await?;
    expect(
        response.get_ref().status,
        ServingStatus::Serving as i32,
        "status",
    )?;
    expect(
        response.metadata().get("x-user-name").map(|v| v.as_bytes()),
        Some(b"Ada Lovelace".as_slice()),
        "the caller the handler saw",
    )
}

#[cfg(test)]
mod tests {
    /// The `--smoke` run against the stand-in: refused and accepted calls over a real tonic
    /// server and client on 127.0.0.1.
    #[tokio::test]
    async fn smoke_against_the_stand_in() {
        let backend = super::Backend::stand_in().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = super::start(backend.verifier.clone(), listener);
        super::smoke_test(addr, backend.token().as_deref())
            .await
            .unwrap();
        server.abort();
    }
}
