use std::time::Duration;

use stack_auth_core::{
    test_util::{every_eviction, ManualClock, MemorySharedCache},
    Eviction, SharedCache, Unavailable, UnavailableKind, Upstream,
};

use super::*;
use crate::{
    memo::{CacheSettings, Fetched, Memo},
    tagged_cache::TaggedCache,
};

/// Answers are strings keyed by numbers, in a namespace of the tests' own.
const STRINGS: Share<u32, String> = Share {
    namespace: match CacheNamespace::new("tests.v1") {
        Some(ns) => ns,
        None => panic!("a namespace name"),
    },
    refusals: None,
    key: |n| digest(&[&n.to_be_bytes()]),
    encode: |s| (!s.contains("private")).then(|| s.as_bytes().to_vec()),
    decode: |bytes, _| String::from_utf8(bytes.to_vec()).ok(),
};

fn api(shared: &MemorySharedCache) -> ServerApi {
    ServerApi::builder("p1", "ssk_test")
        .shared_cache(shared.clone())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn tier(shared: &MemorySharedCache) -> SharedTier<u32, String> {
    SharedTier::of(&api(shared), &STRINGS).unwrap_or_else(|| panic!("a shared cache was set"))
}

fn refused(reason: RefusalReason) -> Answer<String> {
    Err(Refusal::new(reason).with_detail("said so").into())
}

const TTL: Duration = Duration::from_secs(30);

#[tokio::test]
async fn answers_and_refusals_travel_with_their_tags_and_what_is_local_stays() {
    let shared = MemorySharedCache::new();
    let (a, b) = (tier(&shared), tier(&shared));
    let tags = vec![Tag::User("u1".into()), Tag::Team("t1".into())];
    a.write(&1, &Ok("ada".into()), TTL, &tags).await;
    let found = b.read(&1).await.unwrap_or_else(|| panic!("shared"));
    assert_eq!(found.answer.ok().as_deref(), Some("ada"));
    assert_eq!(found.tags, tags);
    assert!(found.remaining <= TTL && found.remaining > TTL - Duration::from_secs(5));

    a.write(&2, &refused(RefusalReason::ApiKeyRevoked), TTL, &[])
        .await;
    let e = b.read(&2).await.map(|f| f.answer);
    let refusal = match e {
        Some(Err(VerifyError::Refused(r))) => r,
        _ => panic!("the refusal travels"),
    };
    assert_eq!(refusal.reason(), RefusalReason::ApiKeyRevoked);
    assert_eq!(refusal.detail(), Some("said so"));

    // Never shared: this process's user-type setting, unavailability, what the share keeps
    // private, a zero lifetime, a tag without a counterpart.
    let unavailable: Answer<String> =
        Err(Unavailable::new(Upstream::Api, UnavailableKind::Timeout).into());
    a.write(&3, &refused(RefusalReason::UserTypeNotAllowed), TTL, &[])
        .await;
    a.write(&4, &unavailable, TTL, &[]).await;
    a.write(&5, &Ok("private notes".into()), TTL, &[]).await;
    a.write(&6, &Ok("zero".into()), Duration::ZERO, &[]).await;
    a.write(&7, &Ok("teams".into()), TTL, &[Tag::TeamsOf("u1".into())])
        .await;
    for n in 3..=7 {
        assert!(b.read(&n).await.is_none(), "entry {n} was shared");
    }
    assert_eq!(shared.len(), 2);
}

#[tokio::test]
async fn a_value_that_is_not_one_reads_as_a_miss() {
    let shared = MemorySharedCache::new();
    let b = tier(&shared);
    let key = CacheKey::from_digest((STRINGS.key)(&1));
    for junk in [
        &b""[..],
        b"no header line",
        b"{\"t\":[]}\n\xff\xfe",
        b"{\"t\":[],\"r\":\"no_such_reason\"}\n",
        b"{\"t\":[{\"nope\":1}]}\nx",
    ] {
        shared.put(STRINGS.namespace, &key, junk, TTL, &[]).await;
        assert!(b.read(&1).await.is_none(), "{junk:?}");
    }
}

/// Every tag kind the SDK's caches use, on one entry each.
fn tagged_entries() -> Vec<Vec<Tag>> {
    let (u, t) = (String::from("u1"), String::from("t1"));
    vec![
        vec![Tag::Profile(u.clone()), Tag::User(u.clone())],
        vec![Tag::User(u.clone())],
        vec![Tag::User(u.clone()), Tag::TeamUser(t.clone(), u.clone())],
        vec![Tag::User(u.clone()), Tag::ProjectPermissions(u.clone())],
        vec![Tag::Team(t.clone())],
        vec![Tag::ApiKey("k1".into()), Tag::User(u.clone())],
        vec![Tag::User("u2".into()), Tag::TeamUser(t, "u2".into())],
    ]
}

#[tokio::test]
async fn an_eviction_voids_a_shared_entry_exactly_when_it_drops_the_local_copy() {
    for eviction in every_eviction() {
        let shared = MemorySharedCache::new();
        let tier = tier(&shared);
        let local: TaggedCache<u32, String> = TaggedCache::new(100);
        let entries = tagged_entries();
        for (n, tags) in (0u32..).zip(&entries) {
            local.insert(n, format!("v{n}"), TTL, tags.clone());
            tier.write(&n, &Ok(format!("v{n}")), TTL, tags).await;
        }
        local.evict(&eviction);
        shared.invalidate(&eviction.cache_tags()).await;
        for (n, tags) in (0u32..).zip(&entries) {
            let here = local.get(&n).is_some();
            let there = tier.read(&n).await.is_some();
            assert_eq!(here, there, "{eviction:?} on {tags:?}");
        }
    }
}

/// Two processes' memos on one shared cache.
fn two_processes(shared: &MemorySharedCache) -> (Memo<u32, String>, Memo<u32, String>) {
    let settings = Some(CacheSettings::default());
    let memo = || Memo::shared(settings, &api(shared), &STRINGS);
    (memo(), memo())
}

#[tokio::test(start_paused = true)]
async fn a_second_process_answers_from_the_shared_cache_and_keeps_it_no_longer_than_it_lives() {
    let clock = ManualClock::starting_now();
    let shared = MemorySharedCache::with_clock(clock.clone());
    let (a, b) = two_processes(&shared);
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let fetch = |answer: &'static str| {
        let asked = asked.clone();
        move || async move {
            asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Fetched::new(Ok(answer.to_owned()), vec![Tag::User("u1".into())])
        }
    };
    let asks = || asked.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(a.get(1, fetch("ada")).await.0.ok().as_deref(), Some("ada"));
    assert_eq!(asks(), 1);
    // Ten seconds later, the other process finds it with 20 s left, and keeps it 20 s.
    clock.advance(Duration::from_secs(10));
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(b.get(1, fetch("new")).await.0.ok().as_deref(), Some("ada"));
    assert_eq!(asks(), 1, "no second request");
    clock.advance(Duration::from_millis(19_999));
    tokio::time::advance(Duration::from_millis(19_999)).await;
    assert_eq!(b.get(1, fetch("new")).await.0.ok().as_deref(), Some("ada"));
    clock.advance(Duration::from_millis(1));
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(b.get(1, fetch("new")).await.0.ok().as_deref(), Some("new"));
    assert_eq!(asks(), 2, "expired in both: asked again");

    // Evicted in the shared cache and the process: the copy comes back from neither.
    let gone = Eviction::UserDeleted {
        user_id: "u1".into(),
    };
    shared.invalidate(&gone.cache_tags()).await;
    a.evict(&gone);
    assert_eq!(
        a.get(1, fetch("newer")).await.0.ok().as_deref(),
        Some("newer")
    );
    assert_eq!(asks(), 3);
}

