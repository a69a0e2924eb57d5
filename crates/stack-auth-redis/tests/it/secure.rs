//! Authentication and TLS against a real Redis: an ACL user with exactly the permissions the
//! crate documents, named in the URL; `rediss://` with a private CA.

use std::{net::TcpListener, time::Duration};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use stack_auth_core::{CacheNamespace, CacheTag, Evict, Eviction, SharedCache};
use stack_auth_redis::{RedisConfig, RedisSharedCache};

use crate::support::{cache, config, eventually, key, redis_with, Process};

/// The ACL rules of the crate docs ("What Redis holds, and who may reach it"), for `shop`.
const ACL_RULES: &[&str] = &[
    "on",
    ">s3cret",
    "resetkeys",
    "~stack-auth:shop:*",
    "resetchannels",
    "&stack-auth:shop:evictions",
    "-@all",
    "+hmget",
    "+mget",
    "+pttl",
    "+set",
    "+pexpire",
    "+get",
    "+del",
    "+hset",
    "+evalsha",
    "+script|load",
    "+publish",
    "+subscribe",
    "+ping",
    "+multi",
    "+exec",
];

/// Checks that two processes share entries and evictions on `url`.
async fn works(url: &str, roots: Option<&str>) {
    let mut builder = RedisConfig::builder(url).deployment("shop");
    if let Some(pem) = roots {
        builder = builder.root_certificates(pem);
    }
    let shop = builder.build().unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (cache(&shop), cache(&shop));
    let tags = [CacheTag::User("u1".into())];
    a.put(
        CacheNamespace::PROFILES,
        &key(1),
        b"profile",
        Duration::from_secs(30),
        &tags,
    )
    .await;
    let hit = b.get(CacheNamespace::PROFILES, &key(1)).await;
    assert_eq!(
        hit.map(|h| h.into_value()),
        Some(b"profile".to_vec()),
        "{:?}",
        b.stats()
    );

    let (pa, pb) = (Process::new(&shop), Process::new(&shop));
    pa.subscribed(1).await;
    pb.subscribed(1).await;
    let gone = Eviction::UserDeleted {
        user_id: "u1".into(),
    };
    pa.bus.evict(&gone);
    eventually("b heard it", || async {
        pb.recorder.seen() == [gone.clone()]
    })
    .await;
    assert!(
        b.get(CacheNamespace::PROFILES, &key(1)).await.is_none(),
        "the bus voided it"
    );
    assert_eq!(b.stats().errors + b.stats().timeouts, 0);
}

#[tokio::test]
async fn an_acl_user_with_the_documented_permissions_is_enough() {
    let mut args = vec!["--user", "default", "off", "--user", "stack-auth"];
    args.extend_from_slice(ACL_RULES);
    let redis = redis_with(&args);
    let port = redis.port();
    works(
        &format!("redis://stack-auth:s3cret@127.0.0.1:{port}/"),
        None,
    )
    .await;

    // A wrong password or no user: every call completes as a miss, nothing is stored.
    for url in [
        format!("redis://stack-auth:wrong@127.0.0.1:{port}/"),
        format!("redis://127.0.0.1:{port}/"),
    ] {
        let refused = cache(&config(&url, "shop"));
        refused
            .put(
                CacheNamespace::PROFILES,
                &key(2),
                b"x",
                Duration::from_secs(30),
                &[],
            )
            .await;
        assert!(refused
            .get(CacheNamespace::PROFILES, &key(2))
            .await
            .is_none());
        assert!(refused.stats().errors >= 2, "{:?}", refused.stats());
    }
    // Another deployment's keys are out of the user's reach.
    let staging = cache(&config(
        &format!("redis://stack-auth:s3cret@127.0.0.1:{port}/"),
        "staging",
    ));
    staging
        .put(
            CacheNamespace::PROFILES,
            &key(3),
            b"x",
            Duration::from_secs(30),
            &[],
        )
        .await;
    assert!(staging
        .get(CacheNamespace::PROFILES, &key(3))
        .await
        .is_none());
    assert!(staging.stats().errors >= 1);
}

/// A CA and a certificate for 127.0.0.1 signed by it, as PEM: (ca, cert, key).
fn certificates() -> (String, String, String) {
    let ca_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap_or_else(|e| panic!("{e}"));
    let server_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .and_then(|p| p.signed_by(&server_key, &ca))
        .unwrap_or_else(|e| panic!("{e}"));
    (ca.pem(), server.pem(), server_key.serialize_pem())
}

#[tokio::test]
async fn rediss_with_a_private_ca_works_and_an_untrusted_certificate_is_refused() {
    let (ca, cert, private_key) = certificates();
    let dir = std::env::temp_dir().join(format!("stack-auth-redis-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        p.to_string_lossy().into_owned()
    };
    let (ca_file, cert_file, key_file) = (
        path("ca.pem", &ca),
        path("cert.pem", &cert),
        path("key.pem", &private_key),
    );
    let tls_port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port().to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let redis = redis_with(&[
        "--tls-port",
        &tls_port,
        "--tls-cert-file",
        &cert_file,
        "--tls-key-file",
        &key_file,
        "--tls-ca-cert-file",
        &ca_file,
        "--tls-auth-clients",
        "no",
    ]);
    let url = format!("rediss://127.0.0.1:{tls_port}/");
    works(&url, Some(&ca)).await;

    // The platform's roots do not include the test CA: no connection, only misses.
    let untrusted = RedisSharedCache::builder(config(&url, "shop"))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(untrusted
        .get(CacheNamespace::PROFILES, &key(1))
        .await
        .is_none());
    assert_eq!(untrusted.stats().errors, 1, "{:?}", untrusted.stats());
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
}
