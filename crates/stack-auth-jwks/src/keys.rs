//! JWK parsing: the project's public keys, parsed once per fetch (PROTOCOL §1.7, §7).

use std::{fmt, sync::Arc};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use jsonwebtoken::{crypto::CryptoProvider, Algorithm, DecodingKey};
use serde::Deserialize;
use serde_json::Value;

/// At most this many keys of one document are used; Stack Auth publishes 6.
pub(crate) const MAX_KEYS: usize = 64;

/// Length of a P-256 coordinate.
const COORD_LEN: usize = 32;

/// One usable ES256 public key of the project.
pub(crate) struct VerifyKey {
    kid: Box<str>,
    /// SEC1 uncompressed point `04 ‖ x ‖ y`, coordinates left-padded to 32 bytes.
    point: [u8; 1 + 2 * COORD_LEN],
    decoding: DecodingKey,
    /// The point parsed once for aws-lc, used when the verifier's provider is jsonwebtoken's
    /// aws-lc provider (the same check that provider makes, without parsing the point on
    /// every call).
    #[cfg(feature = "aws_lc_rs")]
    parsed: Option<aws_lc_rs::signature::ParsedPublicKey>,
}

impl fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl VerifyKey {
    /// The key id.
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// Whether `signature` (raw 64-byte `r ‖ s`) is a valid ES256 signature of `message`, by the
    /// ES256 verifier of `provider`.
    ///
    /// With jsonwebtoken's aws-lc provider, the check is the one that provider makes
    /// (`ECDSA_P256_SHA256_FIXED` over the same point, message and signature) on the point
    /// parsed once with the key set: jsonwebtoken 12's aws-lc verifier parses the point on every
    /// call (about 1 µs, the `verify/aws_lc_ecdsa_verify_parsed_key` bench), and its
    /// `verifier_factory` returns a `Box<dyn JwtVerifier>`, neither `Send` nor `Sync`, that no
    /// shared key can keep. Any other provider (RustCrypto, one of the application's) makes its
    /// verifier per call.
    pub(crate) fn verify(
        &self,
        provider: &CryptoProvider,
        message: &[u8],
        signature: &Vec<u8>,
    ) -> bool {
        #[cfg(feature = "aws_lc_rs")]
        if let Some(parsed) = &self.parsed {
            if std::ptr::eq(provider, &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER) {
                return parsed.verify_sig(message, signature).is_ok();
            }
        }
        match (provider.verifier_factory)(&Algorithm::ES256, &self.decoding) {
            Ok(verifier) => verifier.verify(message, signature).is_ok(),
            Err(_) => false,
        }
    }

    fn same_material(&self, other: &VerifyKey) -> bool {
        self.kid == other.kid && self.point == other.point
    }
}

/// Why a JWK was skipped (logged, never fatal for the rest of the set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SkipReason {
    NotAnObject,
    NotEcP256,
    NotEs256,
    NotForSignatures,
    BadKid,
    BadCoordinate,
    NotOnCurve,
    DuplicateKid,
}

/// Why a whole JWKS document is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum JwksDocError {
    /// Not JSON, or not an object with a `keys` array.
    #[error("the body is not a JWKS document")]
    NotJwks,
    /// The document holds no usable ES256 key.
    #[error("the JWKS holds no usable ES256 key")]
    NoUsableKeys,
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<Value>,
}

#[derive(Deserialize)]
struct RawJwk {
    kty: Option<String>,
    crv: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    kid: Option<Value>,
    x: Option<String>,
    y: Option<String>,
}

/// Parses a JWKS body, skipping (and logging) keys that are not usable ES256 keys, so one bad
/// key never poisons the rest. Keys unchanged since `previous` keep their identity, so cached
/// verdicts survive a refresh that does not change them.
pub(crate) fn parse_jwks(
    body: &[u8],
    previous: &[Arc<VerifyKey>],
) -> Result<Vec<Arc<VerifyKey>>, JwksDocError> {
    let doc: RawJwks = serde_json::from_slice(body).map_err(|_| JwksDocError::NotJwks)?;
    let mut keys: Vec<Arc<VerifyKey>> = Vec::with_capacity(doc.keys.len().min(MAX_KEYS));
    for (index, value) in doc.keys.into_iter().enumerate().take(MAX_KEYS) {
        let parsed = parse_jwk(value).and_then(|key| {
            if keys.iter().any(|k| k.kid == key.kid) {
                Err(SkipReason::DuplicateKid)
            } else {
                Ok(key)
            }
        });
        match parsed {
            Ok(key) => {
                let reused = previous.iter().find(|old| old.same_material(&key)).cloned();
                keys.push(reused.unwrap_or_else(|| Arc::new(key)));
            }
            Err(reason) => {
                tracing::warn!(strategy = "jwks", index, ?reason, "skipping unusable JWK");
            }
        }
    }
    if keys.is_empty() {
        return Err(JwksDocError::NoUsableKeys);
    }
    Ok(keys)
}

