//! Nothing secret or personal leaves through logs or `Debug`: not the URL's password, not an
//! entry's key or value, not a tag's id, whatever fails.

use std::time::Duration;

use stack_auth_core::{
    breaker::CircuitBreakerPolicy, CacheKey, CacheNamespace, CacheTag, Evict, Eviction,
    EvictionHub, SharedCache,
};
use stack_auth_redis::{RedisConfig, RedisEvictionBus, RedisSharedCache};
use stack_auth_testkit::tracing_capture::capture;

use crate::support::{eventually, redis};

const PASSWORD: &str = "hunter2-very-secret";
const VALUE: &[u8] = b"ada@example.com personal profile";
const USER: &str = "user-id-4711";

#[tokio::test]
async fn failures_are_logged_without_password_key_value_or_id() {
    let (captured, _guard) = capture();
    let mut server = redis();
    let url = format!("redis://app:{PASSWORD}@127.0.0.1:{}/", server.port());
    server.kill();
    let config = RedisConfig::builder(&url)
        .deployment("shop")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let cache = RedisSharedCache::builder(config.clone())
        .circuit_breaker(CircuitBreakerPolicy::new(2, Duration::from_secs(60)))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let bus = RedisEvictionBus::builder(config.clone(), EvictionHub::new())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let key = CacheKey::from_digest([0xab; 32]);
    let tags = [CacheTag::User(USER.into())];
    cache
        .put(
            CacheNamespace::PROFILES,
            &key,
            VALUE,
            Duration::from_secs(30),
            &tags,
        )
        .await;
    let _ = cache.get(CacheNamespace::PROFILES, &key).await;
    let _ = cache.get(CacheNamespace::PROFILES, &key).await;
    bus.evict(&Eviction::UserDeleted {
        user_id: USER.into(),
    });
    eventually("the bus failed to publish", || async {
        bus.stats().publish_failures >= 1
    })
    .await;

    let text = captured.all_text();
    assert!(
        text.contains("circuit opened"),
        "the failures were logged: {text}"
    );
    let shown = [
        text,
        format!("{config:?}"),
        format!("{cache:?}"),
        format!("{bus:?}"),
    ];
    for shown in shown {
        assert!(!shown.contains(PASSWORD), "{shown}");
        assert!(!shown.contains("abababab"), "{shown}");
        assert!(!shown.contains("ada@example.com"), "{shown}");
        assert!(!shown.contains(USER), "{shown}");
    }
}
