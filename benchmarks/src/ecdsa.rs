//! [`EcdsaCheck`]: the ECDSA P-256 signature check of a token alone, as jsonwebtoken's aws-lc
//! backend makes it: the floor under any verifier on this backend.

use aws_lc_rs::signature::{VerificationAlgorithm as _, ECDSA_P256_SHA256_FIXED};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde_json::Value;

use crate::BenchError;

/// A token's signing input, signature and the public point of its key, decoded once, so that
/// [`verify`](Self::verify) is the `verify_sig` call and nothing else: no parsing, no claims,
/// no key lookup (the same input as `crates/stack-auth-jwks/benches/verify.rs`'s
/// `aws_lc_ecdsa_verify_only`).
#[derive(Debug, Clone)]
pub struct EcdsaCheck {
    point: Vec<u8>,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

impl EcdsaCheck {
    /// Decodes `token` and the key of `jwks_json` (a JWKS document) its `kid` names.
    ///
    /// # Errors
    ///
    /// When the token is not a JWS with a `kid`, the key set has no such key, or a coordinate
    /// or the signature is not base64url.
    pub fn new(token: &str, jwks_json: &str) -> Result<EcdsaCheck, BenchError> {
        let kid = jsonwebtoken::decode_header(token)?
            .kid
            .ok_or("the token has no kid")?;
        let jwks: Value = serde_json::from_str(jwks_json)?;
        let jwk = jwks["keys"]
            .as_array()
            .and_then(|keys| keys.iter().find(|k| k["kid"] == kid.as_str()))
            .ok_or("the token's kid is not in the key set")?;
        let (signing_input, signature) =
            token.rsplit_once('.').ok_or("the token has no signature")?;
        // SEC1 uncompressed: 0x04, then x and y left-padded to 32 bytes (Stack Auth's JWKs may
        // carry shorter coordinates, PROTOCOL §7).
        let mut point = vec![0x04];
        for name in ["x", "y"] {
            let coordinate = jwk[name].as_str().ok_or("a key coordinate is missing")?;
            let bytes = URL_SAFE_NO_PAD.decode(coordinate)?;
            if bytes.len() > 32 {
                return Err("a key coordinate is longer than 32 bytes".into());
            }
            point.extend(std::iter::repeat_n(0, 32 - bytes.len()));
            point.extend(bytes);
        }
        Ok(EcdsaCheck {
            point,
            signing_input: signing_input.as_bytes().to_vec(),
            signature: URL_SAFE_NO_PAD.decode(signature)?,
        })
    }

    /// Whether the signature holds: one `ECDSA_P256_SHA256_FIXED.verify_sig` call.
    pub fn verify(&self) -> bool {
        ECDSA_P256_SHA256_FIXED
            .verify_sig(
                std::hint::black_box(&self.point),
                std::hint::black_box(&self.signing_input),
                std::hint::black_box(&self.signature),
            )
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{interop_dir, InteropToken};

    #[test]
    fn checks_the_fixture_token_and_refuses_a_changed_one() {
        let fixture = InteropToken::load(&interop_dir()).unwrap();
        let check = EcdsaCheck::new(&fixture.token, &fixture.jwks_json).unwrap();
        assert!(check.verify());
        let (head, _) = fixture.token.rsplit_once('.').unwrap();
        let (header, payload) = head.split_once('.').unwrap();
        let other_payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"someone else"}"#);
        let sig = fixture.token.rsplit_once('.').unwrap().1;
        let forged = format!("{header}.{other_payload}.{sig}");
        assert_ne!(payload, other_payload);
        assert!(!EcdsaCheck::new(&forged, &fixture.jwks_json)
            .unwrap()
            .verify());
    }

    #[test]
    fn says_why_it_cannot_decode() {
        let fixture = InteropToken::load(&interop_dir()).unwrap();
        assert!(EcdsaCheck::new("not a token", &fixture.jwks_json).is_err());
        let no_keys = r#"{"keys":[]}"#;
        let err = EcdsaCheck::new(&fixture.token, no_keys).unwrap_err();
        assert!(err.to_string().contains("kid"), "{err}");
    }
}