#[tokio::test]
async fn a_shared_cache_that_is_down_only_costs_requests() {
    let shared = MemorySharedCache::new();
    shared.set_available(false);
    let (a, b) = two_processes(&shared);
    let asked = std::sync::atomic::AtomicU32::new(0);
    let fetch = || {
        asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async { Fetched::new(Ok("ada".to_owned()), Vec::new()) }
    };
    assert_eq!(a.get(1, fetch).await.0.ok().as_deref(), Some("ada"));
    assert_eq!(b.get(1, fetch).await.0.ok().as_deref(), Some("ada"));
    assert_eq!(asked.into_inner(), 2, "each process asked");
    shared.set_available(true);
    assert!(shared.is_empty(), "nothing was stored while it was down");
}

/// Two projects (staging and production, or two tenants of one process) sharing one cache and
/// one deployment name never read each other's answers; nor do two Stack Auth hosts.
#[tokio::test]
async fn answers_stay_within_their_project_and_host() {
    let shared = MemorySharedCache::new();
    let tier_of = |project: &str, base_url: &str| {
        let config = StackAuthConfig::builder(project)
            .base_url(base_url)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let api = ServerApi::builder_with_config(config, "ssk_test")
            .shared_cache(shared.clone())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        SharedTier::of(&api, &STRINGS).unwrap_or_else(|| panic!("a shared cache was set"))
    };
    let staging = tier_of("staging", "https://api.stack-auth.com");
    staging.write(&1, &Ok("ada".into()), TTL, &[]).await;
    assert!(
        tier_of("staging", "https://api.stack-auth.com")
            .read(&1)
            .await
            .is_some(),
        "the same project reads it"
    );
    assert!(tier_of("production", "https://api.stack-auth.com")
        .read(&1)
        .await
        .is_none());
    assert!(tier_of("staging", "https://auth.example.com")
        .read(&1)
        .await
        .is_none());
}
