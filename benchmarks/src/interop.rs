//! The interop fixture's `normal-user` token and the key set it verifies against: the token
//! and key the peers (Node `jose`, PyJWT) verify too.

use std::path::{Path, PathBuf};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use stack_auth_core::TokenVerifier;
use stack_auth_jwks::JwksVerifier;

use crate::BenchError;

/// `fixtures/interop` in the repository.
pub fn interop_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/interop"))
}

/// The `normal-user` case of `cases.json` and the project's full key set.
#[derive(Debug, Clone)]
pub struct InteropToken {
    /// The token, exactly as a client sends it.
    pub token: String,
    /// The project it was minted for (its audience).
    pub project_id: String,
    /// The deployment that minted it (its issuer's base).
    pub base_url: String,
    /// The user the token names.
    pub user_id: String,
    /// The body of `jwks.json?include_anonymous=true` for the project.
    pub jwks_json: String,
}

impl InteropToken {
    /// Reads the fixture from `dir` (see [`interop_dir`]).
    ///
    /// # Errors
    ///
    /// When a file is missing or not what the fixture README describes.
    pub fn load(dir: &Path) -> Result<InteropToken, BenchError> {
        let cases: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json"))?)?;
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_owned)
                .ok_or("cases.json: not a string")
        };
        let project_id = text(&cases["project_id"])?;
        let case = cases["cases"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == "normal-user"))
            .ok_or("cases.json: no normal-user case")?;
        let jwks = dir
            .join("jwks")
            .join(&project_id)
            .join("jwks.json@include_anonymous=true");
        Ok(InteropToken {
            token: text(&case["token"])?,
            base_url: text(&cases["base_url"])?,
            user_id: text(&case["expect"]["user_id"])?,
            jwks_json: std::fs::read_to_string(jwks)?,
            project_id,
        })
    }
}

/// The bytes of the token's signature check alone (ES256 as jsonwebtoken's aws-lc backend makes
/// it), decoded once.
#[derive(Debug, Clone)]
pub struct EcdsaInput {
    /// The key's SEC1 point `04 ‖ x ‖ y`, coordinates left-padded to 32 bytes.
    pub point: Vec<u8>,
    /// `header.payload`, the bytes signed.
    pub signing_input: Vec<u8>,
    /// The 64-byte `r ‖ s` signature.
    pub signature: Vec<u8>,
}

/// The fixture's key set served on 127.0.0.1 (a mock answering the JWKS path with
/// `cache-control: public, max-age=3600`), for as long as it lives.
pub struct ServedJwks {
    _server: mockito::ServerGuard,
    /// The JWKS URL to give the verifier (without the query it appends).
    pub jwks_url: String,
}

impl std::fmt::Debug for ServedJwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedJwks")
            .field("jwks_url", &self.jwks_url)
            .finish_non_exhaustive()
    }
}

impl InteropToken {
    /// Serves [`jwks_json`](Self::jwks_json) locally. Call it outside an async context.
    pub fn serve(&self) -> ServedJwks {
        let mut server = mockito::Server::new();
        let path = format!("/api/v1/projects/{}/.well-known/jwks.json", self.project_id);
        server
            .mock("GET", path.as_str())
            .match_query(mockito::Matcher::Exact("include_anonymous=true".into()))
            .with_header("cache-control", "public, max-age=3600")
            .with_body(&self.jwks_json)
            .create();
        let jwks_url = format!("{}{path}", server.url());
        ServedJwks {
            _server: server,
            jwks_url,
        }
    }

    /// A [`JwksVerifier`] for the fixture's project and deployment fetching keys from `served`,
    /// with or without the verified-token cache, after verifying the token once.
    ///
    /// # Errors
    ///
    /// When the verifier cannot be built, or the token does not verify as the expected user.
    pub async fn jwks_verifier(
        &self,
        served: &ServedJwks,
        token_cache: bool,
    ) -> Result<JwksVerifier, BenchError> {
        let builder = JwksVerifier::builder(self.project_id.as_str())
            .base_url(self.base_url.as_str())
            .jwks_url(served.jwks_url.as_str());
        let builder = if token_cache {
            builder
        } else {
            builder.disable_token_cache()
        };
        let verifier = builder.build()?;
        let user = verifier.verify(&self.token).await?;
        if user.user_id() != self.user_id {
            return Err("the fixture token verified as another user".into());
        }
        Ok(verifier)
    }

