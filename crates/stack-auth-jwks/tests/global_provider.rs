//! The verifier never touches jsonwebtoken's process-wide `CryptoProvider`: building and
//! verifying leave it unset (the application can still install its own), and the application's
//! choice does not change the backend the verifier uses. A test binary of its own, because the
//! provider is a process global that other tests (minting tokens through jsonwebtoken) set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use jsonwebtoken::{
    crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils},
    errors::{ErrorKind, Result as JwtResult},
    Algorithm, DecodingKey, EncodingKey,
};
use serde_json::Value;
use stack_auth_core::TokenVerifier;
use stack_auth_jwks::JwksVerifier;

/// An application's provider that can do nothing: if the verifier used it, verification would
/// fail.
static APPLICATION_PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: no_signer,
    verifier_factory: no_verifier,
    key_utils: KeyUtils::new_unimplemented(),
};

fn no_signer(_: &Algorithm, _: &EncodingKey) -> JwtResult<Box<dyn JwtSigner>> {
    Err(ErrorKind::InvalidAlgorithm.into())
}

fn no_verifier(_: &Algorithm, _: &DecodingKey) -> JwtResult<Box<dyn JwtVerifier>> {
    Err(ErrorKind::InvalidAlgorithm.into())
}

fn interop() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/interop")
}

#[tokio::test]
async fn the_process_wide_crypto_provider_stays_the_application_s() {
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(interop().join("cases.json")).unwrap())
            .unwrap();
    let pid = cases["project_id"].as_str().unwrap();
    let case = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "normal-user")
        .unwrap();
    let token = case["token"].as_str().unwrap();
    let jwks = std::fs::read_to_string(
        interop()
            .join("jwks")
            .join(pid)
            .join("jwks.json@include_anonymous=true"),
    )
    .unwrap();
    // Every call checks the signature (no token cache).
    let verifier = JwksVerifier::builder(pid)
        .base_url(cases["base_url"].as_str().unwrap())
        .static_jwks(jwks)
        .disable_token_cache()
        .build()
        .unwrap();
    let user = verifier.verify(token).await.unwrap();
    assert_eq!(user.user_id(), case["expect"]["user_id"].as_str().unwrap());

    assert!(
        APPLICATION_PROVIDER.install_default().is_ok(),
        "building or verifying set jsonwebtoken's process-wide provider"
    );
    let again = verifier.verify(token).await.unwrap();
    assert_eq!(again, user, "the verifier used the application's provider");
}
