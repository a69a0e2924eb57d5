//! The `stack_auth.verify` and `stack_auth.jwks.fetch` spans carry the stable fields of the
//! crate docs for every outcome and cache path, and never the token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use stack_auth_core::TokenVerifier;
use stack_auth_jwks::JwksVerifier;
use stack_auth_testkit::tracing_capture::{capture, Captured, SpanRecord};
use stack_auth_testkit::{Breakage, Fault, Route, UserSpec};

use crate::common::{with_kid, Kit};

const VERIFY: &str = "stack_auth.verify";
const FETCH: &str = "stack_auth.jwks.fetch";

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

fn assert_fields(span: &SpanRecord, expected: &[(&str, Option<&str>)]) {
    for (field, value) in expected {
        assert_eq!(span.get(field), *value, "{field} of {span:#?}");
    }
}

fn millis(span: &SpanRecord) -> u64 {
    span.get("upstream_ms")
        .unwrap_or_else(|| panic!("no upstream_ms in {span:#?}"))
        .parse()
        .unwrap()
}

/// Waits (briefly, on the real stand-in) for a background key set refresh to finish.
async fn settle(verifier: &JwksVerifier) {
    for _ in 0..2_000 {
        if !verifier.status().fetch_in_flight {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("the background fetch did not finish");
}

fn assert_no_secret(seen: &Captured, tokens: &[&str]) {
    let text = seen.all_text();
    for token in tokens {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!text.contains(token) && !text.contains(signature), "{text}");
    }
}

#[tokio::test]
async fn miss_hit_and_refusal_are_recorded() {
    let kit = Kit::start().await;
    let user = kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = kit.stack.mint(&user);
    let forged = kit.stack.token(&user).broken(Breakage::WrongKey).mint();
    let verifier = kit.verifier().build().unwrap();
    let (seen, _guard) = capture();

    verifier.verify(&token).await.unwrap();
    let miss = seen.only(VERIFY);
    let kid = kid_of(&token);
    assert_fields(
        &miss,
        &[
            ("strategy", Some("jwks")),
            ("outcome", Some("ok")),
            ("reason", None),
            ("cache", Some("miss")),
            ("keyset", Some("fetched")),
            ("kid", Some(kid.as_str())),
        ],
    );
    millis(&miss);
    let fetch = seen.only(FETCH);
    let keys = verifier.status().key_ids.len().to_string();
    assert_fields(
        &fetch,
        &[
            ("trigger", Some("expiry")),
            ("outcome", Some("ok")),
            ("status", Some("200")),
            ("keys", Some(keys.as_str())),
        ],
    );
    assert!(fetch.get("bytes").unwrap().parse::<u64>().unwrap() > 100);
    millis(&fetch);

    seen.clear();
    verifier.verify(&token).await.unwrap();
    let hit = seen.only(VERIFY);
    assert_fields(
        &hit,
        &[
            ("outcome", Some("ok")),
            ("cache", Some("hit")),
            ("keyset", Some("fresh")),
            ("upstream_ms", None),
        ],
    );
    assert!(seen.spans(FETCH).is_empty());

    seen.clear();
    verifier.verify(&forged).await.unwrap_err();
    assert_fields(
        &seen.only(VERIFY),
        &[
            ("outcome", Some("refused")),
            ("reason", Some("bad_signature")),
            ("cache", Some("miss")),
            ("keyset", Some("fresh")),
            ("upstream_ms", None),
        ],
    );
    assert_no_secret(&seen, &[&token, &forged]);
}

#[tokio::test]
async fn unavailable_and_misconfigured_name_their_kind() {
    let kit = Kit::start().await;
    let token = kit.token();
    let (seen, _guard) = capture();
    for (status, outcome, reason) in [
        (503, "unavailable", "server_error"),
        (429, "unavailable", "rate_limited"),
        (404, "misconfigured", "project_not_found"),
    ] {
        seen.clear();
        kit.stack.inject(Route::Jwks, Fault::status(status));
        let verifier = kit.verifier().build().unwrap();
        verifier.verify(&token).await.unwrap_err();
        let span = seen.only(VERIFY);
        let expected = [
            ("outcome", Some(outcome)),
            ("reason", Some(reason)),
            ("cache", Some("miss")),
            ("keyset", None),
        ];
        assert_fields(&span, &expected);
        millis(&span);
        let fetch = seen.only(FETCH);
        let status = status.to_string();
        assert_fields(&fetch, &expected[..2]);
        assert_fields(&fetch, &[("status", Some(&status)), ("keys", None)]);
        kit.stack.clear_faults();
    }
    assert_no_secret(&seen, &[&token]);
}

#[tokio::test(start_paused = true)]
async fn stale_verdicts_stale_key_sets_and_a_disabled_cache() {
    let kit = Kit::start().await;
    let user = kit.stack.create_user(UserSpec::normal()).unwrap();
    let short = kit
        .stack
        .token(&user)
        .expires_in(Duration::from_secs(30))
        .mint();
    let long = kit
        .stack
        .token(&user)
        .expires_in(Duration::from_secs(3600))
        .mint();
    let cached = kit.verifier().build().unwrap();
    let uncached = kit.verifier().disable_token_cache().build().unwrap();
    let (seen, _guard) = capture();
    cached.verify(&short).await.unwrap();
    uncached.verify(&long).await.unwrap();
    assert_eq!(seen.spans(VERIFY)[1].get("cache"), Some("off"));

    // Past the short token's exp (and the 5 s leeway): its verdict is stale, then refused.
    kit.advance(40).await;
    seen.clear();
    cached.verify(&short).await.unwrap_err();
    assert_fields(
        &seen.only(VERIFY),
        &[
            ("outcome", Some("refused")),
            ("reason", Some("expired")),
            ("cache", Some("stale")),
        ],
    );

    // Past the key set's freshness (10 min), the endpoint failing: the stale set still serves
    // while a background refresh fails.
    kit.stack.inject(Route::Jwks, Fault::status(500));
    kit.advance(600).await;
    seen.clear();
    uncached.verify(&long).await.unwrap();
    settle(&uncached).await;
    assert_fields(
        &seen.only(VERIFY),
        &[
            ("outcome", Some("ok")),
            ("cache", Some("off")),
            ("keyset", Some("stale")),
            ("upstream_ms", None),
        ],
    );
    assert_fields(
        &seen.only(FETCH),
        &[
            ("trigger", Some("expiry")),
            ("outcome", Some("unavailable")),
            ("reason", Some("server_error")),
        ],
    );
}

#[tokio::test]
async fn unknown_kid_and_prefetch_triggers() {
    let kit = Kit::start().await;
    let token = kit.token();
    let verifier = kit.verifier().build().unwrap();
    let (seen, _guard) = capture();
    verifier.prefetch().await.unwrap();
    assert_fields(
        &seen.only(FETCH),
        &[("trigger", Some("prefetch")), ("outcome", Some("ok"))],
    );

    seen.clear();
    let unknown = with_kid(&token, "not-a-published-kid");
    verifier.verify(&unknown).await.unwrap_err();
    let span = seen.only(VERIFY);
    assert_fields(
        &span,
        &[
            ("outcome", Some("refused")),
            ("reason", Some("unknown_key")),
            ("keyset", Some("fresh")),
            ("kid", Some("not-a-published-kid")),
        ],
    );
    millis(&span);
    assert_fields(&seen.only(FETCH), &[("trigger", Some("unknown_kid"))]);
    assert_eq!(kit.jwks_requests(), 2);
    assert_no_secret(&seen, &[&token, &unknown]);
}
