//! The eviction bus against a real Redis: several processes, each with its own hub.

use std::time::{Duration, Instant};

use stack_auth_core::{CacheNamespace, CacheTag, Evict, Eviction, SharedCache};

use crate::support::{cache, config, eventually, key, quantile, redis, Process};

fn deleted(user: &str) -> Eviction {
    Eviction::UserDeleted {
        user_id: user.into(),
    }
}

#[tokio::test]
async fn an_eviction_reaches_every_other_process_once_and_is_applied_again_where_it_began_once_published(
) {
    let redis = redis();
    let shop = config(&redis.url(), "shop");
    let (a, b, c) = (
        Process::new(&shop),
        Process::new(&shop),
        Process::new(&shop),
    );
    let elsewhere = Process::new(&config(&redis.url(), "staging"));
    for p in [&a, &b, &c, &elsewhere] {
        p.subscribed(1).await;
    }

    a.bus.evict(&deleted("u1"));
    assert_eq!(
        a.recorder.seen(),
        [deleted("u1")],
        "applied locally at once"
    );
    eventually("b and c heard it", || async {
        b.recorder.seen().len() == 1 && c.recorder.seen().len() == 1
    })
    .await;
    eventually(
        "a heard its own message back, and applied it again",
        || async { a.bus.stats().own_skipped == 1 && a.recorder.seen().len() == 2 },
    )
    .await;
    assert_eq!(
        a.recorder.seen(),
        [deleted("u1"), deleted("u1")],
        "at once, then once its shared entries were voided: not a third time on hearing it back"
    );
    assert_eq!(b.recorder.seen(), [deleted("u1")]);
    assert_eq!(c.recorder.seen(), [deleted("u1")]);
    assert_eq!((a.bus.stats().published, b.bus.stats().received), (1, 1));
    assert!(
        elsewhere.recorder.seen().is_empty(),
        "another deployment hears nothing"
    );

    // Every kind travels, in order.
    let all_kinds = [
        Eviction::UserUpdated {
            user_id: "u2".into(),
        },
        Eviction::SessionEnded {
            user_id: "u2".into(),
            session_id: "s2".into(),
        },
        Eviction::TeamPermissions {
            team_id: "t".into(),
            user_id: "u2".into(),
        },
        Eviction::ProjectPermissions {
            user_id: "u2".into(),
        },
        Eviction::TeamMembership {
            team_id: "t".into(),
            user_id: "u2".into(),
        },
        Eviction::Team {
            team_id: "t".into(),
        },
        Eviction::ApiKey { key_id: "k".into() },
        Eviction::All,
    ];
    for e in &all_kinds {
        c.bus.evict(e);
    }
    eventually("b heard them all", || async {
        b.recorder.seen().len() == 9
    })
    .await;
    assert_eq!(b.recorder.seen()[1..], all_kinds);
}

#[tokio::test]
async fn an_eviction_voids_the_shared_entries_it_makes_stale() {
    let redis = redis();
    let shop = config(&redis.url(), "shop");
    let shared = cache(&shop);
    let a = Process::new(&shop);
    let ttl = Duration::from_secs(30);
    let u1 = [
        CacheTag::User("u1".into()),
        CacheTag::UserProfile("u1".into()),
    ];
    shared
        .put(CacheNamespace::PROFILES, &key(1), b"u1", ttl, &u1)
        .await;
    shared
        .put(
            CacheNamespace::PROFILES,
            &key(2),
            b"u2",
            ttl,
            &[CacheTag::User("u2".into())],
        )
        .await;

    a.bus.evict(&deleted("u1"));
    eventually("published", || async { a.bus.stats().published == 1 }).await;
    assert!(shared
        .get(CacheNamespace::PROFILES, &key(1))
        .await
        .is_none());
    assert!(shared
        .get(CacheNamespace::PROFILES, &key(2))
        .await
        .is_some());
}

