//! The unverified JWS compact token, parsed once by the rules every verifier of this SDK shares
//! (PROTOCOL §1.2): for verifier implementations, and for tools that show a token.
//!
//! Nothing here checks a signature. [`UnverifiedJws::parse`] takes a token apart in one pass
//! (borrowing the segments, decoding each once) and refuses what no Stack Auth access token can
//! be, with the same [`RefusalReason`] wherever the rule is applied: the JWKS verifier before
//! the key lookup, the composite's screen, the REST verifier's local shape check and the CLI all
//! call it.
//!
//! | rule | refusal |
//! |---|---|
//! | empty, longer than [`MAX_TOKEN_LEN`], not exactly three `.`-separated segments | `malformed` |
//! | a segment that is not unpadded base64url | `malformed` |
//! | header not a JSON object, `alg` missing or not a string, `crit` present, `kid` missing, not a string or **empty** (real tokens always carry a 12-character `kid`) | `malformed` |
//! | `alg` a string other than `ES256` | `unsupported_algorithm` |
//! | empty signature segment (an unsecured JWS) | `malformed` |
//! | payload not a JSON object | `malformed` |
//! | a signature that is not 64 bytes ([`UnverifiedJws::es256_signature`]) | `bad_signature` |
//! | `now >= exp + leeway` ([`check_expiry`]; jose's zero-tolerance rule, whole seconds) | `expired` |
//!
//! The claim rules (including a `project_id` that disagrees with `aud`, which is
//! `inconsistent_claims`) live on [`AccessTokenClaims`].
//!
//! ```
//! use stack_auth_core::{jws::UnverifiedJws, RefusalReason};
//!
//! let header = "eyJhbGciOiJFUzI1NiIsImtpZCI6Im4wRWNWU01kZVc4dCJ9"; // {"alg":"ES256","kid":"n0EcVSMdeW8t"}
//! let token = format!("{header}.eyJzdWIiOiJ1In0.c2ln");
//! let jws = UnverifiedJws::parse(&token)?;
//! assert_eq!(jws.kid(), "n0EcVSMdeW8t");
//! assert_eq!(jws.payload()["sub"], "u");
//! // Three bytes are no ES256 signature.
//! let short = jws.es256_signature().unwrap_err();
//! assert_eq!(short.reason(), RefusalReason::BadSignature);
//! # Ok::<(), stack_auth_core::Refusal>(())
//! ```

mod decoded;
mod expiry;
mod header;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde_json::{Map, Value};

pub use decoded::DecodedJws;
pub use expiry::check_expiry;
pub use header::{Header, ES256};

use crate::{AccessTokenClaims, Refusal, RefusalReason, MAX_TOKEN_LEN};

/// Length of a raw ES256 signature (`r ‖ s`).
pub const ES256_SIGNATURE_LEN: usize = 64;

pub(crate) fn malformed(detail: &'static str) -> Refusal {
    Refusal::new(RefusalReason::Malformed).with_detail(detail)
}

/// The three segments of a compact JWS, borrowed from the token (nothing decoded yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments<'a> {
    signing_input: &'a str,
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
}

impl<'a> Segments<'a> {
    /// Splits `token` at its two dots, refusing an empty or oversized token (before looking at
    /// it) and any other number of segments.
    ///
    /// # Errors
    ///
    /// A [`RefusalReason::Malformed`] refusal.
    pub fn split(token: &'a str) -> Result<Self, Refusal> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(malformed("token is too large"));
        }
        if token.is_empty() {
            return Err(malformed("token is empty"));
        }
        let mut dots = token.match_indices('.').map(|(i, _)| i);
        let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
            return Err(malformed("token does not have exactly three segments"));
        };
        Ok(Segments {
            signing_input: &token[..second],
            header: &token[..first],
            payload: &token[first + 1..second],
            signature: &token[second + 1..],
        })
    }

    /// `header.payload`: the bytes the signature covers.
    pub fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    /// The base64url protected header.
    pub fn header(&self) -> &'a str {
        self.header
    }

    /// The base64url payload.
    pub fn payload(&self) -> &'a str {
        self.payload
    }

    /// The base64url signature.
    pub fn signature(&self) -> &'a str {
        self.signature
    }
}

