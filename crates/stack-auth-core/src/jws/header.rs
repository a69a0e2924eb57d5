//! The protected header: everything checked about it before a key is looked up.

use serde::{de::IgnoredAny, Deserialize, Deserializer};
use serde_json::Value;

use super::malformed;
use crate::{Refusal, RefusalReason};

/// The only algorithm Stack Auth signs access tokens with.
pub const ES256: &str = "ES256";

/// A checked protected header: `alg` is `ES256`, no `crit`, a non-empty `kid`.
///
/// Keys named any other way (`jwk`, `jku`, `x5u`, `x5c`) are ignored: a verifier chooses the
/// key by `kid` from the key set it fetched, never from the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    kid: Box<str>,
}

#[derive(Deserialize)]
struct RawHeader {
    #[serde(default)]
    alg: Option<Value>,
    #[serde(default)]
    kid: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    crit: Option<IgnoredAny>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<IgnoredAny>, D::Error> {
    IgnoredAny::deserialize(d).map(Some)
}

impl Header {
    /// Checks a decoded protected header: a JSON object (no field twice), `alg` exactly
    /// `ES256`, no `crit` (no extension is understood), a non-empty string `kid`.
    ///
    /// # Errors
    ///
    /// [`RefusalReason::UnsupportedAlgorithm`] for a string `alg` other than `ES256`, else a
    /// [`RefusalReason::Malformed`] refusal naming the rule.
    pub fn parse(json: &[u8]) -> Result<Self, Refusal> {
        if json.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(malformed("header is not a JSON object"));
        }
        let raw: RawHeader = serde_json::from_slice(json)
            .map_err(|_| malformed("header is not a valid JSON object"))?;
        match raw.alg {
            Some(Value::String(alg)) if alg == ES256 => {}
            Some(Value::String(_)) => {
                return Err(Refusal::new(RefusalReason::UnsupportedAlgorithm)
                    .with_detail("only ES256 is accepted"))
            }
            Some(_) => return Err(malformed("alg is not a string")),
            None => return Err(malformed("alg is missing")),
        }
        if raw.crit.is_some() {
            return Err(malformed(
                "crit names extensions this verifier does not understand",
            ));
        }
        match raw.kid {
            Some(Value::String(kid)) if kid.is_empty() => Err(malformed("kid is empty")),
            Some(Value::String(kid)) => Ok(Header { kid: kid.into() }),
            Some(_) => Err(malformed("kid is not a string")),
            None => Err(malformed("kid is missing")),
        }
    }

    /// The key id (never empty).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm: always [`ES256`] (any other is refused).
    pub fn alg(&self) -> &'static str {
        ES256
    }
}
