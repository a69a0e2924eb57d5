//! The shared cache against a real Redis: several instances standing for several processes,
//! TTLs, tags, namespaces and deployments.

use std::time::Duration;

use stack_auth_core::{
    test_util::MemorySharedCache, CacheNamespace, CacheTag, Eviction, SharedCache,
};
use stack_auth_redis::RedisSharedCache;

use crate::support::{cache, config, eventually, key, redis};

#[tokio::test]
async fn processes_share_entries_and_deployments_and_namespaces_keep_apart() {
    let redis = redis();
    let shop = config(&redis.url(), "shop");
    let (a, b, c) = (cache(&shop), cache(&shop), cache(&shop));
    let other = cache(&config(&redis.url(), "staging"));
    let tags = [CacheTag::User("u1".into())];
    let ttl = Duration::from_secs(30);

    assert_eq!(b.get(CacheNamespace::PROFILES, &key(1)).await, None);
    a.put(
        CacheNamespace::PROFILES,
        &key(1),
        b"profile one",
        ttl,
        &tags,
    )
    .await;
    for process in [&b, &c, &a] {
        let hit = process.get(CacheNamespace::PROFILES, &key(1)).await;
        assert_eq!(hit.as_ref().map(|h| h.value()), Some(&b"profile one"[..]));
    }
    assert_eq!(
        b.get(CacheNamespace::SESSIONS, &key(1)).await,
        None,
        "another namespace"
    );
    assert_eq!(
        b.get(CacheNamespace::PROFILES, &key(2)).await,
        None,
        "another key"
    );
    assert_eq!(
        other.get(CacheNamespace::PROFILES, &key(1)).await,
        None,
        "another deployment"
    );

    b.put(
        CacheNamespace::PROFILES,
        &key(1),
        b"profile two",
        ttl,
        &tags,
    )
    .await;
    let hit = c.get(CacheNamespace::PROFILES, &key(1)).await;
    assert_eq!(
        hit.map(|h| h.into_value()),
        Some(b"profile two".to_vec()),
        "a store replaces"
    );

    let s = b.stats();
    assert_eq!((s.hits, s.misses, s.stores), (1, 3, 1), "{s:?}");
    assert_eq!(
        (s.errors, s.timeouts, s.skipped, s.circuit_open),
        (0, 0, 0, false)
    );
}

#[tokio::test]
async fn entries_keep_at_most_their_ttl_capped_by_max_ttl_and_expire() {
    let redis = redis();
    let shop = config(&redis.url(), "shop");
    let capped = RedisSharedCache::builder(shop.clone())
        .timeout(Duration::from_secs(2))
        .max_ttl(Duration::from_secs(2))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let plain = cache(&shop);
    let ns = CacheNamespace::PROFILES;

    plain
        .put(ns, &key(1), b"v", Duration::from_secs(30), &[])
        .await;
    let left = plain.get(ns, &key(1)).await.map(|h| h.remaining());
    assert!(
        left.is_some_and(|d| d <= Duration::from_secs(30) && d > Duration::from_secs(25)),
        "{left:?}"
    );

    capped
        .put(ns, &key(2), b"v", Duration::from_secs(3600), &[])
        .await;
    let left = plain.get(ns, &key(2)).await.map(|h| h.remaining());
    assert!(
        left.is_some_and(|d| d <= Duration::from_secs(2)),
        "max_ttl caps: {left:?}"
    );

    plain
        .put(ns, &key(3), b"v", Duration::from_millis(300), &[])
        .await;
    assert!(
        plain.get(ns, &key(3)).await.is_some(),
        "present before its TTL"
    );
    eventually("the 300 ms entry expired", || async {
        plain.get(ns, &key(3)).await.is_none()
    })
    .await;

    plain.put(ns, &key(4), b"v", Duration::ZERO, &[]).await;
    assert!(
        plain.get(ns, &key(4)).await.is_none(),
        "a zero TTL stores nothing"
    );
}

#[tokio::test]
async fn oversized_values_are_not_stored() {
    let redis = redis();
    let shop = config(&redis.url(), "shop");
    let small = RedisSharedCache::builder(shop)
        .timeout(Duration::from_secs(2))
        .max_value_len(8)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let ttl = Duration::from_secs(30);
    small
        .put(CacheNamespace::PROFILES, &key(1), b"12345678", ttl, &[])
        .await;
    small
        .put(CacheNamespace::PROFILES, &key(2), b"123456789", ttl, &[])
        .await;
    assert!(small.get(CacheNamespace::PROFILES, &key(1)).await.is_some());
    assert!(small.get(CacheNamespace::PROFILES, &key(2)).await.is_none());
    assert_eq!(small.stats().oversized, 1);
}

