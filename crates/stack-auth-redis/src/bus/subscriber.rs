//! The subscribing task: applies the evictions of other processes to the local hub, and keeps
//! the subscription alive.
//!
//! Pub/sub delivers only to subscribers that are connected, so a process may miss evictions
//! while its subscription is down. Each time a subscription is (re)made, the task applies
//! [`Eviction::All`] to the local hub: whatever was missed is dropped with everything else, and
//! the in-process caches refill (from the shared cache, whose entries the missed evictions'
//! publishers voided). A heartbeat `PING` notices a connection that died silently.

use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use futures_util::StreamExt;
use redis::aio::PubSub;
use stack_auth_core::{Evict, Eviction, EvictionHub};

use super::message::{self, Decoded};
use crate::stats::{bump, BusCounters};

/// The metric of received evictions (feature `metrics`).
const METRIC: &str = "stack_auth_eviction_bus_received_total";

/// The first and the longest wait between subscription attempts.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(50), Duration::from_secs(2));

/// What the task needs.
pub(super) struct Subscriber {
    pub(super) client: redis::Client,
    pub(super) channel: String,
    pub(super) me: String,
    pub(super) hub: EvictionHub,
    pub(super) counters: Arc<BusCounters>,
    pub(super) timeout: Duration,
    pub(super) heartbeat: Duration,
}

impl Subscriber {
    /// Runs until aborted.
    pub(super) async fn run(self) {
        let mut backoff = BACKOFF.0;
        loop {
            match tokio::time::timeout(self.timeout, self.subscribe()).await {
                Ok(Ok(pubsub)) => {
                    // Anything published while we were not subscribed is lost: drop it all.
                    self.hub.evict(&Eviction::All);
                    self.counters.subscriptions.fetch_add(1, Ordering::Relaxed);
                    self.counters.subscribed.store(true, Ordering::Relaxed);
                    tracing::debug!(target: "stack_auth_redis", "eviction bus: subscribed");
                    backoff = BACKOFF.0;
                    self.listen(pubsub).await;
                    self.counters.subscribed.store(false, Ordering::Relaxed);
                    tracing::warn!(
                        target: "stack_auth_redis",
                        "eviction bus: subscription lost, reconnecting"
                    );
                }
                Ok(Err(e)) => tracing::debug!(
                    target: "stack_auth_redis", kind = ?e.kind(), code = e.code(),
                    "eviction bus: cannot subscribe"
                ),
                Err(_) => tracing::debug!(
                    target: "stack_auth_redis",
                    "eviction bus: cannot subscribe in time"
                ),
            }
            let jitter = rand::random_range(0.5..1.0);
            tokio::time::sleep(backoff.mul_f64(jitter)).await;
            backoff = (backoff * 2).min(BACKOFF.1);
        }
    }

    async fn subscribe(&self) -> redis::RedisResult<PubSub> {
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(&self.channel).await?;
        Ok(pubsub)
    }

    /// Applies messages until the connection is lost or a heartbeat goes unanswered.
    async fn listen(&self, pubsub: PubSub) {
        let (mut sink, mut stream) = pubsub.split();
        let mut heartbeat = tokio::time::interval(self.heartbeat);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        heartbeat.tick().await;
        loop {
            tokio::select! {
                message = stream.next() => match message {
                    Some(message) => self.apply(message.get_payload_bytes()),
                    None => return,
                },
                _ = heartbeat.tick() => {
                    let pong = tokio::time::timeout(self.timeout, sink.ping::<redis::Value>()).await;
                    if !matches!(pong, Ok(Ok(_))) {
                        return;
                    }
                }
            }
        }
    }

    fn apply(&self, payload: &[u8]) {
        match message::decode(payload, &self.me) {
            Decoded::Own => {
                self.counters.own_skipped.fetch_add(1, Ordering::Relaxed);
            }
            Decoded::Remote(eviction) => {
                self.hub.evict(&eviction);
                bump(&self.counters.received, (METRIC, "applied"));
            }
            Decoded::Unknown => {
                tracing::warn!(
                    target: "stack_auth_redis",
                    "eviction bus: an eviction this version does not know; dropping everything"
                );
                self.hub.evict(&Eviction::All);
                bump(&self.counters.received, (METRIC, "unknown"));
            }
            Decoded::Malformed => {
                self.counters.malformed.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(target: "stack_auth_redis", "eviction bus: ignored a message");
            }
        }
    }
}
