//! Key derivation exactly as Stack Auth does it (PROTOCOL §1.7): two P-256 keys per audience,
//! derived from the server secret, with 12-character kids and minimal-length coordinates.

use std::fmt;

use p256::ecdsa::{signature::Signer, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::jose::{b64, b64_decode};
use crate::TestkitError;

/// How a key was derived from the server secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyScheme {
    /// The legacy scheme: published first, and the key Stack Auth signs with today.
    Legacy,
    /// The newer scheme (`stack-jwk-audience-secret`), published second; upstream plans to make
    /// it the signing key.
    New,
}

impl KeyScheme {
    /// The other scheme.
    pub fn other(self) -> KeyScheme {
        match self {
            KeyScheme::Legacy => KeyScheme::New,
            KeyScheme::New => KeyScheme::Legacy,
        }
    }
}

/// A public JWK exactly as Stack Auth publishes it: `kty, alg, crv, x, y, kid` in that order,
/// `x`/`y` minimal length (31 bytes for ~1 key in 128).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicJwk {
    /// Always `EC`.
    pub kty: String,
    /// Always `ES256`.
    pub alg: String,
    /// Always `P-256`.
    pub crv: String,
    /// The x coordinate, unpadded base64url of the minimal big-endian bytes.
    pub x: String,
    /// The y coordinate, same encoding.
    pub y: String,
    /// The 12-character key id.
    pub kid: String,
}

/// A private JWK in the shape of `getPrivateJwks` (`kty, crv, alg, kid, d, x, y`), as in the
/// interop derivation vectors.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateJwk {
    /// Always `EC`.
    pub kty: String,
    /// Always `P-256`.
    pub crv: String,
    /// Always `ES256`.
    pub alg: String,
    /// The key id.
    pub kid: String,
    /// The private scalar (32 bytes, base64url).
    pub d: String,
    /// The x coordinate (minimal length).
    pub x: String,
    /// The y coordinate (minimal length).
    pub y: String,
}

impl fmt::Debug for PrivateJwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateJwk")
            .field("kid", &self.kid)
            .field("x", &self.x)
            .field("y", &self.y)
            .finish_non_exhaustive()
    }
}

/// One key Stack Auth derives for an audience: its scheme, kid and P-256 key pair.
#[derive(Clone)]
pub struct DerivedKey {
    audience: String,
    scheme: KeyScheme,
    kid: String,
    signing: SigningKey,
}

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DerivedKey")
            .field("audience", &self.audience)
            .field("scheme", &self.scheme)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl DerivedKey {
    /// The audience the key belongs to (`<pid>`, `<pid>:restricted` or `<pid>:anon`).
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// How the key was derived.
    pub fn scheme(&self) -> KeyScheme {
        self.scheme
    }

    /// The 12-character key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as Stack Auth publishes it.
    pub fn public_jwk(&self) -> PublicJwk {
        let (x, y) = self.coordinates();
        PublicJwk {
            kty: "EC".into(),
            alg: "ES256".into(),
            crv: "P-256".into(),
            x,
            y,
            kid: self.kid.clone(),
        }
    }

    /// The private JWK (contains the private key: for tests only).
    pub fn private_jwk(&self) -> PrivateJwk {
        let (x, y) = self.coordinates();
        PrivateJwk {
            kty: "EC".into(),
            crv: "P-256".into(),
            alg: "ES256".into(),
            kid: self.kid.clone(),
            d: b64(self.signing.to_bytes()),
            x,
            y,
        }
    }

    /// The public key as an uncompressed SEC1 point (`04 ‖ x ‖ y`, 65 bytes, coordinates
    /// padded to 32 bytes), e.g. for `jsonwebtoken::DecodingKey::from_ec_der`-style APIs.
    pub fn public_key_sec1(&self) -> Vec<u8> {
        self.verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }

    /// Signs `message` with ES256, returning the raw 64-byte `r ‖ s` signature.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let sig: Signature = self.signing.sign(message);
        sig.to_bytes().into()
    }

    pub(crate) fn verifying_key(&self) -> VerifyingKey {
        *self.signing.verifying_key()
    }

    /// `(x, y)` base64url of the minimal big-endian bytes, as bn.js `toBuffer()` yields them.
    fn coordinates(&self) -> (String, String) {
        let point = self.verifying_key().to_encoded_point(false);
        let minimal = |c: Option<&p256::FieldBytes>| {
            let bytes: &[u8] = c.map(|c| &c[..]).unwrap_or_default();
            let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
            b64(&bytes[first..])
        };
        (minimal(point.x()), minimal(point.y()))
    }
}

/// Derives the two keys Stack Auth has for `audience` from the server `secret`, in the order it
/// publishes them: index 0 is the legacy-scheme key (the one that signs today), index 1 the
/// new-scheme key.
///
/// ```
/// use stack_auth_testkit::{derive_keys, KeyScheme};
///
/// let [legacy, new] = derive_keys("23-wuNpik0gIW4mruTz25rbIvhuuvZFrLOLtL7J4tyo", "internal")?;
/// assert_eq!(legacy.kid(), "M5zZLA6iQw2n");
/// assert_eq!(new.scheme(), KeyScheme::New);
/// # Ok::<(), stack_auth_testkit::TestkitError>(())
/// ```
///
/// # Errors
///
/// [`TestkitError::InvalidSecret`] when `secret` is not base64url;
/// [`TestkitError::KeyDerivation`] for the audience `kid` (forbidden by the legacy scheme).
pub fn derive_keys(secret: &str, audience: &str) -> Result<[DerivedKey; 2], TestkitError> {
    if b64_decode(secret).is_none() {
        return Err(TestkitError::InvalidSecret);
    }
    if audience == "kid" {
        return Err(derivation_error(
            audience,
            "the audience `kid` is forbidden",
        ));
    }
    let legacy_secret = b64(sha256(&json!([secret, audience]).to_string()));
    let legacy_kid = kid_of(&json!([legacy_secret, "kid"]).to_string());
    let new_secret = b64(sha256(
        &json!(["stack-jwk-audience-secret", secret, {"audience": audience}]).to_string(),
    ));
    let new_kid = kid_of(&json!(["stack-jwk-kid", secret, {"audience": audience}]).to_string());
    Ok([
        key(audience, KeyScheme::Legacy, legacy_kid, &legacy_secret)?,
        key(audience, KeyScheme::New, new_kid, &new_secret)?,
    ])
}

fn key(
    audience: &str,
    scheme: KeyScheme,
    kid: String,
    derived_secret: &str,
) -> Result<DerivedKey, TestkitError> {
    let raw = b64_decode(derived_secret).unwrap_or_default();
    let d = Sha256::digest(raw);
    let signing = SigningKey::from_bytes(&d)
        .map_err(|_| derivation_error(audience, "derived scalar is not a valid P-256 key"))?;
    Ok(DerivedKey {
        audience: audience.to_owned(),
        scheme,
        kid,
        signing,
    })
}

fn derivation_error(audience: &str, reason: &'static str) -> TestkitError {
    TestkitError::KeyDerivation {
        audience: audience.to_owned(),
        reason,
    }
}

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn kid_of(text: &str) -> String {
    b64(sha256(text)).chars().take(12).collect()
}

/// A fresh random server secret (32 random bytes, base64url), like a generated
/// `STACK_SERVER_SECRET`.
pub fn random_secret() -> String {
    b64(rand::random::<[u8; 32]>())
}