    /// The bare `jsonwebtoken` baseline: the token's key parsed once, and the same checks as
    /// the verifier (ES256, issuer, audience, required claims, 5 s leeway), as in
    /// `crates/stack-auth-jwks/benches/verify.rs`.
    ///
    /// # Errors
    ///
    /// When the token's `kid` is not in the key set or the key does not parse.
    pub fn bare_decoder(&self) -> Result<(DecodingKey, Validation), BenchError> {
        let jwk = self.jwk()?;
        let coordinate = |c: &str| jwk[c].as_str().ok_or("a key coordinate is missing");
        let key = DecodingKey::from_ec_components(coordinate("x")?, coordinate("y")?)?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.leeway = 5;
        validation.set_audience(&[self.project_id.as_str()]);
        validation.set_issuer(&[format!(
            "{}/api/v1/projects/{}",
            self.base_url, self.project_id
        )]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        Ok((key, validation))
    }

    /// The token's signature check alone: its key's point, the signing input and the signature.
    ///
    /// # Errors
    ///
    /// When the token's `kid` is not in the key set, or a coordinate or the signature is not
    /// base64url.
    pub fn ecdsa_input(&self) -> Result<EcdsaInput, BenchError> {
        let jwk = self.jwk()?;
        let mut point = vec![0x04];
        for c in ["x", "y"] {
            let bytes =
                URL_SAFE_NO_PAD.decode(jwk[c].as_str().ok_or("a coordinate is missing")?)?;
            point.extend(std::iter::repeat_n(0, 32usize.saturating_sub(bytes.len())));
            point.extend(bytes);
        }
        let (signed, signature) = self.token.rsplit_once('.').ok_or("not a JWS")?;
        Ok(EcdsaInput {
            point,
            signing_input: signed.as_bytes().to_vec(),
            signature: URL_SAFE_NO_PAD.decode(signature)?,
        })
    }

    /// The JWK the token's `kid` names.
    fn jwk(&self) -> Result<Value, BenchError> {
        let kid = jsonwebtoken::decode_header(&self.token)?
            .kid
            .ok_or("the token has no kid")?;
        let jwks: Value = serde_json::from_str(&self.jwks_json)?;
        jwks["keys"]
            .as_array()
            .and_then(|keys| keys.iter().find(|k| k["kid"] == kid.as_str()))
            .cloned()
            .ok_or_else(|| "the token's kid is not in the key set".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_normal_user_case() {
        let fixture = InteropToken::load(&interop_dir()).unwrap();
        assert_eq!(fixture.token.split('.').count(), 3);
        assert!(fixture.jwks_json.contains("\"keys\""));
        assert!(fixture.base_url.starts_with("https://"));
        assert!(!fixture.user_id.is_empty());
        assert!(InteropToken::load(Path::new("/nonexistent")).is_err());
    }

    #[test]
    fn the_verifier_and_the_bare_decoder_agree_on_the_token() {
        let fixture = InteropToken::load(&interop_dir()).unwrap();
        let served = fixture.serve();
        let rt = crate::runtime(1);
        let verifier = rt.block_on(fixture.jwks_verifier(&served, false)).unwrap();
        let user = rt.block_on(verifier.verify(&fixture.token)).unwrap();
        let (key, validation) = fixture.bare_decoder().unwrap();
        let data = jsonwebtoken::decode::<Value>(&fixture.token, &key, &validation).unwrap();
        assert_eq!(data.claims["sub"], user.user_id());
        let forged = fixture.token.replacen('.', ".e30.", 1);
        assert!(jsonwebtoken::decode::<Value>(&forged, &key, &validation).is_err());
        assert!(rt.block_on(verifier.verify(&forged)).is_err());
    }

    #[test]
    fn the_ecdsa_input_verifies_and_only_as_signed() {
        use aws_lc_rs::signature::{VerificationAlgorithm as _, ECDSA_P256_SHA256_FIXED};

        let fixture = InteropToken::load(&interop_dir()).unwrap();
        let input = fixture.ecdsa_input().unwrap();
        assert_eq!((input.point.len(), input.signature.len()), (65, 64));
        let check = |signed: &[u8]| {
            ECDSA_P256_SHA256_FIXED
                .verify_sig(&input.point, signed, &input.signature)
                .is_ok()
        };
        assert!(check(&input.signing_input));
        let mut tampered = input.signing_input.clone();
        tampered[0] ^= 1;
        assert!(!check(&tampered));
    }
}