#[tokio::test]
async fn foreign_messages_are_ignored_and_unknown_kinds_drop_everything() {
    let redis_server = redis();
    let shop = config(&redis_server.url(), "shop");
    let b = Process::new(&shop);
    b.subscribed(1).await;
    let client = redis::Client::open(redis_server.url()).unwrap_or_else(|e| panic!("{e}"));
    let conn = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let publish = |payload: &'static str| {
        let mut conn = conn.clone();
        async move {
            let _: i64 = redis::cmd("PUBLISH")
                .arg("stack-auth:shop:evictions")
                .arg(payload)
                .query_async(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
    };
    publish("not json").await;
    publish(r#"{"v":9,"origin":"newer","eviction":{"kind":"organization_deleted","id":"o"}}"#)
        .await;
    eventually("both seen", || async {
        let s = b.bus.stats();
        s.malformed == 1 && s.received == 1
    })
    .await;
    assert_eq!(b.recorder.seen(), [Eviction::All]);
}

#[tokio::test]
async fn after_redis_restarts_every_process_resubscribes_drops_what_it_missed_and_publishes_what_it_kept(
) {
    let mut redis = redis();
    let shop = config(&redis.url(), "shop");
    let a = Process::with(&shop, |b| {
        b.max_pending(2).timeout(Duration::from_millis(200))
    });
    let b = Process::new(&shop);
    a.subscribed(1).await;
    b.subscribed(1).await;

    redis.kill();
    eventually("both noticed", || async {
        !a.bus.stats().subscribed && !b.bus.stats().subscribed
    })
    .await;
    for user in ["u1", "u2", "u3"] {
        a.bus.evict(&deleted(user)); // applied locally, kept for later
    }
    assert_eq!(a.recorder.seen().len(), 3);
    assert!(b.recorder.seen().is_empty(), "b cannot hear anything now");
    eventually("a kept them, collapsed past max_pending", || async {
        let s = a.bus.stats();
        s.overflows == 1 && s.pending == 2
    })
    .await;

    redis.restart().unwrap_or_else(|e| panic!("{e}"));
    eventually("both resubscribed", || async {
        a.bus.stats().subscriptions >= 2 && b.bus.stats().subscriptions >= 2
    })
    .await;
    eventually("a published what it kept", || async {
        let s = a.bus.stats();
        s.pending == 0 && s.published == 2
    })
    .await;
    // b dropped everything when it resubscribed (whatever it missed is gone), and maybe heard
    // a's backlog (["everything is stale", u3]) too if it was subscribed by then.
    let seen = b.recorder.seen();
    assert_eq!(seen.first(), Some(&Eviction::All), "{seen:?}");
    assert!(
        seen.iter()
            .all(|e| *e == Eviction::All || *e == deleted("u3")),
        "{seen:?}"
    );

    // And the bus works as before.
    b.recorder.clear();
    a.bus.evict(&deleted("u4"));
    eventually("b heard u4", || async {
        b.recorder.seen() == [deleted("u4")]
    })
    .await;
}

/// A backlog past `max_pending` becomes "everything is stale" and keeps its revocations: a
/// deleted user is a fact that `All` does not carry.
#[tokio::test]
async fn an_overflowing_backlog_keeps_its_revocations() {
    let mut redis = redis();
    let shop = config(&redis.url(), "shop");
    let a = Process::with(&shop, |b| {
        b.max_pending(4).timeout(Duration::from_millis(200))
    });
    a.subscribed(1).await;
    redis.kill();
    eventually("a noticed", || async { !a.bus.stats().subscribed }).await;
    let updated = |user: &str| Eviction::UserUpdated {
        user_id: user.into(),
    };
    for eviction in [
        updated("u1"),
        deleted("u2"),
        updated("u3"),
        deleted("u4"),
        updated("u5"),
    ] {
        a.bus.evict(&eviction);
    }
    eventually("collapsed, the revocations kept", || async {
        let s = a.bus.stats();
        s.overflows == 1 && s.pending == 4
    })
    .await;
    redis.restart().unwrap_or_else(|e| panic!("{e}"));
    eventually("published: everything is stale, u2, u4 and u5", || async {
        let s = a.bus.stats();
        s.pending == 0 && s.published == 4
    })
    .await;
}

#[tokio::test]
async fn propagation_delay_on_loopback_is_measured() {
    let redis = redis();
    let shop = config(&redis.url(), "shop");
    let (a, b) = (Process::new(&shop), Process::new(&shop));
    a.subscribed(1).await;
    b.subscribed(1).await;
    let rounds = 300;
    let mut delays = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let e = deleted(&format!("user-{i}"));
        let sent = Instant::now();
        a.bus.evict(&e);
        eventually("b heard it", || async { b.recorder.seen().len() == i + 1 }).await;
        let timed = b.recorder.timed();
        let (heard, at) = &timed[i];
        assert_eq!(heard, &e, "in order");
        delays.push(at.duration_since(sent));
    }
    delays.sort();
    println!(
        "eviction propagation on loopback, {rounds} evictions one at a time: p50 {:?}, p99 {:?}, max {:?}",
        quantile(&delays, 0.5),
        quantile(&delays, 0.99),
        delays.last().copied().unwrap_or_default()
    );
}
