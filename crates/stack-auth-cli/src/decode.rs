//! Unverified decoding of a token, part by part, so a broken token still shows what it has;
//! and what the shared parser every verifier uses ([`stack_auth_core::jws`]) says about it.

use serde_json::Value;
use stack_auth_core::{
    jws::{decode_segment, UnverifiedJws},
    AccessTokenClaims, Refusal,
};

/// A token taken apart without checking anything. Each part decodes (or fails) on its own.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// How many `.`-separated segments the token has (a JWS compact token has 3).
    pub(crate) segments: usize,
    /// The header as JSON, or why it does not decode.
    pub(crate) header: Result<Value, String>,
    /// The payload as JSON, or why it does not decode.
    pub(crate) payload: Result<Value, String>,
    /// The signature bytes, or why they do not decode.
    pub(crate) signature: Result<Vec<u8>, String>,
    /// The shared parser's verdict on the token's form: what every verifier refuses it as,
    /// whatever its key, signature and claims.
    pub(crate) shape: Result<(), Refusal>,
}

impl Decoded {
    /// Takes `token` apart.
    pub(crate) fn new(token: &str) -> Self {
        let parts: Vec<&str> = token.split('.').collect();
        let part = |i: usize| parts.get(i).copied();
        Decoded {
            segments: parts.len(),
            header: json_part(part(0)),
            payload: json_part(part(1)),
            signature: part(2)
                .ok_or_else(|| "missing".to_owned())
                .and_then(base64url),
            shape: UnverifiedJws::parse(token).map(|_| ()),
        }
    }

    /// Whether every part decoded and there are exactly three.
    pub(crate) fn is_complete(&self) -> bool {
        self.segments == 3 && self.header.is_ok() && self.payload.is_ok() && self.signature.is_ok()
    }

    /// The payload as Stack Auth claims, when it decodes as such.
    pub(crate) fn claims(&self) -> Result<AccessTokenClaims, String> {
        let payload = self.payload.as_ref().map_err(Clone::clone)?;
        AccessTokenClaims::from_json_value(payload.clone()).map_err(|r| match r.detail() {
            Some(detail) => format!("{}: {detail}", r.reason()),
            None => r.reason().to_string(),
        })
    }

    /// A numeric claim (`exp`, `iat`) read from the payload, whatever else is wrong with it.
    pub(crate) fn time_claim(&self, name: &str) -> Option<i64> {
        self.payload.as_ref().ok()?.get(name)?.as_i64()
    }

    /// A string field of the header (`alg`, `kid`).
    pub(crate) fn header_str(&self, name: &str) -> Option<&str> {
        self.header.as_ref().ok()?.get(name)?.as_str()
    }
}

fn base64url(segment: &str) -> Result<Vec<u8>, String> {
    if segment.is_empty() {
        return Err("empty".to_owned());
    }
    // Padding is not base64url as JWS uses it, but say so rather than "invalid byte".
    if segment.ends_with('=') {
        return Err("not base64url: padded with '=' (JWS segments are unpadded)".to_owned());
    }
    decode_segment(segment).ok_or_else(|| "not base64url".to_owned())
}

fn json_part(segment: Option<&str>) -> Result<Value, String> {
    let bytes = base64url(segment.ok_or_else(|| "missing".to_owned())?)?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        let text = String::from_utf8_lossy(&bytes);
        let shown: String = text.chars().take(40).collect();
        format!("not JSON ({e}); starts with {shown:?}")
    })?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(format!("JSON but not an object: {value}"))
    }
}

#[cfg(test)]
mod tests {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};

    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn a_well_formed_token_decodes_fully() {
        let token = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"ES256","kid":"k1"}"#),
            b64(r#"{"sub":"u","exp":5}"#),
            b64("sig")
        );
        let d = Decoded::new(&token);
        assert!(d.is_complete());
        assert_eq!(d.header_str("kid"), Some("k1"));
        assert_eq!(d.time_claim("exp"), Some(5));
        assert_eq!(d.signature.as_deref().unwrap(), b"sig");
        assert_eq!(d.claims().unwrap_err(), "wrong_audience: aud is missing");
        assert!(d.shape.is_ok());
        let empty_kid = format!(
            "{}.{}",
            b64(r#"{"alg":"ES256","kid":""}"#),
            &token[token.find('.').unwrap() + 1..]
        );
        let d = Decoded::new(&empty_kid);
        assert!(d.is_complete());
        assert_eq!(d.shape.unwrap_err().detail(), Some("kid is empty"));
    }

    #[test]
    fn each_broken_part_says_why() {
        let d = Decoded::new(&format!("!!!.{}", b64("hello")));
        assert_eq!(d.segments, 2);
        assert!(d.header.unwrap_err().starts_with("not base64url"));
        assert!(d.payload.unwrap_err().starts_with("not JSON"));
        assert_eq!(d.signature.unwrap_err(), "missing");

        let d = Decoded::new(&format!("{}.{}=.", b64("[1]"), b64("{}")));
        assert!(d.header.unwrap_err().starts_with("JSON but not an object"));
        assert!(d.payload.unwrap_err().contains("padded"));
        assert_eq!(d.signature.unwrap_err(), "empty");

        let d = Decoded::new("");
        assert_eq!(d.segments, 1);
        assert!(!d.is_complete());
        assert_eq!(d.header.unwrap_err(), "empty");
    }
}
