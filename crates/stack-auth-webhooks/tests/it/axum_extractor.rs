//! The axum extractor: a verified delivery reaches a one-line handler with its evictions done; a
//! forged, replayed, stale, wrong-secret, headerless, malformed or oversized one is answered
//! 401/400/413 with a fixed JSON body, evicting nothing.

use axum::{
    body::{to_bytes, Body},
    http::{Request, StatusCode},
    routing::post,
    Router,
};
use stack_auth_testkit::SignedWebhook;
use stack_auth_webhooks::{StackWebhook, WebhookReceiver};
use tower::ServiceExt as _;

use crate::common::*;

fn app(receiver: WebhookReceiver) -> Router {
    Router::new()
        .route(
            "/webhooks/stack",
            post(|webhook: StackWebhook| async move { webhook.event().event_type().to_owned() }),
        )
        .with_state(receiver)
}

/// Posts `request` and returns the status and body.
async fn post_to(app: &Router, request: &SignedWebhook) -> (StatusCode, String) {
    let mut builder = Request::post("/webhooks/stack");
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = app
        .clone()
        .oneshot(builder.body(Body::from(request.body.clone())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn a_verified_delivery_reaches_the_handler_with_its_evictions_done() {
    let (receiver, recorder, _) = receiver();
    let app = app(receiver);
    let (status, body) = post_to(&app, &signed("msg_ok", T0, &permission_body())).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "team_permission.created")
    );
    assert_eq!(recorder.seen(), [permission_eviction()]);
}

#[tokio::test]
async fn every_bad_delivery_is_answered_without_echo_and_evicts_nothing() {
    let (receiver, recorder, _) = receiver();
    let app = app(receiver);
    let (good, cases) = bad_deliveries();
    assert_eq!(post_to(&app, &good).await.0, StatusCode::OK);
    let evicted = recorder.seen().len();
    for (request, status, code) in cases {
        let (got, text) = post_to(&app, &request).await;
        assert_refused(got.as_u16(), &text, (status, code));
    }
    assert_eq!(recorder.seen().len(), evicted, "nothing more evicted");
}

#[tokio::test]
async fn a_retry_of_a_received_message_is_answered_2xx_and_evicts_nothing() {
    let (receiver, recorder, clock) = receiver();
    let app = app(receiver);
    let body = permission_body();
    assert_eq!(
        post_to(&app, &signed("msg_retry", T0, &body)).await.0,
        StatusCode::OK
    );
    clock.advance(std::time::Duration::from_secs(30));
    assert_eq!(
        post_to(&app, &signed("msg_retry", T0 + 30, &body)).await.0,
        StatusCode::OK
    );
    assert_eq!(recorder.seen(), [permission_eviction()]);
}
