//! [`RedisEvictionBus`]: an eviction made in any process of the deployment reaches every process
//! (Redis pub/sub), and voids the deployment's shared-cache entries it makes stale.

mod message;
mod publisher;
mod subscriber;

use std::{fmt, sync::Arc, time::Duration};

use stack_auth_core::{Evict, Eviction, EvictionHub};
use tokio::{sync::mpsc, task::AbortHandle};

use crate::{connect, stats::BusCounters, BuildError, EvictionBusStats, RedisConfig};

/// How often the subscription is checked with a `PING` by default.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(5);

/// How long one publish, subscription or heartbeat may take by default (in the bus's own
/// tasks, never on the caller's).
pub const DEFAULT_BUS_TIMEOUT: Duration = Duration::from_secs(1);

/// How many local evictions are kept while Redis is unreachable by default; past it they are
/// replaced by one "everything is stale".
pub const DEFAULT_MAX_PENDING: usize = 1024;

/// Carries evictions between the processes of one deployment. It is an [`Evict`]: an eviction
/// given to it (by a webhook receiver, your code, a verifier that found a session ended) is
/// applied to the local [`EvictionHub`] at once, then, in the background, its
/// [tags](Eviction::cache_tags) are voided in the shared cache and it is published; every other
/// process's bus applies it to its own hub. Once published (its shared entries voided), it is
/// applied to the local hub a second time: a read-through between the first application and
/// the voiding could have copied a stale shared entry back into an in-process cache.
/// Evictions are idempotent; a process skips its own message when it hears it back.
///
/// Give evictions to the bus, not to the hub (the hub would keep them local), and do not
/// register the bus with its own hub (an eviction would go round for ever).
///
/// **Convergence.** Pub/sub delivers to connected subscribers only. A process whose subscription
/// drops (Redis restarted, a network fault, a heartbeat unanswered) resubscribes with backoff
/// and then applies [`Eviction::All`] to its hub, so nothing it missed survives; a process that
/// cannot reach Redis keeps its own evictions (up to
/// [`max_pending`](RedisEvictionBusBuilder::max_pending), then one "everything is stale" and
/// the newest deleted users and ended sessions, which it does not carry) and
/// publishes them, tags voided first, when Redis is back. The first subscription applies
/// [`Eviction::All`] too (nothing is lost if caches filled before Redis was reachable).
///
/// Cloning shares the bus; its tasks stop when the last clone is dropped (what is still
/// unpublished then is sent once more, without waiting for the result).
#[derive(Clone)]
pub struct RedisEvictionBus {
    inner: Arc<Inner>,
}

struct Inner {
    hub: EvictionHub,
    tx: mpsc::UnboundedSender<Eviction>,
    counters: Arc<BusCounters>,
    origin: String,
    deployment: String,
    subscriber: AbortHandle,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.subscriber.abort();
    }
}

/// Builds a [`RedisEvictionBus`]; see [`RedisEvictionBus::builder`].
#[derive(Debug, Clone)]
pub struct RedisEvictionBusBuilder {
    config: RedisConfig,
    hub: EvictionHub,
    heartbeat: Duration,
    timeout: Duration,
    max_pending: usize,
}

impl RedisEvictionBus {
    /// A builder for the bus of `config`'s deployment, applying remote evictions to `hub`.
    ///
    /// ```no_run
    /// use stack_auth_core::{Evict, Eviction, EvictionHub};
    /// use stack_auth_redis::{RedisConfig, RedisEvictionBus};
    ///
    /// # async fn run() -> Result<(), stack_auth_redis::BuildError> {
    /// let hub = EvictionHub::new(); // register your verifiers with it
    /// let config = RedisConfig::builder("redis://127.0.0.1:6379/").deployment("shop").build()?;
    /// let bus = RedisEvictionBus::builder(config, hub.clone()).build()?;
    /// // A webhook said the user was deleted: every process drops what it holds about them.
    /// bus.evict(&Eviction::UserDeleted { user_id: "3241a285-8329-4d69-8f3d-316e08cf140c".into() });
    /// # Ok(()) }
    /// ```
    pub fn builder(config: RedisConfig, hub: EvictionHub) -> RedisEvictionBusBuilder {
        RedisEvictionBusBuilder {
            config,
            hub,
            heartbeat: DEFAULT_HEARTBEAT,
            timeout: DEFAULT_BUS_TIMEOUT,
            max_pending: DEFAULT_MAX_PENDING,
        }
    }