#[tokio::test]
async fn invalidating_a_tag_voids_exactly_the_entries_carrying_it_in_every_namespace() {
    let redis = redis();
    let shop = config(&redis.url(), "shop");
    let (a, b) = (cache(&shop), cache(&shop));
    tag_scenario(&a, &b).await;
    assert_eq!(b.stats().invalidations, 3);
}

#[tokio::test]
async fn core_s_in_memory_double_behaves_as_redis_does() {
    let a = MemorySharedCache::new();
    tag_scenario(&a, &a.clone()).await;
}

/// Two processes `a` and `b` of one deployment store, read and invalidate by tag.
async fn tag_scenario(a: &dyn SharedCache, b: &dyn SharedCache) {
    let ttl = Duration::from_secs(30);
    let (profiles, sessions, perms) = (
        CacheNamespace::PROFILES,
        CacheNamespace::SESSIONS,
        CacheNamespace::PERMISSIONS,
    );
    let u1 = [
        CacheTag::User("u1".into()),
        CacheTag::UserProfile("u1".into()),
    ];
    let s1 = [CacheTag::User("u1".into()), CacheTag::Session("s1".into())];
    let u2 = [
        CacheTag::User("u2".into()),
        CacheTag::UserProfile("u2".into()),
    ];
    let p2 = [
        CacheTag::User("u2".into()),
        CacheTag::TeamMember {
            team_id: "t1".into(),
            user_id: "u2".into(),
        },
    ];
    a.put(profiles, &key(1), b"u1 profile", ttl, &u1).await;
    a.put(sessions, &key(1), b"s1 live", ttl, &s1).await;
    a.put(profiles, &key(2), b"u2 profile", ttl, &u2).await;
    a.put(perms, &key(2), b"u2 may", ttl, &p2).await;
    let present = |ns, n| async move { b.get(ns, &key(n)).await.is_some() };

    // Another process voids the deleted user's entries, in both namespaces.
    b.invalidate(
        &Eviction::UserDeleted {
            user_id: "u1".into(),
        }
        .cache_tags(),
    )
    .await;
    assert!(!present(profiles, 1).await && !present(sessions, 1).await);
    assert!(
        present(profiles, 2).await && present(perms, 2).await,
        "u2 untouched"
    );

    // A profile update voids the profile, not the permission answer.
    a.invalidate(
        &Eviction::UserUpdated {
            user_id: "u2".into(),
        }
        .cache_tags(),
    )
    .await;
    assert!(!present(profiles, 2).await);
    assert!(present(perms, 2).await);

    // Entries stored after an invalidation are valid again.
    a.put(profiles, &key(1), b"u1 again", ttl, &u1).await;
    assert!(present(profiles, 1).await);

    // The membership changed: the permission answer goes.
    let membership = Eviction::TeamMembership {
        team_id: "t1".into(),
        user_id: "u2".into(),
    };
    b.invalidate(&membership.cache_tags()).await;
    assert!(!present(perms, 2).await);

    // "Everything" voids every entry, even one stored with no tag.
    a.put(perms, &key(3), b"untagged", ttl, &[]).await;
    b.invalidate(&Eviction::All.cache_tags()).await;
    assert!(!present(profiles, 1).await && !present(perms, 3).await);
}

#[tokio::test]
async fn redis_holds_digests_and_epochs_under_the_deployment_prefix_only() {
    let redis_server = redis();
    let shop = config(&redis_server.url(), "shop");
    let a = cache(&shop);
    let tags = [CacheTag::User("3241a285-user".into())];
    a.put(
        CacheNamespace::PROFILES,
        &key(0xab),
        b"value",
        Duration::from_secs(30),
        &tags,
    )
    .await;

    let client = redis::Client::open(redis_server.url()).unwrap_or_else(|e| panic!("{e}"));
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut names: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    names.sort();
    let entry = format!("stack-auth:shop:e:profiles.v1:{}", "ab".repeat(32));
    assert!(names.contains(&entry), "{names:?}");
    assert_eq!(
        names.len(),
        3,
        "the entry, the user tag, the everything tag: {names:?}"
    );
    for name in &names {
        assert!(name.starts_with("stack-auth:shop:"), "{name}");
        assert!(!name.contains("3241a285"), "no id in a key name: {name}");
        let ttl: i64 = redis::cmd("PTTL")
            .arg(name)
            .query_async(&mut conn)
            .await
            .unwrap_or(-3);
        assert!(ttl > 0, "every key expires: {name} {ttl}");
    }
}