/// Decodes one JWS segment: unpadded base64url with canonical trailing bits, as JWS requires.
/// `None` when it is not.
pub fn decode_segment(segment: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(segment).ok()
}

fn decode(segment: &str, what: &'static str) -> Result<Vec<u8>, Refusal> {
    decode_segment(segment).ok_or_else(|| malformed(what))
}

/// A compact JWS taken apart by the shared rules, its signature not checked.
///
/// Built in one pass by [`UnverifiedJws::parse`] (or [`UnverifiedJws::from_segments`] when the
/// caller already split the token): the header is checked, the signature and payload decoded
/// once, the payload parsed once as a JSON object.
#[derive(Clone, PartialEq)]
pub struct UnverifiedJws<'a> {
    segments: Segments<'a>,
    header: Header,
    signature: Vec<u8>,
    payload: Map<String, Value>,
}

impl<'a> UnverifiedJws<'a> {
    /// Parses `token` (see the [module docs](self) for the rules).
    ///
    /// # Errors
    ///
    /// A [`RefusalReason::Malformed`] or [`RefusalReason::UnsupportedAlgorithm`] refusal.
    pub fn parse(token: &'a str) -> Result<Self, Refusal> {
        Self::from_segments(Segments::split(token)?)
    }

    /// Like [`UnverifiedJws::parse`], for a token already split.
    ///
    /// # Errors
    ///
    /// A [`RefusalReason::Malformed`] or [`RefusalReason::UnsupportedAlgorithm`] refusal.
    pub fn from_segments(segments: Segments<'a>) -> Result<Self, Refusal> {
        DecodedJws::from_segments(segments)?.into_unverified()
    }

    /// The segments as sent.
    pub fn segments(&self) -> &Segments<'a> {
        &self.segments
    }

    /// `header.payload`: the bytes the signature covers.
    pub fn signing_input(&self) -> &'a [u8] {
        self.segments.signing_input.as_bytes()
    }

    /// The checked protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The key id the header names (never empty).
    pub fn kid(&self) -> &str {
        self.header.kid()
    }

    /// The decoded signature (never empty). A `Vec`, as decoded, because common JWT libraries
    /// (jsonwebtoken's `JwtVerifier`) take one: verifying needs no copy.
    pub fn signature(&self) -> &Vec<u8> {
        &self.signature
    }

    /// The signature, when it has the length of an ES256 `r ‖ s` pair.
    ///
    /// # Errors
    ///
    /// A [`RefusalReason::BadSignature`] refusal when it is not [`ES256_SIGNATURE_LEN`] bytes:
    /// no key can verify it (checked before any key lookup, so such a token cannot make a
    /// verifier refetch keys).
    pub fn es256_signature(&self) -> Result<&Vec<u8>, Refusal> {
        if self.signature.len() != ES256_SIGNATURE_LEN {
            return Err(
                Refusal::new(RefusalReason::BadSignature).with_detail("signature is not 64 bytes")
            );
        }
        Ok(&self.signature)
    }

    /// The payload, a JSON object (unverified).
    pub fn payload(&self) -> &Map<String, Value> {
        &self.payload
    }

    /// The payload's `exp`, when it is an integer (unverified).
    pub fn exp(&self) -> Option<i64> {
        self.payload.get("exp").and_then(Value::as_i64)
    }

    /// The payload as typed claims (unverified; see [`AccessTokenClaims::from_json_value`]).
    ///
    /// # Errors
    ///
    /// The refusals of [`AccessTokenClaims::from_json_value`].
    pub fn into_claims(self) -> Result<AccessTokenClaims, Refusal> {
        AccessTokenClaims::from_json_value(Value::Object(self.payload))
    }
}

/// Shows the key id, never the token, signature or claims.
impl std::fmt::Debug for UnverifiedJws<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnverifiedJws")
            .field("kid", &self.header.kid())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
