//! The local look at a token before users/me is asked about it: only what has the shape of an
//! access token (PROTOCOL §1.2: a compact JWS whose protected header names `alg` and `kid`)
//! costs a request carrying the secret server key. Nothing here is verified; Stack Auth
//! decides the rest.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use reqwest::header::HeaderValue;
use serde_json::Value;
use stack_auth_core::{Refusal, RefusalReason, VerifyError, MAX_TOKEN_LEN};

/// The three segments of a compact JWS, as sent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segments<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
}

impl<'a> Segments<'a> {
    /// `token` split at its two dots, or `None` unless there are exactly two.
    pub(crate) fn of(token: &'a str) -> Option<Self> {
        let mut parts = token.split('.');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(header), Some(payload), Some(signature), None) => Some(Segments {
                header,
                payload,
                signature,
            }),
            _ => None,
        }
    }

    /// The decoded payload (unverified), if it is base64url.
    pub(crate) fn payload(&self) -> Option<Vec<u8>> {
        URL_SAFE_NO_PAD.decode(self.payload).ok()
    }
}

/// The only algorithm Stack Auth signs access tokens with.
const ES256: &str = "ES256";

fn malformed(why: &'static str) -> VerifyError {
    Refusal::new(RefusalReason::Malformed)
        .with_detail(why)
        .into()
}

/// The token as a header value, or a local refusal when it cannot be an access token:
/// `malformed` when it is empty, longer than [`MAX_TOKEN_LEN`], has characters no token has,
/// is not three base64url segments (the signature not empty), has a protected header that is
/// not a JSON object naming a string `alg` and a non-empty string `kid`, or a payload that is
/// not a JSON object; `unsupported_algorithm` when `alg` is not `ES256` (the only algorithm
/// Stack Auth signs with; it refuses any other).
///
/// # Errors
///
/// [`RefusalReason::Malformed`] (with a detail saying which rule failed) or
/// [`RefusalReason::UnsupportedAlgorithm`].
pub(crate) fn screen(token: &str) -> Result<HeaderValue, VerifyError> {
    if token.is_empty() {
        return Err(malformed("token is empty"));
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed("token is longer than MAX_TOKEN_LEN"));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(malformed("token has characters an access token never has"));
    }
    let segments = Segments::of(token)
        .ok_or_else(|| malformed("token is not three dot-separated segments"))?;
    let decode = |segment: &str| URL_SAFE_NO_PAD.decode(segment).ok();
    let header = decode(segments.header).ok_or_else(|| malformed("header is not base64url"))?;
    let Ok(Value::Object(header)) = serde_json::from_slice::<Value>(&header) else {
        return Err(malformed("header is not a JSON object"));
    };
    match header.get("alg") {
        Some(Value::String(alg)) if alg == ES256 => {}
        Some(Value::String(_)) => {
            return Err(Refusal::new(RefusalReason::UnsupportedAlgorithm)
                .with_detail("only ES256 is accepted")
                .into())
        }
        _ => return Err(malformed("header has no alg")),
    }
    if header
        .get("kid")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(malformed("header has no kid"));
    }
    let payload = segments
        .payload()
        .ok_or_else(|| malformed("payload is not base64url"))?;
    if !matches!(
        serde_json::from_slice::<Value>(&payload),
        Ok(Value::Object(_))
    ) {
        return Err(malformed("payload is not a JSON object"));
    }
    match decode(segments.signature) {
        Some(signature) if !signature.is_empty() => {}
        _ => return Err(malformed("signature is empty or not base64url")),
    }
    HeaderValue::from_str(token).map_err(|_| malformed("token is not a valid header value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn jws(header: &str, payload: &str, signature: &str) -> String {
        format!("{}.{}.{}", b64(header), b64(payload), b64(signature))
    }

    const HEADER: &str = r#"{"alg":"ES256","kid":"k1"}"#;

    #[test]
    fn a_token_shaped_string_passes() {
        assert!(screen(&jws(HEADER, r#"{"sub":"u"}"#, "sig")).is_ok());
        // The screen leaves keys, signatures and claims to Stack Auth.
        assert!(screen(&jws(r#"{"alg":"ES256","kid":"unknown"}"#, "{}", "sig")).is_ok());
    }

    #[test]
    fn another_algorithm_is_refused_as_unsupported() {
        for header in [
            r#"{"alg":"none","kid":"k1"}"#,
            r#"{"alg":"HS256","kid":"k1"}"#,
        ] {
            let e = screen(&format!("{}.{}.", b64(header), b64("{}"))).unwrap_err();
            assert_eq!(
                e.refusal_reason(),
                Some(RefusalReason::UnsupportedAlgorithm)
            );
        }
    }

    #[test]
    fn strings_that_cannot_be_an_access_token_are_malformed() {
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        let cases = [
            String::new(),
            long,
            "not a token".to_owned(),
            "opaque".to_owned(),
            "a.b".to_owned(),
            "a.b.c.d".to_owned(),
            format!("{}.{}.", b64(HEADER), b64("{}")),
            format!("{}.{}.***", b64(HEADER), b64("{}")),
            format!("{}=.{}.{}", b64(HEADER), b64("{}"), b64("s")),
            jws("[1]", "{}", "sig"),
            jws("{\"alg\":\"ES256\"}", "{}", "sig"),
            jws("{\"kid\":\"k1\"}", "{}", "sig"),
            jws(r#"{"alg":"ES256","kid":""}"#, "{}", "sig"),
            jws(r#"{"alg":1,"kid":"k1"}"#, "{}", "sig"),
            jws(HEADER, "not json", "sig"),
            jws(HEADER, "[]", "sig"),
        ];
        for token in cases {
            let e = screen(&token).unwrap_err();
            assert_eq!(
                e.refusal_reason(),
                Some(RefusalReason::Malformed),
                "{token:.40}"
            );
        }
    }
}
