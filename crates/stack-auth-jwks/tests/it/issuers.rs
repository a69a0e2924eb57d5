//! Issuers of another host (PROTOCOL §9.1) with tokens from the stand-in: the hosted service's
//! sibling brand by default, an added origin on request, nothing else.
#![allow(clippy::unwrap_used)]

use stack_auth_core::{RefusalReason, TokenVerifier, UserType, UserTypes};
use stack_auth_jwks::{JwksVerifier, JwksVerifierBuilder};
use stack_auth_testkit::UserSpec;

use crate::common::*;

/// A verifier configured for the hosted `base_url`, fetching the stand-in's keys.
fn hosted(kit: &Kit, base_url: &str) -> JwksVerifierBuilder {
    JwksVerifier::builder(kit.stack.project_id())
        .base_url(base_url)
        .jwks_url(kit.stack.jwks_url())
        .accepted_user_types(UserTypes::ALL)
        .clock(kit.clock.clone())
}

#[tokio::test]
async fn the_sibling_brand_is_accepted_unless_pinned_and_other_origins_only_when_added() {
    let kit = Kit::start().await;
    let user = kit.stack.create_user(UserSpec::anonymous()).unwrap();
    let issued_by = |origin: &str| kit.stack.token(&user).issuer_origin(origin).mint();
    let stack_config = hosted(&kit, "https://api.stack-auth.com").build().unwrap();
    let hexclave_config = hosted(&kit, "https://api.hexclave.com").build().unwrap();
    for origin in ["https://api.hexclave.com", "https://api.stack-auth.com"] {
        for verifier in [&stack_config, &hexclave_config] {
            let user = verifier.verify(&issued_by(origin)).await.unwrap();
            assert_eq!(user.user_type(), UserType::Anonymous);
        }
    }
    let pinned = hosted(&kit, "https://api.stack-auth.com")
        .accept_sibling_brand(false)
        .build()
        .unwrap();
    assert!(pinned
        .verify(&issued_by("https://api.stack-auth.com"))
        .await
        .is_ok());
    let err = pinned
        .verify(&issued_by("https://api.hexclave.com"))
        .await
        .unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::WrongIssuer));

    let old = issued_by("https://auth.old.example");
    let err = stack_config.verify(&old).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::WrongIssuer));
    assert!(
        err.to_string().contains("https://api.hexclave.com"),
        "{err}"
    );
    let moved = hosted(&kit, "https://auth.new.example")
        .accept_issuer_origin("https://auth.old.example")
        .build()
        .unwrap();
    assert!(moved.verify(&old).await.is_ok());
    // no sibling for a self-hosted deployment, nor for an added origin
    let err = moved
        .verify(&issued_by("https://api.hexclave.com"))
        .await
        .unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::WrongIssuer));
}
