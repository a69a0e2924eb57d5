//! Arbitrary bytes as a JWKS document given to `JwksVerifierBuilder::static_jwks` (parsed by
//! `build`, exactly as a fetched body is), then one interop token verified against it.
//!
//! Checks: no panic; a document is either refused as `ConfigError::Invalid { field:
//! "static_jwks" }` or gives a verifier with 1 to 64 distinct key ids, all present in the
//! document; the interop token verifies only if its `kid` is in the document, and the answer is
//! always a refusal or a success (never unavailable: nothing is fetched).
#![no_main]

mod common;

use std::{collections::HashSet, sync::OnceLock};

use libfuzzer_sys::fuzz_target;
use stack_auth_core::{ConfigError, TokenVerifier, UserTypes, VerifyError};
use stack_auth_core::test_util::ManualClock;
use stack_auth_jwks::{JwksVerifier, KeySetState};

struct Fixture {
    client: reqwest::Client,
    token: &'static str,
    kid: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (_, token, _) = common::all_cases()
            .find(|(name, _, _)| *name == "normal-user")
            .expect("normal-user case");
        let header = token.split('.').next().expect("header segment");
        let header = base64_header(header);
        let kid = header["kid"].as_str().expect("kid").to_owned();
        Fixture {
            // One client for every iteration: building one per document would dominate.
            client: reqwest::Client::new(),
            token,
            kid,
        }
    })
}

fn base64_header(segment: &str) -> serde_json::Value {
    // The fixture header is plain base64url JSON; decode without another dependency.
    let table = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (mut acc, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in segment.bytes() {
        let v = table.iter().position(|&t| t == c).expect("base64url") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    serde_json::from_slice(&out).expect("header JSON")
}

fuzz_target!(|data: &[u8]| {
    let Ok(document) = std::str::from_utf8(data) else {
        return;
    };
    let f = fixture();
    let built = JwksVerifier::builder(common::project_id())
        .base_url(common::base_url())
        .jwks_url("http://127.0.0.1:9/never-fetched")
        .http_client(f.client.clone())
        .accepted_user_types(UserTypes::ALL)
        .clock(ManualClock::at_unix_secs(common::NOW))
        .disable_token_cache()
        .static_jwks(document)
        .build();
    let verifier = match built {
        Ok(v) => v,
        Err(ConfigError::Invalid { field, .. }) => {
            assert_eq!(field, "static_jwks");
            return;
        }
        Err(other) => panic!("unexpected build error: {other:?}"),
    };
    let status = verifier.status();
    assert_eq!(status.state, KeySetState::Static);
    assert!((1..=64).contains(&status.key_ids.len()));
    let distinct: HashSet<&String> = status.key_ids.iter().collect();
    assert_eq!(distinct.len(), status.key_ids.len(), "duplicate kids kept");
    let doc: serde_json::Value = serde_json::from_str(document).expect("a usable set is JSON");
    for kid in &status.key_ids {
        let listed = doc["keys"]
            .as_array()
            .is_some_and(|keys| keys.iter().any(|k| k["kid"].as_str() == Some(kid.as_str())));
        assert!(listed, "a key id the document does not list");
    }
    match common::runtime().block_on(verifier.verify(f.token)) {
        Ok(_) => assert!(status.key_ids.contains(&f.kid), "verified without its key"),
        Err(VerifyError::Refused(_)) => {}
        Err(other) => panic!("static keys, yet: {other:?}"),
    }
});