    /// The local hub remote evictions are applied to.
    pub fn hub(&self) -> &EvictionHub {
        &self.inner.hub
    }

    /// This process's id on the bus (random, new for each bus).
    pub fn origin(&self) -> &str {
        &self.inner.origin
    }

    /// What the bus has done so far, and whether it is subscribed now.
    pub fn stats(&self) -> EvictionBusStats {
        self.inner.counters.snapshot()
    }
}

impl Evict for RedisEvictionBus {
    /// Applies `eviction` to the local hub now and hands it to the publishing task (never
    /// blocks, never fails).
    fn evict(&self, eviction: &Eviction) {
        self.inner.hub.evict(eviction);
        // Fails only when the publishing task is gone, i.e. the runtime is shutting down.
        let _ = self.inner.tx.send(eviction.clone());
    }
}

impl RedisEvictionBusBuilder {
    /// How often the subscription is checked with a `PING` (default [`DEFAULT_HEARTBEAT`]); a
    /// silently dead connection is noticed within this plus the timeout. 100 ms to 10 min.
    pub fn heartbeat(mut self, every: Duration) -> Self {
        self.heartbeat = every;
        self
    }

    /// How long one publish, subscription attempt or heartbeat may take (default
    /// [`DEFAULT_BUS_TIMEOUT`]). 1 ms to 1 min.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many local evictions are kept while Redis is unreachable (default
    /// [`DEFAULT_MAX_PENDING`], at least 1).
    pub fn max_pending(mut self, evictions: usize) -> Self {
        self.max_pending = evictions;
        self
    }

    /// Starts the bus: its subscribing and publishing tasks run on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// [`BuildError::InvalidSetting`] for a setting out of range; [`BuildError::NoRuntime`]
    /// outside a tokio runtime.
    pub fn build(self) -> Result<RedisEvictionBus, BuildError> {
        let invalid = |setting, reason| Err(BuildError::InvalidSetting { setting, reason });
        if !(Duration::from_millis(100)..=Duration::from_secs(600)).contains(&self.heartbeat) {
            return invalid("heartbeat", "must be between 100 ms and 10 min");
        }
        if !(Duration::from_millis(1)..=Duration::from_secs(60)).contains(&self.timeout) {
            return invalid("timeout", "must be between 1 ms and 1 min");
        }
        if self.max_pending == 0 {
            return invalid("max_pending", "must be at least 1");
        }
        let connection = connect::manager(&self.config)?;
        let counters = Arc::new(BusCounters::default());
        let origin = format!("{:032x}", rand::random::<u128>());
        let keys = self.config.keys.clone();
        let subscriber = subscriber::Subscriber {
            client: self.config.client.clone(),
            channel: keys.channel(),
            me: origin.clone(),
            hub: self.hub.clone(),
            counters: counters.clone(),
            timeout: self.timeout,
            heartbeat: self.heartbeat,
        };
        let publisher = publisher::Publisher {
            connection,
            keys: keys.clone(),
            hub: self.hub.clone(),
            origin: origin.clone(),
            counters: counters.clone(),
            timeout: self.timeout,
            max_pending: self.max_pending,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(publisher.run(rx));
        let subscriber = tokio::spawn(subscriber.run()).abort_handle();
        Ok(RedisEvictionBus {
            inner: Arc::new(Inner {
                hub: self.hub,
                tx,
                counters,
                origin,
                deployment: keys.deployment().to_owned(),
                subscriber,
            }),
        })
    }
}

impl fmt::Debug for RedisEvictionBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisEvictionBus")
            .field("deployment", &self.inner.deployment)
            .field("origin", &self.inner.origin)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}
