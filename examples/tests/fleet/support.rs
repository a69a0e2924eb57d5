//! A fleet for the tests: a real `redis-server` of the test's own, the Stack Auth stand-in, and
//! several [`Instance`]s (each standing for one process) wired as README "Running a fleet"
//! shows; the stand-in's webhooks go to the first instance only, over HTTP.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{routing::post, Router};
use stack_auth::{
    redis::{RedisConfig, RedisSharedCache},
    testkit::{eventually, LocalStackAuth, ProjectSpec, RedisServer},
    Evict, Eviction,
};
use stack_auth_core::breaker::CircuitBreakerPolicy;
use stack_auth_examples::fleet::Instance;
use stack_auth_webhooks::StackWebhook;

/// How the instances' shared caches behave.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tuning {
    /// One Redis operation's timeout.
    pub(crate) timeout: Duration,
    /// The breaker around Redis.
    pub(crate) breaker: CircuitBreakerPolicy,
}

impl Tuning {
    /// Behaviour, not speed: a loaded two-core machine can take longer than the default 50 ms,
    /// which would turn a shared hit into a miss and an extra request.
    pub(crate) const PATIENT: Tuning = Tuning {
        timeout: Duration::from_secs(2),
        breaker: CircuitBreakerPolicy::new(5, Duration::from_millis(300)),
    };

    /// An outage: give up on Redis fast, skip it after 2 failures, probe every 300 ms.
    pub(crate) const OUTAGE: Tuning = Tuning {
        timeout: Duration::from_millis(50),
        breaker: CircuitBreakerPolicy::new(2, Duration::from_millis(300)),
    };
}

/// The fleet.
pub(crate) struct Fleet {
    pub(crate) redis: RedisServer,
    pub(crate) stack: LocalStackAuth,
    pub(crate) instances: Vec<Instance>,
    pub(crate) caches: Vec<RedisSharedCache>,
    /// Per instance: when each eviction reached its hub (after its verifiers).
    pub(crate) heard: Vec<Arc<Heard>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Fleet {
    /// `n` instances of one deployment, sharing a new Redis.
    pub(crate) async fn start(n: usize, tuning: Tuning) -> Fleet {
        let redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
        let project = ProjectSpec::random()
            .user_api_keys(true)
            .team_api_keys(true);
        let stack = LocalStackAuth::builder()
            .project(project)
            .start()
            .await
            .unwrap();
        let config = RedisConfig::builder(redis.url())
            .deployment("shop")
            .build()
            .unwrap();
        let secret = stack.webhook_secret();
        let (mut instances, mut caches, mut heard) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let shared = RedisSharedCache::builder(config.clone())
                .timeout(tuning.timeout)
                .circuit_breaker(tuning.breaker)
                .build()
                .unwrap();
            let instance = Instance::start(
                &stack.config(),
                stack.secret_server_key(),
                secret.expose(),
                &config,
                &shared,
            )
            .unwrap();
            let ears = Arc::new(Heard::default());
            instance.hub.register(ears.clone());
            instances.push(instance);
            caches.push(shared);
            heard.push(ears);
        }
        let server = serve_webhooks(&stack, &instances[0]).await;
        let fleet = Fleet {
            redis,
            stack,
            instances,
            caches,
            heard,
            server,
        };
        fleet.subscribed(1).await;
        fleet
    }

    /// Waits until every bus has subscribed `times` times, then forgets what the instances
    /// heard (each subscription drops everything).
    pub(crate) async fn subscribed(&self, times: u64) {
        eventually("every bus subscribed", || async {
            self.instances.iter().all(|i| {
                let s = i.bus.stats();
                s.subscribed && s.subscriptions >= times
            })
        })
        .await;
        for ears in &self.heard {
            ears.clear();
        }
    }
}

impl Fleet {
    /// Waits until the stand-in's webhooks were delivered and every eviction they caused
    /// reached every instance: what a test counts after this is not disturbed by them.
    pub(crate) async fn settled(&self) {
        self.stack.wait_for_webhooks().await;
        eventually("every eviction reached every instance", || async {
            let stats: Vec<_> = self.instances.iter().map(|i| i.bus.stats()).collect();
            let published: u64 = stats.iter().map(|s| s.published).sum();
            stats
                .iter()
                .all(|s| s.pending == 0 && s.received == published - s.published)
        })
        .await;
    }
}

/// Serves `instance`'s webhook receiver on 127.0.0.1 and points the stand-in's deliveries at
/// it.
async fn serve_webhooks(
    stack: &LocalStackAuth,
    instance: &Instance,
) -> tokio::task::JoinHandle<()> {
    let app = Router::new()
        .route("/webhooks/stack", post(|_: StackWebhook| async {}))
        .with_state(instance.webhooks.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/stack", listener.local_addr().unwrap());
    stack.set_webhook_endpoint(Some(&url));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    })
}

/// A cache that records the evictions it hears, and when.
#[derive(Debug, Default)]
pub(crate) struct Heard(Mutex<Vec<(Eviction, Instant)>>);

impl Evict for Heard {
    fn evict(&self, eviction: &Eviction) {
        self.lock().push((eviction.clone(), Instant::now()));
    }
}

impl Heard {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Eviction, Instant)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// When `eviction` was first heard.
    pub(crate) fn when(&self, eviction: &Eviction) -> Option<Instant> {
        self.lock()
            .iter()
            .find(|(e, _)| e == eviction)
            .map(|(_, at)| *at)
    }

    /// Forgets what it heard.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}
