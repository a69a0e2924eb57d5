//! Test control: counts, request log, connections, faults, shutdown.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use stack_auth_core::redact_token;
use stack_auth_testkit::{Fault, FaultBody, LocalStackAuth, Route, UserSpec};

use crate::support::{get, me};

fn jwks_path(stack: &LocalStackAuth) -> String {
    format!(
        "/api/v1/projects/{}/.well-known/jwks.json",
        stack.project_id()
    )
}

#[tokio::test]
async fn fail_twice_then_succeed_with_exact_counts() {
    let stack = LocalStackAuth::start().await.unwrap();
    stack.inject_times(Route::Jwks, Fault::status(503), 2);
    let path = jwks_path(&stack);
    let statuses = [
        get(&stack, &path, &[]).await.status,
        get(&stack, &path, &[]).await.status,
        get(&stack, &path, &[]).await.status,
    ];
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(stack.requests(Route::Jwks), 3);
    assert_eq!(stack.requests(Route::UsersMe), 0);
    let log = stack.request_log();
    assert_eq!(
        log.iter().map(|r| r.status).collect::<Vec<_>>(),
        [Some(503), Some(503), Some(200)]
    );
    assert_eq!(log[0].fault.as_deref(), Some("status 503"));
    assert_eq!(log[2].fault, None);
    stack.reset_counts();
    assert_eq!(
        (stack.requests(Route::Any), stack.request_log().len()),
        (0, 0)
    );
}

#[tokio::test]
async fn injected_bodies() {
    let stack = LocalStackAuth::start().await.unwrap();
    let path = jwks_path(&stack);
    stack.inject_times(
        Route::Jwks,
        Fault::RateLimited {
            retry_after: Some(7),
        },
        1,
    );
    stack.inject_times(Route::Jwks, Fault::RateLimited { retry_after: None }, 1);
    stack.inject_times(Route::Jwks, Fault::GarbageJson, 1);
    stack.inject_times(Route::Jwks, Fault::Oversized(100_000), 1);
    stack.inject_times(
        Route::Jwks,
        Fault::known_error(401, "INVALID_SECRET_SERVER_KEY", "nope"),
        1,
    );
    stack.inject_times(
        Route::Jwks,
        Fault::Status {
            status: 502,
            body: FaultBody::Plain("bad gateway".into()),
        },
        1,
    );
    let limited = get(&stack, &path, &[]).await;
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, Some("7"))
    );
    assert!(limited.json()["message"].is_string());
    let limited = get(&stack, &path, &[]).await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, None));
    let garbage = get(&stack, &path, &[]).await;
    assert_eq!(garbage.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&garbage.text).is_err());
    let big = get(&stack, &path, &[]).await;
    assert_eq!(big.text.len(), 100_000);
    assert!(serde_json::from_str::<serde_json::Value>(&big.text).is_ok());
    get(&stack, &path, &[])
        .await
        .assert_known(401, "INVALID_SECRET_SERVER_KEY");
    let plain = get(&stack, &path, &[]).await;
    assert_eq!((plain.status, plain.text.as_str()), (502, "bad gateway"));
    assert_eq!(
        plain.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(get(&stack, &path, &[]).await.status, 200);
}

#[tokio::test(start_paused = true)]
async fn latency_uses_tokio_time() {
    let stack = LocalStackAuth::start().await.unwrap();
    stack.inject(Route::UsersMe, Fault::Latency(Duration::from_secs(30)));
    let (virtual_start, real_start) = (tokio::time::Instant::now(), std::time::Instant::now());
    let ans = me(&stack, None, &[]).await;
    ans.assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
    assert!(virtual_start.elapsed() >= Duration::from_secs(30));
    assert!(real_start.elapsed() < Duration::from_secs(10));
    stack.clear_faults();
    let virtual_start = tokio::time::Instant::now();
    me(&stack, None, &[]).await;
    assert!(virtual_start.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn dropped_connections_and_hangs() {
    let stack = LocalStackAuth::start().await.unwrap();
    let url = format!("{}{}", stack.base_url(), jwks_path(&stack));
    stack.inject_times(Route::Any, Fault::DropConnection, 1);
    assert!(reqwest::get(&url).await.is_err());
    stack.inject_times(Route::Jwks, Fault::Hang, 1);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client.get(&url).send().await.unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    let log = stack.request_log();
    assert_eq!(
        log.iter().map(|r| r.status).collect::<Vec<_>>(),
        [None, None, Some(200)]
    );
}

#[tokio::test]
async fn request_log_fingerprints_secrets_and_connections_are_counted() {
    let stack = LocalStackAuth::start().await.unwrap();
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&user);
    let key = stack.secret_server_key();
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let res = client
            .get(stack.users_me_url())
            .header("x-stack-access-type", "server")
            .header("x-stack-project-id", stack.project_id())
            .header("x-stack-secret-server-key", key.expose())
            .header("x-stack-access-token", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    assert_eq!(
        stack.connections_accepted(),
        1,
        "keep-alive reuses one connection"
    );
    get(&stack, "/api/v1/users/me", &[]).await;
    assert_eq!(stack.connections_accepted(), 2);
    let log = stack.request_log();
    let first = &log[0];
    assert_eq!(
        (first.method.as_str(), first.path.as_str()),
        ("GET", "/api/v1/users/me")
    );
    assert_eq!(
        first.header("x-stack-secret-server-key"),
        Some(redact_token(key.expose()).as_str())
    );
    assert_eq!(
        first.header("x-stack-access-token"),
        Some(redact_token(&token).as_str())
    );
    assert_eq!(first.header("x-stack-access-type"), Some("server"));
    let dump = format!("{log:?}");
    assert!(!dump.contains(key.expose()) && !dump.contains(&token));
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let stack = LocalStackAuth::start().await.unwrap();
    let url = stack.jwks_url();
    stack.inject(Route::Jwks, Fault::Hang);
    let hanging = tokio::spawn(reqwest::get(url.clone()));
    while stack.requests(Route::Jwks) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stack.shutdown().await;
    assert!(
        hanging.await.unwrap().is_err(),
        "the hanging request is released"
    );
    assert!(
        reqwest::get(&url).await.is_err(),
        "nothing listens any more"
    );

    let dropped = LocalStackAuth::start().await.unwrap();
    let url = dropped.jwks_url();
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
    drop(dropped);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
}