fn parse_jwk(value: Value) -> Result<VerifyKey, SkipReason> {
    if !value.is_object() {
        return Err(SkipReason::NotAnObject);
    }
    let raw: RawJwk = serde_json::from_value(value).map_err(|_| SkipReason::NotEcP256)?;
    if raw.kty.as_deref() != Some("EC") || raw.crv.as_deref() != Some("P-256") {
        return Err(SkipReason::NotEcP256);
    }
    if raw.alg.as_deref().is_some_and(|a| a != "ES256") {
        return Err(SkipReason::NotEs256);
    }
    if raw.use_.as_deref().is_some_and(|u| u != "sig") {
        return Err(SkipReason::NotForSignatures);
    }
    let kid = match raw.kid {
        Some(Value::String(kid)) if !kid.is_empty() => kid.into_boxed_str(),
        _ => return Err(SkipReason::BadKid),
    };
    let x = padded_coordinate(raw.x.as_deref())?;
    let y = padded_coordinate(raw.y.as_deref())?;
    let mut point = [0u8; 1 + 2 * COORD_LEN];
    point[0] = 0x04;
    point[1..=COORD_LEN].copy_from_slice(&x);
    point[1 + COORD_LEN..].copy_from_slice(&y);
    p256::PublicKey::from_sec1_bytes(&point).map_err(|_| SkipReason::NotOnCurve)?;
    let decoding =
        DecodingKey::from_ec_components(&URL_SAFE_NO_PAD.encode(x), &URL_SAFE_NO_PAD.encode(y))
            .map_err(|_| SkipReason::BadCoordinate)?;
    Ok(VerifyKey {
        kid,
        #[cfg(feature = "aws_lc_rs")]
        parsed: aws_lc_rs::signature::ParsedPublicKey::new(
            &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
            point,
        )
        .ok(),
        point,
        decoding,
    })
}

