//! users/me requests for K distinct tokens verified on each of N instances (the composite, the
//! default wiring), without a shared cache and with one (each instance its own connection).

use serde_json::{json, Value};
use stack_auth_benchmarks::StandIn;
use stack_auth_core::TokenVerifier;
use stack_auth_redis::{RedisConfig, RedisSharedCache};

use crate::{Build, Sizes};

/// users/me requests made when every one of `sizes.instances` instances verifies each of
/// `sizes.count_tokens` fresh tokens once, instance after instance.
async fn requests(stand_in: &StandIn, redis: Option<&RedisConfig>, sizes: &Sizes) -> u64 {
    let tokens = stand_in.stored_user_tokens(sizes.count_tokens).unwrap();
    let mut instances = Vec::with_capacity(sizes.instances);
    for _ in 0..sizes.instances {
        let shared = redis.map(|config| {
            RedisSharedCache::builder(config.clone())
                .timeout(std::time::Duration::from_secs(1))
                .build()
                .unwrap()
        });
        let build = Build {
            stand_in,
            shared: shared.as_ref(),
            caches: true,
        };
        instances.push(build.composite().await);
    }
    let before = stand_in.users_me_calls();
    for instance in &instances {
        for token in &tokens {
            instance.verify(token).await.unwrap();
        }
    }
    stand_in.users_me_calls() - before
}

/// The two counts, checked against what the design promises (K with Redis, N×K without).
pub(crate) async fn run(stand_in: &StandIn, redis: &RedisConfig, sizes: &Sizes) -> Value {
    let (n, k) = (sizes.instances as u64, sizes.count_tokens as u64);
    let without = requests(stand_in, None, sizes).await;
    let with = requests(stand_in, Some(redis), sizes).await;
    assert_eq!(without, n * k, "each instance asks for each token");
    assert_eq!(with, k, "one request per token for the fleet");
    json!({
        "instances": n,
        "tokens": k,
        "users_me_without_shared_cache": without,
        "users_me_with_shared_cache": with,
    })
}
