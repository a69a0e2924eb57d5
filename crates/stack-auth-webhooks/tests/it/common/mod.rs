//! Shared helpers: a cache that records evictions, a receiver on a manual clock, deliveries
//! signed by the testkit's own (independent) signer.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};

use stack_auth_core::{test_util::ManualClock, Evict, Eviction};
use stack_auth_testkit::{LocalStackAuth, SignedWebhook, WebhookHeaders, WebhookSecret};
use stack_auth_webhooks::WebhookReceiver;

/// The Stack-shaped check vector's secret (bytes 0x00..0x17).
pub const SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";
/// 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600;
pub const USER: &str = "3241a285-8329-4d69-8f3d-316e08cf140c";
pub const TEAM: &str = "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d";

/// A cache that records every eviction it is told.
#[derive(Debug, Default)]
pub struct Recorder(Mutex<Vec<Eviction>>);

impl Evict for Recorder {
    fn evict(&self, eviction: &Eviction) {
        self.0.lock().unwrap().push(eviction.clone());
    }
}

impl Recorder {
    pub fn seen(&self) -> Vec<Eviction> {
        self.0.lock().unwrap().clone()
    }
}

/// A receiver for [`SECRET`] on a clock at [`T0`], evicting into a recorder.
pub fn receiver() -> (WebhookReceiver, Arc<Recorder>, ManualClock) {
    let (recorder, clock) = (
        Arc::new(Recorder::default()),
        ManualClock::at_unix_secs(T0 as u64),
    );
    let receiver = WebhookReceiver::builder(SECRET)
        .evicting(Arc::clone(&recorder))
        .clock(clock.clone())
        .build()
        .unwrap();
    (receiver, recorder, clock)
}

pub fn secret() -> WebhookSecret {
    WebhookSecret::new(SECRET).unwrap()
}

/// `team_permission.created` for [`USER`] in [`TEAM`].
pub fn permission_body() -> String {
    format!(
        r#"{{"type":"team_permission.created","data":{{"id":"$update_team","team_id":"{TEAM}","user_id":"{USER}"}}}}"#
    )
}

pub fn permission_eviction() -> Eviction {
    Eviction::TeamPermissions {
        team_id: TEAM.into(),
        user_id: USER.into(),
    }
}

/// `body` signed with `secret` as message `id` at `timestamp`, with the Svix headers.
pub fn signed_with(secret: &WebhookSecret, id: &str, timestamp: i64, body: &str) -> SignedWebhook {
    SignedWebhook::new(secret, "", id, timestamp, body, WebhookHeaders::Svix)
}

/// `body` signed with [`SECRET`] at `timestamp`.
pub fn signed(id: &str, timestamp: i64, body: &str) -> SignedWebhook {
    signed_with(&secret(), id, timestamp, body)
}

/// The request's headers as an `http` 1 map.
pub fn headers(request: &SignedWebhook) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in &request.headers {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    map
}

/// `request` with header `name` set to `value` (or removed when `None`).
pub fn with_header(request: &SignedWebhook, name: &str, value: Option<&str>) -> SignedWebhook {
    let mut changed = request.clone();
    changed.headers.retain(|(n, _)| n != name);
    if let Some(value) = value {
        changed.headers.push((name.to_owned(), value.to_owned()));
    }
    changed
}

/// A text that must never be echoed back.
pub const MARKER: &str = "s3cr3t-marker";

/// A good delivery (to be sent first) and every kind of bad one after it, each with the status
/// and code an extractor must answer: forged, a copy of the good one, stale both ways, another
/// secret, headers missing or malformed, a signed body that is not an event, too large.
pub fn bad_deliveries() -> (SignedWebhook, Vec<(SignedWebhook, u16, &'static str)>) {
    let body = permission_body().replace("$update_team", MARKER);
    let good = signed("msg_first", T0, &body);
    let mut forged = signed("msg_forged", T0, &body);
    forged.body = forged
        .body
        .replace(USER, "00000000-0000-4000-8000-000000000000");
    let not_an_event = format!(r#"{{"type":"user.deleted","data":"{MARKER}"}}"#);
    let too_large = format!("{{\"type\":\"x\",\"data\":\"{}\"}}", "a".repeat(3 << 20));
    let cases = vec![
        (forged, 401, "bad_signature"),
        (good.clone(), 401, "replayed"),
        (signed("msg_old", T0 - 301, &body), 401, "stale_timestamp"),
        (signed("msg_new", T0 + 301, &body), 401, "stale_timestamp"),
        (
            signed_with(&WebhookSecret::random(), "msg_wrong", T0, &body),
            401,
            "bad_signature",
        ),
        (
            with_header(&good, "svix-signature", None),
            400,
            "missing_header",
        ),
        (with_header(&good, "svix-id", None), 400, "missing_header"),
        (
            with_header(&good, "svix-timestamp", Some("soon")),
            400,
            "invalid_header",
        ),
        (signed("msg_bad", T0, &not_an_event), 400, "malformed_body"),
        (signed("msg_big", T0, &too_large), 413, "body_too_large"),
    ];
    (good, cases)
}

/// Checks an extractor's answer to one of [`bad_deliveries`].
pub fn assert_refused(status: u16, body: &str, expected: (u16, &str)) {
    assert_eq!(status, expected.0, "{}", expected.1);
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["error"], expected.1, "{body}");
    assert!(!body.contains(MARKER) && !body.contains("msg_"), "{body}");
}

/// An axum server on 127.0.0.1 whose `/webhooks/stack` route takes deliveries for a receiver,
/// set as the stand-in's webhook endpoint; stopped on drop.
pub struct Endpoint {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Endpoint {
    pub async fn serve(stack: &LocalStackAuth, receiver: WebhookReceiver) -> Endpoint {
        use axum::{routing::post, Router};
        use stack_auth_webhooks::StackWebhook;

        let app = Router::new()
            .route("/webhooks/stack", post(|_: StackWebhook| async {}))
            .with_state(receiver);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhooks/stack", listener.local_addr().unwrap());
        let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        stack.set_webhook_endpoint(Some(&url));
        Endpoint { url, task }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}