/// Decodes a base64url coordinate and left-pads it to 32 bytes: Stack Auth publishes minimal
/// big-endian values, so about one key in 128 has a 31-byte `x` or `y` (PROTOCOL §7).
fn padded_coordinate(b64: Option<&str>) -> Result<[u8; COORD_LEN], SkipReason> {
    let bytes = URL_SAFE_NO_PAD
        .decode(b64.ok_or(SkipReason::BadCoordinate)?)
        .map_err(|_| SkipReason::BadCoordinate)?;
    if bytes.is_empty() || bytes.len() > COORD_LEN {
        return Err(SkipReason::BadCoordinate);
    }
    let mut out = [0u8; COORD_LEN];
    out[COORD_LEN - bytes.len()..].copy_from_slice(&bytes);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: &str = "CcawdwerBvLllJmVE7n2DbqUQUcz6vlag-IKpyT0drY";
    const Y: &str = "2Gtaa8blZCfCauC6HRNSHZy6XpHzTtyp3NO6DGbPDK0";

    fn jwk(kid: &str, x: &str, y: &str) -> String {
        format!(r#"{{"kty":"EC","alg":"ES256","crv":"P-256","x":"{x}","y":"{y}","kid":"{kid}"}}"#)
    }

    #[test]
    fn parses_a_stack_auth_key() {
        let body = format!(r#"{{"keys":[{}]}}"#, jwk("n0EcVSMdeW8t", X, Y));
        let keys = parse_jwks(body.as_bytes(), &[]).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid(), "n0EcVSMdeW8t");
    }

    /// The aws-lc fast path (the point parsed once) answers exactly as jsonwebtoken's aws-lc
    /// verifier does, for good, tampered, truncated and empty signatures.
    #[cfg(feature = "aws_lc_rs")]
    #[test]
    fn the_parsed_key_agrees_with_jsonwebtokens_aws_lc_verifier() {
        use aws_lc_rs::{
            rand::SystemRandom,
            signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING},
        };
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let public = pair.public_key().as_ref();
        let (x, y) = (
            URL_SAFE_NO_PAD.encode(&public[1..33]),
            URL_SAFE_NO_PAD.encode(&public[33..]),
        );
        let body = format!(r#"{{"keys":[{}]}}"#, jwk("k1", &x, &y));
        let keys = parse_jwks(body.as_bytes(), &[]).unwrap();
        let key = &keys[0];
        assert!(key.parsed.is_some(), "the fast path is taken");
        let aws = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
        let jsonwebtoken_says = |message: &[u8], signature: &Vec<u8>| {
            (aws.verifier_factory)(&Algorithm::ES256, &key.decoding)
                .unwrap()
                .verify(message, signature)
                .is_ok()
        };
        let message = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9";
        let good = pair
            .sign(&SystemRandom::new(), message)
            .unwrap()
            .as_ref()
            .to_vec();
        let mut flipped = good.clone();
        flipped[10] ^= 1;
        let cases: [(&[u8], Vec<u8>); 5] = [
            (message, good.clone()),
            (message, flipped),
            (b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MiJ9", good.clone()),
            (message, good[..63].to_vec()),
            (message, Vec::new()),
        ];
        for (i, (message, signature)) in cases.iter().enumerate() {
            let expected = jsonwebtoken_says(message, signature);
            assert_eq!(key.verify(aws, message, signature), expected, "case {i}");
            assert_eq!(expected, i == 0, "case {i}");
        }
    }

    #[test]
    fn left_pads_short_coordinates() {
        let mut raw = [0u8; 32];
        raw.copy_from_slice(&URL_SAFE_NO_PAD.decode(X).unwrap());
        let full = padded_coordinate(Some(X)).unwrap();
        assert_eq!(full, raw);
        let short = URL_SAFE_NO_PAD.encode(&raw[1..]);
        let padded = padded_coordinate(Some(&short)).unwrap();
        assert_eq!(padded[0], 0);
        assert_eq!(&padded[1..], &raw[1..]);
        assert!(padded_coordinate(Some(&URL_SAFE_NO_PAD.encode([1u8; 33]))).is_err());
        assert!(padded_coordinate(Some("")).is_err());
        assert!(padded_coordinate(Some("***")).is_err());
        assert!(padded_coordinate(None).is_err());
    }

    #[test]
    fn a_bad_key_does_not_poison_the_set() {
        let body = format!(
            r#"{{"keys":[
                {{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"rsa"}},
                {},
                {},
                {},
                {},
                {},
                {},
                "not an object",
                {},
                {}
            ]}}"#,
            jwk("off-curve", X, X),
            jwk("bad-b64", "!!", Y),
            r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA","kid":"p384"}"#,
            r#"{"kty":"EC","crv":"P-256","alg":"ES256","use":"enc","x":"AA","y":"AA","kid":"enc"}"#,
            r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA","kid":7}"#,
            jwk("good", X, Y),
            jwk("good", X, Y),
            r#"{"kty":"EC","crv":"P-256","alg":"HS256","x":"AA","y":"AA","kid":"hs"}"#,
        );
        let keys = parse_jwks(body.as_bytes(), &[]).unwrap();
        let kids: Vec<&str> = keys.iter().map(|k| k.kid()).collect();
        assert_eq!(kids, ["good"]);
    }

    #[test]
    fn unusable_documents_are_errors() {
        for body in [
            "",
            "null",
            "[]",
            r#"{"keys":{}}"#,
            r#"{"nokeys":[]}"#,
            "<html>",
        ] {
            assert_eq!(
                parse_jwks(body.as_bytes(), &[]).unwrap_err(),
                JwksDocError::NotJwks,
                "{body}"
            );
        }
        for body in [r#"{"keys":[]}"#, r#"{"keys":[{"kty":"oct","k":"AA"}]}"#] {
            assert_eq!(
                parse_jwks(body.as_bytes(), &[]).unwrap_err(),
                JwksDocError::NoUsableKeys
            );
        }
    }

    #[test]
    fn unchanged_keys_keep_their_identity() {
        let body = format!(r#"{{"keys":[{}]}}"#, jwk("a", X, Y));
        let first = parse_jwks(body.as_bytes(), &[]).unwrap();
        let again = parse_jwks(body.as_bytes(), &first).unwrap();
        assert!(Arc::ptr_eq(&first[0], &again[0]));
        let renamed = format!(r#"{{"keys":[{}]}}"#, jwk("b", X, Y));
        let other = parse_jwks(renamed.as_bytes(), &first).unwrap();
        assert!(!Arc::ptr_eq(&first[0], &other[0]));
    }
}
