//! The stand-in's JWKS and tokens verify with `jsonwebtoken` used directly (ES256, issuer,
//! audience): an implementation independent of this workspace's verifiers.
#![allow(clippy::unwrap_used)]

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::Value;
use stack_auth_core::{RestrictedReason, UserType};
use stack_auth_testkit::{Breakage, KeyChoice, KeyScheme, LocalStackAuth, ProjectSpec, UserSpec};

/// Left-pads a base64url coordinate to 32 bytes (Stack Auth publishes minimal-length ones).
fn padded(coordinate: &str) -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let raw = URL_SAFE_NO_PAD.decode(coordinate).unwrap();
    assert!(raw.len() <= 32);
    let mut full = vec![0u8; 32 - raw.len()];
    full.extend(raw);
    URL_SAFE_NO_PAD.encode(full)
}

async fn fetch_jwks(stack: &LocalStackAuth, pid: &str) -> Value {
    let url = format!(
        "{}/api/v1/projects/{pid}/.well-known/jwks.json?include_anonymous=true",
        stack.base_url()
    );
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// Verifies like a careful third party would: key by kid, ES256 only, exact iss and aud.
fn jsonwebtoken_verify(
    jwks: &Value,
    token: &str,
    iss: &str,
    aud: &str,
) -> Result<Value, jsonwebtoken::errors::Error> {
    let header = decode_header(token)?;
    let kid = header.kid.unwrap_or_default();
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str());
    let Some(jwk) = jwk else {
        return Err(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat.into());
    };
    let key = DecodingKey::from_ec_components(
        &padded(jwk["x"].as_str().unwrap()),
        &padded(jwk["y"].as_str().unwrap()),
    )?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.leeway = 0;
    validation.set_issuer(&[iss]);
    validation.set_audience(&[aud]);
    Ok(decode::<Value>(token, &key, &validation)?.claims)
}

#[tokio::test]
async fn tokens_of_every_user_type_and_both_keys_verify() {
    let stack = LocalStackAuth::start().await.unwrap();
    let jwks = fetch_jwks(&stack, stack.project_id()).await;
    let specs = [
        UserSpec::normal()
            .email("ada@example.com")
            .team("Analytical Engines"),
        UserSpec::restricted(RestrictedReason::EmailNotVerified),
        UserSpec::restricted(RestrictedReason::RestrictedByAdministrator),
        UserSpec::anonymous(),
    ];
    let config = stack.minter();
    for spec in specs {
        let user = stack.create_user(spec).unwrap();
        let t = user.user_type();
        for choice in [KeyChoice::Current, KeyChoice::Other] {
            let token = stack.token(&user).signed_by(choice).mint();
            let claims = jsonwebtoken_verify(&jwks, &token, config.issuer(t), config.audience(t))
                .unwrap_or_else(|e| panic!("{t} {choice:?}: {e}"));
            assert_eq!(claims["sub"], user.id.as_str());
            assert_eq!(claims["is_anonymous"], t == UserType::Anonymous);
            assert_eq!(claims["is_restricted"], t != UserType::Normal);
            assert_eq!(claims["email"], serde_json::json!(user.primary_email));
            assert_eq!(
                claims["selected_team_id"],
                serde_json::json!(user.selected_team_id)
            );
            let kid = decode_header(&token).unwrap().kid.unwrap();
            let expected = match choice {
                KeyChoice::Current => stack.minter().key(t, KeyScheme::Legacy).kid().to_owned(),
                KeyChoice::Other => stack.minter().key(t, KeyScheme::New).kid().to_owned(),
            };
            assert_eq!(kid, expected);
        }
        // Another user type's issuer or audience does not verify.
        let token = stack.mint(&user);
        let other = if t == UserType::Normal {
            UserType::Anonymous
        } else {
            UserType::Normal
        };
        assert!(
            jsonwebtoken_verify(&jwks, &token, config.issuer(other), config.audience(t)).is_err()
        );
        assert!(
            jsonwebtoken_verify(&jwks, &token, config.issuer(t), config.audience(other)).is_err()
        );
    }
}

