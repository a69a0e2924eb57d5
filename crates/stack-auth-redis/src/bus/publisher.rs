//! The publishing task: takes the local evictions in order and, for each, voids its tags in the
//! shared cache and publishes it, in one atomic round trip (`MULTI`, `DEL` tags, `PUBLISH`,
//! `EXEC`), then applies it to the local hub a second time. While Redis is unreachable it
//! keeps them, retrying with backoff, and publishes them when Redis is back; past
//! `max_pending` it keeps a single "everything is stale" and the newest revocations (deleted
//! users, ended sessions: facts that "everything is stale" does not carry) instead.
//!
//! Why a second time: the eviction was applied locally before its tags were voided in Redis,
//! so a lookup of this process in between could copy the stale shared entry back into an
//! in-process cache (a read-through on a miss). Once the tags are voided nothing stale can
//! come back; applying the eviction again drops what did. Evictions are idempotent.

use std::{collections::VecDeque, sync::atomic::Ordering, sync::Arc, time::Duration};

use redis::aio::ConnectionManager;
use stack_auth_core::{Evict, Eviction, EvictionHub};
use tokio::{sync::mpsc::UnboundedReceiver, time::Instant};

use super::message;
use crate::{
    keys::Keys,
    stats::{bump, BusCounters},
};

/// The metric of published evictions (feature `metrics`).
const METRIC: &str = "stack_auth_eviction_bus_published_total";

/// The first and the longest wait between attempts while Redis is unreachable.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(50), Duration::from_secs(2));

/// What the task needs.
pub(super) struct Publisher {
    pub(super) connection: ConnectionManager,
    pub(super) keys: Keys,
    pub(super) hub: EvictionHub,
    pub(super) origin: String,
    pub(super) counters: Arc<BusCounters>,
    pub(super) timeout: Duration,
    pub(super) max_pending: usize,
}

impl Publisher {
    /// Runs until every sender is gone (then tries once more to publish what is left).
    pub(super) async fn run(mut self, mut rx: UnboundedReceiver<Eviction>) {
        let mut pending = VecDeque::new();
        let mut backoff = BACKOFF.0;
        let mut retry_at: Option<Instant> = None;
        loop {
            let until = retry_at;
            let wait = async move {
                match until {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                next = rx.recv() => match next {
                    Some(eviction) => self.push(&mut pending, eviction),
                    None => {
                        let _ = self.flush(&mut pending).await;
                        return;
                    }
                },
                () = wait => retry_at = None,
            }
            while let Ok(eviction) = rx.try_recv() {
                self.push(&mut pending, eviction);
            }
            if retry_at.is_none() && !pending.is_empty() {
                if self.flush(&mut pending).await {
                    backoff = BACKOFF.0;
                } else {
                    retry_at = Some(Instant::now() + backoff);
                    backoff = (backoff * 2).min(BACKOFF.1);
                }
            }
            self.counters
                .pending
                .store(pending.len() as u64, Ordering::Relaxed);
        }
    }

    fn push(&self, pending: &mut VecDeque<Eviction>, eviction: Eviction) {
        if pending.len() >= self.max_pending {
            // "Everything is stale" replaces what the backlog says is stale, but not what it
            // says is refused: a deleted user or an ended session is a fact `All` does not
            // carry (a JWKS verifier that hears `All` only drops its token cache). The newest
            // revocations are kept, as many as fit.
            let room = self.max_pending.saturating_sub(2);
            let revocations: Vec<Eviction> = pending
                .drain(..)
                .filter(|e| {
                    matches!(
                        e,
                        Eviction::UserDeleted { .. } | Eviction::SessionEnded { .. }
                    )
                })
                .collect();
            let dropped = revocations.len().saturating_sub(room);
            pending.push_back(Eviction::All);
            pending.extend(revocations.into_iter().skip(dropped));
            self.counters.overflows.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                target: "stack_auth_redis",
                max_pending = self.max_pending,
                revocations_dropped = dropped,
                "eviction bus: backlog full, will publish \"everything is stale\" and the \
                 revocations instead"
            );
        }
        pending.push_back(eviction);
        self.counters
            .pending
            .store(pending.len() as u64, Ordering::Relaxed);
    }

    /// Publishes `pending` in order; whether all of it went out.
    async fn flush(&mut self, pending: &mut VecDeque<Eviction>) -> bool {
        while let Some(eviction) = pending.front() {
            let sent = tokio::time::timeout(self.timeout, self.publish(eviction)).await;
            if !matches!(sent, Ok(Ok(()))) {
                self.counters
                    .publish_failures
                    .fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    target: "stack_auth_redis",
                    pending = pending.len(),
                    "eviction bus: cannot publish now, will retry"
                );
                return false;
            }
            bump(&self.counters.published, (METRIC, "ok"));
            if let Some(eviction) = pending.pop_front() {
                self.hub.evict(&eviction);
            }
        }
        true
    }

    async fn publish(&mut self, eviction: &Eviction) -> redis::RedisResult<()> {
        let tags: Vec<String> = eviction
            .cache_tags()
            .iter()
            .map(|t| self.keys.tag(t))
            .collect();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("DEL")
            .arg(tags)
            .ignore()
            .cmd("PUBLISH")
            .arg(self.keys.channel())
            .arg(message::encode(&self.origin, eviction))
            .ignore();
        pipe.query_async::<()>(&mut self.connection).await
    }
}
