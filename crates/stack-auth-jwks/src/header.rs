//! The JWS compact serialization and its protected header: everything checked before a key is
//! looked up (PROTOCOL §1.2).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde::{de::IgnoredAny, Deserialize, Deserializer};
use serde_json::Value;
use stack_auth_core::{Refusal, RefusalReason, MAX_TOKEN_LEN};

/// The only algorithm Stack Auth signs with.
pub(crate) const ES256: &str = "ES256";

/// The three segments of a compact JWS, borrowed from the token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenParts<'a> {
    /// `header.payload`: the bytes the signature covers.
    pub(crate) signing_input: &'a str,
    /// The base64url protected header.
    pub(crate) header: &'a str,
    /// The base64url payload.
    pub(crate) payload: &'a str,
    /// The base64url signature.
    pub(crate) signature: &'a str,
}

/// The protected header, reduced to what the verifier uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoseHeader {
    /// The key id; keys named any other way (`jwk`, `jku`, `x5u`, `x5c`) are ignored.
    pub(crate) kid: Box<str>,
}

fn malformed(detail: &'static str) -> Refusal {
    Refusal::new(RefusalReason::Malformed).with_detail(detail)
}

/// Splits `token` into its three segments, refusing oversized tokens before anything else.
pub(crate) fn split(token: &str) -> Result<TokenParts<'_>, Refusal> {
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
    Ok(TokenParts {
        signing_input: &token[..second],
        header: &token[..first],
        payload: &token[first + 1..second],
        signature: &token[second + 1..],
    })
}

/// Decodes one base64url segment (no padding, canonical trailing bits).
pub(crate) fn decode_segment(segment: &str, what: &'static str) -> Result<Vec<u8>, Refusal> {
    URL_SAFE_NO_PAD.decode(segment).map_err(|_| malformed(what))
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

/// Parses and checks the protected header: a JSON object, `alg` exactly `ES256`, no `crit`
/// (this verifier understands no extension), a string `kid`.
pub(crate) fn parse_header(segment: &str) -> Result<JoseHeader, Refusal> {
    let bytes = decode_segment(segment, "header is not base64url")?;
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(malformed("header is not a JSON object"));
    }
    let raw: RawHeader = serde_json::from_slice(&bytes)
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
        Some(Value::String(kid)) => Ok(JoseHeader { kid: kid.into() }),
        Some(_) => Err(malformed("kid is not a string")),
        None => Err(malformed("kid is missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn reason(header_json: &str) -> RefusalReason {
        parse_header(&b64(header_json)).unwrap_err().reason()
    }

    #[test]
    fn splits_exactly_three_segments() {
        let p = split("aa.bbb.c").unwrap();
        assert_eq!((p.header, p.payload, p.signature), ("aa", "bbb", "c"));
        assert_eq!(p.signing_input, "aa.bbb");
        let p = split("..").unwrap();
        assert_eq!((p.header, p.payload, p.signature), ("", "", ""));
        for bad in ["", "a", "a.b", "a.b.c.d", "a.b.c."] {
            assert_eq!(
                split(bad).unwrap_err().reason(),
                RefusalReason::Malformed,
                "{bad}"
            );
        }
        let huge = format!("a.{}.c", "b".repeat(MAX_TOKEN_LEN));
        assert_eq!(split(&huge).unwrap_err().reason(), RefusalReason::Malformed);
        let just_fits = format!("a.{}.c", "b".repeat(MAX_TOKEN_LEN - 4));
        assert!(split(&just_fits).is_ok());
    }

    #[test]
    fn accepts_the_header_stack_auth_sends() {
        let h = parse_header(&b64(r#"{"alg":"ES256","kid":"n0EcVSMdeW8t"}"#)).unwrap();
        assert_eq!(&*h.kid, "n0EcVSMdeW8t");
        let h = parse_header(&b64(
            r#" {"typ":"JWT","kid":"k","alg":"ES256","x5u":"https://e"}"#,
        ))
        .unwrap();
        assert_eq!(&*h.kid, "k");
    }

    #[test]
    fn refuses_other_algorithms() {
        for alg in ["none", "HS256", "RS256", "ES384", "es256", "EdDSA", ""] {
            let json = format!(r#"{{"alg":"{alg}","kid":"k"}}"#);
            assert_eq!(reason(&json), RefusalReason::UnsupportedAlgorithm, "{alg}");
        }
    }

    #[test]
    fn refuses_malformed_headers() {
        for json in [
            r#"{"kid":"k"}"#,
            r#"{"alg":null,"kid":"k"}"#,
            r#"{"alg":["ES256"],"kid":"k"}"#,
            r#"{"alg":"ES256"}"#,
            r#"{"alg":"ES256","kid":7}"#,
            r#"{"alg":"ES256","kid":null}"#,
            r#"{"alg":"ES256","kid":"k","crit":["b64"],"b64":false}"#,
            r#"{"alg":"ES256","kid":"k","crit":[]}"#,
            r#"{"alg":"ES256","kid":"k","crit":null}"#,
            r#"{"alg":"ES256","alg":"ES256","kid":"k"}"#,
            r#"["ES256","k"]"#,
            r#""ES256""#,
            "hello",
            r#"{"alg":"ES256","kid":"k"} trailing"#,
        ] {
            assert_eq!(reason(json), RefusalReason::Malformed, "{json}");
        }
        for segment in ["!!!", "eyJ=", "e yJ", "a"] {
            assert_eq!(
                parse_header(segment).unwrap_err().reason(),
                RefusalReason::Malformed,
                "{segment}"
            );
        }
    }
}