#[tokio::test]
async fn exact_claim_layout_of_a_normal_token() {
    let stack = LocalStackAuth::start().await.unwrap();
    let user = stack
        .create_user(
            UserSpec::normal()
                .display_name("Ada")
                .email("ada@example.com"),
        )
        .unwrap();
    let token = stack
        .token(&user)
        .issued_at(1_767_225_600)
        .session_id("s-1")
        .mint();
    let (header, payload) = {
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
        let mut it = token.split('.').map(|p| {
            String::from_utf8(URL_SAFE_NO_PAD.decode(p).unwrap_or_default()).unwrap_or_default()
        });
        (it.next().unwrap(), it.next().unwrap())
    };
    let kid = stack
        .minter()
        .key(UserType::Normal, KeyScheme::Legacy)
        .kid()
        .to_owned();
    assert_eq!(header, format!(r#"{{"alg":"ES256","kid":"{kid}"}}"#));
    let pid = stack.project_id();
    let expected = format!(
        r#"{{"sub":"{}","project_id":"{pid}","branch_id":"main","refresh_token_id":"s-1","role":"authenticated","name":"Ada","email":"ada@example.com","email_verified":true,"selected_team_id":null,"signed_up_at":{},"is_anonymous":false,"is_restricted":false,"restricted_reason":null,"requires_totp_mfa":false,"iss":"{}/api/v1/projects/{pid}","iat":1767225600,"aud":"{pid}","exp":1767226200}}"#,
        user.id,
        user.signed_up_at_millis / 1000,
        stack.base_url()
    );
    assert_eq!(payload, expected);
}

#[tokio::test]
async fn broken_tokens_fail_in_jsonwebtoken_too() {
    let stack = LocalStackAuth::start().await.unwrap();
    let jwks = fetch_jwks(&stack, stack.project_id()).await;
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let (iss, aud) = (
        stack.minter().issuer(UserType::Normal).to_owned(),
        stack.project_id().to_owned(),
    );
    for b in [
        Breakage::WrongKey,
        Breakage::Tampered,
        Breakage::Expired,
        Breakage::FlippedSignatureBit,
        Breakage::TruncatedSignature,
        Breakage::UnknownKid,
        Breakage::AlgNone,
        Breakage::Hs256WithPublicKey,
        Breakage::Es384Header,
        Breakage::IssuerOfOtherDeployment,
        Breakage::IssuerVariantMismatch,
        Breakage::AudienceOfOtherProject,
        Breakage::ExpAsString,
        Breakage::Empty,
        Breakage::TwoSegments,
        Breakage::FourSegments,
        Breakage::BadBase64Header,
        Breakage::HeaderNotJson,
        Breakage::PayloadNotJson,
    ] {
        let token = stack.token(&user).broken(b).mint();
        assert!(
            jsonwebtoken_verify(&jwks, &token, &iss, &aud).is_err(),
            "{} verified",
            b.label()
        );
    }
    // The ones only Stack Auth's own rules catch still carry a valid signature (a generic JWT
    // library even accepts an array `aud` that contains the audience).
    for b in [
        Breakage::BranchNotMain,
        Breakage::Huge,
        Breakage::MissingSub,
        Breakage::AudienceAsArray,
    ] {
        let token = stack.token(&user).broken(b).mint();
        assert!(
            jsonwebtoken_verify(&jwks, &token, &iss, &aud).is_ok(),
            "{}",
            b.label()
        );
    }
}

#[tokio::test]
async fn short_coordinates_are_published_minimal_and_still_verify() {
    // With the public development secret, proj-106's signing key has a 31-byte x (PROTOCOL §7).
    let stack = LocalStackAuth::builder()
        .secret("23-wuNpik0gIW4mruTz25rbIvhuuvZFrLOLtL7J4tyo")
        .project(ProjectSpec::new("proj-106"))
        .start()
        .await
        .unwrap();
    let jwks = fetch_jwks(&stack, "proj-106").await;
    let first = &jwks["keys"][0];
    assert_eq!(first["kid"], "dCeJqu4iTdvJ");
    assert_eq!(first["x"], "GnA2hfSPG1rB250sGnDx1Nd8Vs2gZOnfiPP33_Ql-Q");
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let iss = format!("{}/api/v1/projects/proj-106", stack.base_url());
    jsonwebtoken_verify(&jwks, &stack.mint(&user), &iss, "proj-106").unwrap();
}

#[tokio::test]
async fn rotation_and_signing_switch_are_visible_to_an_independent_verifier() {
    let stack = LocalStackAuth::start().await.unwrap();
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let (iss, aud) = (
        stack.minter().issuer(UserType::Normal).to_owned(),
        stack.project_id().to_owned(),
    );
    let before = fetch_jwks(&stack, &aud).await;
    let old = stack.mint(&user);
    stack.set_signing_scheme(KeyScheme::New);
    let flipped = fetch_jwks(&stack, &aud).await;
    assert_eq!(
        before["keys"][0], flipped["keys"][1],
        "both keys stay published, signing key first"
    );
    let new_token = stack.mint(&user);
    assert_eq!(
        decode_header(&new_token).unwrap().kid.as_deref(),
        flipped["keys"][0]["kid"].as_str()
    );
    jsonwebtoken_verify(&before, &new_token, &iss, &aud).unwrap();
    stack
        .rotate_secret(stack_auth_testkit::random_secret())
        .unwrap();
    let rotated = fetch_jwks(&stack, &aud).await;
    assert!(jsonwebtoken_verify(&rotated, &old, &iss, &aud).is_err());
    jsonwebtoken_verify(&rotated, &stack.mint(&user), &iss, &aud).unwrap();
}
