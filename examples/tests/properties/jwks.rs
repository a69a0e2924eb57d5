//! Property tests (issue 10) for token verification and JWKS documents, with the interop
//! fixtures (`fixtures/interop` and `fixtures/interop-brand`): mutated tokens never verify, refusals carry the documented reason, arbitrary key
//! sets never panic, and one broken key leaves the others working.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, sync::OnceLock};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use proptest::prelude::*;
use serde_json::{json, Value};
use stack_auth_core::test_util::ManualClock;
use stack_auth_core::{ConfigError, RefusalReason, TokenVerifier, UserTypes, VerifyError};
use stack_auth_jwks::JwksVerifier;

/// 2026-01-01: after the fixtures' `iat`, before their `exp`.
const NOW: u64 = 1_767_225_600;

/// One fixture directory (`fixtures/interop` or `fixtures/interop-brand`): its cases, its full
/// key set, and a verifier accepting every user type and every issuer its valid tokens carry.
struct Fixture {
    cases: Value,
    jwks: Value,
    verifier: JwksVerifier,
}

const FIXTURE_DIRS: [&str; 2] = ["interop", "interop-brand"];

fn fixture(index: usize) -> &'static Fixture {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    &FIXTURES.get_or_init(|| FIXTURE_DIRS.iter().map(|d| load(d)).collect())[index]
}

fn load(dir: &str) -> Fixture {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(dir);
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    let project = cases["project_id"].as_str().unwrap();
    let path = dir
        .join("jwks")
        .join(project)
        .join("jwks.json@include_anonymous=true");
    let jwks: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let verifier = verifier_over(&cases, &jwks.to_string()).unwrap();
    Fixture {
        cases,
        jwks,
        verifier,
    }
}

/// Tokens of `cases` that verify when every user type is accepted.
fn valid_in(cases: &Value) -> Vec<&str> {
    let project = cases["project_id"].as_str().unwrap();
    cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["project_id"].as_str().is_none_or(|p| p == project))
        .filter(|c| c["expect"]["ok"] == true || c["expect"]["reason"] == "user_type_not_allowed")
        .map(|c| c["token"].as_str().unwrap())
        .collect()
}

/// The valid tokens of fixture `index`.
fn valid_tokens(index: usize) -> Vec<&'static str> {
    valid_in(&fixture(index).cases)
}

fn kid_of(token: &str) -> String {
    let header = URL_SAFE_NO_PAD
        .decode(token.split('.').next().unwrap())
        .unwrap();
    let header: Value = serde_json::from_slice(&header).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

/// The origin of `token`'s issuer.
fn issuer_origin(token: &str) -> String {
    let payload = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(1).unwrap())
        .unwrap();
    let iss: Value = serde_json::from_slice::<Value>(&payload).unwrap()["iss"].clone();
    let iss = iss.as_str().unwrap();
    iss[..iss.find("/api/v1/").unwrap()].to_owned()
}

/// A verifier for the fixture `cases` over the key set `document`, accepting the issuers of
/// every valid token.
fn verifier_over(cases: &Value, document: &str) -> Result<JwksVerifier, ConfigError> {
    // One client for every verifier: building one per case would dominate the run time.
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    let mut builder = JwksVerifier::builder(cases["project_id"].as_str().unwrap())
        .http_client(CLIENT.get_or_init(reqwest::Client::new).clone())
        .base_url(cases["base_url"].as_str().unwrap());
    for token in valid_in(cases) {
        builder = builder.accept_issuer_origin(issuer_origin(token));
    }
    builder
        .jwks_url("http://127.0.0.1:9/never-fetched")
        .accepted_user_types(UserTypes::ALL)
        .clock(ManualClock::at_unix_secs(NOW))
        .disable_token_cache()
        .static_jwks(document)
        .build()
}

fn verify(v: &JwksVerifier, token: &str) -> Result<stack_auth_core::VerifiedUser, VerifyError> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(v.verify(token))
}

