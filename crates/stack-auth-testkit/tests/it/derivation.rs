//! Key derivation reproduces Stack Auth's keys byte for byte (interop derivation vectors).
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use stack_auth_testkit::{derive_keys, KeyScheme, TestkitError, TokenMinter};

const INTEROP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/interop");

fn vectors() -> Value {
    let text = std::fs::read_to_string(format!("{INTEROP}/derivation-vectors.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_vector_is_reproduced_exactly() {
    let v = vectors();
    let secret = v["secret"].as_str().unwrap();
    let list = v["vectors"].as_array().unwrap();
    assert!(list.len() >= 5);
    let mut short = 0;
    for vector in list {
        let audience = vector["audience"].as_str().unwrap();
        let keys = derive_keys(secret, audience).unwrap();
        for (i, (expected, key)) in vector["keys"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&keys)
            .enumerate()
        {
            let got = serde_json::to_value(key.private_jwk()).unwrap();
            assert_eq!(&got, expected, "audience {audience} key {i}");
            let public = key.public_jwk();
            assert_eq!(
                (public.x.as_str(), public.y.as_str()),
                (
                    expected["x"].as_str().unwrap(),
                    expected["y"].as_str().unwrap()
                )
            );
            short += usize::from(public.x.len() == 42) + usize::from(public.y.len() == 42);
        }
        assert_eq!(keys[0].scheme(), KeyScheme::Legacy);
        assert_eq!(keys[1].scheme(), KeyScheme::New);
    }
    assert!(short >= 2, "the vectors include 31-byte coordinates");
}

#[test]
fn public_jwk_member_order_is_the_published_one() {
    let [key, _] = derive_keys(vectors()["secret"].as_str().unwrap(), "internal").unwrap();
    let json = serde_json::to_string(&key.public_jwk()).unwrap();
    let order = [
        "\"kty\":\"EC\"",
        "\"alg\":\"ES256\"",
        "\"crv\":\"P-256\"",
        "\"x\":",
        "\"y\":",
        "\"kid\":\"M5zZLA6iQw2n\"",
    ];
    let at: Vec<usize> = order.iter().map(|k| json.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{json}");
    assert_eq!(key.public_key_sec1().len(), 65);
}

#[test]
fn minter_publishes_the_derived_keys_in_stack_auth_order() {
    let secret = vectors()["secret"].as_str().unwrap().to_owned();
    let pid = "6a2f3c1e-8e1b-4b7a-9a3e-2f1c0d9e8b7a";
    let minter = TokenMinter::new(&secret, "https://api.stack-auth.com", pid).unwrap();
    let jwks: Value =
        serde_json::from_str(&minter.jwks_json(stack_auth_core::UserTypes::ALL)).unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(
        kids,
        [
            "cfmCaoFK4bU6",
            "F0JQZoJsL1L2",
            "oOLse_9uuMLh",
            "AKd9AlPWhqp-",
            "hd0PkKqOKuje",
            "PmrGLHp-lp9h"
        ]
    );
}

#[test]
fn bad_inputs_are_typed_errors() {
    assert!(matches!(
        derive_keys("not base64url!", "a"),
        Err(TestkitError::InvalidSecret)
    ));
    assert!(matches!(
        derive_keys("c2VjcmV0", "kid"),
        Err(TestkitError::KeyDerivation { .. })
    ));
    assert!(matches!(
        TokenMinter::new("c2VjcmV0", "ftp://x", "p"),
        Err(TestkitError::Config(_))
    ));
    assert!(matches!(
        TokenMinter::new("c2VjcmV0", "https://x", "bad id"),
        Err(TestkitError::Config(_))
    ));
}
