//! An eviction across instances through the webhook path: a signed `user.deleted` delivery
//! posted to instance A's axum route, its receiver evicting into A's eviction bus, until
//! instance B's hub has it and until B refuses the user's token (cached there before).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{routing::post, Router};
use serde_json::{json, Value};
use stack_auth_benchmarks::{latency_summary, user_deleted_delivery, StandIn};
use stack_auth_core::{Evict, Eviction, EvictionHub, TokenVerifier};
use stack_auth_jwks::JwksVerifier;
use stack_auth_redis::{RedisConfig, RedisEvictionBus, RedisSharedCache};
use stack_auth_testkit::{UserSpec, WebhookSecret};
use stack_auth_webhooks::{StackWebhook, WebhookReceiver};
use tokio::sync::mpsc;

use crate::Build;

/// A hub's cache that reports when it hears an eviction.
#[derive(Debug)]
struct Heard(mpsc::UnboundedSender<(Eviction, Instant)>);

impl Evict for Heard {
    fn evict(&self, eviction: &Eviction) {
        let _ = self.0.send((eviction.clone(), Instant::now()));
    }
}

/// Instance B: its JWKS verifier, what its hub hears, and its bus (kept alive).
struct InstanceB {
    verifier: JwksVerifier,
    heard: mpsc::UnboundedReceiver<(Eviction, Instant)>,
    _bus: RedisEvictionBus,
}

/// Instance A (webhooks in, its route's URL returned, served until the runtime ends) and
/// instance B, both subscribed.
async fn two_instances(
    stand_in: &StandIn,
    config: &RedisConfig,
    secret: &WebhookSecret,
) -> (String, RedisEvictionBus, InstanceB) {
    let cache = RedisSharedCache::builder(config.clone()).build().unwrap();
    let build = Build {
        stand_in,
        shared: Some(&cache),
        caches: true,
    };
    let (a, b) = (build.jwks().await, build.jwks().await);
    let (hub_a, hub_b) = (EvictionHub::new(), EvictionHub::new());
    hub_a.register(Arc::new(a));
    hub_b.register(Arc::new(b.clone()));
    let (tx, heard) = mpsc::unbounded_channel();
    hub_b.register(Arc::new(Heard(tx)));
    let bus_a = RedisEvictionBus::builder(config.clone(), hub_a)
        .build()
        .unwrap();
    let bus_b = RedisEvictionBus::builder(config.clone(), hub_b)
        .build()
        .unwrap();
    let receiver = WebhookReceiver::builder(secret.expose())
        .evicting(bus_a.clone())
        .build()
        .unwrap();
    let app = Router::new()
        .route("/webhooks/stack", post(|_: StackWebhook| async {}))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/stack", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    while !(bus_a.stats().subscribed && bus_b.stats().subscribed) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let b = InstanceB {
        verifier: b,
        heard,
        _bus: bus_b,
    };
    (url, bus_a, b)
}

/// Posts a `user.deleted` delivery for each of `deliveries` users to A, one at a time; times
/// its acknowledgement by A, B's hub hearing it and B's first refusal of the user's token.
pub(crate) async fn run(stand_in: &StandIn, config: &RedisConfig, deliveries: usize) -> Value {
    let secret = WebhookSecret::random();
    let (hook, _bus_a, mut b) = two_instances(stand_in, config, &secret).await;
    let client = reqwest::Client::new();
    let (mut ack, mut at_b, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..deliveries {
        let user = stand_in.stack().create_user(UserSpec::normal()).unwrap();
        let token = stand_in.stack().mint(&user);
        b.verifier.verify(&token).await.unwrap();
        let request =
            user_deleted_delivery(&client, &secret, &hook, format!("msg_fleet{i}"), &user.id);
        let started = Instant::now();
        let post = tokio::spawn(async move {
            let response = request.send().await;
            (response, Instant::now())
        });
        while b.verifier.verify(&token).await.is_ok() {
            tokio::task::yield_now().await;
        }
        refused.push(started.elapsed());
        // B's hub may also hear an "everything is stale" of its subscription: skip it.
        let deleted = Eviction::UserDeleted {
            user_id: user.id.clone(),
        };
        let when = loop {
            let (eviction, when) = b.heard.recv().await.unwrap();
            if eviction == deleted {
                break when;
            }
        };
        at_b.push(when.saturating_duration_since(started));
        let (response, answered) = post.await.unwrap();
        assert_eq!(response.unwrap().status(), 200);
        ack.push(answered.saturating_duration_since(started));
    }
    json!({
        "deliveries": deliveries,
        "heard_by_b": latency_summary(at_b),
        "refused_by_b": latency_summary(refused),
        "acknowledged_by_a": latency_summary(ack),
    })
}