/// The reasons a verifier can give before a signature has verified.
fn before_signature(e: &VerifyError) -> bool {
    matches!(
        e.refusal_reason(),
        Some(
            RefusalReason::Malformed
                | RefusalReason::UnsupportedAlgorithm
                | RefusalReason::UnknownKey
                | RefusalReason::BadSignature
        )
    )
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[ -~]{0,16}".prop_map(Value::String),
        Just(json!("EC")),
        Just(json!("P-256")),
        Just(json!("ES256")),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("keys".to_owned()),
                    Just("kty".to_owned()),
                    Just("crv".to_owned()),
                    Just("kid".to_owned()),
                    Just("x".to_owned()),
                    Just("y".to_owned()),
                    "[a-z]{0,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Replacing any one character of a valid token never yields a verified user; the refusal
    /// is one a verifier gives before a signature holds.
    #[test]
    fn a_token_with_any_character_changed_never_verifies(
        f in 0..FIXTURE_DIRS.len(),
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        replacement in 0x21u8..0x7f,
    ) {
        let tokens = valid_tokens(f);
        let original = tokens[which.index(tokens.len())];
        let mut bytes = original.as_bytes().to_vec();
        let at = at.index(bytes.len());
        prop_assume!(bytes[at] != replacement);
        bytes[at] = replacement;
        let mutated = String::from_utf8(bytes).unwrap();
        let err = verify(&fixture(f).verifier, &mutated).unwrap_err();
        prop_assert!(before_signature(&err), "{}", err);
    }

    /// Random segment soup is refused, before any signature could hold.
    #[test]
    fn random_segments_are_refused(
        f in 0..FIXTURE_DIRS.len(),
        token in "[A-Za-z0-9_=+/-]{0,120}(\\.[A-Za-z0-9_=+/-]{0,120}){0,4}",
    ) {
        let err = verify(&fixture(f).verifier, &token).unwrap_err();
        prop_assert!(before_signature(&err), "{}", err);
    }

    /// A valid payload and signature under another header: a non-`ES256` alg is
    /// `unsupported_algorithm`, an unknown `kid` is `unknown_key`, and a real `kid` is
    /// `bad_signature` (the header is signed too).
    #[test]
    fn a_swapped_header_is_refused_for_the_first_thing_it_breaks(
        f in 0..FIXTURE_DIRS.len(),
        which in any::<prop::sample::Index>(),
        alg in prop_oneof![
            Just("ES256".to_owned()), Just("es256".to_owned()), Just("none".to_owned()),
            Just("HS256".to_owned()), Just("ES384".to_owned()), "[A-Za-z0-9]{0,8}",
        ],
        real_kid in any::<bool>(),
        other_kid in "[A-Za-z0-9_-]{1,16}",
        typ in prop::option::of("[A-Z]{0,5}"),
    ) {
        let tokens = valid_tokens(f);
        let original = tokens[which.index(tokens.len())];
        let kid = if real_kid { kid_of(original) } else { other_kid };
        let known = fixture(f).jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid.as_str());
        let mut header = json!({"alg": alg, "kid": kid});
        if let Some(typ) = typ {
            header["typ"] = json!(typ);
        }
        let rest = original.split_once('.').unwrap().1;
        let token = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header.to_string()));
        prop_assume!(token != original); // the very header it was signed with
        let expected = if alg != "ES256" {
            RefusalReason::UnsupportedAlgorithm
        } else if !known {
            RefusalReason::UnknownKey
        } else {
            RefusalReason::BadSignature
        };
        let err = verify(&fixture(f).verifier, &token).unwrap_err();
        prop_assert_eq!(err.refusal_reason(), Some(expected));
    }

    /// Any JSON given as a key set builds a verifier or is refused as `static_jwks`; never a
    /// panic, and a verifier built from it refuses the interop token unless its key is listed.
    #[test]
    fn arbitrary_documents_never_panic(doc in json_value(), as_keys in any::<bool>()) {
        let doc = if as_keys { json!({"keys": doc}) } else { doc };
        match verifier_over(&fixture(0).cases, &doc.to_string()) {
            Err(ConfigError::Invalid { field, .. }) => prop_assert_eq!(field, "static_jwks"),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
            Ok(v) => {
                let token = valid_tokens(0)[0];
                let listed = v.status().key_ids.contains(&kid_of(token));
                let result = verify(&v, token);
                prop_assert!(result.is_err() || listed);
            }
        }
    }
}

/// Ways to break one JWK.
const CORRUPTIONS: [fn(&mut Value); 11] = [
    |k| drop(k.as_object_mut().unwrap().remove("x")),
    |k| k["kty"] = json!("RSA"),
    |k| k["crv"] = json!("P-384"),
    |k| k["alg"] = json!("RS256"),
    |k| k["use"] = json!("enc"),
    |k| k["x"] = json!("AA"),
    |k| k["y"] = json!("!!not base64!!"),
    |k| k["x"] = json!(URL_SAFE_NO_PAD.encode([7u8; 40])),
    |k| k["kid"] = json!(5),
    |k| *k = json!("not a key"),
    |k| *k = json!([]),
];

/// One broken key in the published set, for every key and every way of breaking it: tokens of
/// every other key still verify, tokens of the broken key are refused.
#[test]
fn one_corrupted_key_leaves_the_others_working() {
    for f in 0..FIXTURE_DIRS.len() {
        one_corrupted_key_in(f);
    }
}

fn one_corrupted_key_in(f: usize) {
    let Fixture { cases, jwks, .. } = fixture(f);
    let keys = jwks["keys"].as_array().unwrap().len();
    for (index, corrupt) in (0..keys).flat_map(|i| CORRUPTIONS.iter().map(move |c| (i, c))) {
        let mut doc = jwks.clone();
        let key = &mut doc["keys"][index];
        let broken_kid = key["kid"].as_str().unwrap().to_owned();
        corrupt(key);
        let v = verifier_over(cases, &doc.to_string()).unwrap();
        assert_eq!(v.status().key_ids.len(), keys - 1);
        for token in valid_tokens(f) {
            let result = verify(&v, token);
            if kid_of(token) == broken_kid {
                let err = result.unwrap_err();
                assert!(
                    matches!(
                        err.refusal_reason(),
                        Some(RefusalReason::UnknownKey | RefusalReason::BadSignature)
                    ),
                    "key {index}: {err}"
                );
            } else {
                assert!(result.is_ok(), "key {index} broken: {result:?}");
            }
        }
    }
}
