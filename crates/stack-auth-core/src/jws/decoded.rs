//! [`DecodedJws`]: a compact JWS with its header checked and its segments decoded, the payload
//! still bytes, for verifiers that deserialize the claims their own way.

use serde_json::Value;

use super::{decode, malformed, Header, Segments, UnverifiedJws, ES256_SIGNATURE_LEN};
use crate::{Refusal, RefusalReason};

/// A compact JWS taken apart by the shared rules of the [module](super) except the payload
/// rule: the header is checked and every segment decoded once, but the payload is left as
/// bytes, so a verifier on the hot path can deserialize it straight into typed claims (the
/// caller must still refuse a payload that is not a JSON object as `malformed`, the rule
/// [`DecodedJws::into_unverified`] applies).
#[derive(Clone, PartialEq)]
pub struct DecodedJws<'a> {
    segments: Segments<'a>,
    header: Header,
    signature: Vec<u8>,
    payload: Vec<u8>,
}

impl<'a> DecodedJws<'a> {
    /// Decodes `segments`, checking the header and refusing an empty signature.
    ///
    /// # Errors
    ///
    /// A [`RefusalReason::Malformed`] or [`RefusalReason::UnsupportedAlgorithm`] refusal.
    pub fn from_segments(segments: Segments<'a>) -> Result<Self, Refusal> {
        let header = Header::parse(&decode(segments.header(), "header is not base64url")?)?;
        let signature = decode(segments.signature(), "signature is not base64url")?;
        if signature.is_empty() {
            return Err(malformed("signature is empty"));
        }
        let payload = decode(segments.payload(), "payload is not base64url")?;
        Ok(DecodedJws {
            segments,
            header,
            signature,
            payload,
        })
    }

    /// `header.payload`: the bytes the signature covers.
    pub fn signing_input(&self) -> &'a [u8] {
        self.segments.signing_input().as_bytes()
    }

    /// The checked protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The key id the header names (never empty).
    pub fn kid(&self) -> &str {
        self.header.kid()
    }

    /// The signature, when it has the length of an ES256 `r ‖ s` pair.
    ///
    /// # Errors
    ///
    /// A [`RefusalReason::BadSignature`] refusal when it is not [`ES256_SIGNATURE_LEN`] bytes.
    pub fn es256_signature(&self) -> Result<&Vec<u8>, Refusal> {
        if self.signature.len() != ES256_SIGNATURE_LEN {
            return Err(
                Refusal::new(RefusalReason::BadSignature).with_detail("signature is not 64 bytes")
            );
        }
        Ok(&self.signature)
    }

    /// The decoded payload bytes (unverified, not yet known to be JSON).
    pub fn payload_bytes(&self) -> &[u8] {
        &self.payload
    }

    /// Parses the payload as a JSON object: the [`UnverifiedJws`] of the same token.
    ///
    /// # Errors
    ///
    /// A [`RefusalReason::Malformed`] refusal when the payload is not a JSON object.
    pub fn into_unverified(self) -> Result<UnverifiedJws<'a>, Refusal> {
        let payload = match serde_json::from_slice(&self.payload) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(malformed("payload is not a JSON object")),
            Err(_) => return Err(malformed("payload is not JSON")),
        };
        Ok(UnverifiedJws {
            segments: self.segments,
            header: self.header,
            signature: self.signature,
            payload,
        })
    }
}

/// Shows the key id, never the token, signature or claims.
impl std::fmt::Debug for DecodedJws<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodedJws")
            .field("kid", &self.header.kid())
            .finish_non_exhaustive()
    }
}
